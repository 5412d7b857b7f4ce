import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, realpathSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Gateway } from '../gateway/index.js';
import { tempDir, WS } from './source-driver.js';

/**
 * `node dist-cli/beacon.cjs …` against the gateway: a sandbox (MENTU_HOME with beacon.yaml, a work folder the
 * stand-in agent may run in), a foreground `beacon run`, and one-shot commands. BEACON_TEST_CLI runs the same
 * tests against another build (e.g. main's, to show a test fails there).
 */

export const CLI = process.env.BEACON_TEST_CLI ?? resolve('dist-cli/beacon.cjs');
export const FAKE_AGENT = resolve('tests/support/fake-agent.mjs');

export interface CliSandbox {
  root: string;
  home: string;
  work: string;
  env: NodeJS.ProcessEnv;
}

export interface SandboxOptions {
  execution?: Record<string, unknown>;
  /** Merged into the supabase section (e.g. auth: session, anon_key). */
  supabase?: Record<string, unknown>;
  /** Extra environment; BEACON_SUPABASE_KEY is the service-role key unless given. */
  env?: NodeJS.ProcessEnv;
}

export function supabaseSandbox(gateway: Gateway, machineId: string, cleanups: (() => unknown)[], options: SandboxOptions = {}): CliSandbox {
  const root = realpathSync(tempDir('beacon-sb-e2e-', cleanups));
  const home = join(root, 'mentu');
  const work = join(root, 'work');
  mkdirSync(home, { recursive: true, mode: 0o700 });
  mkdirSync(work, { recursive: true });
  const config = {
    machine: { id: machineId },
    command_source: 'supabase',
    supabase: { url: gateway.url, workspace_ids: [WS], poll_seconds: 2, heartbeat_seconds: 5, ...options.supabase },
    execution: { allowed_directories: [root], default_agent: 'claude', shutdown_grace_seconds: 2, ...options.execution },
    agents: { claude: { command: process.execPath, args: [FAKE_AGENT, '-p', '{prompt}'], output: 'stream-json' } },
  };
  writeFileSync(join(home, 'beacon.yaml'), JSON.stringify(config, null, 2) + '\n');
  const env: NodeJS.ProcessEnv = { ...process.env, MENTU_HOME: home, HOME: root, BEACON_LOGIN_SHELL: '0', BEACON_SUPABASE_KEY: gateway.serviceRoleKey };
  delete env.SUPABASE_SERVICE_ROLE_KEY;
  delete env.SUPABASE_ANON_KEY;
  Object.assign(env, options.env);
  return { root, home, work, env };
}

export interface RunningBeacon {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves at the "ready:" log line; rejects if the process exits first. */
  ready: Promise<void>;
}

export function startRun(box: CliSandbox, processes: ChildProcess[], args: string[] = []): RunningBeacon {
  const child = spawn(process.execPath, [CLI, 'run', ...args], { env: box.env, cwd: box.work, stdio: ['ignore', 'pipe', 'pipe'] });
  processes.push(child);
  let err = '';
  let markReady: () => void = () => {};
  const ready = new Promise<void>((r) => (markReady = r));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    err += chunk;
    if (/ ready: /.test(err)) markReady();
    if (process.env.BEACON_TEST_VERBOSE) process.stderr.write(chunk);
  });
  let out = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  const exited = new Promise<void>((_, reject) => child.once('exit', (code) => reject(new Error(`beacon run exited (${code}) before ready:\n${err}`))));
  return { child, stdout: () => out, stderr: () => err, ready: Promise.race([ready, exited]) };
}

/** One CLI command to completion; asynchronous, so an in-process gateway keeps answering. */
export function runCli(box: CliSandbox, args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: box.env, cwd: box.work, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    child.once('exit', (status) => done({ status, stdout, stderr }));
  });
}

/** SIGTERM every process still alive (SIGKILL after 10 s), for afterEach. */
export async function stopProcesses(processes: ChildProcess[]): Promise<void> {
  for (const child of processes.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await new Promise((r) => child.once('exit', r));
      clearTimeout(timer);
    }
  }
}

/** A stack trace line as Node prints one. */
export const STACK_LINE = /^\s+at .+\(.+:\d+:\d+\)$|^\s+at .+:\d+:\d+$/m;
