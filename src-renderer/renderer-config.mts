import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Plugin, UserConfig } from 'vite';
import react from '@vitejs/plugin-react';

/**
 * The renderer's build, shared by electron.vite.config.ts (with the Electron main and preload) and
 * src-renderer/vite.config.mts (alone): out/renderer, which the Electron window loads and `beacon run --dashboard`
 * serves. Relative asset paths, because both load it from a folder.
 */
/**
 * The page's meta CSP allows no inline script, but Vite's dev server injects one (the React refresh preamble):
 * in development (`vite serve`, `npm run dev:app`) the meta is left out and the Electron shell sends the
 * development CSP header instead (src-main/electron/security.ts). A build keeps the meta as written.
 */
export const devServerCsp: Plugin = {
  name: 'beacon-dev-server-csp',
  apply: 'serve',
  transformIndexHtml: (html) => html.replace(/<meta\s+http-equiv="Content-Security-Policy"[^>]*>\s*/i, ''),
};

const here = dirname(fileURLToPath(import.meta.url));

export const rendererConfig: UserConfig = {
  root: here,
  base: './',
  plugins: [react(), devServerCsp],
  build: {
    outDir: resolve(here, '../out/renderer'),
    emptyOutDir: true,
    // electron-vite leaves the renderer unminified unless told; the dashboard serves the same files.
    minify: true,
    // xterm alone is ~400 kB; the app is loaded from disk or 127.0.0.1, so one chunk is fine.
    chunkSizeWarningLimit: 1024,
    rollupOptions: { input: { index: resolve(here, 'index.html') } },
  },
};

