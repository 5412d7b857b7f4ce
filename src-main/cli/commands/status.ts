import type { Command } from 'commander';
import type { BeaconSnapshot, FleetMachineView, LockHolderView } from '../../core/contract/types.js';
import { loadConfig, type LoadedConfig } from '../../core/config/load.js';
import { effectiveSource } from '../../core/config/schema.js';
import { currentHostname, VERSION } from '../../core/identity.js';
import { describeHolder, readLockHolders } from '../../core/lock/executor-lock.js';
import { loadFleetFromSource } from '../../core/fleet.js';
import { mentuPaths, type MentuPaths } from '../../core/paths.js';
import { readAuthStatus, renderAuthStatus, type AuthStatus } from '../control/auth-status.js';
import { openConfiguredSource } from '../control/configured-source.js';
import { readExecutorState, renderExecutorState, type ExecutorStateReport } from '../control/executor-state.js';

/**
 * `beacon status [--json]`: who this machine is, where its config lives, where commands come from and who
 * holds the executor lock. The JSON is an object of named sections so more can be added (e.g. `executors`,
 * the fleet listing) without changing the existing ones.
 */
export interface StatusReport {
  version: string;
  machine: { id: string; name: string; hostname: string };
  config: { path: string; created: boolean };
  commandSource: { kind: 'local' | 'supabase'; configured: 'auto' | 'local' | 'supabase'; supabaseUrl: string | null };
  lock: { path: string; state: 'free' | 'held'; holders: LockHolderView[] };
  /** Supabase only: the auth mode, who is signed in or the key's role, the expiry, workspace membership, the connection. */
  auth?: AuthStatus;
  /** The running executor: claiming or paused, settings waiting for a restart, an edit it could not apply. */
  executor: Omit<ExecutorStateReport, 'snapshot'>;
  /** The fleet listing (`beacon status --executors`); absent unless asked for. */
  executors?: FleetMachineView[];
}

export async function buildStatusReport(paths: MentuPaths, env: NodeJS.ProcessEnv, options: { executors?: boolean } = {}): Promise<StatusReport> {
  const { snapshot, ...executor } = await readExecutorState(paths);
  let loaded: LoadedConfig;
  try {
    loaded = await loadConfig(paths, env);
  } catch (error) {
    // An invalid file with an executor still running on its last good config: say both, do not fail.
    if (!snapshot || (error as Error).name !== 'ConfigError') throw error; // ConfigError alone: exit 2
    return fromRunningExecutor(snapshot, executor, (error as Error).message, paths);
  }
  const holders = await readLockHolders(paths);
  const executors = options.executors ? await readFleet(loaded, holders, env) : undefined;
  const auth = await readAuthStatus(loaded, paths, env, snapshot);
  return {
    version: VERSION,
    machine: { id: loaded.machineId, name: loaded.machineName, hostname: currentHostname(env) },
    config: { path: loaded.path, created: loaded.created },
    commandSource: {
      kind: effectiveSource(loaded.config),
      configured: loaded.config.command_source,
      supabaseUrl: loaded.config.supabase.url,
    },
    lock: { path: paths.executorLock, state: holders.length ? 'held' : 'free', holders },
    executor,
    ...(auth ? { auth } : {}),
    ...(executors ? { executors } : {}),
  };
}

function fromRunningExecutor(snapshot: BeaconSnapshot, executor: StatusReport['executor'], configError: string, paths: MentuPaths): StatusReport {
  return {
    version: VERSION,
    machine: { id: snapshot.machineId, name: snapshot.machineName, hostname: snapshot.hostname },
    config: { path: snapshot.configPath, created: false },
    commandSource: { kind: snapshot.source.kind, configured: snapshot.source.kind, supabaseUrl: null },
    lock: { path: paths.executorLock, state: 'held', holders: snapshot.lockHolders },
    executor: { ...executor, configError: executor.configError ?? configError },
  };
}

/** The same fleet the executor's Fleet view shows: the source's machine registry plus the lock holders. */
async function readFleet(loaded: LoadedConfig, lockHolders: LockHolderView[], env: NodeJS.ProcessEnv): Promise<FleetMachineView[]> {
  const opened = await openConfiguredSource(env);
  try {
    return await loadFleetFromSource(opened.source, {
      lockHolders,
      selfMachineId: loaded.machineId,
      heartbeatSeconds: loaded.config.supabase.heartbeat_seconds,
      now: new Date(),
    });
  } finally {
    await opened.close().catch(() => {});
  }
}

function age(seconds: number | null): string {
  if (seconds === null) return 'never';
  if (seconds < 120) return `${seconds}s ago`;
  if (seconds < 7200) return `${Math.floor(seconds / 60)}m ago`;
  if (seconds < 172_800) return `${Math.floor(seconds / 3600)}h ago`;
  return `${Math.floor(seconds / 86_400)}d ago`;
}

export function renderFleet(fleet: FleetMachineView[]): string {
  if (fleet.length === 0) return 'Executors:      none registered and none holding the lock\n';
  const rows = fleet.map((m) => [
    m.id + (m.self ? ' (this machine)' : ''),
    m.name === m.id ? '' : m.name,
    m.status,
    age(m.heartbeatAgeSeconds),
    m.stale ? 'STALE' : '',
  ]);
  const header = ['MACHINE', 'NAME', 'STATUS', 'LAST HEARTBEAT', ''];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  return `Executors:\n${[header, ...rows].map((r) => '  ' + line(r)).join('\n')}\n`;
}

const indent = (text: string, prefix: string): string =>
  text
    .split('\n')
    .map((line) => prefix + line)
    .join('\n');

export function renderStatus(report: StatusReport): string {
  const source =
    report.commandSource.kind === 'supabase'
      ? `Supabase (${report.commandSource.supabaseUrl ?? 'no url'})`
      : 'the local queue on this machine';
  const lines = [
    `Beacon ${report.version}`,
    `Machine id:     ${report.machine.id}${report.machine.name !== report.machine.id ? ` (${report.machine.name})` : ''}`,
    `Config:         ${report.config.path}${report.config.created ? ' (written now with the defaults)' : ''}`,
    `Commands from:  ${source}${report.commandSource.configured === 'auto' ? ' [command_source: auto]' : ''}`,
    `Executor lock:  ${report.lock.state === 'free' ? 'free' : `held (${report.lock.path})`}`,
  ];
  for (const holder of report.lock.holders) lines.push(indent(describeHolder(holder), '  '));
  lines.push(...renderExecutorState({ ...report.executor, snapshot: null }));
  if (report.auth) lines.push(...renderAuthStatus(report.auth));
  return `${lines.join('\n')}\n`;
}

export function registerStatus(program: Command): void {
  program
    .command('status')
    .description('show the machine id, config path, command source, sign-in (mode, user or key role, expiry, workspaces), lock holder, whether it is claiming or paused, and version (--executors: the fleet)')
    .option('--json', 'print the status as one JSON object')
    .option('--executors', 'also list the fleet: every executor of the configured workspaces and the lock holder, with heartbeat age')
    .action(async (options: { json?: boolean; executors?: boolean }) => {
      const report = await buildStatusReport(mentuPaths(), process.env, { executors: options.executors });
      if (options.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
      else process.stdout.write(renderStatus(report) + (report.executors ? renderFleet(report.executors) : ''));
    });
}
