import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { BrowserRouter, Route, Routes } from 'react-router';
import { ControlPanel } from './control/ControlPanel.js';
import { ControlHome } from './pages/ControlHome.js';
import { PublicShowPage } from './pages/PublicShowPage.js';
import { ReviewPage } from './review/ReviewPage.js';
import { StagePage } from './stage/StagePage.js';
import './styles.css';

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <BrowserRouter>
      <Routes>
        <Route path="/control/:showId" element={<ControlPanel />} />
        <Route path="/stage/:showId" element={<StagePage />} />
        <Route path="/review/:showId" element={<ReviewPage />} />
        <Route path="/shows/:showId" element={<PublicShowPage />} />
        <Route path="*" element={<ControlHome />} />
      </Routes>
    </BrowserRouter>
  </StrictMode>,
);
