import { randomUUID } from 'node:crypto';
import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import WebSocket from 'ws';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Gateway } from '../index.js';
import { useGateway } from '../use-gateway.js';
import { followSignIn } from '../../support/sign-in-browser.js';
import { waitFor } from '../../support/wait.js';
import { WS_A, client, newCommand, subscribed, watch } from './helpers.js';

/** The /auth/v1 subset and Realtime's token expiry, through the real supabase-js as `mentu login` uses it. */

let gw: Gateway;
const clients: SupabaseClient[] = [];
const track = (sb: SupabaseClient) => (clients.push(sb), sb);
const CALLBACK = 'http://127.0.0.1:45678/callback';

useGateway((g) => (gw = g), { auth: { reuseIntervalSeconds: 1 } });
beforeAll(async () => {
  await gw.sql(`insert into workspaces (id, name) values ($1, 'a') on conflict do nothing`, [WS_A]);
});
afterEach(async () => {
  for (const sb of clients.splice(0)) await sb.removeAllChannels();
});

/** supabase-js as mentu-cli creates it for sign-in, with PKCE and nothing persisted. */
function authClient(): SupabaseClient {
  return track(createClient(gw.url, gw.anonKey, { auth: { flowType: 'pkce', persistSession: false, autoRefreshToken: false, detectSessionInUrl: false }, realtime: { transport: WebSocket as never } }));
}

/** A browser following the redirects from the authorize URL until it lands on our loopback callback. */
const browse = (start: string) => followSignIn(start, CALLBACK);

async function signInThroughBrowser(sb: SupabaseClient, email: string) {
  gw.auth.setProviderUser({ email });
  const { data, error } = await sb.auth.signInWithOAuth({ provider: 'github', options: { redirectTo: CALLBACK, skipBrowserRedirect: true } });
  expect(error).toBeNull();
  const { hops, landing } = await browse(data.url!);
  return { hops, landing, authorizeUrl: new URL(data.url!) };
}

describe('/auth/v1 through supabase-js', () => {
  it('signInWithOAuth (PKCE) → provider → callback → exchangeCodeForSession gives a session that passes RLS', async () => {
    const sb = authClient();
    const { hops, landing, authorizeUrl } = await signInThroughBrowser(sb, 'ada@example.com');
    expect(authorizeUrl.searchParams.get('code_challenge_method')).toBe('s256');
    expect(hops).toEqual(['/auth/v1/authorize', '/_idp/login/oauth/authorize', '/auth/v1/callback', '/callback']);
    const code = landing.searchParams.get('code')!;
    expect(code).toMatch(/^[0-9a-f-]{36}$/);
    const { data, error } = await sb.auth.exchangeCodeForSession(code);
    expect(error).toBeNull();
    expect(data.user?.email).toBe('ada@example.com');
    const session = data.session!;
    expect(session.refresh_token).toMatch(/^[a-z0-9]{12}$/);
    expect(session.expires_at! - Math.floor(Date.now() / 1000)).toBeGreaterThan(3500);
    // The same code cannot be exchanged twice (the flow state is gone).
    const again = await fetch(`${gw.url}/auth/v1/token?grant_type=pkce`, {
      method: 'POST', headers: { apikey: gw.anonKey, 'content-type': 'application/json' }, body: JSON.stringify({ auth_code: code, code_verifier: 'x'.repeat(43) }),
    });
    expect(again.status).toBe(404);
    expect(await again.json()).toMatchObject({ error_code: 'flow_state_not_found' });
    // The token is the user's: RLS shows the member's workspace and nothing else.
    await gw.sql(`insert into workspace_members (workspace_id, user_id) values ($1, $2)`, [WS_A, data.user!.id]);
    const user = track(client(gw, { userJwt: session.access_token }));
    expect((await user.from('workspaces').select('id')).data).toEqual([{ id: WS_A }]);
    const { data: looked } = await sb.auth.getUser(session.access_token);
    expect(looked.user?.id).toBe(data.user!.id);
  });

  it('a wrong code verifier is refused; a denied consent comes back as an error on the callback', async () => {
    const { landing } = await signInThroughBrowser(authClient(), 'bob@example.com');
    const wrong = await fetch(`${gw.url}/auth/v1/token?grant_type=pkce`, {
      method: 'POST',
      headers: { apikey: gw.anonKey, 'content-type': 'application/json', 'x-supabase-api-version': '2024-01-01' },
      body: JSON.stringify({ auth_code: landing.searchParams.get('code'), code_verifier: 'not-the-verifier-'.repeat(3) }),
    });
    expect(wrong.status).toBe(400);
    expect(await wrong.json()).toEqual({ code: 'bad_code_verifier', message: 'code challenge does not match previously saved code verifier' });

    gw.auth.setProviderUser(null);
    const { data } = await authClient().auth.signInWithOAuth({ provider: 'github', options: { redirectTo: CALLBACK, skipBrowserRedirect: true } });
    const denied = (await browse(data.url!)).landing;
    expect(denied.searchParams.get('error')).toBe('access_denied');
    expect(denied.searchParams.get('code')).toBeNull();
  });

  it('refreshSession rotates; the parent of the active token gets that token back; reuse after the interval revokes the session', async () => {
    const sb = authClient();
    const first = gw.auth.signIn('cy@example.com');
    const a = first.refresh_token;
    const r1 = await sb.auth.refreshSession({ refresh_token: a });
    expect(r1.error).toBeNull();
    const b = r1.data.session!.refresh_token;
    expect(b).not.toBe(a);
    // The client lost the answer: asking again with A gives B, not a new token.
    const lost = await sb.auth.refreshSession({ refresh_token: a });
    expect(lost.data.session!.refresh_token).toBe(b);
    const c = (await sb.auth.refreshSession({ refresh_token: b })).data.session!.refresh_token;
    expect(c).not.toBe(b);
    // A is now two generations old; past the (1 s) reuse interval it is a replay: refused, and the family with it.
    await new Promise((r) => setTimeout(r, 1100));
    const replay = await sb.auth.refreshSession({ refresh_token: a });
    expect(replay.error).toMatchObject({ status: 400, code: 'refresh_token_already_used', message: 'Invalid Refresh Token: Already Used' });
    await new Promise((r) => setTimeout(r, 1100));
    const afterRevoke = await sb.auth.refreshSession({ refresh_token: c });
    expect(afterRevoke.error).toMatchObject({ status: 400, code: 'refresh_token_already_used' });
    expect(gw.auth.stats.grants.refresh_token).toBe(5);
    expect(gw.auth.stats.refused).toBe(2);
  });

  it('sign-out ends the session: /user says session_not_found and the refresh token is unknown; the old GoTrue style says invalid_grant', async () => {
    const sb = authClient();
    const session = gw.auth.signIn('dee@example.com');
    expect((await sb.auth.getUser(session.access_token)).data.user?.email).toBe('dee@example.com');
    const logout = await fetch(`${gw.url}/auth/v1/logout?scope=global`, { method: 'POST', headers: { apikey: gw.anonKey, authorization: `Bearer ${session.access_token}` } });
    expect(logout.status).toBe(204);
    // session_not_found is what supabase-js turns into AuthSessionMissingError.
    const user = await sb.auth.getUser(session.access_token);
    expect(user.error?.name).toBe('AuthSessionMissingError');
    const refused = await sb.auth.refreshSession({ refresh_token: session.refresh_token });
    expect(refused.error).toMatchObject({ status: 400, code: 'refresh_token_not_found' });
    gw.auth.configure({ errorStyle: 'invalid_grant' });
    const old = await fetch(`${gw.url}/auth/v1/token?grant_type=refresh_token`, {
      method: 'POST', headers: { apikey: gw.anonKey, 'content-type': 'application/json' }, body: JSON.stringify({ refresh_token: session.refresh_token }),
    });
    expect(old.status).toBe(400);
    expect(await old.json()).toEqual({ error: 'invalid_grant', error_description: 'Invalid Refresh Token: Refresh Token Not Found' });
    // Without an apikey the API gateway answers before GoTrue does.
    const noKey = await fetch(`${gw.url}/auth/v1/user`, { headers: { authorization: `Bearer ${session.access_token}` } });
    expect(noKey.status).toBe(401);
  });

  it('fault injection: the auth endpoint down, slow and refusing, while REST stays healthy', async () => {
    const session = gw.auth.signIn('eve@example.com');
    const refresh = () => fetch(`${gw.url}/auth/v1/token?grant_type=refresh_token`, {
      method: 'POST', headers: { apikey: gw.anonKey, 'content-type': 'application/json' }, body: JSON.stringify({ refresh_token: session.refresh_token }),
    });
    gw.faults.auth({ mode: 'down', count: 1 });
    await expect(refresh()).rejects.toThrow(/fetch failed/);
    expect((await track(client(gw)).from('bridge_commands').select('id')).status).toBe(200);
    gw.faults.auth({ mode: 'slow', delayMs: 400, count: 1 });
    const started = Date.now();
    const slow = await refresh();
    expect(slow.status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(390);
    const rotated = ((await slow.json()) as { refresh_token: string }).refresh_token;
    gw.faults.auth({ mode: 'refusing' });
    const refusing = await fetch(`${gw.url}/auth/v1/token?grant_type=refresh_token`, {
      method: 'POST', headers: { apikey: gw.anonKey, 'content-type': 'application/json' }, body: JSON.stringify({ refresh_token: rotated }),
    });
    expect(refusing.status).toBe(400);
    gw.faults.auth(null);
    expect((await fetch(`${gw.url}/auth/v1/token?grant_type=refresh_token`, {
      method: 'POST', headers: { apikey: gw.anonKey, 'content-type': 'application/json' }, body: JSON.stringify({ refresh_token: rotated }),
    })).status).toBe(200);
  });
});

describe('Realtime enforces the token expiry', () => {
  it('a channel is closed with the server error when its token expires; one that got a fresh access_token lives on', async () => {
    gw.auth.configure({ accessTokenSeconds: 2 });
    const member = gw.auth.createUser('fay@example.com');
    await gw.sql(`insert into workspace_members (workspace_id, user_id) values ($1, $2)`, [WS_A, member.id]);
    const expiring = gw.auth.signIn('fay@example.com');
    const renewed = gw.auth.signIn('fay@example.com');
    const watchWith = async (token: string, name: string) => {
      const sb = track(client(gw, { userJwt: token }));
      await sb.realtime.setAuth(token);
      const system: { status: string; message: string }[] = [];
      const w = watch(sb, name, [{ event: 'INSERT', table: 'bridge_commands', filter: `workspace_id=eq.${WS_A}` }]);
      w.channel.on('system', {}, (payload: { status: string; message: string }) => system.push(payload));
      await subscribed(w);
      return { sb, w, system };
    };
    const a = await watchWith(expiring.access_token, 'expiring');
    const b = await watchWith(renewed.access_token, 'renewed');
    // Before its token expires, b gets a fresh one (what a refresh followed by setAuth sends).
    gw.auth.configure({ accessTokenSeconds: 60 });
    const fresh = (await authClient().auth.refreshSession({ refresh_token: renewed.refresh_token })).data.session!.access_token;
    await b.sb.realtime.setAuth(fresh);
    await waitFor('the expired channel closed', () => a.w.statuses.includes('CLOSED'), 5000);
    expect(a.system.find((m) => m.status === 'error')?.message).toMatch(/^Token has expired \d+ seconds ago$/);
    // Past the moment b's first token expired, b is still joined.
    await waitFor("b's first token to expire", () => Date.now() > renewed.expires_at * 1000 + 300, 5000);
    expect(b.w.statuses).toEqual(['SUBSCRIBED']);
    await track(client(gw)).from('bridge_commands').insert(newCommand(WS_A, { prompt: `after expiry ${randomUUID()}` }));
    await waitFor('an event on the renewed channel', () => b.w.events.length === 1, 3000);
    expect(a.w.events).toHaveLength(0);
    // Joining with an expired token is refused with Realtime's reason.
    const late = track(client(gw, { userJwt: expiring.access_token }));
    await late.realtime.setAuth(expiring.access_token);
    const errors: string[] = [];
    late.channel('late').on('postgres_changes', { event: 'INSERT', schema: 'public', table: 'bridge_commands' }, () => {}).subscribe((status, error) => {
      if (status === 'CHANNEL_ERROR') errors.push(error?.message ?? '');
    });
    await waitFor('the join refused', () => errors.length > 0, 3000);
    expect(errors[0]).toMatch(/InvalidJWTToken: Token has expired \d+ seconds ago/);
  });
});
