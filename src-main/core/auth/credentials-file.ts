import { jsonText, writeFileAtomicSync } from '../fs/atomic-write.js';
import { readOwnerOnlyJson } from '../fs/owner-only-json.js';

export { OwnerOnlyFileError as CredentialsFileError } from '../fs/owner-only-json.js';

/**
 * The `mentu login` session file, ~/.mentu/credentials: {cloud: {accessToken, refreshToken, expiresAt, userId,
 * email}, ...other tools' keys}. Read strictly (an owner-only file holding valid JSON, or a clear error naming
 * the file), written the way mentu writes it (owner-only, every other key kept, expiresAt as mentu spells it).
 */

export interface StoredSession {
  accessToken: string;
  /** null or '' for a token-only login (`--token`), which cannot be refreshed. */
  refreshToken: string | null;
  /** Epoch milliseconds; null when the file does not say (the token's own exp claim is used then). */
  expiresAtMs: number | null;
  userId: string | null;
  email: string | null;
}

/** expiresAt may be epoch seconds, epoch milliseconds or an ISO string (mentu writes ISO). */
export function parseExpiry(value: unknown): number | null {
  if (typeof value === 'number' && Number.isFinite(value)) return value < 1e12 ? value * 1000 : value;
  if (typeof value === 'string' && value.trim() !== '') {
    const asNumber = Number(value);
    if (Number.isFinite(asNumber)) return parseExpiry(asNumber);
    const parsed = Date.parse(value);
    return Number.isNaN(parsed) ? null : parsed;
  }
  return null;
}

const CREDENTIALS = { holds: 'the session', redo: 'sign in again' };

const text = (value: unknown): string | null => (typeof value === 'string' && value !== '' ? value : null);

/** The session in a parsed `cloud` object, or null when it holds none. */
export function sessionFromCloud(cloud: unknown): StoredSession | null {
  if (!cloud || typeof cloud !== 'object') return null;
  const c = cloud as Record<string, unknown>;
  const accessToken = text(c.accessToken);
  if (!accessToken) return null;
  return { accessToken, refreshToken: text(c.refreshToken), expiresAtMs: parseExpiry(c.expiresAt), userId: text(c.userId), email: text(c.email) };
}

/** The session in ~/.mentu/credentials; null when the file is missing or holds no session. */
export function readCredentialsFile(path: string): StoredSession | null {
  return sessionFromCloud(readOwnerOnlyJson(path, CREDENTIALS)?.cloud);
}

/** The `cloud` object as mentu writes it, keeping the expiry style a file already uses. */
export function cloudOf(session: StoredSession, previous: Record<string, unknown> = {}): Record<string, unknown> {
  const secondsStyle = typeof previous.expiresAt === 'number' && previous.expiresAt < 1e12;
  const millisStyle = typeof previous.expiresAt === 'number' && !secondsStyle;
  const expiresAt =
    session.expiresAtMs === null ? undefined : secondsStyle ? Math.floor(session.expiresAtMs / 1000) : millisStyle ? session.expiresAtMs : new Date(session.expiresAtMs).toISOString();
  return {
    ...previous,
    accessToken: session.accessToken,
    refreshToken: session.refreshToken ?? '',
    ...(expiresAt === undefined ? {} : { expiresAt }),
    ...(session.userId ? { userId: session.userId } : {}),
    ...(session.email ? { email: session.email } : {}),
  };
}

/** Owner-only, atomic, every other key of the file kept. */
export function writeCredentialsFile(path: string, session: StoredSession | null): void {
  let file: Record<string, unknown> = {};
  try {
    file = readOwnerOnlyJson(path, CREDENTIALS) ?? {};
  } catch {
    // An unreadable or insecure file is replaced by a correct one: the new session must be usable.
  }
  const previous = file.cloud && typeof file.cloud === 'object' ? (file.cloud as Record<string, unknown>) : {};
  if (session) file.cloud = cloudOf(session, previous);
  else delete file.cloud;
  writeFileAtomicSync(path, jsonText(file), { mode: 0o600, parentMode: 0o700, durable: true });
}
