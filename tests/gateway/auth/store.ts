import crypto from 'node:crypto';

/**
 * The state of the /auth/v1 stand-in, kept in memory: users, sessions, the v1 (12-character) refresh
 * tokens with their parent chain, and PKCE flow states. The rules are GoTrue's
 * (supabase/auth internal/tokens/service.go, internal/api/token.go, internal/models/flow_state.go):
 * rotation on every refresh, the parent of the active token answered with that active token, a revoked
 * token reused within the reuse interval swapped again, and after it the whole session revoked.
 */

export interface AuthUser {
  id: string;
  email: string;
  createdAt: string;
}

export interface RefreshTokenRow {
  token: string;
  sessionId: string;
  userId: string;
  parent: string | null;
  revoked: boolean;
  createdAt: number;
  updatedAt: number;
}

export interface FlowState {
  id: string;
  provider: string;
  codeChallenge: string;
  codeChallengeMethod: 's256' | 'plain';
  redirectTo: string;
  createdAt: number;
  userId: string | null;
  authCode: string | null;
  authCodeIssuedAt: number | null;
}

/** A refused grant: GoTrue's error code, HTTP status and message. */
export class AuthApiError extends Error {
  constructor(
    readonly status: number,
    readonly errorCode: string,
    message: string,
  ) {
    super(message);
  }
}

const TOKEN_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** GoTrue's legacy refresh token: 12 characters of [a-z0-9] (crypto.SecureToken trimmed, as models.RefreshToken v1). */
function newRefreshToken(): string {
  const bytes = crypto.randomBytes(12);
  return [...bytes].map((b) => TOKEN_ALPHABET[b % TOKEN_ALPHABET.length]).join('');
}

export function pkceChallengeOf(verifier: string, method: 's256' | 'plain'): string {
  return method === 'plain' ? verifier : crypto.createHash('sha256').update(verifier).digest('base64url');
}

export interface AuthStoreOptions {
  /** GOTRUE_SECURITY_REFRESH_TOKEN_REUSE_INTERVAL (default 10 s); read on every refresh. */
  reuseIntervalSeconds: () => number;
  /** GOTRUE_EXTERNAL_FLOW_STATE_EXPIRY_DURATION (default 300 s). */
  flowStateSeconds: number;
  now: () => number;
}

export class AuthStore {
  readonly users = new Map<string, AuthUser>();
  private readonly sessions = new Map<string, { id: string; userId: string }>();
  private readonly tokens = new Map<string, RefreshTokenRow>();
  private readonly flows = new Map<string, FlowState>();

  constructor(private readonly options: AuthStoreOptions) {}

  userByEmail(email: string): AuthUser | undefined {
    return [...this.users.values()].find((user) => user.email.toLowerCase() === email.toLowerCase());
  }

  /** The existing account for this email, or a new one (what a first OAuth sign-in does). */
  ensureUser(email: string, id?: string): AuthUser {
    const existing = this.userByEmail(email);
    if (existing) return existing;
    const user: AuthUser = { id: id ?? crypto.randomUUID(), email, createdAt: new Date(this.options.now()).toISOString() };
    this.users.set(user.id, user);
    return user;
  }

  hasSession(sessionId: string): boolean {
    return this.sessions.has(sessionId);
  }

  /** A new session with its first refresh token (a sign-in). */
  startSession(userId: string): RefreshTokenRow {
    const session = { id: crypto.randomUUID(), userId };
    this.sessions.set(session.id, session);
    return this.issue(session.id, userId, null);
  }

  private issue(sessionId: string, userId: string, parent: string | null): RefreshTokenRow {
    const now = this.options.now();
    const row: RefreshTokenRow = { token: newRefreshToken(), sessionId, userId, parent, revoked: false, createdAt: now, updatedAt: now };
    this.tokens.set(row.token, row);
    return row;
  }

  private activeToken(sessionId: string): RefreshTokenRow | undefined {
    return [...this.tokens.values()].filter((t) => t.sessionId === sessionId && !t.revoked).sort((a, b) => a.createdAt - b.createdAt)[0];
  }

  /** The refresh_token grant: the token to answer with (rotated), or an AuthApiError. */
  refresh(token: string): RefreshTokenRow {
    if (token.length < 12 || (token.length === 12 && !/^[a-z0-9]{12}$/.test(token))) {
      throw new AuthApiError(400, 'validation_failed', 'Refresh token is not valid');
    }
    const row = this.tokens.get(token);
    if (!row) throw new AuthApiError(400, 'refresh_token_not_found', 'Invalid Refresh Token: Refresh Token Not Found');
    if (!this.sessions.has(row.sessionId)) {
      this.tokens.delete(token);
      throw new AuthApiError(400, 'session_not_found', 'Invalid Refresh Token: No Valid Session Found');
    }
    const now = this.options.now();
    if (row.revoked) {
      const active = this.activeToken(row.sessionId);
      // The client lost the answer to its last refresh: it gets the token it missed, not a new one.
      if (active && active.parent === row.token) return active;
      if (now > row.updatedAt + this.options.reuseIntervalSeconds() * 1000) {
        for (const t of this.tokens.values()) {
          if (t.sessionId === row.sessionId && !t.revoked) {
            t.revoked = true;
            t.updatedAt = now;
          }
        }
        throw new AuthApiError(400, 'refresh_token_already_used', 'Invalid Refresh Token: Already Used');
      }
    }
    row.revoked = true;
    row.updatedAt = now;
    return this.issue(row.sessionId, row.userId, row.token);
  }

  /** POST /logout: global ends every session of the user, local only this one, others all but this one. */
  logout(userId: string, sessionId: string | null, scope: 'global' | 'local' | 'others'): void {
    for (const session of [...this.sessions.values()]) {
      if (session.userId !== userId) continue;
      const keep = (scope === 'local' && session.id !== sessionId) || (scope === 'others' && session.id === sessionId);
      if (keep) continue;
      this.sessions.delete(session.id);
      for (const [token, row] of this.tokens) if (row.sessionId === session.id) this.tokens.delete(token);
    }
  }

  newFlow(flow: Omit<FlowState, 'id' | 'createdAt' | 'userId' | 'authCode' | 'authCodeIssuedAt'>): FlowState {
    const state: FlowState = { ...flow, id: crypto.randomUUID(), createdAt: this.options.now(), userId: null, authCode: null, authCodeIssuedAt: null };
    this.flows.set(state.id, state);
    return state;
  }

  flow(id: string): FlowState | undefined {
    return this.flows.get(id);
  }

  /** The provider signed the user in: the flow gets its user and a one-time auth code. */
  completeFlow(flow: FlowState, userId: string): string {
    if (flow.userId) throw new AuthApiError(400, 'flow_state_already_used', 'State has already been used');
    flow.userId = userId;
    flow.authCode = crypto.randomUUID();
    flow.authCodeIssuedAt = this.options.now();
    return flow.authCode;
  }

  /** The pkce grant: the flow's user, once; the flow is destroyed on success. */
  exchange(authCode: string, verifier: string): string {
    if (!authCode || !verifier) {
      throw new AuthApiError(400, 'validation_failed', 'invalid request: both auth code and code verifier should be non-empty');
    }
    const flow = [...this.flows.values()].find((f) => f.authCode === authCode);
    if (!flow || !flow.userId) throw new AuthApiError(404, 'flow_state_not_found', 'invalid flow state, no valid flow state found');
    const issuedAt = flow.authCodeIssuedAt ?? flow.createdAt;
    if (this.options.now() > issuedAt + this.options.flowStateSeconds * 1000) {
      throw new AuthApiError(422, 'flow_state_expired', 'invalid flow state, flow state has expired');
    }
    if (pkceChallengeOf(verifier, flow.codeChallengeMethod) !== flow.codeChallenge) {
      throw new AuthApiError(400, 'bad_code_verifier', 'code challenge does not match previously saved code verifier');
    }
    this.flows.delete(flow.id);
    return flow.userId;
  }

  clear(): void {
    this.sessions.clear();
    this.tokens.clear();
    this.flows.clear();
  }
}
