import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { CLI, runCliSync, type CliResult } from './cli.js';
import { waitFor } from './wait.js';

/** End-to-end harness: a temp MENTU_HOME, the stand-in agent in beacon.yaml, the CLI bundle as real processes. */
export const FAKE_AGENT = resolve('tests/support/fake-agent.mjs');

export interface Sandbox {
  root: string;
  home: string;
  /** The only allowed directory. */
  work: string;
  env: NodeJS.ProcessEnv;
  cleanup(): void;
}

export interface CommandRow {
  id: string;
  status: string;
  exit_code: number | null;
  error_message: string | null;
  created_at: string;
  claimed_at: string | null;
  started_at: string | null;
  completed_at: string | null;
  summary: string | null;
}

export function makeSandbox(execution: Record<string, unknown> = {}): Sandbox {
  const root = realpathSync(mkdtempSync(join(tmpdir(), 'beacon-engine-')));
  const home = join(root, 'mentu');
  const work = join(root, 'work');
  mkdirSync(home, { recursive: true, mode: 0o700 });
  mkdirSync(work, { recursive: true });
  const config = {
    machine: { id: 'beacon-engine-test' },
    command_source: 'local',
    execution: { allowed_directories: [work], default_agent: 'fake', shutdown_grace_seconds: 2, ...execution },
    agents: { fake: { command: process.execPath, args: [FAKE_AGENT, '-p', '{prompt}'], output: 'stream-json' } },
  };
  // JSON is valid YAML.
  writeFileSync(join(home, 'beacon.yaml'), JSON.stringify(config, null, 2) + '\n');
  const env: NodeJS.ProcessEnv = { ...process.env, MENTU_HOME: home, BEACON_LOGIN_SHELL: '0', BEACON_LOG_LEVEL: 'info' };
  delete env.BEACON_SUPABASE_KEY;
  delete env.SUPABASE_SERVICE_ROLE_KEY;
  return { root, home, work, env, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

export function cli(sandbox: Sandbox, args: string[], options: { input?: string; cwd?: string } = {}): CliResult {
  return runCliSync(args, { env: sandbox.env, cwd: options.cwd ?? sandbox.work, input: options.input });
}

/** `beacon enqueue` and return the id (the prompt after `--`: it may start with "-"). */
export function enqueue(sandbox: Sandbox, prompt: string, extra: string[] = []): string {
  const result = cli(sandbox, ['enqueue', ...extra, '--', prompt]);
  if (result.status !== 0) throw new Error(`enqueue failed (${result.status}): ${result.stderr}`);
  return result.stdout.trim();
}

export interface ExecutorProcess {
  child: ChildProcess;
  stderr(): string;
  stdout(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Resolves when the executor logged its ready line. */
  ready: Promise<void>;
}

export function startExecutor(sandbox: Sandbox, args: string[] = []): ExecutorProcess {
  const child = spawn(process.execPath, [CLI, 'run', ...args], { env: sandbox.env, cwd: sandbox.work, stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  let out = '';
  let markReady: () => void = () => {};
  const ready = new Promise<void>((r) => (markReady = r));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    err += chunk;
    if (/ ready: /.test(err)) markReady();
    if (process.env.BEACON_TEST_VERBOSE) process.stderr.write(chunk);
  });
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => child.on('exit', (code, signal) => r({ code, signal })));
  return { child, stderr: () => err, stdout: () => out, exited, ready: Promise.race([ready, exited.then(() => Promise.reject(new Error(`executor exited before ready:\n${err}`)))]) };
}

export async function stopExecutor(executor: ExecutorProcess): Promise<void> {
  if (executor.child.exitCode !== null || executor.child.signalCode !== null) return;
  executor.child.kill('SIGTERM');
  const timer = setTimeout(() => executor.child.kill('SIGKILL'), 15_000);
  await executor.exited;
  clearTimeout(timer);
}

/** Insert a pending row straight into the queue's SQLite file, as another process could (no up-front checks). */
export function insertRow(sandbox: Sandbox, fields: Record<string, unknown>): string {
  const db = new Database(join(sandbox.home, 'local.db'));
  try {
    db.pragma('busy_timeout = 5000');
    const row: Record<string, unknown> = {
      id: randomUUID(), prompt: 'inserted', working_directory: sandbox.work, agent: 'claude', flags: '[]', status: 'pending', created_at: new Date().toISOString(), ...fields,
    };
    const keys = Object.keys(row);
    db.prepare(`INSERT INTO commands (${keys.join(',')}) VALUES (${keys.map((k) => `@${k}`).join(',')})`).run(row);
    return row.id as string;
  } finally {
    db.close();
  }
}

/** Read a command row straight from the queue's SQLite file (read-only), for fast polling. */
export function readRow(sandbox: Sandbox, id: string): CommandRow | null {
  const file = join(sandbox.home, 'local.db');
  if (!existsSync(file)) return null;
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    db.pragma('busy_timeout = 2000');
    return (db.prepare('SELECT * FROM commands WHERE id = ?').get(id) as CommandRow | undefined) ?? null;
  } finally {
    db.close();
  }
}

export function waitForStatus(sandbox: Sandbox, id: string, statuses: string[], timeoutMs = 20_000): Promise<CommandRow> {
  return waitFor(`${id} to be ${statuses.join('|')}`, () => {
    const row = readRow(sandbox, id);
    return row && statuses.includes(row.status) ? row : null;
  }, timeoutMs);
}

/** Alive means it exists and is not a zombie (an exited process whose parent, e.g. PID 1 in a container, has not reaped it). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return !existsSync('/proc/self/stat');
  }
}
