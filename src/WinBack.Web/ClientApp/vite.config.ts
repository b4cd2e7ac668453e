/// <reference types="vitest/config" />
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// Built by the app's normal build (WinBack.Web.csproj): WinBack.Web serves dist/index.html as the embedded page (with the API key
// and App Bridge script put in) and the hashed assets under /app/.
export default defineConfig({
  plugins: [react()],
  base: '/app/',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 2000,
  },
  test: {
    environment: 'node',
  },
});
