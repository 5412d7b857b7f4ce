import { existsSync } from 'node:fs';
import { supabaseAuth } from '../../core/commands/create-source.js';
import { inspectAuth } from '../../core/commands/supabase/inspect-auth.js';
import type { LoadedConfig } from '../../core/config/load.js';
import { effectiveAuth, effectiveSource } from '../../core/config/schema.js';
import type { AuthView, BeaconSnapshot } from '../../core/contract/types.js';
import { createLogger } from '../../core/logger.js';
import type { MentuPaths } from '../../core/paths.js';
import { createHeadlessSecretStore } from '../../core/secrets.js';
import { callExecutor } from './client.js';

/**
 * How this machine is signed in to Mentu, for `beacon status` and `beacon doctor`: from the running
 * executor when one answers (it also knows the connection and whether the machine row registered),
 * else checked here with the configured key or session.
 */
export interface AuthStatus {
  mode: 'service_role' | 'session';
  /** Who checked: the running executor, or this command. */
  checkedBy: 'executor' | 'cli';
  auth: AuthView | null;
  /** The executor's connection state (only when it answered). */
  connection: { state: BeaconSnapshot['source']['connection']; detail: string | null; pendingWrites: number } | null;
  /** The auth could not even be set up (no key stored, no anon key, an unreadable secrets file). */
  error: string | null;
}

/**
 * `executorSnapshot`: what the running executor answered, when the caller already asked (null: none answered);
 * left out, the executor is asked here.
 */
export async function readAuthStatus(loaded: LoadedConfig, paths: MentuPaths, env: NodeJS.ProcessEnv, executorSnapshot?: BeaconSnapshot | null): Promise<AuthStatus | null> {
  const config = loaded.config;
  if (effectiveSource(config) !== 'supabase' || !config.supabase.url) return null;
  const mode = effectiveAuth(config);
  const snapshot = executorSnapshot === undefined ? await askExecutor(paths) : executorSnapshot;
  if (snapshot?.source.kind === 'supabase' && snapshot.source.auth) {
    const { connection, detail, pendingWrites } = snapshot.source;
    return { mode, checkedBy: 'executor', auth: snapshot.source.auth, connection: { state: connection, detail, pendingWrites }, error: null };
  }
  // No executor answers: checked here instead.
  const logger = createLogger({ level: 'error' });
  try {
    const auth = await supabaseAuth({ loaded, paths, secrets: createHeadlessSecretStore(paths, env), logger }, env);
    const view = await inspectAuth({ url: config.supabase.url, auth, workspaceIds: config.supabase.workspace_ids, logger });
    return { mode, checkedBy: 'cli', auth: view, connection: null, error: null };
  } catch (error) {
    return { mode, checkedBy: 'cli', auth: null, connection: null, error: error instanceof Error ? error.message : String(error) };
  }
}

async function askExecutor(paths: MentuPaths): Promise<BeaconSnapshot | null> {
  if (!existsSync(paths.controlSocket)) return null;
  return (callExecutor(paths.controlSocket, 'getSnapshot', [], 5000) as Promise<BeaconSnapshot>).catch(() => null);
}

const when = (iso: string | null, now = Date.now()): string => {
  if (!iso) return 'no expiry known';
  const minutes = Math.round((Date.parse(iso) - now) / 60_000);
  const relative = minutes >= 0 ? `in ${minutes} min` : `${-minutes} min ago`;
  return `${iso} (${relative})`;
};

/** The lines `beacon status` prints about auth. */
export function renderAuthStatus(status: AuthStatus, now = Date.now()): string[] {
  const lines: string[] = [];
  const pad = (label: string) => `${label}:`.padEnd(16);
  const { auth } = status;
  if (status.error || !auth) return [`${pad('Auth')}${status.mode}: ${status.error ?? 'unknown'}`];
  if (auth.mode === 'session') {
    const who = auth.user ? `${auth.user.email ?? '(no email)'} (${auth.user.id ?? 'no id'})` : 'not signed in';
    const expiry = auth.expiresAt ? `, token expires ${when(auth.expiresAt, now)}` : '';
    lines.push(`${pad('Auth')}session: ${who}${expiry} [${auth.state}]`);
  } else {
    lines.push(`${pad('Auth')}service_role key${auth.role ? ` (role ${auth.role})` : ''}`);
  }
  for (const w of auth.workspaces) {
    const access = w.member === null ? 'not checked' : auth.mode === 'session' ? (w.member ? 'member' : 'NOT a member') : w.member ? 'exists' : 'NOT FOUND';
    lines.push(`${pad('Workspace')}${w.id}${w.name ? ` (${w.name})` : ''}: ${access}`);
  }
  if (status.checkedBy === 'executor') {
    const machine = auth.machineRegistered === null ? 'not registered yet' : auth.machineRegistered ? 'registered' : `not registered: ${auth.machineProblem}`;
    lines.push(`${pad('Machine row')}${machine}`);
  }
  if (status.connection) {
    const c = status.connection;
    lines.push(`${pad('Connection')}${c.state}${c.detail ? `: ${c.detail}` : ''}${c.pendingWrites ? ` (${c.pendingWrites} write(s) waiting)` : ''}`);
  }
  if (auth.problem) lines.push(`${pad('Problem')}${auth.problem}`);
  return lines;
}
