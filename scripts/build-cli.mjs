// Bundles the headless CLI (`beacon`) for plain Node 20. Native and heavy modules stay external.
import { build } from 'esbuild';
import { readFileSync, chmodSync, mkdirSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
mkdirSync('dist-cli', { recursive: true });
const started = Date.now();
await build({
  entryPoints: ['src-main/cli/main.ts'],
  outfile: 'dist-cli/beacon.cjs',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: 'linked',
  banner: { js: '#!/usr/bin/env node' },
  define: { __BEACON_VERSION__: JSON.stringify(pkg.version) },
  external: ['node-pty', 'better-sqlite3', 'electron', 'bufferutil', 'utf-8-validate'],
  logLevel: 'warning',
});
chmodSync('dist-cli/beacon.cjs', 0o755);
console.log(`built dist-cli/beacon.cjs in ${Date.now() - started} ms`);
