import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import WebSocket from 'ws';
import { noSuchWorkspace, notAMember } from './messages.js';

/**
 * Which workspaces a signed-in user belongs to, and whether the configured ones are reachable with the key
 * in use. workspace_members is read as the user (row-level security shows a user their own memberships,
 * as `mentu login` relies on); with the service role every workspace is visible, so only existence is checked.
 */

export interface WorkspaceAccess {
  id: string;
  name: string | null;
  /** true: a member (or visible to the service role); false: not; null: could not be checked. */
  member: boolean | null;
}

export interface UserWorkspace {
  id: string;
  name: string | null;
  role: string | null;
}

interface Failure {
  message?: string | null;
}

const failed = (what: string, error: Failure): Error => new Error(`${what}: ${(error.message ?? 'unknown error').split('\n')[0]}`);

/** The workspaces `userId` is a member of, with their names (newest membership first, as mentu lists them). */
export async function listUserWorkspaces(client: SupabaseClient, userId: string): Promise<UserWorkspace[]> {
  const members = await client.from('workspace_members').select('*').eq('user_id', userId);
  if (members.error) throw failed('reading workspace_members', members.error);
  const rows = (members.data ?? []) as { workspace_id: string; role?: string | null; joined_at?: string | null }[];
  rows.sort((a, b) => String(b.joined_at ?? '').localeCompare(String(a.joined_at ?? '')));
  const names = await workspaceNames(client, rows.map((r) => r.workspace_id));
  return rows.map((r) => ({ id: r.workspace_id, name: names.get(r.workspace_id) ?? null, role: r.role ?? null }));
}

async function workspaceNames(client: SupabaseClient, ids: string[]): Promise<Map<string, string | null>> {
  if (ids.length === 0) return new Map();
  const result = await client.from('workspaces').select('*').in('id', ids);
  if (result.error) return new Map(); // names are a nicety; membership is what counts
  const rows = (result.data ?? []) as { id: string; name?: string | null; display_name?: string | null }[];
  return new Map(rows.map((w) => [w.id, w.display_name ?? w.name ?? null]));
}

export interface AccessCheck {
  workspaces: WorkspaceAccess[];
  /** One line per configured workspace that cannot be used, in the words of messages.ts. */
  problems: string[];
}

/** The configured workspaces as the current key sees them. */
export async function checkWorkspaceAccess(
  client: SupabaseClient,
  workspaceIds: string[],
  who: { mode: 'session'; userId: string; label: string } | { mode: 'service_role' },
): Promise<AccessCheck> {
  if (who.mode === 'session') {
    const mine = await listUserWorkspaces(client, who.userId);
    const byId = new Map(mine.map((w) => [w.id, w]));
    // listUserWorkspaces already named the user's own workspaces: only the others are asked for.
    const names = await workspaceNames(client, workspaceIds.filter((id) => !byId.has(id)));
    const workspaces = workspaceIds.map((id) => ({ id, name: byId.get(id)?.name ?? names.get(id) ?? null, member: byId.has(id) }));
    return { workspaces, problems: workspaces.filter((w) => !w.member).map((w) => notAMember(who.label, w.id, w.name)) };
  }
  const result = await client.from('workspaces').select('*').in('id', workspaceIds);
  if (result.error) throw failed('reading workspaces', result.error);
  const found = new Map(((result.data ?? []) as { id: string; name?: string | null }[]).map((w) => [w.id, w.name ?? null]));
  const workspaces = workspaceIds.map((id) => ({ id, name: found.get(id) ?? null, member: found.has(id) }));
  return { workspaces, problems: workspaces.filter((w) => !w.member).map((w) => noSuchWorkspace(w.id)) };
}

/** The workspaces of a freshly signed-in user, asked with that user's token (what the sign-in then offers). */
export async function workspacesOfSession(url: string, anonKey: string, session: { accessToken: string; userId: string | null }): Promise<UserWorkspace[]> {
  if (!session.userId) throw new Error('The session does not say which user it belongs to');
  const client = createClient(url, anonKey, {
    accessToken: () => Promise.resolve(session.accessToken),
    realtime: { transport: WebSocket as unknown as never },
  });
  return listUserWorkspaces(client, session.userId);
}
