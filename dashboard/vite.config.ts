import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

/**
 * The dashboard page (`GET /dashboard`), built into dist/dashboard and served by the gateway from
 * the same origin, so it needs no CORS and its CSP can be `self` only.
 */
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/dashboard/',
  build: {
    outDir: fileURLToPath(new URL('../dist/dashboard', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    // One budget for the whole page (issue #13: ≤ 500 kB gzipped); ECharts is most of it.
    chunkSizeWarningLimit: 1500,
  },
  logLevel: 'warn',
});
