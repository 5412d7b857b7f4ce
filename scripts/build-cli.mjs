// Bundles the headless CLI (`beacon`) for plain Node 20. Native and heavy modules stay external.
// The file is written to a temporary name and renamed, so a process starting meanwhile never sees half a bundle.
import { build } from 'esbuild';
import { readFileSync, writeFileSync, renameSync, chmodSync, mkdirSync } from 'node:fs';
import { basename } from 'node:path';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const outfile = 'dist-cli/beacon.cjs';
mkdirSync('dist-cli', { recursive: true });
const started = Date.now();
const result = await build({
  entryPoints: ['src-main/cli/main.ts'],
  outfile,
  bundle: true,
  write: false,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: 'linked',
  banner: { js: '#!/usr/bin/env node' },
  define: { __BEACON_VERSION__: JSON.stringify(pkg.version) },
  external: ['node-pty', 'better-sqlite3', 'electron', 'bufferutil', 'utf-8-validate'],
  logLevel: 'warning',
});
for (const file of result.outputFiles) {
  const temp = `${file.path}.${process.pid}.tmp`;
  writeFileSync(temp, file.contents);
  renameSync(temp, file.path);
}
chmodSync(outfile, 0o755);
console.log(`built ${outfile} in ${Date.now() - started} ms (${basename(outfile)})`);
