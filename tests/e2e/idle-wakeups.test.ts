import { readFileSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { useLocalSandboxes } from '../support/sandbox-hooks.js';

/**
 * Issue 15, point 10: an idle menu-bar app must let the laptop idle. With nothing queued, the executor's
 * main thread may wake at most once a second on average (before: the local queue polled every 100 ms,
 * ten wake-ups a second). Counted as the main thread's voluntary context switches (each wake from the
 * event loop's wait is one), after V8's start-up clean-up (about 9 s after start) is over. Linux (/proc).
 */
const voluntarySwitches = (pid: number): number =>
  Number(/\nvoluntary_ctxt_switches:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/task/${pid}/status`, 'utf8'))![1]);

const local = useLocalSandboxes();

describe.runIf(process.platform === 'linux')('an idle executor (local queue)', () => {
  it('wakes at most once a second', async () => {
    const executor = local.start(local.sandbox());
    await executor.ready;
    const pid = executor.child.pid!;
    await delay(12_000);
    const windowSeconds = 10;
    const before = voluntarySwitches(pid);
    await delay(windowSeconds * 1000);
    const perSecond = (voluntarySwitches(pid) - before) / windowSeconds;
    expect(perSecond).toBeLessThanOrEqual(1);
  }, 60_000);
});
