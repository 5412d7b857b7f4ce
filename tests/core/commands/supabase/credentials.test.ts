import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseExpiry, readCloudCredentials, SessionExpiredError, SessionTokens } from '../../../../src-main/core/commands/supabase/credentials.js';

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function credentialsFile(cloud: Record<string, unknown>): string {
  const dir = mkdtempSync(join(tmpdir(), 'beacon-cred-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'credentials');
  writeFileSync(file, JSON.stringify({ other: 'kept', cloud }), { mode: 0o600 });
  return file;
}

/** A real HTTP endpoint speaking GoTrue's refresh grant. */
async function authServer(reply: (body: { refresh_token?: string }) => { status: number; body: unknown }) {
  const calls: { url: string; apikey: string | undefined; body: { refresh_token?: string } }[] = [];
  const server: Server = createServer((req, res) => {
    let text = '';
    req.on('data', (c: Buffer) => (text += c.toString()));
    req.on('end', () => {
      const body = JSON.parse(text) as { refresh_token?: string };
      calls.push({ url: req.url ?? '', apikey: req.headers.apikey as string | undefined, body });
      const r = reply(body);
      res.writeHead(r.status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(r.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, calls };
}

describe('mentu login session', () => {
  it('parses expiry in seconds, milliseconds and ISO form', () => {
    expect(parseExpiry(1_800_000_000)).toBe(1_800_000_000_000);
    expect(parseExpiry(1_800_000_000_123)).toBe(1_800_000_000_123);
    expect(parseExpiry('2027-01-01T00:00:00Z')).toBe(Date.parse('2027-01-01T00:00:00Z'));
    expect(parseExpiry('1800000000')).toBe(1_800_000_000_000);
    expect(parseExpiry(null)).toBeNull();
  });

  it('uses the stored token until shortly before expiry, then refreshes once and writes the rotation back', async () => {
    let now = 1_000_000_000_000;
    const server = await authServer((body) => ({
      status: 200,
      body: { access_token: `new-access-for-${body.refresh_token}`, refresh_token: 'rotated-refresh', expires_in: 3600 },
    }));
    const file = credentialsFile({ accessToken: 'old-access', refreshToken: 'old-refresh', expiresAt: (now + 30 * 60_000) / 1000, userId: 'u1', email: 'a@b.c' });
    const seen: string[] = [];
    const tokens = new SessionTokens({ url: server.url, anonKey: 'anon-key', credentialsPath: file, now: () => now, onToken: (t) => seen.push(t) });
    expect(tokens.userId).toBe('u1');
    expect(await tokens.accessToken()).toBe('old-access');
    expect(server.calls).toHaveLength(0);
    now += 26 * 60_000; // inside the five-minute margin
    const [a, b] = await Promise.all([tokens.accessToken(), tokens.accessToken()]);
    expect(a).toBe('new-access-for-old-refresh');
    expect(b).toBe(a);
    expect(server.calls).toHaveLength(1);
    expect(server.calls[0]).toMatchObject({ url: '/auth/v1/token?grant_type=refresh_token', apikey: 'anon-key' });
    const stored = JSON.parse(readFileSync(file, 'utf8')) as { other: string; cloud: Record<string, unknown> };
    expect(stored.other).toBe('kept');
    expect(stored.cloud).toMatchObject({ accessToken: a, refreshToken: 'rotated-refresh', userId: 'u1', email: 'a@b.c', expiresAt: Math.floor((now + 3600_000) / 1000) });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(seen).toContain('rotated-refresh');
    expect(await tokens.accessToken()).toBe(a);
    expect(server.calls).toHaveLength(1);
  });

  it('after a long sleep the expired token is refreshed before use', async () => {
    let now = 1_000_000_000_000;
    const server = await authServer(() => ({ status: 200, body: { access_token: 'fresh', refresh_token: 'r2', expires_at: Math.floor((now + 3600_000) / 1000) } }));
    const file = credentialsFile({ accessToken: 'stale', refreshToken: 'r1', expiresAt: new Date(now + 3600_000).toISOString() });
    const tokens = new SessionTokens({ url: server.url, anonKey: 'anon', credentialsPath: file, now: () => now });
    now += 10 * 3600_000;
    expect(await tokens.accessToken()).toBe('fresh');
    expect(readCloudCredentials(file)?.expiresAtMs).toBe(Math.floor((now + 3600_000) / 1000) * 1000);
  });

  it('a refused refresh says to log in again', async () => {
    const server = await authServer(() => ({ status: 400, body: { error: 'invalid_grant' } }));
    const file = credentialsFile({ accessToken: 'stale', refreshToken: 'bad', expiresAt: 1 });
    const tokens = new SessionTokens({ url: server.url, anonKey: 'anon', credentialsPath: file });
    await expect(tokens.accessToken()).rejects.toBeInstanceOf(SessionExpiredError);
    await expect(tokens.accessToken()).rejects.toThrow('mentu login');
  });

  it('a missing session is an actionable error', () => {
    const file = credentialsFile({});
    expect(() => new SessionTokens({ url: 'http://127.0.0.1:1', anonKey: 'anon', credentialsPath: file })).toThrow(/mentu login/);
  });
});
