import type { BeaconClient } from '../../core/api/types.js';

/**
 * The headless dashboard: serves the built React UI and the Beacon API over a token-protected local
 * WebSocket on 127.0.0.1 only. (Placeholder signature; implemented by the UI issue.)
 */
export interface DashboardOptions {
  client: BeaconClient;
  /** 0 picks a free port. */
  port?: number;
  /** Folder with the built renderer (index.html and assets). */
  staticDir?: string;
}

export interface DashboardServer {
  /** Full URL including the token, e.g. http://127.0.0.1:4123/?token=... */
  url: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

export async function startDashboard(_options: DashboardOptions): Promise<DashboardServer> {
  throw new Error('The dashboard is not built yet');
}
