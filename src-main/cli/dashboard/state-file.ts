import { readFileSync, statSync } from 'node:fs';
import { jsonText, writeFileAtomicSync } from '../../core/fs/atomic-write.js';
import { newDashboardToken } from './auth.js';

/**
 * The dashboard's address kept across restarts (paths.dashboard, mode 0600 beside beacon.yaml): its token,
 * and the port it last listened on, so an open tab or a bookmark keeps working after Beacon restarts.
 * `beacon dashboard --new-token` replaces the token; a running dashboard follows the file.
 */
export interface DashboardState {
  token: string | null;
  /** The port the dashboard last listened on (used again unless dashboard.port or --port says otherwise). */
  port: number | null;
}

const TOKEN_SHAPE = /^[A-Za-z0-9_-]{32,128}$/;

export function readDashboardState(file: string): DashboardState {
  let parsed: unknown;
  let readableByOthers = false;
  try {
    readableByOthers = (statSync(file).mode & 0o077) !== 0;
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return { token: null, port: null }; // absent or unreadable: a new token is made
  }
  const record = (parsed ?? {}) as Record<string, unknown>;
  // A token others could read may be known to them: it is replaced (and the file rewritten owner-only).
  const token = !readableByOthers && typeof record.token === 'string' && TOKEN_SHAPE.test(record.token) ? record.token : null;
  const port = Number.isInteger(record.port) && (record.port as number) > 0 && (record.port as number) < 65536 ? (record.port as number) : null;
  return { token, port };
}

export function writeDashboardState(file: string, state: DashboardState): void {
  writeFileAtomicSync(file, jsonText(state), { mode: 0o600, parentMode: 0o700 });
}

/** A new token (`beacon dashboard --new-token`): every URL and cookie given out before stops working. */
export function rotateDashboardToken(file: string): string {
  const token = newDashboardToken();
  writeDashboardState(file, { ...readDashboardState(file), token });
  return token;
}

export function dashboardUrl(port: number, token: string): string {
  return `http://127.0.0.1:${port}/?token=${token}`;
}
