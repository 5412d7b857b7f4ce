import type http from 'node:http';
import { isJwtError, signJwt, verifyJwt } from '../jwt.js';
import { sleep, type AuthFault } from '../faults.js';
import { AuthApiError, AuthStore, type AuthUser, type RefreshTokenRow } from './store.js';

/**
 * The /auth/v1 subset supabase-js and `mentu login` use, as GoTrue answers it: the OAuth authorize
 * redirect (PKCE or implicit) through a stand-in identity provider, the provider callback, the pkce and
 * refresh_token grants, GET /user and POST /logout. /authorize and /callback are open (no apikey), as
 * Supabase's API gateway routes them; the rest need a valid apikey.
 */

export interface AuthOptions {
  /** GOTRUE_JWT_EXP: access-token lifetime in seconds (default 3600). */
  accessTokenSeconds?: number;
  /** GOTRUE_SECURITY_REFRESH_TOKEN_REUSE_INTERVAL in seconds (default 10). */
  reuseIntervalSeconds?: number;
  /**
   * 'current': GoTrue with error codes ({code, message} for clients sending X-Supabase-Api-Version, else
   * {code, error_code, msg}); 'invalid_grant': GoTrue before error codes, whose refused grants were OAuth
   * errors {error: 'invalid_grant', error_description}.
   */
  errorStyle?: 'current' | 'invalid_grant';
  /** GOTRUE_SITE_URL: where an unacceptable redirect_to falls back to (default http://localhost:3000). */
  siteUrl?: string;
}

export interface AuthContext {
  url: string;
  jwtSecret: string;
  store: AuthStore;
  options: Required<AuthOptions>;
  /** Who the stand-in identity provider says is signed in (null: the user denies access). */
  providerUser: () => { email: string; id?: string } | null;
  /** Takes the injected fault for one request (a counted fault is consumed). */
  fault: () => AuthFault | null;
  stats: AuthStats;
  now: () => number;
}

export interface AuthStats {
  /** Keyed by grant type: "refresh_token", "pkce". */
  grants: Record<string, number>;
  /** Grants answered with an error (4xx). */
  refused: number;
}

interface Reply {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}

const API_VERSION = 'x-supabase-api-version';
const PROVIDERS = new Set(['github']);

export function accessTokenFor(ctx: AuthContext, user: AuthUser, sessionId: string, issuedSecondsAgo = 0): { token: string; expiresAt: number } {
  const iat = Math.floor(ctx.now() / 1000) - issuedSecondsAgo;
  const exp = iat + ctx.options.accessTokenSeconds;
  const claims = {
    aud: 'authenticated', exp, iat, iss: `${ctx.url}/auth/v1`, sub: user.id, email: user.email, phone: '',
    app_metadata: { provider: 'github', providers: ['github'] }, user_metadata: { email: user.email },
    role: 'authenticated', aal: 'aal1', amr: [{ method: 'oauth', timestamp: iat }], session_id: sessionId, is_anonymous: false,
  };
  return { token: signJwt(claims, ctx.jwtSecret), expiresAt: exp };
}

export function userJson(user: AuthUser): Record<string, unknown> {
  return {
    id: user.id, aud: 'authenticated', role: 'authenticated', email: user.email, email_confirmed_at: user.createdAt, phone: '',
    confirmed_at: user.createdAt, last_sign_in_at: user.createdAt, app_metadata: { provider: 'github', providers: ['github'] },
    user_metadata: { email: user.email }, identities: [], created_at: user.createdAt, updated_at: user.createdAt, is_anonymous: false,
  };
}

export function sessionJson(ctx: AuthContext, row: RefreshTokenRow, issuedSecondsAgo = 0): Record<string, unknown> {
  const user = ctx.store.users.get(row.userId)!;
  const access = accessTokenFor(ctx, user, row.sessionId, issuedSecondsAgo);
  return {
    access_token: access.token, token_type: 'bearer', expires_in: ctx.options.accessTokenSeconds - issuedSecondsAgo, expires_at: access.expiresAt,
    refresh_token: row.token, user: userJson(user),
  };
}

function errorReply(req: http.IncomingMessage, ctx: AuthContext, error: AuthApiError, grant: boolean): Reply {
  const headers: Record<string, string> = { 'x-sb-error-code': error.errorCode };
  if (grant && ctx.options.errorStyle === 'invalid_grant' && error.status === 400) {
    return { status: 400, headers, body: { error: 'invalid_grant', error_description: error.message } };
  }
  const version = req.headers[API_VERSION];
  if (typeof version === 'string' && version >= '2024-01-01') {
    return { status: error.status, headers: { ...headers, [API_VERSION]: '2024-01-01' }, body: { code: error.errorCode, message: error.message } };
  }
  return { status: error.status, headers, body: { code: error.status, error_code: error.errorCode, msg: error.message } };
}

async function readBody(req: http.IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  if (!text.trim()) return {};
  try {
    const parsed: unknown = JSON.parse(text);
    return parsed && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : {};
  } catch {
    throw new AuthApiError(400, 'bad_json', 'Could not parse request body as JSON');
  }
}

/** GoTrue's IsRedirectURLValid: the site's host (any port on localhost), loopback IPs, else the site URL. */
function acceptedRedirect(ctx: AuthContext, redirectTo: string | null): string {
  if (!redirectTo) return ctx.options.siteUrl;
  try {
    const target = new URL(redirectTo);
    const site = new URL(ctx.options.siteUrl);
    const localhost = target.hostname === 'localhost';
    if (target.hostname === site.hostname && target.protocol === site.protocol && (target.port === site.port || localhost)) return redirectTo;
    if (target.hostname === '127.0.0.1' || target.hostname === '[::1]') return redirectTo;
  } catch {
    // not a URL: the site URL
  }
  return ctx.options.siteUrl;
}

function redirect(location: string): Reply {
  return { status: 302, headers: { location } };
}

/** GET /authorize: a flow state, then off to the provider with the flow's id as `state`. */
function authorize(ctx: AuthContext, url: URL): Reply {
  const provider = url.searchParams.get('provider') ?? '';
  if (!PROVIDERS.has(provider)) throw new AuthApiError(400, 'validation_failed', `Unsupported provider: provider ${provider} could not be found`);
  const challenge = url.searchParams.get('code_challenge') ?? '';
  const method = (url.searchParams.get('code_challenge_method') ?? '').toLowerCase();
  if (Boolean(challenge) !== Boolean(method) || (method && method !== 's256' && method !== 'plain')) {
    throw new AuthApiError(400, 'validation_failed', 'PKCE flow requires code_challenge_method and code_challenge');
  }
  const flow = ctx.store.newFlow({
    provider,
    codeChallenge: challenge,
    codeChallengeMethod: (method || 's256') as 's256' | 'plain',
    redirectTo: acceptedRedirect(ctx, url.searchParams.get('redirect_to')),
  });
  const idp = new URL(`${ctx.url}/_idp/login/oauth/authorize`);
  idp.searchParams.set('client_id', 'gateway-test-client');
  idp.searchParams.set('redirect_uri', `${ctx.url}/auth/v1/callback`);
  idp.searchParams.set('response_type', 'code');
  idp.searchParams.set('state', flow.id);
  return redirect(idp.toString());
}

/** The stand-in identity provider: the configured user is signed in already and consents at once. */
function identityProvider(ctx: AuthContext, url: URL): Reply {
  const back = new URL(url.searchParams.get('redirect_uri') ?? `${ctx.url}/auth/v1/callback`);
  back.searchParams.set('state', url.searchParams.get('state') ?? '');
  const user = ctx.providerUser();
  if (!user) {
    back.searchParams.set('error', 'access_denied');
    back.searchParams.set('error_description', 'The user has denied your application access.');
  } else {
    back.searchParams.set('code', Buffer.from(JSON.stringify(user)).toString('base64url'));
  }
  return redirect(back.toString());
}

/** GET /callback: the provider's answer; PKCE gets ?code=<auth code>, implicit the tokens in the fragment. */
function callback(ctx: AuthContext, url: URL): Reply {
  const flow = ctx.store.flow(url.searchParams.get('state') ?? '');
  const target = new URL(flow?.redirectTo ?? ctx.options.siteUrl);
  const fail = (error: string, description: string): Reply => {
    target.searchParams.set('error', error);
    target.searchParams.set('error_description', description);
    target.hash = new URLSearchParams({ error, error_description: description, sb: '' }).toString();
    return redirect(target.toString());
  };
  if (!flow) return fail('invalid_request', 'OAuth state parameter missing or invalid');
  const providerError = url.searchParams.get('error');
  if (providerError) return fail(providerError, url.searchParams.get('error_description') ?? providerError);
  let identity: { email: string; id?: string };
  try {
    identity = JSON.parse(Buffer.from(url.searchParams.get('code') ?? '', 'base64url').toString('utf8')) as { email: string; id?: string };
  } catch {
    return fail('server_error', 'Unable to exchange external code');
  }
  const user = ctx.store.ensureUser(identity.email, identity.id);
  if (flow.codeChallenge) {
    try {
      target.searchParams.set('code', ctx.store.completeFlow(flow, user.id));
    } catch (error) {
      return fail('invalid_request', (error as Error).message);
    }
    return redirect(target.toString());
  }
  const session = sessionJson(ctx, ctx.store.startSession(user.id));
  target.hash = new URLSearchParams({
    access_token: String(session.access_token), expires_at: String(session.expires_at), expires_in: String(session.expires_in),
    provider_token: 'stand-in-provider-token', refresh_token: String(session.refresh_token), token_type: 'bearer',
  }).toString();
  return redirect(target.toString());
}

async function token(ctx: AuthContext, req: http.IncomingMessage, url: URL, fault: AuthFault | null): Promise<Reply> {
  const grant = url.searchParams.get('grant_type') ?? '';
  ctx.stats.grants[grant] = (ctx.stats.grants[grant] ?? 0) + 1;
  const body = await readBody(req);
  if (fault?.mode === 'refusing') throw new AuthApiError(fault.status, 'refresh_token_not_found', 'Invalid Refresh Token: Refresh Token Not Found');
  if (grant === 'refresh_token') {
    if (typeof body.refresh_token !== 'string' || !body.refresh_token) throw new AuthApiError(400, 'validation_failed', 'refresh_token required');
    return { status: 200, body: sessionJson(ctx, ctx.store.refresh(body.refresh_token)) };
  }
  if (grant === 'pkce') {
    const userId = ctx.store.exchange(String(body.auth_code ?? ''), String(body.code_verifier ?? ''));
    return { status: 200, body: sessionJson(ctx, ctx.store.startSession(userId)) };
  }
  throw new AuthApiError(400, 'validation_failed', 'unsupported_grant_type');
}

/** The user and session of a request's bearer token, checked as GoTrue's requireAuthentication does. */
function authenticated(ctx: AuthContext, req: http.IncomingMessage): { user: AuthUser; sessionId: string | null } {
  const bearer = /^Bearer (.+)$/i.exec(req.headers.authorization ?? '')?.[1];
  if (!bearer) throw new AuthApiError(401, 'no_authorization', 'This endpoint requires a valid Bearer token');
  const claims = verifyJwt(bearer, ctx.jwtSecret, ctx.now() / 1000);
  if (isJwtError(claims)) {
    const why = claims.error === 'JWT expired' ? 'token has invalid claims: token is expired' : claims.error;
    throw new AuthApiError(403, 'bad_jwt', `invalid JWT: unable to parse or verify signature, ${why}`);
  }
  const user = typeof claims.sub === 'string' ? ctx.store.users.get(claims.sub) : undefined;
  if (!user) throw new AuthApiError(403, 'user_not_found', 'User from sub claim in JWT does not exist');
  const sessionId = typeof claims.session_id === 'string' ? claims.session_id : null;
  if (sessionId && !ctx.store.hasSession(sessionId)) {
    throw new AuthApiError(403, 'session_not_found', 'Session from session_id claim in JWT does not exist');
  }
  return { user, sessionId };
}

/** What Supabase's API gateway answers before GoTrue sees a request without a usable apikey. */
function apiKeyProblem(ctx: AuthContext, req: http.IncomingMessage, url: URL): Reply | null {
  const key = (req.headers.apikey as string | undefined) ?? url.searchParams.get('apikey');
  if (!key) return { status: 401, body: { message: 'No API key found in request' } };
  if (isJwtError(verifyJwt(key, ctx.jwtSecret))) return { status: 401, body: { message: 'Invalid authentication credentials' } };
  return null;
}

async function route(ctx: AuthContext, req: http.IncomingMessage, url: URL, fault: AuthFault | null): Promise<Reply> {
  const path = url.pathname;
  const method = req.method ?? 'GET';
  if (path === '/_idp/login/oauth/authorize') return identityProvider(ctx, url);
  if (path === '/auth/v1/authorize' && method === 'GET') return authorize(ctx, url);
  if (path === '/auth/v1/callback' && method === 'GET') return callback(ctx, url);
  const keyProblem = apiKeyProblem(ctx, req, url);
  if (keyProblem) return keyProblem;
  if (path === '/auth/v1/token' && method === 'POST') return token(ctx, req, url, fault);
  if (path === '/auth/v1/user' && method === 'GET') return { status: 200, body: userJson(authenticated(ctx, req).user) };
  if (path === '/auth/v1/logout' && method === 'POST') {
    const scope = url.searchParams.get('scope') || 'global';
    if (scope !== 'global' && scope !== 'local' && scope !== 'others') throw new AuthApiError(400, 'validation_failed', `Unsupported logout scope "${scope}"`);
    const { user, sessionId } = authenticated(ctx, req);
    ctx.store.logout(user.id, sessionId, scope);
    return { status: 204 };
  }
  return { status: 404, body: { code: 404, error_code: 'not_found', msg: `test gateway: no auth route for ${method} ${path}` } };
}

/** Serves one /auth/v1 (or stand-in provider) request, with the injected fault applied. */
export async function handleAuth(ctx: AuthContext, req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<void> {
  const fault = ctx.fault();
  if (fault?.mode === 'down') {
    req.socket.destroy();
    return;
  }
  if (fault?.mode === 'slow') await sleep(fault.delayMs);
  const grant = url.pathname === '/auth/v1/token';
  let reply: Reply;
  try {
    reply = await route(ctx, req, url, fault);
  } catch (error) {
    if (!(error instanceof AuthApiError)) throw error;
    if (grant) ctx.stats.refused += 1;
    reply = errorReply(req, ctx, error, grant);
  }
  const headers: Record<string, string> = { ...reply.headers };
  if (reply.body !== undefined) headers['content-type'] = 'application/json';
  res.writeHead(reply.status, headers);
  res.end(reply.body === undefined ? undefined : JSON.stringify(reply.body));
}
