import type { BeaconClient } from '../../core/contract/types.js';
import { watchFileChanges } from '../../core/fs/watch-file.js';
import type { Logger } from '../../core/logger.js';
import { CliError } from '../errors.js';
import { startDashboard, type DashboardServer } from './server.js';
import { newDashboardToken } from './auth.js';
import { readDashboardState, writeDashboardState } from './state-file.js';

/**
 * `beacon run --dashboard`: the dashboard at an address that survives restarts. The port is --port, else
 * dashboard.port, else the port it last had (when still free), else a free one; the token is the one kept
 * in the state file. A token rotated in that file (`beacon dashboard --new-token`) is taken up at once.
 */
export interface KeptDashboardOptions {
  client: BeaconClient;
  stateFile: string;
  /** --port (0: any free port). */
  flagPort?: number;
  /** dashboard.port in beacon.yaml (0: not configured). */
  configuredPort: number;
  staticDir: string;
  logger: Logger;
}

export interface KeptDashboard {
  server: DashboardServer;
  close(): Promise<void>;
}

export async function serveKeptDashboard(options: KeptDashboardOptions): Promise<KeptDashboard> {
  const { stateFile, logger } = options;
  // Read once; written once below, after the server listens (with the token, new or kept, and the port).
  const kept = readDashboardState(stateFile);
  const token = kept.token ?? newDashboardToken();
  const chosen = options.flagPort ?? (options.configuredPort || null);
  const start = (port: number) => startDashboard({ client: options.client, port, staticDir: options.staticDir, token });

  let server: DashboardServer;
  if (chosen !== null) {
    server = await start(chosen).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'EADDRINUSE') throw error;
      const where = options.flagPort !== undefined ? '--port' : 'dashboard.port in beacon.yaml';
      throw new CliError(`The dashboard cannot listen on 127.0.0.1:${chosen} (${where}): another program uses that port. Choose another, or 0 for any free port.`, 2);
    });
  } else {
    const last = kept.port;
    server = last ? await start(last).catch(() => start(0)) : await start(0);
    if (last && server.port !== last) logger.info(`dashboard: port ${last} is taken now; using ${server.port} (kept for next time)`);
  }
  writeDashboardState(stateFile, { token: server.token, port: server.port });

  const watch = watchFileChanges(stateFile, () => {
    const next = readDashboardState(stateFile).token;
    if (!next || next === server.token) return;
    server.setToken(next);
    logger.info('dashboard: the token was replaced; pages opened with the old URL must open the new one (beacon dashboard prints it)');
  });
  return {
    server,
    close: async () => {
      watch.stop();
      await server.close();
    },
  };
}
