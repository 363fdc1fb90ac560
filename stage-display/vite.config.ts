import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// The show-server serves this build under /s/ (see show-server/src/http/web-apps.ts).
export default defineConfig({
  base: '/s/',
  plugins: [react()],
  server: {
    proxy: {
      '/api': 'http://localhost:8080',
      '/socket.io': { target: 'http://localhost:8080', ws: true },
    },
  },
});
