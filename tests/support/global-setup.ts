import { execFileSync } from 'node:child_process';

/** Every test run uses a fresh CLI bundle: esbuild takes well under a second. */
export default function setup(): void {
  execFileSync(process.execPath, ['scripts/build-cli.mjs'], { stdio: 'inherit' });
}
