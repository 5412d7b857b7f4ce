import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createClient } from '@supabase/supabase-js';
import WebSocket from 'ws';
import type { StoredSession } from './credentials-file.js';
import { fetchUser, grantedSession } from './gotrue.js';
import { decodeClaims } from './key-role.js';

/**
 * Signing in the way `mentu login` does: supabase-js `signInWithOAuth` (GitHub, PKCE) gives the authorize
 * URL, the browser goes through the provider, the project redirects to a loopback callback on this machine
 * (127.0.0.1, which GoTrue accepts on any port), and `exchangeCodeForSession` turns the code into a session.
 * Or, for CI, an access token given as is (`--token`), checked with the auth server.
 */

export interface BrowserSignIn {
  /** The authorize URL to open in a browser. */
  url: string;
  /** The loopback callback the project redirects to. */
  callback: string;
  /** The session once the browser came back; rejects on a refusal, a timeout or cancel(). */
  done: Promise<StoredSession>;
  cancel(): void;
}

export interface BrowserSignInOptions {
  url: string;
  anonKey: string;
  provider?: 'github';
  /** How long the callback waits for the browser (default 5 minutes, as mentu). */
  timeoutMs?: number;
}

const page = (title: string, text: string): string =>
  `<!doctype html><html><head><meta charset="utf-8"><title>${title}</title></head>` +
  `<body style="font-family: system-ui; padding: 40px; text-align: center"><h1>${title}</h1><p>${text}</p></body></html>`;

const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export async function startBrowserSignIn(options: BrowserSignInOptions): Promise<BrowserSignIn> {
  // PKCE keeps the code verifier in this client's memory: the same client must make the exchange.
  const supabase = createClient(options.url, options.anonKey, {
    auth: { flowType: 'pkce', persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
    realtime: { transport: WebSocket as unknown as never },
  });
  let settle: { resolve: (s: StoredSession) => void; reject: (e: Error) => void } | null = null;
  const done = new Promise<StoredSession>((resolve, reject) => (settle = { resolve, reject }));
  done.catch(() => undefined); // a caller that never awaits must not crash the process
  let timer: NodeJS.Timeout | null = null;
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname !== '/callback') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('Not found');
      return;
    }
    void handleCallback(url).then(
      (session) => {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page('Signed in to Beacon', `Welcome, ${escapeHtml(session.email ?? 'you')}. You can close this window and return to Beacon.`));
        finish(null, session);
      },
      (error: Error) => {
        res.writeHead(400, { 'content-type': 'text/html; charset=utf-8' }).end(page('Sign-in failed', escapeHtml(error.message)));
        finish(error);
      },
    );
  });
  const handleCallback = async (url: URL): Promise<StoredSession> => {
    const problem = url.searchParams.get('error_description') ?? url.searchParams.get('error');
    if (problem) throw new Error(`The sign-in was not completed: ${problem}`);
    const code = url.searchParams.get('code');
    if (!code) throw new Error('The sign-in callback carried no code');
    const { data, error } = await supabase.auth.exchangeCodeForSession(code);
    if (error || !data.session) throw new Error(`The sign-in code could not be exchanged: ${error?.message ?? 'no session'}`);
    return grantedSession(data.session, Date.now());
  };
  const finish = (error: Error | null, session?: StoredSession): void => {
    if (!settle) return;
    const pending = settle;
    settle = null;
    if (timer) clearTimeout(timer);
    server.close();
    server.closeAllConnections?.();
    if (error) pending.reject(error);
    else pending.resolve(session!);
  };
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const callback = `http://127.0.0.1:${(server.address() as AddressInfo).port}/callback`;
  const { data, error } = await supabase.auth.signInWithOAuth({ provider: options.provider ?? 'github', options: { redirectTo: callback, skipBrowserRedirect: true } });
  if (error || !data.url) {
    finish(new Error(`The sign-in could not be started: ${error?.message ?? 'no authorize URL'}`));
    throw new Error(`The sign-in could not be started: ${error?.message ?? 'no authorize URL'}`);
  }
  timer = setTimeout(() => finish(new Error('The sign-in timed out: the browser did not come back within 5 minutes')), options.timeoutMs ?? 5 * 60_000);
  timer.unref();
  return { url: data.url, callback, done, cancel: () => finish(new Error('The sign-in was cancelled')) };
}

/**
 * `--token`: an access token used as it is (mentu's CI login). The auth server says whose it is; it cannot be
 * renewed, so it lasts until its own expiry.
 */
export async function signInWithToken(options: { url: string; anonKey: string; token: string; fetch?: typeof fetch }): Promise<StoredSession> {
  const user = await fetchUser({ url: options.url, anonKey: options.anonKey, fetch: options.fetch }, options.token);
  return { accessToken: options.token, refreshToken: '', expiresAtMs: decodeClaims(options.token)?.expiresAtMs ?? null, userId: user.id, email: user.email };
}
