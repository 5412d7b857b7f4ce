import { defineConfig } from 'vite';
import { rendererConfig } from './renderer-config.mts';

/** `npx vite build --config src-renderer/vite.config.mts`: the renderer alone (renderer-config.ts says where it goes). */
export default defineConfig(rendererConfig);
