import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';

/**
 * Where the real app is, for the tests that need it (app-e2e, packaged-app): an Electron binary and the
 * packaged Beacon.app from `npm run dist:mac`. Each answer is a path or the reason it is missing, which the
 * tests print when they skip.
 */
export type Found = { path: string; reason?: undefined } | { path?: undefined; reason: string };

const ROOT = resolve(import.meta.dirname, '../..');

/** The Electron runtime from node_modules/electron (absent when installed with ELECTRON_SKIP_BINARY_DOWNLOAD). */
export function findElectronBinary(): Found {
  try {
    const path = createRequire(import.meta.url)('electron') as unknown as string;
    if (typeof path === 'string' && existsSync(path)) return { path };
    return { reason: `no Electron binary: node_modules/electron points at ${String(path)}, which does not exist` };
  } catch {
    return { reason: 'no Electron binary: node_modules/electron was installed without it (ELECTRON_SKIP_BINARY_DOWNLOAD, or its download failed)' };
  }
}

/**
 * The packaged app: BEACON_E2E_APP (a path to Beacon.app), else release/mac-arm64/Beacon.app on Apple silicon
 * or release/mac/Beacon.app on Intel (electron-builder's output folders).
 */
export function findPackagedApp(): Found {
  const wanted = process.env.BEACON_E2E_APP;
  if (wanted) return existsSync(wanted) ? { path: resolve(wanted) } : { reason: `BEACON_E2E_APP=${wanted} does not exist` };
  if (process.platform !== 'darwin') return { reason: `the packaged app is a macOS app and this is ${process.platform}` };
  const folder = process.arch === 'arm64' ? 'mac-arm64' : 'mac';
  const app = join(ROOT, 'release', folder, 'Beacon.app');
  if (existsSync(app)) return { path: app };
  const built = existsSync(join(ROOT, 'release')) ? readdirSync(join(ROOT, 'release')).join(', ') : 'no release/ folder';
  return { reason: `no packaged app at release/${folder}/Beacon.app (${built}): run npm run dist:mac first, or set BEACON_E2E_APP` };
}

/** The app code inside a Beacon.app, which a stock Electron binary can run (`electron …/app.asar`). */
export function asarOf(appBundle: string): string {
  return join(appBundle, 'Contents', 'Resources', 'app.asar');
}
