import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { mentuPaths, type MentuPaths } from '../../src-main/core/paths.js';

export const REPO = resolve(fileURLToPath(new URL('../..', import.meta.url)));
export const CLI = join(REPO, 'dist-cli/beacon.cjs');

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
export function runCli(args: string[], env: NodeJS.ProcessEnv, timeoutMs = 20_000): Promise<CliResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`beacon ${args.join(' ')} did not finish within ${timeoutMs} ms; stderr: ${stderr}`));
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolvePromise({ code, stdout, stderr });
    });
  });
}

/** Bundle a fixture script once for plain `node` (fast to spawn many times). */
export async function bundleFixture(entry: string, outDir: string): Promise<string> {
  const outfile = join(outDir, `${entry.replace(/[^A-Za-z0-9]+/g, '-')}.cjs`);
  await build({
    entryPoints: [join(REPO, entry)],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    logLevel: 'warning',
  });
  return outfile;
}
