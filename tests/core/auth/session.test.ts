import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openSession } from '../../../src-main/core/auth/open-session.js';
import type { MentuSession, SessionStatus } from '../../../src-main/core/auth/session.js';
import { silentLogger } from '../../../src-main/core/logger.js';
import { mentuPaths } from '../../../src-main/core/paths.js';
import { createHeadlessSecretStore } from '../../../src-main/core/secrets.js';
import type { Gateway } from '../../gateway/index.js';
import { useGateway } from '../../gateway/use-gateway.js';
import { cloudOf, writeMentuCredentials } from '../../support/mentu-session.js';
import { waitFor } from '../../support/wait.js';

/** The Mentu session state machine against the gateway's GoTrue subset (real HTTP, rotating refresh tokens). */

let gateway: Gateway;
useGateway((g) => (gateway = g));
const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

interface Opened {
  session: MentuSession;
  home: string;
  statuses: SessionStatus[];
  tokens: string[];
  clock: { offsetMs: number };
}

async function open(cloud: Record<string, unknown> | null, options: { refreshMarginMs?: number } = {}): Promise<Opened> {
  const home = mkdtempSync(join(tmpdir(), 'beacon-session-'));
  if (cloud) writeMentuCredentials(home, cloud);
  const paths = mentuPaths({ MENTU_HOME: home });
  const clock = { offsetMs: 0 };
  const session = await openSession({
    url: gateway.url, anonKey: gateway.anonKey, paths, secrets: createHeadlessSecretStore(paths, {}), shareMentuCredentials: true,
    logger: silentLogger, now: () => Date.now() + clock.offsetMs, refreshMarginMs: options.refreshMarginMs,
  });
  const statuses: SessionStatus[] = [];
  const tokens: string[] = [];
  session.on('status', (s) => statuses.push(s));
  session.on('token', (t) => tokens.push(t));
  cleanups.push(() => {
    session.stop();
    rmSync(home, { recursive: true, force: true });
  });
  return { session, home, statuses, tokens, clock };
}

/** GoTrue's tokens carry whole seconds: a renewal within the same second as the sign-in yields the same access token. */
const afterSecondOf = (issuedSeconds: number) => waitFor('a later second', () => Math.floor(Date.now() / 1000) > issuedSeconds, 2000, 20);

const stored = (home: string) => (JSON.parse(readFileSync(join(home, 'credentials'), 'utf8')) as { cloud: Record<string, unknown> }).cloud;

describe('a Mentu session that lives', () => {
  it('uses the stored token until the refresh is due, then renews once and writes the rotation to both stores', async () => {
    const signedIn = gateway.auth.signIn('ada@example.com');
    const o = await open(cloudOf(signedIn));
    expect(await o.session.accessToken()).toBe(signedIn.access_token);
    expect(o.session.status()).toMatchObject({ state: 'active', user: { id: signedIn.user.id, email: 'ada@example.com' }, problem: null });
    expect(gateway.auth.stats.grants.refresh_token ?? 0).toBe(0);
    // 56 minutes later (inside the 5-minute margin): two callers, one refresh.
    await afterSecondOf(signedIn.expires_at - 3600);
    o.clock.offsetMs = 56 * 60_000;
    await Promise.all([o.session.refresh('test'), o.session.refresh('test')]);
    expect(gateway.auth.stats.grants.refresh_token).toBe(1);
    const renewed = o.session.currentToken();
    expect(renewed).not.toBe(signedIn.access_token);
    expect(o.tokens).toEqual([renewed]);
    expect(stored(o.home)).toMatchObject({ accessToken: renewed, userId: signedIn.user.id, email: 'ada@example.com' });
    expect(stored(o.home).refreshToken).not.toBe(signedIn.refresh_token);
    const own = JSON.parse(readFileSync(join(o.home, 'beacon-secrets.json'), 'utf8')) as { mentu_session: string };
    expect(JSON.parse(own.mentu_session)).toMatchObject({ accessToken: renewed });
  });

  it('start-up inside the refresh margin with the auth endpoint down: the valid token is used at once, the renewal retried until it works', async () => {
    gateway.faults.auth({ mode: 'down', count: 2 });
    // An hour-long token issued 58 minutes ago: two minutes left, inside the five-minute margin.
    const signedIn = gateway.auth.signIn('bo@example.com', { issuedSecondsAgo: 58 * 60 });
    const o = await open(cloudOf(signedIn));
    // The token has two minutes left: nothing waits on the auth server and nothing throws.
    expect(await o.session.accessToken()).toBe(signedIn.access_token);
    await waitFor('the first attempt failed', () => o.session.status().state === 'unreachable', 5000);
    expect(o.session.status().problem).toBeNull();
    await waitFor('renewed once the endpoint answers', () => o.session.status().state === 'active' && o.tokens.length === 1, 10_000);
    expect(o.session.currentToken()).not.toBe(signedIn.access_token);
  });

  it.each([
    ['current', 'refresh_token_not_found'],
    ['invalid_grant', 'invalid_grant'],
  ] as const)('a refused renewal (GoTrue error style %s) says "sign in again" at once; a new `mentu login` is taken up without a restart', async (style, code) => {
    gateway.auth.configure({ errorStyle: style });
    const signedIn = gateway.auth.signIn('cy@example.com', { issuedSecondsAgo: 59 * 60 });
    gateway.auth.signOutEverywhere(signedIn.user.id);
    const o = await open(cloudOf(signedIn));
    await waitFor('refused', () => o.session.status().state === 'refused', 5000);
    const problem = o.session.status().problem!;
    expect(problem.kind).toBe('auth');
    expect(problem.message).toContain('sign in again');
    expect(problem.message).toContain(`HTTP 400 ${code}: Invalid Refresh Token: Refresh Token Not Found`);
    // Still unexpired, the current token keeps being used until it really expires.
    expect(await o.session.accessToken()).toBe(signedIn.access_token);
    expect(gateway.auth.stats.grants.refresh_token).toBe(1);
    // `mentu login` writes a new session: picked up by the watch.
    const again = gateway.auth.signIn('cy@example.com');
    writeMentuCredentials(o.home, cloudOf(again));
    await waitFor('the new session taken up', () => o.session.currentToken() === again.access_token, 5000);
    expect(o.session.status()).toMatchObject({ state: 'active', problem: null });
    expect(o.tokens).toEqual([again.access_token]);
  });

  it('without expiresAt the token\'s own exp schedules the renewal; a 401 triggers exactly one refresh, shared by concurrent callers', async () => {
    gateway.auth.configure({ accessTokenSeconds: 4 });
    const signedIn = gateway.auth.signIn('dee@example.com');
    const o = await open(cloudOf(signedIn, { expiresAt: undefined }));
    expect(o.session.status().expiresAt).toBe(new Date(signedIn.expires_at * 1000).toISOString());
    // 3/4 of a 4-second life: renewed about a second before it expires, without any request failing.
    await waitFor('renewed ahead of expiry', () => o.tokens.length === 1, 6000);
    expect(Date.now()).toBeLessThan(signedIn.expires_at * 1000);
    const current = o.session.currentToken()!;
    await afterSecondOf(Math.floor(Date.now() / 1000));
    const [a, b, c] = await Promise.all([
      o.session.refreshAfterUnauthorized(current),
      o.session.refreshAfterUnauthorized(current),
      o.session.refreshAfterUnauthorized(current),
    ]);
    expect(gateway.auth.stats.grants.refresh_token).toBe(2);
    expect(a).toBe(o.session.currentToken());
    expect([b, c]).toEqual([a, a]);
    // A 401 for a token already replaced needs no refresh at all.
    expect(await o.session.refreshAfterUnauthorized(signedIn.access_token)).toBe(a);
    expect(gateway.auth.stats.grants.refresh_token).toBe(2);
  });

  it('takes over a renewal another process already made instead of replaying the old refresh token', async () => {
    const signedIn = gateway.auth.signIn('eve@example.com');
    const o = await open(cloudOf(signedIn));
    // mentu renews on its own and writes the file (Beacon's watch has not seen it yet).
    const other = await fetch(`${gateway.url}/auth/v1/token?grant_type=refresh_token`, {
      method: 'POST', headers: { apikey: gateway.anonKey, 'content-type': 'application/json' }, body: JSON.stringify({ refresh_token: signedIn.refresh_token }),
    }).then((r) => r.json() as Promise<typeof signedIn>);
    writeMentuCredentials(o.home, cloudOf(other));
    await o.session.refresh('test');
    expect(o.session.currentToken()).toBe(other.access_token);
    expect(stored(o.home).refreshToken).toBe(other.refresh_token);
    expect(gateway.auth.stats.grants.refresh_token).toBe(1);
    expect(gateway.auth.stats.refused).toBe(0);
  });

  it('signed out, an insecure file and a token-only login are states with words, not exceptions', async () => {
    const none = await open(null);
    expect(none.session.status()).toMatchObject({ state: 'signed_out', problem: { kind: 'auth' } });
    expect(none.session.status().problem!.message).toMatch(/^Not signed in to Mentu: sign in/);
    expect(await none.session.accessToken()).toBeNull();

    const signedIn = gateway.auth.signIn('fay@example.com');
    const insecureHome = mkdtempSync(join(tmpdir(), 'beacon-session-'));
    cleanups.push(() => rmSync(insecureHome, { recursive: true, force: true }));
    writeMentuCredentials(insecureHome, cloudOf(signedIn), 0o644);
    const paths = mentuPaths({ MENTU_HOME: insecureHome });
    const insecure = await openSession({ url: gateway.url, anonKey: gateway.anonKey, paths, secrets: createHeadlessSecretStore(paths, {}), shareMentuCredentials: true, logger: silentLogger });
    cleanups.push(() => insecure.stop());
    expect(insecure.status().state).toBe('signed_out');
    expect(insecure.status().problem!.message).toContain(`Run: chmod 600 ${paths.credentials}`);
    expect(insecure.currentToken()).toBeNull();

    gateway.auth.configure({ accessTokenSeconds: 1 });
    const short = gateway.auth.signIn('fay@example.com');
    const tokenOnly = await open(cloudOf(short, { refreshToken: '' }));
    await waitFor('the token-only login ends', () => tokenOnly.session.status().state === 'refused', 4000);
    expect(tokenOnly.session.status().problem!.message).toContain('A token-only login (--token) cannot be renewed');
    expect(gateway.auth.stats.grants.refresh_token ?? 0).toBe(0);
  });
});
