import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { isFresh } from './freshness.js';
import { REPO_ROOT } from './repo.js';

/**
 * The tests run the CLI bundle as real processes: build it only when a source is newer than it, so
 * `npm test` (which builds first) builds once, and `npx vitest run <file>` after an edit still gets it fresh.
 */
export default function setup(): void {
  const bundle = join(REPO_ROOT, 'dist-cli/beacon.cjs');
  const sources = ['src-main', 'scripts/build-cli.mjs', 'package.json'].map((path) => join(REPO_ROOT, path));
  if (!isFresh(bundle, sources)) execFileSync(process.execPath, [join(REPO_ROOT, 'scripts/build-cli.mjs')], { cwd: REPO_ROOT, stdio: 'inherit' });
}
