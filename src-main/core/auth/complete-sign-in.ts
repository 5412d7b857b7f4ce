import { updateConfig, type ConfigChange, type LoadedConfig } from '../config/load.js';
import { effectiveAuth } from '../config/schema.js';
import type { MentuPaths } from '../paths.js';
import type { StoredSession } from './credentials-file.js';
import { notAMember } from './messages.js';
import type { SessionStore } from './session-store.js';
import { workspacesOfSession, type UserWorkspace } from './workspaces.js';

/**
 * After a sign-in (browser, `--token`, the app's Settings): keep the session, find the user's workspaces,
 * and make beacon.yaml use them: auth: session, and supabase.workspace_ids as chosen (the configured ones
 * kept when still reachable, the only workspace when there is one, else left for the user to choose).
 */

export interface SignedIn {
  session: StoredSession;
  workspaces: UserWorkspace[];
  /** supabase.workspace_ids after the sign-in. */
  selected: string[];
  /** The user belongs to several workspaces and none is chosen yet. */
  needsChoice: boolean;
  /** What changed in beacon.yaml, for the user. */
  changes: string[];
}

/** Which workspaces to use: asked for (each must be the user's), else the configured ones, else the only one. */
export function chooseWorkspaces(available: UserWorkspace[], configured: string[], requested: string[] | null, who: string): { selected: string[]; needsChoice: boolean } {
  const mine = new Set(available.map((w) => w.id));
  if (requested && requested.length) {
    const strangers = requested.filter((id) => !mine.has(id));
    if (strangers.length) throw new Error(strangers.map((id) => notAMember(who, id, null)).join('; '));
    return { selected: requested, needsChoice: false };
  }
  if (configured.length) return { selected: configured, needsChoice: false };
  if (available.length === 1) return { selected: [available[0]!.id], needsChoice: false };
  return { selected: [], needsChoice: available.length > 1 };
}

export async function completeSignIn(options: {
  loaded: LoadedConfig;
  paths: MentuPaths;
  env: NodeJS.ProcessEnv;
  url: string;
  anonKey: string;
  store: SessionStore;
  session: StoredSession;
  requestedWorkspaces?: string[] | null;
  /** Extra beacon.yaml edits that belong to the same sign-in (a URL or anon key given on the command line). */
  configChanges?: ConfigChange[];
}): Promise<SignedIn> {
  const { loaded, session } = options;
  const workspaces = await workspacesOfSession(options.url, options.anonKey, session);
  const who = session.email ?? `user ${session.userId}`;
  const { selected, needsChoice } = chooseWorkspaces(workspaces, loaded.config.supabase.workspace_ids, options.requestedWorkspaces ?? null, who);
  await options.store.write(session);
  const changes: ConfigChange[] = [...(options.configChanges ?? [])];
  const said: string[] = [];
  if (effectiveAuth(loaded.config) !== 'session') {
    changes.push({ path: ['supabase', 'auth'], value: 'session' });
    said.push('supabase.auth: session');
  }
  if (selected.join(',') !== loaded.config.supabase.workspace_ids.join(',')) {
    changes.push({ path: ['supabase', 'workspace_ids'], value: selected });
    said.push(`supabase.workspace_ids: [${selected.join(', ')}]`);
  }
  if (changes.length) await updateConfig(options.paths, changes, options.env);
  for (const change of options.configChanges ?? []) said.unshift(`${change.path.join('.')} set`);
  return { session, workspaces, selected, needsChoice, changes: said };
}
