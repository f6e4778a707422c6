import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import { shellPrecache } from './build/shell-precache.ts';

/** The Tresor server; `npm run dev` forwards API calls to it so the app stays same-origin. */
const apiTarget = 'http://127.0.0.1:8080';
const WORKER = 'service-worker.js';
const path = (relative: string) => fileURLToPath(new URL(relative, import.meta.url));

// Vite requires the config as the default export.
export default defineConfig({
  plugins: [react(), shellPrecache({ workerFileName: WORKER, publicDir: path('public') })],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // The OPAQUE client (with Argon2id) ships as ~400 kB of inlined WebAssembly; the rest is ~500 kB.
    chunkSizeWarningLimit: 1000,
    rolldownOptions: {
      input: { index: path('index.html'), 'service-worker': path('src/pwa/service-worker.ts') },
      output: {
        // The worker must keep a stable name at the root: its URL is its identity and its scope.
        entryFileNames: (chunk) => (chunk.name === 'service-worker' ? WORKER : 'assets/[name]-[hash].js'),
      },
    },
  },
  server: {
    proxy: {
      '/api': apiTarget,
      '/healthz': apiTarget,
      '/readyz': apiTarget,
    },
  },
});
