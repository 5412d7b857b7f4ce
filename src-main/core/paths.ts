import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

/**
 * Every file Beacon keeps lives under one folder: ~/.mentu, or $MENTU_HOME when set.
 * Nothing else in the code joins paths under the home folder; tests always set MENTU_HOME.
 */
export function mentuHome(env: NodeJS.ProcessEnv = process.env): string {
  const override = env.MENTU_HOME?.trim();
  return override ? resolve(override) : join(homedir(), '.mentu');
}

export interface MentuPaths {
  home: string;
  /** Beacon's own config (machine id, supabase, execution, agents). */
  config: string;
  /** The singleton executor lock shared with the older Bridge. */
  executorLock: string;
  /** The earlier Beacon's singleton lock (plain pid, docs/mentu-schema.md#executor-lock): honoured when alive, removed when stale. */
  legacyBeaconLock: string;
  /** The older Bridge's config and the `mentu login` credentials (read for migration and auth). */
  bridgeConfig: string;
  credentials: string;
  /** Owner-only file holding secrets for headless machines (never beacon.yaml). */
  secrets: string;
  /** The embedded local queue and run history (SQLite, WAL). */
  localDb: string;
  /** Raw pty output, one file per command. */
  logsDir: string;
  /** Outbox of writes to Supabase that have not been acknowledged yet. */
  outboxDir: string;
  /** Local control channel of the running executor (unix socket, owner-only). */
  controlSocket: string;
  /**
   * Where a run's permission server asks the executor about a tool use (unix socket, owner-only). It can only
   * ask: answers come from the surfaces (core/approvals/ask-channel.ts).
   */
  permissionSocket: string;
  /** The running executor's control key (0600, new each start): the credential for settings and approvals. */
  controlKey: string;
  /** Persistent executor state (pause flag and similar). */
  state: string;
  /** Beacon's own log file when running headless as a service. */
  beaconLog: string;
  /** Commands waiting for a post-run approval, with their deadlines (survives a restart). */
  approvals: string;
  /** The dashboard's token and last port (owner-only), so its URL survives restarts. */
  dashboard: string;
  /** The raw output log of one command. The id is checked so a crafted id cannot name another file. */
  commandLog(commandId: string): string;
}

export function mentuPaths(env: NodeJS.ProcessEnv = process.env): MentuPaths {
  const home = mentuHome(env);
  return {
    home,
    config: join(home, 'beacon.yaml'),
    executorLock: join(home, 'executor.lock'),
    legacyBeaconLock: join(home, 'beacon.lock'),
    bridgeConfig: join(home, 'bridge.yaml'),
    credentials: join(home, 'credentials'),
    secrets: join(home, 'beacon-secrets.json'),
    localDb: join(home, 'local.db'),
    logsDir: join(home, 'logs'),
    outboxDir: join(home, 'outbox'),
    controlSocket: join(home, 'beacon.sock'),
    permissionSocket: join(home, 'permissions.sock'),
    controlKey: join(home, 'control.key'),
    state: join(home, 'beacon-state.json'),
    beaconLog: join(home, 'beacon.log'),
    approvals: join(home, 'beacon-approvals.json'),
    dashboard: join(home, 'dashboard.json'),
    commandLog: (commandId) => {
      if (!/^[A-Za-z0-9_-]{1,128}$/.test(commandId)) {
        throw new Error(`Invalid command id for a log file name: ${JSON.stringify(commandId)}`);
      }
      return join(home, 'logs', `${commandId}.log`);
    },
  };
}
