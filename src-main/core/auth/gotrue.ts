import type { StoredSession } from './credentials-file.js';
import { decodeClaims } from './key-role.js';

/**
 * The calls Beacon makes to the project's auth server (GoTrue, /auth/v1) outside a sign-in: the
 * refresh_token grant, the user lookup and the sign-out. A refusal (4xx: the refresh token is unknown, used or revoked) is
 * told apart from an unreachable server (network error, timeout, 5xx), because only the first needs a new
 * sign-in.
 */

/** The auth server answered and refused: sign in again. */
export class AuthRefusedError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = 'AuthRefusedError';
  }
}

/** The auth server could not be reached or failed (network, timeout, 5xx): retry later. */
export class AuthUnreachableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AuthUnreachableError';
  }
}

export interface GoTrueOptions {
  url: string;
  /** The project's anon key (the apikey header Supabase's gateway wants). */
  anonKey: string;
  fetch?: typeof fetch;
  timeoutMs?: number;
  now?: () => number;
}

/** GoTrue's error text in any of its styles: {code, message}, {code, error_code, msg}, {error, error_description}. */
function describeRefusal(status: number, body: unknown): string {
  const b = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
  const message = [b.message, b.msg, b.error_description, b.error].find((v) => typeof v === 'string' && v !== '') as string | undefined;
  const code = [b.error_code, typeof b.code === 'string' ? b.code : undefined, b.error].find((v) => typeof v === 'string' && v !== '') as string | undefined;
  return `HTTP ${status}${code && code !== message ? ` ${code}` : ''}: ${message ?? 'refused'}`;
}

async function call(options: GoTrueOptions, path: string, init: RequestInit): Promise<unknown> {
  const base = options.url.replace(/\/+$/, '');
  let response: Response;
  try {
    response = await (options.fetch ?? fetch)(`${base}/auth/v1/${path}`, { ...init, signal: AbortSignal.timeout(options.timeoutMs ?? 15_000) });
  } catch (error) {
    const e = error as Error & { cause?: { code?: string } };
    throw new AuthUnreachableError(`the auth server at ${base} cannot be reached (${e.cause?.code ?? e.name}: ${e.message})`);
  }
  const text = await response.text().catch(() => '');
  let body: unknown = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = { message: text.slice(0, 200) };
  }
  if (response.status >= 500 || response.status === 408 || response.status === 429) {
    throw new AuthUnreachableError(`the auth server at ${base} failed (${describeRefusal(response.status, body)})`);
  }
  if (!response.ok) throw new AuthRefusedError(describeRefusal(response.status, body), response.status);
  return body;
}

export interface GrantedSession extends StoredSession {
  refreshToken: string;
  expiresAtMs: number;
}

/** A token endpoint answer as a session; the expiry from expires_at, else expires_in, else the token's exp. */
export function grantedSession(body: unknown, now: number, fallback: { userId: string | null; email: string | null } = { userId: null, email: null }): GrantedSession {
  const b = (body ?? {}) as { access_token?: unknown; refresh_token?: unknown; expires_at?: unknown; expires_in?: unknown; user?: { id?: unknown; email?: unknown } };
  if (typeof b.access_token !== 'string' || !b.access_token) throw new AuthUnreachableError('the auth server answered without an access token');
  const claims = decodeClaims(b.access_token);
  const expiresAtMs =
    typeof b.expires_at === 'number' ? b.expires_at * 1000 : typeof b.expires_in === 'number' ? now + b.expires_in * 1000 : (claims?.expiresAtMs ?? now + 3600_000);
  return {
    accessToken: b.access_token,
    refreshToken: typeof b.refresh_token === 'string' ? b.refresh_token : '',
    expiresAtMs,
    userId: typeof b.user?.id === 'string' ? b.user.id : (claims?.sub ?? fallback.userId),
    email: typeof b.user?.email === 'string' ? b.user.email : (claims?.email ?? fallback.email),
  };
}

/** POST /auth/v1/token?grant_type=refresh_token: the rotated session. */
export async function refreshGrant(options: GoTrueOptions, session: StoredSession): Promise<GrantedSession> {
  if (!session.refreshToken) throw new AuthRefusedError('this session has no refresh token (a token-only login)', 0);
  const body = await call(options, 'token?grant_type=refresh_token', {
    method: 'POST',
    headers: { apikey: options.anonKey, 'content-type': 'application/json', 'x-supabase-api-version': '2024-01-01' },
    body: JSON.stringify({ refresh_token: session.refreshToken }),
  });
  return grantedSession(body, (options.now ?? Date.now)(), session);
}

/** GET /auth/v1/user: who the access token belongs to (the token is checked by the server). */
export async function fetchUser(options: GoTrueOptions, accessToken: string): Promise<{ id: string; email: string | null }> {
  const body = (await call(options, 'user', {
    headers: { apikey: options.anonKey, authorization: `Bearer ${accessToken}`, 'x-supabase-api-version': '2024-01-01' },
  })) as { id?: unknown; email?: unknown };
  if (typeof body?.id !== 'string') throw new AuthRefusedError('the auth server did not say who this token belongs to', 200);
  return { id: body.id, email: typeof body.email === 'string' ? body.email : null };
}

/** POST /auth/v1/logout?scope=local: the server ends this session (its refresh token stops working). */
export async function endSession(options: GoTrueOptions, accessToken: string): Promise<void> {
  await call(options, 'logout?scope=local', {
    method: 'POST',
    headers: { apikey: options.anonKey, authorization: `Bearer ${accessToken}`, 'x-supabase-api-version': '2024-01-01' },
  });
}
