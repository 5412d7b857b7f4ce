import config from '../../electron.vite.config';

/**
 * The app's own electron-vite config without the renderer: the smoke test bundles main and preload into its
 * own folder and leaves out/renderer (which other tests serve) alone.
 */
const { main, preload } = config as { main: unknown; preload: unknown };
export default { main, preload };
