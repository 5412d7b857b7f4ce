/**
 * The words Beacon uses for sign-in trouble, in one place, so the tray, the window, `beacon status` and
 * `beacon doctor` say the same thing.
 */

export const SIGN_IN_AGAIN = "sign in again (Beacon's Settings → Sign in, or `beacon login`; `mentu login` works too)";

export interface SessionProblem {
  /** auth: a new sign-in is needed; offline: the auth server cannot be reached, retrying. */
  kind: 'auth' | 'offline';
  message: string;
}

const clock = (ms: number | null): string => (ms === null ? 'unknown' : new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z'));

export function describeSessionProblem(
  why: 'signed_out' | 'refused' | 'expired' | 'no_refresh_token' | 'unreachable',
  detail?: string,
  expiresAtMs: number | null = null,
): SessionProblem {
  switch (why) {
    case 'signed_out':
      return { kind: 'auth', message: `Not signed in to Mentu: ${SIGN_IN_AGAIN.replace('sign in again', 'sign in')}` };
    case 'refused':
      return { kind: 'auth', message: `The Mentu session cannot be renewed (${detail}) and ends at ${clock(expiresAtMs)}: ${SIGN_IN_AGAIN}` };
    case 'expired':
      return { kind: 'auth', message: `Session expired: ${SIGN_IN_AGAIN}. The auth server refused to renew it (${detail}).` };
    case 'no_refresh_token':
      return { kind: 'auth', message: `Session expired: ${SIGN_IN_AGAIN}. A token-only login (--token) cannot be renewed.` };
    case 'unreachable':
      return { kind: 'offline', message: `The Mentu session expired at ${clock(expiresAtMs)} and cannot be renewed yet: ${detail}; retrying` };
  }
}

export function notAMember(who: string, workspaceId: string, name: string | null): string {
  return `${who} is not a member of workspace ${workspaceId}${name ? ` (${name})` : ''}: ask an owner of the workspace to add you, sign in as a member, or remove it from supabase.workspace_ids`;
}

export function noSuchWorkspace(workspaceId: string): string {
  return `Workspace ${workspaceId} does not exist in this Mentu project: check supabase.workspace_ids`;
}

export const SERVICE_ROLE_ON_DESKTOP =
  'A service-role key bypasses every row-level security policy of the whole Mentu project; on a desktop, use auth: session and sign in as yourself (service_role is meant for servers)';
