import { defineConfig } from 'vite'
import react from '@vitejs/plugin-react'

// The edge server serves dist/ itself (`npm start`); `npm run dev -w @fastsam-xr/xr` proxies
// Socket.IO and exports to a server on FASTSAM_SERVER (default http://127.0.0.1:8080).
const server = process.env.FASTSAM_SERVER ?? 'http://127.0.0.1:8080'

export default defineConfig({
  root: import.meta.dirname,
  base: './',
  plugins: [react()],
  worker: { format: 'es' },
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 4000 },
  server: {
    proxy: {
      '/socket.io': { target: server, ws: true },
      '/rooms': { target: server },
    },
  },
})
