import { readFileSync, statSync } from 'node:fs';
import { jsonText, writeFileAtomicSync } from '../../fs/atomic-write.js';

/**
 * The `mentu login` session in ~/.mentu/credentials: {cloud: {accessToken, refreshToken, expiresAt,
 * userId, email}}. The session is refreshed shortly before it expires (and at once after the machine
 * wakes with an expired token), and the rotated refresh token is written back so `mentu` keeps working.
 */

export interface CloudCredentials {
  accessToken: string;
  refreshToken: string | null;
  /** Epoch milliseconds; null when unknown (then the token is used until a 401). */
  expiresAtMs: number | null;
  userId: string | null;
  email: string | null;
}

/** expiresAt may be epoch seconds, epoch milliseconds or an ISO string. */
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

function readJson(path: string): Record<string, unknown> | null {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  const parsed: unknown = JSON.parse(text);
  return parsed && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : null;
}

/** Reads the credentials file; null when it is missing or holds no cloud session. */
export function readCloudCredentials(path: string): CloudCredentials | null {
  const file = readJson(path);
  const cloud = file?.cloud;
  if (!cloud || typeof cloud !== 'object') return null;
  const c = cloud as Record<string, unknown>;
  if (typeof c.accessToken !== 'string' || c.accessToken === '') return null;
  return {
    accessToken: c.accessToken,
    refreshToken: typeof c.refreshToken === 'string' ? c.refreshToken : null,
    expiresAtMs: parseExpiry(c.expiresAt),
    userId: typeof c.userId === 'string' ? c.userId : null,
    email: typeof c.email === 'string' ? c.email : null,
  };
}

/** Writes the refreshed tokens back, keeping every other field and the file's mode. */
export function writeCloudTokens(path: string, tokens: { accessToken: string; refreshToken: string; expiresAtMs: number }): void {
  const file = readJson(path) ?? {};
  const cloud = (file.cloud && typeof file.cloud === 'object' ? file.cloud : {}) as Record<string, unknown>;
  const secondsStyle = typeof cloud.expiresAt === 'number' && cloud.expiresAt < 1e12;
  file.cloud = {
    ...cloud,
    accessToken: tokens.accessToken,
    refreshToken: tokens.refreshToken,
    expiresAt: secondsStyle ? Math.floor(tokens.expiresAtMs / 1000) : typeof cloud.expiresAt === 'string' ? new Date(tokens.expiresAtMs).toISOString() : tokens.expiresAtMs,
  };
  let mode = 0o600;
  try {
    mode = statSync(path).mode & 0o777;
  } catch {
    // A new file is owner-only.
  }
  writeFileAtomicSync(path, jsonText(file), { mode, durable: true });
}

export class SessionExpiredError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SessionExpiredError';
  }
}

export interface SessionOptions {
  url: string;
  anonKey: string;
  credentialsPath: string;
  /** Refresh this long before expiry. */
  refreshMarginMs?: number;
  now?: () => number;
  fetch?: typeof fetch;
  /** Called with each new access token (so the logger can redact it). */
  onToken?: (token: string) => void;
}

/** Hands out a valid access token, refreshing the session (single-flight) when it is about to expire. */
export class SessionTokens {
  private credentials: CloudCredentials;
  private refreshing: Promise<string> | null = null;
  private readonly margin: number;
  private readonly now: () => number;
  private readonly fetchImpl: typeof fetch;

  constructor(private readonly options: SessionOptions) {
    const credentials = readCloudCredentials(options.credentialsPath);
    if (!credentials) {
      throw new SessionExpiredError(`No Mentu session in ${options.credentialsPath}: run \`mentu login\`, or use auth: service_role.`);
    }
    this.credentials = credentials;
    this.margin = options.refreshMarginMs ?? 5 * 60_000;
    this.now = options.now ?? Date.now;
    this.fetchImpl = options.fetch ?? fetch;
    options.onToken?.(credentials.accessToken);
    if (credentials.refreshToken) options.onToken?.(credentials.refreshToken);
  }

  get userId(): string | null {
    return this.credentials.userId;
  }

  needsRefresh(): boolean {
    const expires = this.credentials.expiresAtMs;
    return expires !== null && this.now() >= expires - this.margin;
  }

  async accessToken(): Promise<string> {
    if (!this.needsRefresh()) return this.credentials.accessToken;
    return this.refresh();
  }

  refresh(): Promise<string> {
    this.refreshing ??= this.doRefresh().finally(() => {
      this.refreshing = null;
    });
    return this.refreshing;
  }

  private async doRefresh(): Promise<string> {
    // Another process (`mentu`, a second start) may have refreshed already: re-read the file first.
    const onDisk = readCloudCredentials(this.options.credentialsPath);
    if (onDisk && onDisk.accessToken !== this.credentials.accessToken) {
      this.credentials = onDisk;
      this.options.onToken?.(onDisk.accessToken);
      if (!this.needsRefresh()) return onDisk.accessToken;
    }
    const refreshToken = this.credentials.refreshToken;
    if (!refreshToken) throw new SessionExpiredError('The Mentu session has expired and has no refresh token: run `mentu login`.');
    const response = await this.fetchImpl(`${this.options.url.replace(/\/$/, '')}/auth/v1/token?grant_type=refresh_token`, {
      method: 'POST',
      headers: { apikey: this.options.anonKey, 'Content-Type': 'application/json' },
      body: JSON.stringify({ refresh_token: refreshToken }),
      signal: AbortSignal.timeout(15_000),
    });
    if (response.status === 400 || response.status === 401 || response.status === 403) {
      throw new SessionExpiredError(`The Mentu session could not be refreshed (HTTP ${response.status}): run \`mentu login\`.`);
    }
    if (!response.ok) throw new Error(`Session refresh failed: HTTP ${response.status}`);
    const body = (await response.json()) as { access_token?: string; refresh_token?: string; expires_in?: number; expires_at?: number };
    if (!body.access_token) throw new Error('Session refresh returned no access token');
    const expiresAtMs = body.expires_at ? body.expires_at * 1000 : this.now() + (body.expires_in ?? 3600) * 1000;
    const next = { accessToken: body.access_token, refreshToken: body.refresh_token ?? refreshToken, expiresAtMs };
    this.options.onToken?.(next.accessToken);
    this.options.onToken?.(next.refreshToken);
    this.credentials = { ...this.credentials, ...next };
    writeCloudTokens(this.options.credentialsPath, next);
    return next.accessToken;
  }
}
