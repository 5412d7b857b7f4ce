import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from './repo.js';

/**
 * The built CLI bundle (`npm run build:cli`; the test run's global setup makes sure it is current).
 * BEACON_TEST_CLI runs the same tests against another build (e.g. main's, to show a new test fails there).
 */
export const CLI = process.env.BEACON_TEST_CLI ?? join(REPO_ROOT, 'dist-cli/beacon.cjs');

/** A stack trace line as Node prints one: expected conditions never show one. */
export const STACK_LINE = /^\s+at .+\(.+:\d+:\d+\)$|^\s+at .+:\d+:\d+$/m;

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  env: NodeJS.ProcessEnv;
  cwd?: string;
  input?: string;
  timeoutMs?: number;
}

/**
 * `beacon <args>` as a child process, without blocking this one: for tests whose own process must keep
 * serving meanwhile (the Supabase gateway, a model server). Rejects when it outlives the timeout.
 */
export function runCli(args: string[], { env, cwd, input, timeoutMs = 30_000 }: CliOptions): Promise<CliResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { env, cwd, stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    if (input !== undefined) child.stdin!.end(input);
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`beacon ${args.join(' ')} did not finish within ${timeoutMs} ms; stderr: ${stderr}`));
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolvePromise({ status, stdout, stderr });
    });
  });
}

/** The same, blocking: simplest where nothing in this process needs to run meanwhile. */
export function runCliSync(args: string[], { env, cwd, input, timeoutMs = 30_000 }: CliOptions): CliResult {
  const result = spawnSync(process.execPath, [CLI, ...args], { env, cwd, input, encoding: 'utf8', timeout: timeoutMs });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}
