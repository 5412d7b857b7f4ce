import { resolve } from 'node:path';
import { defineConfig, type UserConfig } from 'vite';
import react from '@vitejs/plugin-react';

/**
 * Builds the renderer alone (the same settings as the renderer part of electron.vite.config.ts):
 * `npx vite build --config src-renderer/vite.config.ts` writes out/renderer, which the Electron window loads
 * and `beacon run --dashboard` serves. Relative asset paths, because both load it from a folder.
 */
export const rendererConfig: UserConfig = {
  root: __dirname,
  base: './',
  plugins: [react()],
  build: {
    outDir: resolve(__dirname, '../out/renderer'),
    emptyOutDir: true,
    // electron-vite leaves the renderer unminified unless told; the dashboard serves the same files.
    minify: true,
    // xterm alone is ~400 kB; the app is loaded from disk or 127.0.0.1, so one chunk is fine.
    chunkSizeWarningLimit: 1024,
    rollupOptions: { input: { index: resolve(__dirname, 'index.html') } },
  },
};

export default defineConfig(rendererConfig);
