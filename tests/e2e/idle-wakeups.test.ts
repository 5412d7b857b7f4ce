import { setTimeout as delay } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { wakeups } from '../../bench/proc-stats.mjs';
import { useLocalSandboxes } from '../support/sandbox-hooks.js';

/**
 * Issue 15, point 10: an idle menu-bar app must let the laptop idle. With nothing queued, the executor's
 * main thread may wake at most once a second on average (before: the local queue polled every 100 ms,
 * ten wake-ups a second). Counted as the main thread's voluntary context switches (each wake from the
 * event loop's wait is one). Linux (/proc).
 */
const local = useLocalSandboxes();

describe.runIf(process.platform === 'linux')('an idle executor (local queue)', () => {
  it('wakes at most once a second', async () => {
    const executor = local.start(local.sandbox());
    await executor.ready;
    const pid = executor.child.pid!;
    await delay(12_000);
    // Four 5 s windows: V8's one start-up clean-up (its memory reducer, 8 to 20 s after start, later under load)
    // may fall into one of them; a periodic wake-up (a poll) would show in every one.
    const rates: number[] = [];
    for (let window = 0; window < 4; window++) {
      const before = wakeups(pid);
      await delay(5000);
      rates.push((wakeups(pid) - before) / 5);
    }
    expect(rates.filter((perSecond) => perSecond <= 1).length, `wake-ups per second in each window: ${rates.join(', ')}`).toBeGreaterThanOrEqual(3);
  }, 60_000);
});
