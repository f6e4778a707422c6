import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/** The Tresor server; `npm run dev` forwards API calls to it so the app stays same-origin. */
const apiTarget = 'http://127.0.0.1:8080';

// Vite requires the config as the default export.
export default defineConfig({
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
  },
  server: {
    proxy: {
      '/api': apiTarget,
      '/healthz': apiTarget,
      '/readyz': apiTarget,
    },
  },
});
