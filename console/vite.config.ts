import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// Served by the platform at /console on the API port (src/console); `vite` (dev) proxies /v1 to
// a running platform at NIMBUS_API_URL (default http://127.0.0.1:8080).
export default defineConfig({
  base: '/console/',
  plugins: [react()],
  build: { outDir: 'dist', sourcemap: false, chunkSizeWarningLimit: 800 },
  server: {
    proxy: { '/v1': process.env.NIMBUS_API_URL ?? 'http://127.0.0.1:8080' },
  },
});
