import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The console is served by Assent at /admin (src/http/console.ts); `npm run dev:admin` proxies the API
// to a running server (ASSENT_API, default http://127.0.0.1:8080, assent start's) so the session cookie stays same-origin.
const api = process.env.ASSENT_API ?? 'http://127.0.0.1:8080';

export default defineConfig({
  root: import.meta.dirname,
  base: '/admin/',
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: true },
  server: { proxy: { '/api': api, '/openapi.json': api } },
});
