/// <reference types="vitest/config" />
import { defineConfig } from 'vite';
import { uiDevServer } from './dev/ui-dev-server';

// The app is served by tzr-host under /ui/. Asset names carry a content hash (Vite's default
// [name]-[hash]); nothing is inlined into index.html (the server sends a strict CSP).
export default defineConfig({
  base: '/ui/',
  appType: 'spa',
  plugins: [uiDevServer()],
  server: { host: '127.0.0.1', port: Number(process.env.TZR_UI_DEV_PORT) || 5173, strictPort: true },
  preview: { host: '127.0.0.1', port: Number(process.env.TZR_UI_PREVIEW_PORT) || 4173, strictPort: true },
  build: {
    outDir: 'dist',
    assetsDir: 'assets',
    assetsInlineLimit: 0,
    sourcemap: false,
    target: 'es2022',
    modulePreload: { polyfill: false },
    rollupOptions: {
      output: {
        entryFileNames: 'assets/[name]-[hash].js',
        chunkFileNames: 'assets/[name]-[hash].js',
        assetFileNames: 'assets/[name]-[hash][extname]',
      },
    },
  },
  test: {
    include: ['tests/**/*.test.ts'],
    environment: 'node',
  },
});
