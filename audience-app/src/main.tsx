import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { BrowserRouter, Route, Routes } from 'react-router';
import { EnterCodePage } from './pages/EnterCodePage.js';
import { JoinPage } from './pages/JoinPage.js';
import './styles.css';

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <BrowserRouter>
      <Routes>
        <Route path="/join/:joinCode" element={<JoinPage />} />
        <Route path="*" element={<EnterCodePage />} />
      </Routes>
    </BrowserRouter>
  </StrictMode>,
);
