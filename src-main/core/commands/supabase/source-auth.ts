import type { SupabaseClient } from '@supabase/supabase-js';
import { keyRole, serviceRoleKeyProblem } from '../../auth/key-role.js';
import type { SessionStatus } from '../../auth/session.js';
import { checkWorkspaceAccess, type WorkspaceAccess } from '../../auth/workspaces.js';
import type { AuthView } from '../../contract/types.js';
import type { Logger } from '../../logger.js';
import type { ConnectionTracker } from './connection.js';
import type { SupabaseAuth } from './options.js';

/**
 * How the Supabase source is signed in, in one place: the token every request and the realtime socket
 * carries, one refresh after a request refused as unauthorized, the realtime token pushed after every
 * renewal, the key's role and the configured workspaces checked and named, and the AuthView that
 * `beacon status`, `beacon doctor`, the tray and the window show.
 */

export interface SourceAuthOptions {
  auth: SupabaseAuth;
  workspaceIds: string[];
  logger: Logger;
  tracker: ConnectionTracker;
  /** A new session token arrived (renewal or a new sign-in): queued writes may go, deferred work may run. */
  onNewToken: () => void;
}

const SESSION_STATE: Record<SessionStatus['state'], AuthView['state']> = {
  active: 'signed_in',
  signed_out: 'signed_out',
  unreachable: 'unreachable',
  refused: 'refused',
};

export class SourceAuth {
  readonly apiKey: string;
  private workspaces: WorkspaceAccess[];
  private accessProblems: string[] = [];
  private machineRegistered: boolean | null = null;
  private machineProblem: string | null = null;
  private readonly keyProblem: string | null;
  private detach: (() => void) | null = null;
  private checking: Promise<void> | null = null;
  private checkedFor: string | null = null;

  constructor(private readonly options: SourceAuthOptions) {
    const { auth, logger } = options;
    this.apiKey = auth.kind === 'service_role' ? auth.key : auth.anonKey;
    logger.redact(this.apiKey);
    this.keyProblem = auth.kind === 'service_role' ? serviceRoleKeyProblem(auth.key) : null;
    this.workspaces = options.workspaceIds.map((id) => ({ id, name: null, member: null }));
    if (this.keyProblem) options.tracker.access({ message: this.keyProblem, blocking: true });
    this.publish();
  }

  get mode(): 'service_role' | 'session' {
    return this.options.auth.kind;
  }

  get userId(): string | null {
    return this.options.auth.kind === 'session' ? this.options.auth.session.userId : null;
  }

  /** The bearer token for the next request (the anon key when signed out: RLS then shows nothing). */
  readonly accessToken = async (): Promise<string> => {
    const { auth } = this.options;
    if (auth.kind === 'service_role') return auth.key;
    return (await auth.session.accessToken()) ?? auth.anonKey;
  };

  /** For the REST client: a request refused as unauthorized gets one refresh, then one retry (session mode only). */
  readonly onUnauthorized = async (token: string): Promise<string | null> => {
    const { auth } = this.options;
    return auth.kind === 'session' ? auth.session.refreshAfterUnauthorized(token) : null;
  };

  /** A token a request can act with exists (service role, or a session not signed out). */
  usable(): boolean {
    const { auth } = this.options;
    return auth.kind === 'service_role' ? this.keyProblem === null : auth.session.currentToken() !== null;
  }

  /** Follows the session: its problems go to the status line, its new tokens to the realtime socket. */
  attach(client: SupabaseClient): void {
    const { auth, tracker } = this.options;
    if (auth.kind !== 'session' || this.detach) return;
    const session = auth.session;
    const onToken = (token: string): void => {
      // supabase-js fixed the realtime token at creation; each renewal is pushed to the joined channels.
      void client.realtime.setAuth(token).catch((error: unknown) => this.options.logger.warn('Realtime did not take the renewed token', { error }));
      this.options.onNewToken();
      if (this.userId !== this.checkedFor) void this.checkAccess(client);
    };
    const onStatus = (status: SessionStatus): void => {
      tracker.session(status.problem);
      this.publish();
    };
    session.on('token', onToken);
    session.on('status', onStatus);
    tracker.session(session.status().problem);
    this.detach = () => {
      session.off('token', onToken);
      session.off('status', onStatus);
    };
    this.publish();
  }

  /** Stops following the session and ends it: it was opened for this source alone (create-source.ts). */
  stop(): void {
    this.detach?.();
    this.detach = null;
    if (this.options.auth.kind === 'session') this.options.auth.session.stop();
  }

  /** Sets the realtime socket's token to the current one before a channel joins. */
  async authorizeRealtime(client: SupabaseClient): Promise<void> {
    await client.realtime.setAuth(await this.accessToken());
  }

  /** Checks the configured workspaces with the current key or session; problems are named, never thrown. */
  checkAccess(client: SupabaseClient): Promise<void> {
    this.checking ??= this.doCheck(client).finally(() => {
      this.checking = null;
    });
    return this.checking;
  }

  get accessFailing(): boolean {
    return this.accessProblems.length > 0;
  }

  private async doCheck(client: SupabaseClient): Promise<void> {
    const { auth, workspaceIds, tracker, logger } = this.options;
    if (this.keyProblem || !this.usable() || workspaceIds.length === 0) return;
    const userId = this.userId;
    try {
      const who = auth.kind === 'session' && userId
        ? { mode: 'session' as const, userId, label: auth.session.status().user?.email ?? `user ${userId}` }
        : { mode: 'service_role' as const };
      if (auth.kind === 'session' && !userId) return;
      const check = await checkWorkspaceAccess(client, workspaceIds, who);
      this.checkedFor = userId;
      this.workspaces = check.workspaces;
      if (check.problems.join('\n') !== this.accessProblems.join('\n')) for (const problem of check.problems) logger.warn(problem);
      this.accessProblems = check.problems;
      // Blocking only for a user who belongs to none of them: the service role sees every row anyway.
      const blocking = who.mode === 'session' && !check.workspaces.some((w) => w.member);
      tracker.access(check.problems.length ? { message: check.problems.join('; '), blocking } : null);
    } catch (error) {
      logger.debug('Workspace access could not be checked', { error });
    }
    this.publish();
  }

  /** The last heartbeat's outcome for the bridge_machines row. */
  machine(registered: boolean, problem: string | null): void {
    if (this.machineRegistered === registered && this.machineProblem === problem) return;
    this.machineRegistered = registered;
    this.machineProblem = problem;
    this.publish();
  }

  view(): AuthView {
    const { auth } = this.options;
    const session = auth.kind === 'session' ? auth.session.status() : null;
    const token = auth.kind === 'session' ? auth.session.currentToken() : auth.key;
    const problem = session?.problem?.message ?? this.keyProblem ?? this.accessProblems[0] ?? this.machineProblem;
    return {
      mode: auth.kind,
      state: session ? SESSION_STATE[session.state] : 'key',
      user: session?.user ?? null,
      role: token ? keyRole(token) : null,
      expiresAt: session?.expiresAt ?? null,
      workspaces: this.workspaces,
      machineRegistered: this.machineRegistered,
      machineProblem: this.machineProblem,
      problem: problem ?? null,
    };
  }

  private publish(): void {
    this.options.tracker.auth(this.view());
  }
}
