import { EventEmitter } from 'node:events';
import type { Logger } from '../logger.js';
import type { StoredSession } from './credentials-file.js';
import { AuthRefusedError, refreshGrant, type GoTrueOptions } from './gotrue.js';
import { decodeClaims } from './key-role.js';
import { SIGN_IN_AGAIN, describeSessionProblem, type SessionProblem } from './messages.js';
import type { SessionStore } from './session-store.js';

/**
 * A Mentu sign-in that lives: the current access token is used until it really expires, a refresh is made
 * ahead of that (5 minutes before, or at 3/4 of a shorter token's life), a refresh that cannot reach the auth
 * server is retried with backoff, a refused one says "sign in again" at once, and a new session in the store
 * (`mentu login`, `beacon login`, the app's sign-in) is taken up without a restart. One state machine:
 *
 *   signed_out ──store has a session──▶ active ──refresh refused──▶ refused ──new session──▶ active
 *                                        │  ▲                                   
 *                        server unreachable  refresh succeeded                     
 *                                        ▼  │                                   
 *                                     unreachable (retrying)
 */

export type SessionState = 'signed_out' | 'active' | 'unreachable' | 'refused';

export interface SessionStatus {
  state: SessionState;
  user: { id: string | null; email: string | null } | null;
  /** ISO time the current access token expires; null when unknown. */
  expiresAt: string | null;
  /** What stands in the way, or null: `auth` needs a new sign-in, `offline` waits for the auth server. */
  problem: SessionProblem | null;
}

export interface MentuSessionOptions {
  auth: GoTrueOptions;
  store: SessionStore;
  logger: Logger;
  now?: () => number;
  /** The most a refresh is made ahead of expiry (default 5 minutes). */
  refreshMarginMs?: number;
  /** Waits between refresh attempts that could not reach the auth server. */
  retryDelaysMs?: readonly number[];
}

const DEFAULT_RETRY_MS = [1000, 2000, 5000, 10_000, 30_000];

/** Two copies hold the same session state (a refresh within the same second can return an identical access token). */
const sameTokens = (a: StoredSession | null, b: StoredSession | null): boolean =>
  a !== null && b !== null && a.accessToken === b.accessToken && (a.refreshToken ?? '') === (b.refreshToken ?? '');
/** setTimeout's ceiling; a later refresh is rescheduled when this fires. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export class MentuSession extends EventEmitter<{ token: [string]; status: [SessionStatus] }> {
  private session: StoredSession | null = null;
  private expiresAtMs: number | null = null;
  private lifetimeMs = 3600_000;
  private state: SessionState = 'signed_out';
  private problem: SessionProblem | null = null;
  private refreshing: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private attempts = 0;
  private lastAttemptAt = 0;
  private unwatch: (() => void) | null = null;
  private stopped = false;
  private readonly now: () => number;

  constructor(private readonly options: MentuSessionOptions) {
    super();
    this.now = options.now ?? Date.now;
  }

  /** Reads the stored session and starts watching the store; never throws (a problem is a status). */
  async start(): Promise<void> {
    this.stopped = false;
    await this.reload();
    this.unwatch ??= this.options.store.watch(() => void this.reload());
  }

  stop(): void {
    this.stopped = true;
    this.unwatch?.();
    this.unwatch = null;
    this.clearTimer();
  }

  get userId(): string | null {
    return this.session?.userId ?? null;
  }

  status(): SessionStatus {
    return {
      state: this.state,
      user: this.session ? { id: this.session.userId, email: this.session.email } : null,
      expiresAt: this.expiresAtMs === null ? null : new Date(this.expiresAtMs).toISOString(),
      problem: this.problem,
    };
  }

  /** The token to send now: the current one even when expired (the server's 401 then says so); null when signed out. */
  currentToken(): string | null {
    return this.session?.accessToken ?? null;
  }

  private expired(): boolean {
    return this.expiresAtMs !== null && this.now() >= this.expiresAtMs;
  }

  /** A token for a request: the current one, or, once it has expired, the result of one refresh attempt. */
  async accessToken(): Promise<string | null> {
    if (this.session && this.expired() && (this.state === 'active' || this.state === 'unreachable')) await this.refresh('the token expired');
    return this.currentToken();
  }

  /**
   * A request carrying `token` was refused as unauthorized: one refresh before anything else (shared with any
   * refresh under way). The new token, or null when there is none to retry with.
   */
  async refreshAfterUnauthorized(token: string): Promise<string | null> {
    if (!this.session) return null;
    if (this.session.accessToken !== token) return this.session.accessToken;
    if (this.state === 'refused') return null;
    if (!this.refreshing && this.state === 'unreachable' && this.now() - this.lastAttemptAt < 1000) return null;
    await this.refresh('a request was refused as unauthorized');
    const next = this.currentToken();
    return next && next !== token ? next : null;
  }

  /** Re-reads the store: a new session (another login, another process's refresh) is taken up. */
  async reload(): Promise<void> {
    if (this.stopped) return;
    let stored: StoredSession | null;
    try {
      stored = await this.options.store.read();
    } catch (error) {
      this.session = null;
      this.expiresAtMs = null;
      this.clearTimer();
      this.setState('signed_out', { kind: 'auth', message: `${(error as Error).message} (then ${SIGN_IN_AGAIN})` });
      return;
    }
    if (!stored) {
      this.session = null;
      this.expiresAtMs = null;
      this.clearTimer();
      this.setState('signed_out', describeSessionProblem('signed_out'));
      return;
    }
    if (sameTokens(stored, this.session)) {
      this.session = { ...this.session!, ...stored, userId: stored.userId ?? this.session!.userId, email: stored.email ?? this.session!.email };
      return;
    }
    this.adopt(stored, 'a new session was found');
  }

  private adopt(stored: StoredSession, why: string): void {
    const claims = decodeClaims(stored.accessToken);
    const changed = !sameTokens(this.session, stored);
    this.session = { ...stored, userId: stored.userId ?? claims?.sub ?? null, email: stored.email ?? claims?.email ?? null };
    // The token's own exp is what the server enforces (mentu's --token login writes a made-up year); the file's word otherwise.
    this.expiresAtMs = claims?.expiresAtMs ?? stored.expiresAtMs ?? null;
    if (claims?.expiresAtMs && claims.issuedAtMs) this.lifetimeMs = Math.max(1000, claims.expiresAtMs - claims.issuedAtMs);
    this.options.logger.redact(stored.accessToken);
    if (stored.refreshToken) this.options.logger.redact(stored.refreshToken);
    this.attempts = 0;
    if (changed) this.options.logger.info(`Mentu session: ${why}`, { user: this.session.email ?? this.session.userId, expiresAt: this.status().expiresAt });
    this.setState('active', null);
    if (changed) this.emit('token', stored.accessToken);
    this.schedule();
  }

  /** When to refresh: `margin` before expiry, but not before 3/4 of the token's life (short tokens). */
  private refreshDueAt(): number | null {
    if (this.expiresAtMs === null) return null;
    const margin = Math.min(this.options.refreshMarginMs ?? 5 * 60_000, this.lifetimeMs / 4);
    return this.expiresAtMs - margin;
  }

  private schedule(delayMs?: number): void {
    this.clearTimer();
    if (this.stopped || !this.session) return;
    let delay = delayMs;
    if (delay === undefined) {
      if (!this.session.refreshToken) {
        // A token-only login cannot be renewed: it simply ends.
        if (this.expiresAtMs === null) return;
        delay = this.expiresAtMs - this.now();
        if (delay <= 0) return this.setState('refused', describeSessionProblem('no_refresh_token'));
      } else {
        const due = this.refreshDueAt();
        if (due === null) return;
        delay = due - this.now();
      }
    }
    const wait = Math.min(Math.max(0, delay), MAX_TIMER_MS);
    this.timer = setTimeout(() => {
      this.timer = null;
      if (wait < delay!) return this.schedule(delay! - wait);
      if (!this.session?.refreshToken) return this.schedule();
      void this.refresh('the token is about to expire');
    }, wait);
    this.timer.unref();
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  /** One refresh at a time; every caller waits for the same one. */
  refresh(reason: string): Promise<void> {
    this.refreshing ??= this.doRefresh(reason).finally(() => {
      this.refreshing = null;
    });
    return this.refreshing;
  }

  private async doRefresh(reason: string): Promise<void> {
    if (!this.session || this.stopped) return;
    // Another process (mentu, a second Beacon) may have refreshed already: its tokens are taken, not replayed.
    const fresh = await this.options.store.read().catch(() => null);
    if (fresh && !sameTokens(fresh, this.session)) {
      this.adopt(fresh, 'taken over from the session store (renewed elsewhere)');
      const due = this.refreshDueAt();
      if (due === null || due > this.now()) return;
    }
    const before = this.session;
    if (!before.refreshToken) {
      if (this.expired()) this.setState('refused', describeSessionProblem('no_refresh_token'));
      return;
    }
    this.lastAttemptAt = this.now();
    try {
      const granted = await refreshGrant({ ...this.options.auth, now: this.now }, before);
      if (this.session !== before) return; // a new sign-in arrived meanwhile: it wins
      this.options.logger.redact(granted.accessToken);
      this.options.logger.redact(granted.refreshToken);
      try {
        await this.options.store.write(granted);
      } catch (error) {
        this.options.logger.warn('The renewed Mentu session could not be saved; it is used from memory', { error });
      }
      this.adopt(granted, `renewed (${reason})`);
    } catch (error) {
      if (this.session !== before) return;
      if (error instanceof AuthRefusedError) {
        // A concurrent refresh elsewhere makes ours "already used": the store then holds the winner.
        const winner = await this.options.store.read().catch(() => null);
        if (winner && !sameTokens(winner, before)) return this.adopt(winner, 'taken over after a concurrent refresh');
        this.clearTimer();
        this.options.logger.warn(`The Mentu session could not be renewed: ${error.message}`);
        return this.setState('refused', describeSessionProblem(this.expired() ? 'expired' : 'refused', error.message, this.expiresAtMs));
      }
      const delay = (this.options.retryDelaysMs ?? DEFAULT_RETRY_MS)[Math.min(this.attempts, (this.options.retryDelaysMs ?? DEFAULT_RETRY_MS).length - 1)]!;
      this.attempts += 1;
      this.options.logger.warn(`The Mentu session could not be renewed yet; retrying in ${Math.round(delay / 1000)}s`, { error: (error as Error).message });
      const problem = this.expired() ? describeSessionProblem('unreachable', (error as Error).message, this.expiresAtMs) : null;
      this.setState('unreachable', problem);
      this.schedule(delay);
    }
  }

  private setState(state: SessionState, problem: SessionProblem | null): void {
    const before = JSON.stringify(this.status());
    this.state = state;
    this.problem = problem;
    const after = this.status();
    if (JSON.stringify(after) !== before) this.emit('status', after);
  }
}
