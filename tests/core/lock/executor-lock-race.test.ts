import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { bundleFixture, cleanupTempHomes, tempHome, type TempHome } from '../../support/temp-home.js';
import { killLeftovers, startRacer, type RacerReport } from './lock-processes.js';

let racerScript: string;
let bundleDir: string;
let home: TempHome;

beforeAll(async () => {
  bundleDir = mkdtempSync(join(tmpdir(), 'beacon-racer-'));
  racerScript = await bundleFixture('tests/core/lock/lock-racer.ts', bundleDir);
});
afterAll(() => rmSync(bundleDir, { recursive: true, force: true }));
afterEach(() => {
  killLeftovers();
  cleanupTempHomes();
});

describe('the executor lock under contention', () => {
  /** Exactly one winner; every other racer names it (pid and instance id); the record on disk is the winner's. */
  function checkRound(reports: RacerReport[], round: number): void {
    const winners = reports.filter((r): r is Extract<RacerReport, { ok: true }> => r.ok);
    expect(winners, `round ${round}`).toHaveLength(1);
    const winner = winners[0] as Extract<RacerReport, { ok: true }>;
    const onDisk = JSON.parse(readFileSync(home.paths.executorLock, 'utf8')) as { pid: number; id: string; type: string };
    expect(onDisk).toMatchObject({ type: 'beacon', pid: winner.pid, id: winner.id });
    for (const report of reports) {
      if (report.ok) continue;
      expect(report.holder).toMatchObject({
        type: 'beacon',
        mode: 'headless',
        pid: winner.pid,
        instanceId: winner.id,
        alive: true,
        self: false,
      });
      expect(report.holder.stopInstruction).toContain(`kill ${winner.pid}`);
    }
  }

  it('32 processes racing, a first start and 20 more rounds: exactly one holder each round, and the others name it', async () => {
    home = tempHome();
    const started = Date.now();
    // Round 0: 32 processes start at once and try at start-up, as 32 executors launched together would.
    const racers = Array.from({ length: 32 }, () => startRacer(racerScript, home.env, ['--serve']));
    checkRound(await Promise.all(racers.map((r) => r.report)), 0);
    const startedMs = Date.now() - started;
    // Rounds 1–20: the same 32 processes release, then all try again at the same moment.
    for (let round = 1; round <= 20; round++) {
      for (const racer of racers) racer.send('release');
      await Promise.all(racers.map((r) => r.nextLine()));
      expect(existsSync(home.paths.executorLock), `lock still held before round ${round}`).toBe(false);
      for (const racer of racers) racer.send('acquire');
      checkRound(await Promise.all(racers.map((r) => r.nextLine<RacerReport>())), round);
    }
    const codes = await Promise.all(racers.map((r) => r.finish()));
    expect(codes.every((code) => code === 0)).toBe(true);
    // The last winner released on its way out.
    expect(existsSync(home.paths.executorLock)).toBe(false);
    console.log(`lock race: 32 processes started and raced in ${startedMs} ms; 21 rounds in ${Date.now() - started} ms`);
  }, 300_000);
});

describe('a holder that was killed with -9', () => {
  it('is taken over by a new process within 5 s', async () => {
    home = tempHome();
    const first = startRacer(racerScript, home.env);
    const held = await first.report;
    expect(held.ok).toBe(true);

    const killedAt = Date.now();
    first.child.kill('SIGKILL');
    const second = startRacer(racerScript, home.env, ['--wait']);
    const taken = await second.report;
    const elapsed = Date.now() - killedAt;
    expect(taken.ok).toBe(true);
    expect(taken.pid).not.toBe(held.pid);
    expect(JSON.parse(readFileSync(home.paths.executorLock, 'utf8')).pid).toBe(taken.pid);
    expect(elapsed).toBeLessThan(5000);
    console.log(`takeover after kill -9: ${elapsed} ms`);
    await second.finish();
  });

  it('is taken over within 5 s even when it died inside the mutex', async () => {
    home = tempHome();
    const first = startRacer(racerScript, home.env);
    expect((await first.report).ok).toBe(true);
    // What a process killed between taking the mutex and releasing it leaves behind: a fresh mutex folder.
    mkdirSync(`${home.paths.executorLock}.mutex`);
    const killedAt = Date.now();
    first.child.kill('SIGKILL');
    const second = startRacer(racerScript, home.env, ['--wait']);
    const taken = await second.report;
    const elapsed = Date.now() - killedAt;
    expect(taken.ok).toBe(true);
    expect(elapsed).toBeLessThan(5000);
    console.log(`takeover after kill -9 inside the mutex: ${elapsed} ms`);
    await second.finish();
  });
});

describe('exit without release()', () => {
  it('the exit handler removes the record it owns', async () => {
    home = tempHome();
    const racer = startRacer(racerScript, home.env, ['--exit-without-release']);
    expect((await racer.report).ok).toBe(true);
    expect(existsSync(home.paths.executorLock)).toBe(true);
    expect(await racer.finish()).toBe(0);
    expect(existsSync(home.paths.executorLock)).toBe(false);
  });
});
