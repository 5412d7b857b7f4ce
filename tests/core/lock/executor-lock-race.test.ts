import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { tempHome, type TempHome } from '../../support/temp-home.js';
import { useLockRacers, type RacerReport } from './lock-processes.js';

const lockRacers = useLockRacers();
let home: TempHome;


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
    const racers = Array.from({ length: 32 }, () => lockRacers.start(home.env, ['--serve']));
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
  it.each([
    { where: 'holding the lock', leftBehind: null },
    // What a process killed between taking the mutex and releasing it leaves behind: a fresh mutex folder.
    { where: 'inside the mutex', leftBehind: '.mutex' },
  ])('is taken over by a new process within 5 s (died $where)', async ({ where, leftBehind }) => {
    home = tempHome();
    const first = lockRacers.start(home.env);
    const held = await first.report;
    expect(held.ok).toBe(true);
    if (leftBehind) mkdirSync(`${home.paths.executorLock}${leftBehind}`);

    const killedAt = Date.now();
    first.child.kill('SIGKILL');
    const second = lockRacers.start(home.env, ['--wait']);
    const taken = await second.report;
    const elapsed = Date.now() - killedAt;
    expect(taken.ok).toBe(true);
    expect(taken.pid).not.toBe(held.pid);
    expect(JSON.parse(readFileSync(home.paths.executorLock, 'utf8')).pid).toBe(taken.pid);
    expect(elapsed).toBeLessThan(5000);
    console.log(`takeover after kill -9 ${where}: ${elapsed} ms`);
    await second.finish();
  });
});

describe('exit without release()', () => {
  it('the exit handler removes the record it owns', async () => {
    home = tempHome();
    const racer = lockRacers.start(home.env, ['--exit-without-release']);
    expect((await racer.report).ok).toBe(true);
    expect(existsSync(home.paths.executorLock)).toBe(true);
    expect(await racer.finish()).toBe(0);
    expect(existsSync(home.paths.executorLock)).toBe(false);
  });
});
