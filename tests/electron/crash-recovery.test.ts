import { describe, expect, it } from 'vitest';
import { createRendererCrashPolicy, describeChildProcessGone } from '../../src-main/electron/crash-recovery.js';

describe('renderer crash recovery', () => {
  it('a crashed or killed renderer is replaced; a clean exit (the window closed) is not', () => {
    const policy = createRendererCrashPolicy({ now: () => 0 });
    expect(policy.decide('popover', { reason: 'clean-exit', exitCode: 0 })).toEqual({ action: 'ignore' });
    expect(policy.decide('popover', { reason: 'crashed', exitCode: 11 })).toEqual({
      action: 'recreate',
      message: "The popover window's renderer is gone (crashed, exit code 11); opening a new one",
    });
    expect(policy.decide('detached', { reason: 'killed', exitCode: 9 }).action).toBe('recreate');
  });

  it('renderers that keep dying are not recreated in a loop: the window waits for the next click; the count forgets old crashes', () => {
    let now = 0;
    const policy = createRendererCrashPolicy({ limit: 3, windowMs: 60_000, now: () => now });
    const actions = [1, 2, 3, 4].map(() => policy.decide('popover', { reason: 'oom', exitCode: 1 }).action);
    expect(actions).toEqual(['recreate', 'recreate', 'recreate', 'wait-for-user']);
    now = 61_000;
    expect(policy.decide('popover', { reason: 'crashed', exitCode: 1 }).action).toBe('recreate');
  });

  it('GPU and utility processes going away are logged: errors, a kill as a warning, a clean exit not at all', () => {
    expect(describeChildProcessGone({ type: 'GPU', reason: 'crashed', exitCode: 133 })).toEqual({ level: 'error', message: 'GPU process gone: crashed (exit code 133)' });
    expect(describeChildProcessGone({ type: 'Utility', serviceName: 'network.mojom.NetworkService', reason: 'killed', exitCode: 9 })).toEqual({
      level: 'warn',
      message: 'Utility network.mojom.NetworkService process gone: killed (exit code 9)',
    });
    expect(describeChildProcessGone({ type: 'Utility', reason: 'clean-exit', exitCode: 0 })).toBeNull();
  });
});
