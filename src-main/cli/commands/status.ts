import type { Command } from 'commander';
import type { FleetMachineView, LockHolderView } from '../../core/api/types.js';
import { loadConfig } from '../../core/config/load.js';
import { effectiveSource } from '../../core/config/schema.js';
import { currentHostname, VERSION } from '../../core/identity.js';
import { describeHolder, readLockHolders } from '../../core/lock/executor-lock.js';
import { mentuPaths, type MentuPaths } from '../../core/paths.js';

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
  /** The fleet listing (`beacon status --executors`); absent unless asked for. */
  executors?: FleetMachineView[];
}

export async function buildStatusReport(paths: MentuPaths, env: NodeJS.ProcessEnv): Promise<StatusReport> {
  const loaded = await loadConfig(paths, env); // an invalid config throws ConfigError (exit 2)
  const holders = await readLockHolders(paths);
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
  };
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
  return `${lines.join('\n')}\n`;
}

export function registerStatus(program: Command): void {
  program
    .command('status')
    .description('show the machine id, config path, command source, executor lock holder and version')
    .option('--json', 'print the status as one JSON object')
    .action(async (options: { json?: boolean }) => {
      const report = await buildStatusReport(mentuPaths(), process.env);
      process.stdout.write(options.json ? `${JSON.stringify(report, null, 2)}\n` : renderStatus(report));
    });
}
