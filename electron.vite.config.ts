import { resolve } from 'node:path';
import { readFileSync } from 'node:fs';
import { defineConfig, externalizeDepsPlugin } from 'electron-vite';
import { rendererConfig } from './src-renderer/renderer-config.mts';

const pkg = JSON.parse(readFileSync(resolve(__dirname, 'package.json'), 'utf8')) as { version: string };
const define = { __BEACON_VERSION__: JSON.stringify(pkg.version) };

/**
 * One config builds the Electron main process, the sandboxed preload and the React renderer.
 * The renderer output (out/renderer) is also what `beacon run --dashboard` serves to a browser, so it
 * uses relative asset paths.
 */
export default defineConfig({
  main: {
    // electron-store is ESM-only: bundle it into the CJS main instead of requiring it at run time.
    plugins: [externalizeDepsPlugin({ exclude: ['electron-store'] })],
    define,
    build: {
      outDir: 'out/main',
      rollupOptions: { input: { index: resolve(__dirname, 'src-main/electron/main.ts') } },
    },
  },
  preload: {
    plugins: [externalizeDepsPlugin()],
    build: {
      outDir: 'out/preload',
      rollupOptions: {
        input: { index: resolve(__dirname, 'src-main/electron/preload.ts') },
        // A sandboxed preload must be a single CommonJS file.
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  // The renderer has one config, shared with `vite build --config src-renderer/vite.config.ts`.
  renderer: rendererConfig,
});
