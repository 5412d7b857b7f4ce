import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createNotificationTracker } from '../../src-main/electron/notifications.js';
import { createPowerKeeper, interfacesFingerprint, watchForResubscribe } from '../../src-main/electron/power.js';
import { createKeychainSecretStore, type SafeStorageLike } from '../../src-main/electron/secrets-keychain.js';
import { popoverPosition, sanitizeSize } from '../../src-main/electron/window-position.js';
import { commandWith, snapshotWith } from '../support/snapshot-fixture.js';

const temps: string[] = [];
afterAll(() => temps.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

describe('notifications', () => {
  it('notify completed, failed, timed out and cancelled commands seen active, once each', () => {
    const tracker = createNotificationTracker();
    const active = ['a', 'b', 'c', 'd'].map((id) => commandWith(id, 'running'));
    expect(tracker.update(snapshotWith({ commands: active }), false)).toEqual([]);
    const finished = snapshotWith({
      commands: [
        commandWith('a', 'completed', { summary: { durationMs: 42_000, costUsd: 0.1234 } as never }),
        commandWith('b', 'failed', { exitCode: 3 }),
        commandWith('c', 'timeout'),
        commandWith('d', 'cancelled'),
      ],
    });
    expect(tracker.update(finished, false)).toEqual([
      { commandId: 'a', title: 'Command completed', body: 'prompt of a\n42 s, $0.12' },
      { commandId: 'b', title: 'Command failed', body: 'prompt of b\nexit code 3' },
      { commandId: 'c', title: 'Command timed out', body: 'prompt of c' },
      { commandId: 'd', title: 'Command cancelled', body: 'prompt of d' },
    ]);
    expect(tracker.update(finished, false)).toEqual([]);
  });

  it('stay quiet for history seen at start-up and while a Beacon window is in front', () => {
    const tracker = createNotificationTracker();
    expect(tracker.update(snapshotWith({ commands: [commandWith('old', 'failed')] }), false)).toEqual([]);
    tracker.update(snapshotWith({ commands: [commandWith('x', 'running')] }), false);
    expect(tracker.update(snapshotWith({ commands: [commandWith('x', 'completed')] }), true)).toEqual([]);
    // A pending command cancelled before it ever ran is not news.
    tracker.update(snapshotWith({ commands: [commandWith('p', 'pending')] }), false);
    expect(tracker.update(snapshotWith({ commands: [commandWith('p', 'cancelled')] }), false)).toEqual([]);
  });
});

describe('the sign-in notification', () => {
  it('says "sign in again" once when the connection turns auth_failed, window or not, and again after it recovered and failed anew', () => {
    const tracker = createNotificationTracker();
    const source = (connection: 'connected' | 'auth_failed', detail: string | null = null) =>
      snapshotWith({ source: { kind: 'supabase', connection, detail, pendingWrites: 0 } });
    const detail = "Session expired: sign in again (Beacon's Settings → Sign in, or `beacon login`; `mentu login` works too).";
    expect(tracker.update(source('connected'), false)).toEqual([]);
    expect(tracker.update(source('auth_failed', detail), true)).toEqual([{ commandId: null, title: 'Beacon needs you to sign in again', body: detail }]);
    expect(tracker.update(source('auth_failed', detail), false)).toEqual([]);
    tracker.update(source('connected'), false);
    expect(tracker.update(source('auth_failed', detail), false)).toHaveLength(1);
  });
});

describe('power', () => {
  it('hold one prevent-app-suspension blocker while anything runs and release it after', () => {
    const calls: string[] = [];
    let next = 10;
    const keeper = createPowerKeeper({
      start: (type) => (calls.push(`start:${type}`), next++),
      stop: (id) => void calls.push(`stop:${id}`),
    });
    keeper.setRunning(0);
    keeper.setRunning(1);
    keeper.setRunning(2);
    expect(keeper.isBlocking()).toBe(true);
    keeper.setRunning(0);
    keeper.setRunning(1);
    keeper.dispose();
    expect(calls).toEqual(['start:prevent-app-suspension', 'stop:10', 'start:prevent-app-suspension', 'stop:11']);
    expect(keeper.isBlocking()).toBe(false);
  });

  it('ask to resubscribe on wake and when the network changes while up', () => {
    const reasons: string[] = [];
    const resumeListeners: (() => void)[] = [];
    let tick: () => void = () => {};
    let network = { online: true, fingerprint: 'en0=10.0.0.2' };
    const stop = watchForResubscribe({
      powerMonitor: { on: (_event, listener) => resumeListeners.push(listener) },
      networkState: () => network,
      resubscribe: (reason) => reasons.push(reason),
      setInterval: (fn) => ((tick = fn), {}),
      clearInterval: () => (tick = () => {}),
    });
    tick();
    resumeListeners.forEach((listener) => listener());
    network = { online: false, fingerprint: '' };
    tick(); // offline: nothing to rejoin yet
    network = { online: true, fingerprint: 'en0=192.168.1.5' };
    tick();
    tick();
    stop();
    expect(reasons).toEqual(['wake from sleep', 'network change']);
    expect(interfacesFingerprint({ lo: [{ address: '127.0.0.1', internal: true }], en0: [{ address: '10.0.0.2', internal: false }] })).toBe('en0=10.0.0.2');
  });
});

describe('Keychain secret store', () => {
  // A reversible stand-in cipher: what matters is that only encrypted bytes reach the disk.
  const cipher: SafeStorageLike = {
    isEncryptionAvailable: () => true,
    encryptString: (text) => Buffer.from([...Buffer.from(text)].map((b) => b ^ 0x5a)),
    decryptString: (blob) => Buffer.from([...blob].map((b) => b ^ 0x5a)).toString(),
  };

  it('stores encrypted, owner-only files and reads them back', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'beacon-keychain-')), 'secrets');
    temps.push(dir);
    const store = createKeychainSecretStore(cipher, dir);
    expect(await store.get('supabase_key')).toBeNull();
    await store.set('supabase_key', 'sb_secret_abcdefghijklmnop');
    expect(await store.get('supabase_key')).toBe('sb_secret_abcdefghijklmnop');
    const file = join(dir, 'supabase_key.bin');
    expect(readFileSync(file).toString()).not.toContain('sb_secret');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir)).toEqual(['supabase_key.bin']);
    await store.delete('supabase_key');
    expect(await store.get('supabase_key')).toBeNull();
    expect(store.describe()).toContain('Keychain');
  });

  it('falls back to the headless store for reading; writes go to the Keychain; delete removes both', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'beacon-keychain-'));
    temps.push(dir);
    const headless = new Map<string, string>([['supabase_key', 'from-the-headless-file-0001']]);
    const fallback = {
      get: async (name: string) => headless.get(name) ?? null,
      set: async (name: string, value: string) => void headless.set(name, value),
      delete: async (name: string) => void headless.delete(name),
      describe: () => 'the owner-only file',
    };
    const store = createKeychainSecretStore(cipher, dir, fallback as never);
    expect(await store.get('supabase_key')).toBe('from-the-headless-file-0001');
    await store.set('supabase_key', 'from-the-keychain-0002');
    expect(await store.get('supabase_key')).toBe('from-the-keychain-0002');
    expect(headless.get('supabase_key')).toBe('from-the-headless-file-0001');
    await store.delete('supabase_key');
    expect(await store.get('supabase_key')).toBeNull();
    expect(store.describe()).toContain('then the owner-only file');
  });

  it('refuses to store a secret when encryption is unavailable, saying what to do', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'beacon-keychain-'));
    temps.push(dir);
    const store = createKeychainSecretStore({ ...cipher, isEncryptionAvailable: () => false }, dir);
    await expect(store.set('mentu_proxy_token', 'token-value-123')).rejects.toThrow(/unlock your login keychain/);
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe('popover placement', () => {
  const workArea = { x: 0, y: 25, width: 1440, height: 875 };
  it('centres under the tray icon, inside the screen', () => {
    expect(popoverPosition({ x: 1000, y: 0, width: 24, height: 24 }, { width: 420, height: 560 }, workArea)).toEqual({ x: 802, y: 29 });
    // Near the right edge it is pushed left, keeping a margin.
    expect(popoverPosition({ x: 1420, y: 0, width: 24, height: 24 }, { width: 420, height: 560 }, workArea)).toEqual({ x: 1016, y: 29 });
    // A tray at the bottom (other platforms) puts it above.
    expect(popoverPosition({ x: 700, y: 876, width: 24, height: 24 }, { width: 420, height: 560 }, { x: 0, y: 0, width: 1440, height: 876 })).toEqual({ x: 502, y: 312 });
  });

  it('a remembered size is used when sane, clamped when odd, replaced when damaged', () => {
    const fallback = { width: 420, height: 560 };
    expect(sanitizeSize({ width: 500, height: 600 }, fallback)).toEqual({ width: 500, height: 600 });
    expect(sanitizeSize({ width: 10, height: 99999 }, fallback)).toEqual({ width: 340, height: 3000 });
    expect(sanitizeSize('garbage', fallback)).toEqual(fallback);
    expect(sanitizeSize({ width: Number.NaN, height: 3 }, fallback)).toEqual(fallback);
  });
});
