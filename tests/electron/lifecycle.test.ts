import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../src-main/core/logger.js';
import {
  createLifecycle,
  QUIT_BOUND_MS,
  SHUTDOWN_BOUND_MS,
  type LifecyclePhaseName,
  type LifecyclePorts,
  type RunningCommandSummary,
} from '../../src-main/electron/lifecycle.js';
import { bridgeHolder } from '../support/snapshot-fixture.js';

/** Ports that record every call in order; the core's state is a small in-memory model. */
function recordingPorts(options: { running?: RunningCommandSummary[]; consent?: boolean } = {}) {
  const calls: string[] = [];
  let running = [...(options.running ?? [])];
  const state = { claiming: false, lockHeld: false, sourceOnline: false, exited: false, cancelled: [] as string[] };
  const ports: LifecyclePorts = {
    activate: async () => {
      calls.push('activate');
      Object.assign(state, { claiming: true, lockHeld: true, sourceOnline: true });
    },
    stopClaiming: async () => {
      calls.push('stopClaiming');
      state.claiming = false;
    },
    resumeClaiming: async () => {
      calls.push('resumeClaiming');
      state.claiming = true;
    },
    runningCommands: async () => {
      calls.push('runningCommands');
      return running;
    },
    confirmCancel: async (list) => {
      calls.push(`confirmCancel:${list.map((c) => c.id).join(',')}`);
      return options.consent ?? false;
    },
    cancelRunning: async (ids) => {
      calls.push(`cancelRunning:${ids.join(',')}`);
      state.cancelled.push(...ids);
      running = running.filter((c) => !ids.includes(c.id));
    },
    stopCore: async (mode) => {
      calls.push(mode === 'shutdown' ? 'stopCore:shutdown' : 'stopCore');
      Object.assign(state, { lockHeld: false, sourceOnline: false });
    },
    exit: () => {
      calls.push('exit');
      state.exited = true;
    },
  };
  return { ports, calls, state };
}

/** A lifecycle waiting in standby (another executor holds the lock) until a quit aborts the wait. */
async function inStandby() {
  const { ports, calls } = recordingPorts();
  ports.activate = (signal, onStandby) =>
    new Promise<void>((_resolve, reject) => {
      calls.push('activate');
      onStandby(bridgeHolder(333));
      signal.addEventListener('abort', () => reject(Object.assign(new Error('aborted'), { name: 'AbortError' })));
    });
  const lifecycle = createLifecycle(ports, silentLogger);
  const started = lifecycle.start();
  await new Promise((r) => setImmediate(r));
  return { lifecycle, calls, started };
}

function trackPhases(lifecycle: ReturnType<typeof createLifecycle>): LifecyclePhaseName[] {
  const phases: LifecyclePhaseName[] = [];
  lifecycle.onChange((phase) => phases.push(phase.name));
  return phases;
}

describe('the quit sequence', () => {
  it('with nothing running: stop claiming, stop the core (lock released, machine offline), exit — no question asked', async () => {
    const { ports, calls, state } = recordingPorts();
    const lifecycle = createLifecycle(ports, silentLogger);
    await lifecycle.start();
    expect(lifecycle.phase().name).toBe('active');
    expect(await lifecycle.requestQuit()).toBe('quit');
    expect(calls).toEqual(['activate', 'stopClaiming', 'runningCommands', 'stopCore', 'exit']);
    expect(state).toMatchObject({ claiming: false, lockHeld: false, sourceOnline: false, exited: true, cancelled: [] });
    expect(lifecycle.phase().name).toBe('stopped');
  });

  it('with a command running and consent: cancel it only after the answer, then stop the core, exit', async () => {
    const { ports, calls, state } = recordingPorts({ running: [{ id: 'cmd_1', prompt: 'fix the tests' }], consent: true });
    const lifecycle = createLifecycle(ports, silentLogger);
    await lifecycle.start();
    const phases = trackPhases(lifecycle);
    expect(await lifecycle.requestQuit()).toBe('quit');
    expect(calls).toEqual([
      'activate',
      'stopClaiming',
      'runningCommands',
      'confirmCancel:cmd_1',
      'cancelRunning:cmd_1',
      'stopCore',
      'exit',
    ]);
    expect(state).toMatchObject({ lockHeld: false, sourceOnline: false, exited: true, cancelled: ['cmd_1'] });
    expect(phases).toEqual(['quitting', 'confirming-quit', 'quitting', 'quitting', 'quitting', 'stopped']);
  });

  it('with a command running and the user declining: nothing is cancelled, claiming resumes, the lock stays', async () => {
    const { ports, calls, state } = recordingPorts({ running: [{ id: 'cmd_1', prompt: 'long job' }], consent: false });
    const lifecycle = createLifecycle(ports, silentLogger);
    await lifecycle.start();
    expect(await lifecycle.requestQuit()).toBe('declined');
    expect(calls).toEqual(['activate', 'stopClaiming', 'runningCommands', 'confirmCancel:cmd_1', 'resumeClaiming']);
    expect(state).toMatchObject({ claiming: true, lockHeld: true, sourceOnline: true, exited: false, cancelled: [] });
    expect(lifecycle.phase().name).toBe('active');
  });

  it('a failing dialog counts as "no": running work is never cancelled without an answer', async () => {
    const { ports, calls, state } = recordingPorts({ running: [{ id: 'cmd_1', prompt: 'job' }] });
    ports.confirmCancel = async () => {
      throw new Error('no window server');
    };
    const lifecycle = createLifecycle(ports, silentLogger);
    await lifecycle.start();
    expect(await lifecycle.requestQuit()).toBe('declined');
    expect(state.cancelled).toEqual([]);
    expect(calls).not.toContain('stopCore');
  });

  it('a failing step does not stop the app from quitting; concurrent quits share one sequence', async () => {
    const { ports, calls } = recordingPorts();
    ports.stopCore = async () => {
      calls.push('stopCore');
      throw new Error('network down');
    };
    const lifecycle = createLifecycle(ports, silentLogger);
    await lifecycle.start();
    const [a, b] = await Promise.all([lifecycle.requestQuit(), lifecycle.requestQuit()]);
    expect([a, b]).toEqual(['quit', 'quit']);
    expect(calls.filter((c) => c === 'exit')).toHaveLength(1);
    expect(lifecycle.phase().name).toBe('stopped');
    expect(await lifecycle.requestQuit()).toBe('quit');
  });
});

describe('standby', () => {
  it('standby while another executor holds the lock, active when it frees; the holder is shown meanwhile', async () => {
    let free!: () => void;
    const lockFreed = new Promise<void>((resolve) => (free = resolve));
    const { ports } = recordingPorts();
    ports.activate = async (_signal, onStandby) => {
      onStandby(bridgeHolder(111));
      onStandby(bridgeHolder(222)); // the holder is re-read while waiting
      await lockFreed;
    };
    const lifecycle = createLifecycle(ports, silentLogger);
    const phases = trackPhases(lifecycle);
    const started = lifecycle.start();
    await new Promise((r) => setImmediate(r));
    const phase = lifecycle.phase();
    expect(phase.name).toBe('standby');
    expect(phase.name === 'standby' && phase.holder.pid).toBe(222);
    free();
    await started;
    expect(phases).toEqual(['standby', 'standby', 'active']);
  });

  it('quitting during standby stops waiting and exits without touching a lock it never held', async () => {
    const { lifecycle, calls, started } = await inStandby();
    expect(lifecycle.phase().name).toBe('standby');
    expect(await lifecycle.requestQuit()).toBe('quit');
    await started;
    expect(calls).toEqual(['activate', 'exit']);
    expect(lifecycle.phase().name).toBe('stopped');
  });
});

describe('the shutdown path (log out, restart, shut down)', () => {
  it('asks nothing: stops claiming, stops the core in shutdown mode (it cancels and records what runs), exits', async () => {
    const { ports, calls, state } = recordingPorts({ running: [{ id: 'cmd_1', prompt: 'long job' }] });
    const lifecycle = createLifecycle(ports, silentLogger);
    await lifecycle.start();
    const phases: string[] = [];
    lifecycle.onChange((phase) => phases.push(phase.name === 'quitting' ? `quitting:${phase.step}:${phase.mode}` : phase.name));
    expect(await lifecycle.requestShutdown()).toBe('quit');
    expect(calls).toEqual(['activate', 'stopClaiming', 'stopCore:shutdown', 'exit']);
    expect(state).toMatchObject({ lockHeld: false, exited: true });
    expect(phases).toEqual(['quitting:stop-claiming:shutdown', 'quitting:stop-core:shutdown', 'quitting:exit:shutdown', 'stopped']);
    expect(lifecycle.shuttingDown()).toBe(true);
  });

  it('exits within its bound even when stopping the core hangs', async () => {
    const { ports, calls } = recordingPorts();
    ports.stopCore = () => new Promise<void>(() => calls.push('stopCore:hangs'));
    const lifecycle = createLifecycle(ports, silentLogger, { shutdownBoundMs: 300 });
    await lifecycle.start();
    const began = Date.now();
    expect(await lifecycle.requestShutdown()).toBe('quit');
    const took = Date.now() - began;
    expect(calls).toEqual(['activate', 'stopClaiming', 'stopCore:hangs', 'exit']);
    expect(took).toBeGreaterThanOrEqual(280);
    expect(took).toBeLessThan(3000);
    expect(lifecycle.phase().name).toBe('stopped');
  });

  it('the default bound lies within 3–5 s, and an ordinary quit has one too', () => {
    expect(SHUTDOWN_BOUND_MS).toBeGreaterThanOrEqual(3000);
    expect(SHUTDOWN_BOUND_MS).toBeLessThanOrEqual(5000);
    expect(Number.isFinite(QUIT_BOUND_MS)).toBe(true);
  });

  it('an ordinary quit leaves within its bound after the answer, even when cancelling hangs', async () => {
    const { ports, calls } = recordingPorts({ running: [{ id: 'cmd_1', prompt: 'job' }], consent: true });
    ports.cancelRunning = () => new Promise<void>(() => calls.push('cancelRunning:hangs'));
    const lifecycle = createLifecycle(ports, silentLogger, { quitBoundMs: 300 });
    await lifecycle.start();
    const began = Date.now();
    expect(await lifecycle.requestQuit()).toBe('quit');
    expect(Date.now() - began).toBeLessThan(3000);
    // The bound passed during the cancel: the core is not stopped any more, the app just leaves.
    expect(calls).toEqual(['activate', 'stopClaiming', 'runningCommands', 'confirmCancel:cmd_1', 'cancelRunning:hangs', 'exit']);
  });

  it('a shutdown while the quit question is open answers it and takes over (no cancel-as-user step)', async () => {
    const { ports, calls } = recordingPorts({ running: [{ id: 'cmd_1', prompt: 'job' }] });
    let questionShown!: () => void;
    const shown = new Promise<void>((resolve) => (questionShown = resolve));
    ports.confirmCancel = (list) => {
      calls.push(`confirmCancel:${list.map((c) => c.id).join(',')}`);
      questionShown();
      return new Promise<boolean>(() => {}); // the user never answers
    };
    const lifecycle = createLifecycle(ports, silentLogger);
    await lifecycle.start();
    const quit = lifecycle.requestQuit();
    await shown;
    expect(lifecycle.phase().name).toBe('confirming-quit');
    const shutdown = lifecycle.requestShutdown();
    expect(await Promise.all([quit, shutdown])).toEqual(['quit', 'quit']);
    expect(calls).toEqual(['activate', 'stopClaiming', 'runningCommands', 'confirmCancel:cmd_1', 'stopCore:shutdown', 'exit']);
  });

  it('a shutdown during standby leaves at once, touching no lock', async () => {
    const { lifecycle, calls, started } = await inStandby();
    expect(await lifecycle.requestShutdown()).toBe('quit');
    await started;
    expect(calls).toEqual(['activate', 'exit']);
  });
});
