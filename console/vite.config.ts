import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// Served by the platform at /console on the API port (src/console builds it). `npm run
// console:dev` serves it from Vite's dev server instead (hot reload, http://localhost:5173/console/)
// and proxies the REST API it calls, /v1 (the NDJSON log tail included), to a running platform:
// NIMBUS_ENDPOINT, the variable the CLI reads, else the default API port.
const api = process.env.NIMBUS_ENDPOINT ?? 'http://127.0.0.1:8080';

export default defineConfig({
  base: '/console/',
  plugins: [react()],
  build: { outDir: 'dist', sourcemap: false, chunkSizeWarningLimit: 800 },
  server: {
    proxy: { '/v1': { target: api, changeOrigin: true } },
  },
});
