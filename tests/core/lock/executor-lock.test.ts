import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  acquireExecutorLock,
  describeHolder,
  LockHeldError,
  readLockHolders,
  waitForExecutorLock,
  type AcquireResult,
} from '../../../src-main/core/lock/executor-lock.js';
import { runCli } from '../../support/cli.js';
import { tempHome, type TempHome } from '../../support/temp-home.js';
import { startSleeper, useLockRacers } from './lock-processes.js';

const lockRacers = useLockRacers();
let home: TempHome;
const options = { mode: 'headless', machineId: 'beacon-test' } as const;


function refused(result: AcquireResult) {
  if (result.ok) throw new Error(`expected the lock to be refused, but it was taken (pid ${result.lock.record.pid})`);
  return result.holder;
}

describe('acquire and release in one process', () => {
  it('writes the record, refuses a second taker naming this process, and releases only once', async () => {
    home = tempHome();
    const first = await acquireExecutorLock(home.paths, options);
    if (!first.ok) throw new Error('the free lock was refused');
    const onDisk = JSON.parse(readFileSync(home.paths.executorLock, 'utf8'));
    expect(onDisk).toEqual({
      type: 'beacon',
      mode: 'headless',
      id: first.lock.record.id,
      machine_id: 'beacon-test',
      pid: process.pid,
      hostname: first.lock.record.hostname,
      version: first.lock.record.version,
      started_at: first.lock.record.started_at,
    });

    const holder = refused(await acquireExecutorLock(home.paths, { mode: 'app', machineId: 'beacon-test' }));
    expect(holder).toMatchObject({ type: 'beacon', mode: 'headless', pid: process.pid, self: true, alive: true });
    expect(holder.instanceId).toBe(first.lock.record.id);
    expect(await readLockHolders(home.paths)).toEqual([holder]);

    await first.lock.release();
    expect(existsSync(home.paths.executorLock)).toBe(false);
    await first.lock.release(); // idempotent
    expect(await readLockHolders(home.paths)).toEqual([]);
  });

  it('release() leaves a record that is no longer its own', async () => {
    home = tempHome();
    const sleeper = startSleeper();
    const result = await acquireExecutorLock(home.paths, options);
    if (!result.ok) throw new Error('the free lock was refused');
    const bridge = JSON.stringify({ type: 'bridge', pid: sleeper.pid, started_at: '2026-01-01T00:00:00Z' });
    writeFileSync(home.paths.executorLock, bridge);
    await result.lock.release();
    expect(readFileSync(home.paths.executorLock, 'utf8')).toBe(bridge);
    await sleeper.stop();
  });

  it('takes over an unparsable record and a record left under its own pid by an earlier process', async () => {
    home = tempHome();
    writeFileSync(home.paths.executorLock, '{"type": "beacon", "pid": ');
    const first = await acquireExecutorLock(home.paths, options);
    expect(first.ok).toBe(true);
    if (first.ok) await first.lock.release();

    const leftover = { type: 'beacon', mode: 'app', id: 'from-before-a-reboot', machine_id: 'x', pid: process.pid, hostname: 'h', version: '0', started_at: '2026-01-01T00:00:00Z' };
    writeFileSync(home.paths.executorLock, JSON.stringify(leftover));
    const second = await acquireExecutorLock(home.paths, options);
    expect(second.ok).toBe(true);
    if (second.ok) await second.lock.release();
  });
});

describe('the older Bridge and the earlier Beacon', () => {
  it('a Bridge record with a live pid is honoured (library, racer process and `beacon status`); a dead one is taken over', async () => {
    home = tempHome();
    const bridge = startSleeper();
    const record = { type: 'bridge', pid: bridge.pid, workspace_id: '3f2a1f64-5717-4562-b3fc-2c963f66afa6', started_at: '2026-11-01T08:00:00.000Z' };
    writeFileSync(home.paths.executorLock, JSON.stringify(record, null, 2));
    const stop = `To stop Bridge: kill ${bridge.pid} (launchd: launchctl bootout gui/$(id -u)/ai.mentu.bridge; systemd: systemctl --user stop mentu-bridge)`;

    const holder = refused(await acquireExecutorLock(home.paths, options));
    expect(holder).toMatchObject({ type: 'bridge', mode: null, pid: bridge.pid, alive: true, self: false, startedAt: record.started_at });
    expect(holder.stopInstruction).toBe(stop);
    expect(describeHolder(holder)).toContain(stop);
    expect(new LockHeldError(holder).message).toContain(`pid:      ${bridge.pid}`);

    const racer = lockRacers.start(home.env);
    const report = await racer.report;
    expect(report.ok).toBe(false);
    if (!report.ok) expect(report.holder).toMatchObject({ type: 'bridge', pid: bridge.pid, stopInstruction: stop });
    await racer.finish();

    const status = await runCli(['status'], { env: home.env });
    expect(status.status).toBe(0);
    expect(status.stdout).toContain('Executor lock:  held');
    expect(status.stdout).toContain('held by the older Bridge daemon');
    expect(status.stdout).toContain(`pid:      ${bridge.pid}`);
    expect(status.stdout).toContain('started:  2026-11-01T08:00:00.000Z');
    expect(status.stdout).toContain(stop);
    const json = await runCli(['status', '--json'], { env: home.env });
    expect(JSON.parse(json.stdout).lock).toMatchObject({ state: 'held', holders: [{ type: 'bridge', pid: bridge.pid, stopInstruction: stop }] });
    // Refusing never touched the Bridge's record.
    expect(JSON.parse(readFileSync(home.paths.executorLock, 'utf8'))).toEqual(record);

    await bridge.stop();
    const taken = await acquireExecutorLock(home.paths, options);
    expect(taken.ok).toBe(true);
    expect(JSON.parse(readFileSync(home.paths.executorLock, 'utf8'))).toMatchObject({ type: 'beacon', pid: process.pid });
    if (taken.ok) await taken.lock.release();
    expect((await runCli(['status'], { env: home.env })).stdout).toContain('Executor lock:  free');
  });

  it('the old beacon.lock (plain pid) is honoured while alive and removed when stale', async () => {
    home = tempHome();
    const old = startSleeper();
    writeFileSync(home.paths.legacyBeaconLock, `${old.pid}\n`);
    const holder = refused(await acquireExecutorLock(home.paths, options));
    expect(holder).toMatchObject({ type: 'beacon', mode: null, pid: old.pid, alive: true });
    expect(holder.stopInstruction).toContain(`kill ${old.pid}`);
    expect(await readLockHolders(home.paths)).toEqual([holder]);
    expect(existsSync(home.paths.executorLock)).toBe(false);

    await old.stop();
    const taken = await acquireExecutorLock(home.paths, options);
    expect(taken.ok).toBe(true);
    expect(existsSync(home.paths.legacyBeaconLock)).toBe(false);
    if (taken.ok) await taken.lock.release();
  });
});

describe('describeHolder', () => {
  it('names type, mode, pid, id, started and how to stop it', async () => {
    home = tempHome();
    const racer = lockRacers.start(home.env, ['--app']);
    const held = await racer.report;
    const holder = refused(await acquireExecutorLock(home.paths, options));
    const text = describeHolder(holder);
    expect(text).toContain('held by Beacon (app)');
    expect(text).toContain(`pid:      ${held.pid}`);
    if (held.ok) expect(text).toContain(`id:       ${held.id}`);
    expect(text).toMatch(/started: {2}\d{4}-\d\d-\d\dT/);
    expect(text).toContain(`To stop it: Click the Beacon menu-bar icon → Quit, or run: kill ${held.pid}`);
    await racer.finish();
  });
});

describe('waitForExecutorLock (standby)', () => {
  it('reports the holder while waiting and takes the lock once it is released', async () => {
    home = tempHome();
    const racer = lockRacers.start(home.env);
    const held = await racer.report;
    const seen: number[] = [];
    const waiting = waitForExecutorLock(home.paths, options, {
      intervalMs: 50,
      onStandby: (holder) => {
        seen.push(holder.pid);
        if (seen.length === 3) void racer.finish();
      },
    });
    const lock = await waiting;
    expect(seen.length).toBeGreaterThanOrEqual(3);
    expect(new Set(seen)).toEqual(new Set([held.pid]));
    expect(lock.record.pid).toBe(process.pid);
    await lock.release();
  });

  it('stops waiting with an AbortError when aborted', async () => {
    home = tempHome();
    const racer = lockRacers.start(home.env);
    await racer.report;
    const controller = new AbortController();
    const started = Date.now();
    const waiting = waitForExecutorLock(home.paths, options, {
      intervalMs: 30_000,
      signal: controller.signal,
      onStandby: () => controller.abort(),
    });
    await expect(waiting).rejects.toMatchObject({ name: 'AbortError' });
    expect(Date.now() - started).toBeLessThan(20_000); // did not sit out the 30 s interval
    const later = new AbortController();
    const second = waitForExecutorLock(home.paths, options, { intervalMs: 30_000, signal: later.signal });
    setTimeout(() => later.abort(), 100);
    await expect(second).rejects.toMatchObject({ name: 'AbortError' });
    await racer.finish();
  });
});
