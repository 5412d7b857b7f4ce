import type { ConnectionState, SourceStatus } from '../source.js';
import type { FailureKind } from './client.js';

/**
 * The source's connection state, derived from three observations in order of precedence: the key was
 * refused (auth_failed), the REST API is unreachable (offline), a realtime channel is down
 * (reconnecting). Only changes are reported.
 */
export class ConnectionTracker {
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
    if (this.authProblem) [connection, detail] = ['auth_failed', this.authProblem];
    else if (this.restProblem) [connection, detail] = ['offline', this.restProblem];
    else if (!this.allSubscribed && this.channelProblem) [connection, detail] = [this.everSubscribed ? 'reconnecting' : 'connecting', this.channelProblem];
    else if (!this.allSubscribed) [connection, detail] = ['connecting', null];
    else [connection, detail] = ['connected', null];
    return { kind: 'supabase', connection, detail: detail ?? this.registrationProblem, pendingWrites: this.pendingWrites };
  }

  private publish(): void {
    const status = this.status();
    const key = JSON.stringify(status);
    if (key === this.last) return;
    this.last = key;
    this.emit(status);
  }
}
