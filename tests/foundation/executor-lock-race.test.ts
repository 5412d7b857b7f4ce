import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { bundleFixture, tempHome, type TempHome } from './helpers.js';
import { killLeftovers, startRacer, type RacerReport } from './lock-processes.js';

let racerScript: string;
let bundleDir: string;
let home: TempHome;

beforeAll(async () => {
  bundleDir = mkdtempSync(join(tmpdir(), 'beacon-racer-'));
  racerScript = await bundleFixture('tests/fixtures/foundation/lock-racer.ts', bundleDir);
});
afterAll(() => rmSync(bundleDir, { recursive: true, force: true }));
afterEach(() => {
  killLeftovers();
  home?.cleanup();
});

describe('the executor lock under contention', () => {
  it('32 processes racing, 20 rounds: exactly one holder each round, and the others name it', async () => {
    home = tempHome();
    const started = Date.now();
    const roundTimes: number[] = [];
    for (let round = 0; round < 20; round++) {
      const roundStart = Date.now();
      const racers = Array.from({ length: 32 }, () => startRacer(racerScript, home.env));
      const reports = await Promise.all(racers.map((r) => r.report));
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
      const codes = await Promise.all(racers.map((r) => r.finish()));
      expect(codes.every((code) => code === 0)).toBe(true);
      // The winner released on its way out: the next round starts free.
      expect(existsSync(home.paths.executorLock)).toBe(false);
      roundTimes.push(Date.now() - roundStart);
    }
    console.log(`lock race: 20 rounds of 32 processes in ${Date.now() - started} ms (rounds: ${roundTimes.join(', ')} ms)`);
  }, 600_000);
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
