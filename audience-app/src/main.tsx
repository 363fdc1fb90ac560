import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { BrowserRouter, Route, Routes } from 'react-router';
import { EnterCodePage } from './pages/EnterCodePage.js';
import { JoinPage } from './pages/JoinPage.js';
import { ClaimPage } from './pages/ClaimPage.js';
import { YourRecordsPage } from './pages/YourRecordsPage.js';
import './styles.css';

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <BrowserRouter>
      <Routes>
        <Route path="/join/:joinCode" element={<JoinPage />} />
        <Route path="/me/:joinCode" element={<YourRecordsPage />} />
        <Route path="/claim/:code" element={<ClaimPage />} />
        <Route path="*" element={<EnterCodePage />} />
      </Routes>
    </BrowserRouter>
  </StrictMode>,
);
