import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Gateway } from '../gateway/index.js';
import { startExecutor, stopExecutor, type ExecutorProcess } from './local-sandbox.js';
import { WS } from './source-driver.js';

/**
 * `beacon run` as a real process against the test gateway, for the chaos, bad-input and security tests
 * (and the benchmarks): a fresh MENTU_HOME per executor, the stand-in agent, the key only in the env.
 */
export { FAKE_AGENT } from './local-sandbox.js';
/** Appends one JSON line per spawn to the file named by its first argument, then becomes the stand-in agent. */
export const MARKING_AGENT = resolve('tests/e2e/bad-input/marking-agent.mjs');

export interface BeaconSandbox {
  root: string;
  home: string;
  work: string;
  /** One JSON line per agent process spawned (the marking agent writes it). */
  spawnMarker: string;
  env: NodeJS.ProcessEnv;
  cleanup(): void;
}

export interface SandboxOptions {
  machineId: string;
  execution?: Record<string, unknown>;
  supabase?: Record<string, unknown>;
  /** Extra top-level config keys (e.g. mentu.proxy_url). */
  extra?: Record<string, unknown>;
  env?: NodeJS.ProcessEnv;
  source?: 'supabase' | 'local';
  /** Also configure agent `noop` (noopAgent) beside `claude` (the marking stand-in). */
  noopAgent?: boolean;
  /** agents.claude.allowed_flags: the flags a queued command may pass to the marking stand-in. */
  allowedFlags?: string[];
}

/**
 * A no-op agent for load runs: /bin/sh appends the prompt's first line to the spawn marker and exits,
 * a small fraction of a node start, so a load run measures Beacon rather than node's startup.
 */
export function noopAgent(spawnMarker: string): Record<string, unknown> {
  // One JSON line like the marking agent's (the prompt's first line as `head`, tags are plain words).
  const script = `printf '{"t":0,"pid":%s,"head":"%s"}\\n' "$$" "$(printf '%s' "$1" | head -n 1)" >> '${spawnMarker}'`;
  return { command: '/bin/sh', args: ['-c', script, 'noop', '{prompt}'], output: 'text' };
}

export function beaconSandbox(gateway: Pick<Gateway, 'url' | 'serviceRoleKey'> | null, options: SandboxOptions): BeaconSandbox {
  const root = realpathSync(mkdtempSync(join(tmpdir(), 'beacon-proof-')));
  const home = join(root, 'mentu');
  const work = join(root, 'work');
  mkdirSync(home, { recursive: true, mode: 0o700 });
  mkdirSync(work, { recursive: true });
  const spawnMarker = join(root, 'spawns.jsonl');
  const source = options.source ?? 'supabase';
  const config: Record<string, unknown> = {
    machine: { id: options.machineId },
    command_source: source,
    ...(source === 'supabase' && gateway
      ? { supabase: { url: gateway.url, workspace_ids: [WS], poll_seconds: 2, heartbeat_seconds: 5, ...options.supabase } }
      : {}),
    execution: { allowed_directories: [work], default_agent: 'claude', shutdown_grace_seconds: 2, ...options.execution },
    agents: {
      claude: { command: process.execPath, args: [MARKING_AGENT, spawnMarker, '-p', '{prompt}'], output: 'stream-json', ...(options.allowedFlags ? { allowed_flags: options.allowedFlags } : {}) },
      ...(options.noopAgent ? { noop: noopAgent(spawnMarker) } : {}),
    },
    ...options.extra,
  };
  writeFileSync(join(home, 'beacon.yaml'), JSON.stringify(config, null, 2) + '\n');
  const env: NodeJS.ProcessEnv = { ...process.env, MENTU_HOME: home, BEACON_LOGIN_SHELL: '0', BEACON_LOG_LEVEL: 'info', ...options.env };
  if (gateway && source === 'supabase' && !options.env?.BEACON_SUPABASE_KEY) env.BEACON_SUPABASE_KEY = gateway.serviceRoleKey;
  if (!options.env?.SUPABASE_SERVICE_ROLE_KEY) delete env.SUPABASE_SERVICE_ROLE_KEY;
  return { root, home, work, spawnMarker, env, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

export interface BeaconRun extends ExecutorProcess {
  stop(): Promise<void>;
}

/** `beacon run` as a real process (the engine harness's executor process, with its stop bundled). */
export function startBeacon(box: BeaconSandbox, args: string[] = []): BeaconRun {
  const run = startExecutor(box, args);
  return { ...run, stop: () => stopExecutor(run) };
}

/** Insert many commands in one statement (every row gets the same keys). */
export async function insertMany(gateway: Gateway, rows: Record<string, unknown>[]): Promise<string[]> {
  if (rows.length === 0) return [];
  const keys = Object.keys(rows[0]!);
  const params: unknown[] = [];
  const tuples = rows.map((row) => `(${keys.map((k) => (params.push(row[k]), `$${params.length}`)).join(',')})`);
  const result = await gateway.sql<{ id: string }>(
    `insert into public.bridge_commands (${keys.join(',')}) values ${tuples.join(',')} returning id`,
    params,
  );
  return result.rows.map((r) => r.id);
}

export async function statusCounts(gateway: Gateway): Promise<Record<string, number>> {
  const rows = (await gateway.sql<{ status: string; n: number }>('select status, count(*)::int as n from public.bridge_commands group by status')).rows;
  return Object.fromEntries(rows.map((r) => [r.status, r.n]));
}

/** `beacon run` on the local queue, with its SQLite file open to write rows as any other process could. */
export interface LocalQueueBeacon {
  box: BeaconSandbox;
  run: BeaconRun;
  db: Database.Database;
  /** Insert a row (defaults: a pending one-line stand-in command in the allowed folder); returns its id. */
  insert(fields: Record<string, unknown>): string;
  read(id: string): { status: string; error_message: string | null; started_at: string | null };
  /** The first prompt line of every spawn, in order, from the marking agent's file. */
  spawnedTags(): string[];
  stop(): Promise<void>;
}

export async function startLocalQueueBeacon(machineId: string, options: Pick<SandboxOptions, 'execution' | 'allowedFlags'> = {}): Promise<LocalQueueBeacon> {
  const box = beaconSandbox(null, { machineId, source: 'local', ...options });
  const run = startBeacon(box);
  await run.ready;
  const db = new Database(join(box.home, 'local.db'));
  db.pragma('busy_timeout = 5000');
  return {
    box,
    run,
    db,
    insert(fields) {
      const row: Record<string, unknown> = {
        id: randomUUID(), prompt: '@agent lines=1', working_directory: box.work, agent: 'claude', flags: '[]', status: 'pending', created_at: new Date().toISOString(), ...fields,
      };
      const keys = Object.keys(row);
      db.prepare(`INSERT INTO commands (${keys.join(',')}) VALUES (${keys.map((k) => `@${k}`).join(',')})`).run(row);
      return row.id as string;
    },
    read: (id) => db.prepare('SELECT status, error_message, started_at FROM commands WHERE id = ?').get(id) as { status: string; error_message: string | null; started_at: string | null },
    spawnedTags: () =>
      existsSync(box.spawnMarker) ? readFileSync(box.spawnMarker, 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as { head: string }).head.split('\n')[0]!) : [],
    async stop() {
      db.close();
      await run.stop();
      box.cleanup();
    },
  };
}
