import type { SessionProblem } from '../../auth/messages.js';
import type { AuthView } from '../../contract/types.js';
import type { ConnectionState, SourceStatus } from '../source.js';
import type { FailureKind } from './client.js';

/**
 * The source's connection state, derived from its observations in order of precedence: the sign-in or the
 * key cannot work (auth_failed: the session was refused or is missing, the key has the wrong role, no
 * configured workspace is reachable), a request was refused as unauthorized, the REST API or the auth
 * server is unreachable (offline), a realtime channel is down (reconnecting). Only changes are reported.
 */
export class ConnectionTracker {
  /** From the session (core/auth/session.ts): sticky until the session changes. */
  private sessionProblem: SessionProblem | null = null;
  /** Key role or workspace access; `blocking` when nothing configured can work. */
  private accessProblem: { message: string; blocking: boolean } | null = null;
  private authView: AuthView | null = null;
  private authProblem: string | null = null;
  private restProblem: string | null = null;
  private channelProblem: string | null = null;
  private everSubscribed = false;
  private allSubscribed = false;
  private registrationProblem: string | null = null;
  private pendingWrites = 0;
  private last = '';

  constructor(private readonly emit: (status: SourceStatus) => void) {}

  restFailed(kind: FailureKind, message: string): void {
    if (kind === 'auth') this.authProblem = message;
    else if (kind === 'network' || kind === 'server') this.restProblem = message;
    this.publish();
  }

  restSucceeded(): void {
    if (this.authProblem === null && this.restProblem === null) return;
    this.authProblem = null;
    this.restProblem = null;
    this.publish();
  }

  authFailed(message: string): void {
    this.authProblem = message;
    this.publish();
  }

  session(problem: SessionProblem | null): void {
    this.sessionProblem = problem;
    this.publish();
  }

  access(problem: { message: string; blocking: boolean } | null): void {
    this.accessProblem = problem;
    this.publish();
  }

  auth(view: AuthView | null): void {
    this.authView = view;
    this.publish();
  }

  channels(allSubscribed: boolean, problem: string | null): void {
    this.allSubscribed = allSubscribed;
    if (allSubscribed) {
      this.everSubscribed = true;
      this.channelProblem = null;
    } else if (problem) {
      this.channelProblem = problem;
    }
    this.publish();
  }

  registration(problem: string | null): void {
    this.registrationProblem = problem;
    this.publish();
  }

  writes(pending: number): void {
    this.pendingWrites = pending;
    this.publish();
  }

  status(): SourceStatus {
    let connection: ConnectionState;
    let detail: string | null;
    const session = this.sessionProblem;
    const access = this.accessProblem;
    if (session?.kind === 'auth') [connection, detail] = ['auth_failed', session.message];
    else if (access?.blocking) [connection, detail] = ['auth_failed', access.message];
    else if (this.authProblem) [connection, detail] = ['auth_failed', this.authProblem];
    else if (session?.kind === 'offline') [connection, detail] = ['offline', session.message];
    else if (this.restProblem) [connection, detail] = ['offline', this.restProblem];
    else if (!this.allSubscribed && this.channelProblem) [connection, detail] = [this.everSubscribed ? 'reconnecting' : 'connecting', this.channelProblem];
    else if (!this.allSubscribed) [connection, detail] = ['connecting', null];
    else [connection, detail] = ['connected', null];
    return {
      kind: 'supabase',
      connection,
      detail: detail ?? access?.message ?? this.registrationProblem,
      pendingWrites: this.pendingWrites,
      ...(this.authView ? { auth: this.authView } : {}),
    };
  }

  private publish(): void {
    const status = this.status();
    const key = JSON.stringify(status);
    if (key === this.last) return;
    this.last = key;
    this.emit(status);
  }
}
