/**
 * What a key or token says about itself, read without verifying it (only the server can verify): the
 * Postgres role it acts as, whose it is and until when. Used to name the cause of a refusal before any
 * request ("this key has role anon, not service_role") and to know a token's expiry when the credentials
 * file does not say.
 */

export interface TokenClaims {
  role: string | null;
  sub: string | null;
  email: string | null;
  /** Epoch milliseconds. */
  expiresAtMs: number | null;
  issuedAtMs: number | null;
}

export function decodeClaims(token: string): TokenClaims | null {
  const payload = token.split('.')[1];
  if (!payload || token.split('.').length !== 3) return null;
  try {
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
    if (!claims || typeof claims !== 'object') return null;
    const text = (value: unknown): string | null => (typeof value === 'string' && value !== '' ? value : null);
    const seconds = (value: unknown): number | null => (typeof value === 'number' && Number.isFinite(value) ? value * 1000 : null);
    return { role: text(claims.role), sub: text(claims.sub), email: text(claims.email), expiresAtMs: seconds(claims.exp), issuedAtMs: seconds(claims.iat) };
  } catch {
    return null;
  }
}

/**
 * The role a Supabase API key acts as: the `role` claim of a legacy JWT key, or what the newer key formats
 * say in their prefix (sb_secret_… acts as service_role, sb_publishable_… as anon). null when unknown.
 */
export function keyRole(key: string): string | null {
  if (key.startsWith('sb_secret_')) return 'service_role';
  if (key.startsWith('sb_publishable_')) return 'anon';
  return decodeClaims(key)?.role ?? null;
}

/** A problem with the key configured for auth: service_role, in the words the user needs; null when fine or unknown. */
export function serviceRoleKeyProblem(key: string): string | null {
  const role = keyRole(key);
  if (role === null || role === 'service_role') return null;
  const what = role === 'anon' ? "it is the project's anon (public) key" : role === 'authenticated' ? "it is a user's session token" : `it acts as ${role}`;
  return `The Supabase key has role ${role}, not service_role: ${what}, so row-level security hides every command. Store the project's service_role key, or use auth: session and sign in.`;
}
