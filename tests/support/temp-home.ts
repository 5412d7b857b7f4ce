import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { REPO_ROOT } from './repo.js';
import { mentuPaths, type MentuPaths } from '../../src-main/core/paths.js';


export interface TempHome {
  home: string;
  env: NodeJS.ProcessEnv;
  paths: MentuPaths;
  cleanup(): void;
}

const created: TempHome[] = [];

/** Remove every temp home made so far (call from afterEach). */
export function cleanupTempHomes(): void {
  for (const home of created.splice(0)) home.cleanup();
}

/** A fresh MENTU_HOME under the OS temp folder; the environment every process and call of a test uses. */
export function tempHome(extraEnv: NodeJS.ProcessEnv = {}): TempHome {
  const home = mkdtempSync(join(tmpdir(), 'beacon-foundation-'));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    MENTU_HOME: home,
    BEACON_LOGIN_SHELL: '0',
    BEACON_HOSTNAME: 'test-host',
    ...extraEnv,
  };
  const made = { home, env, paths: mentuPaths(env), cleanup: () => rmSync(home, { recursive: true, force: true }) };
  created.push(made);
  return made;
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Run the bundled CLI (`node dist-cli/beacon.cjs …`) to completion. */
/** Bundle a fixture script once for plain `node` (fast to spawn many times). */
export async function bundleFixture(entry: string, outDir: string): Promise<string> {
  const outfile = join(outDir, `${entry.replace(/[^A-Za-z0-9]+/g, '-')}.cjs`);
  await build({
    entryPoints: [join(REPO_ROOT, entry)],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    logLevel: 'warning',
  });
  return outfile;
}
