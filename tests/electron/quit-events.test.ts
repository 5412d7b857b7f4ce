import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../src-main/core/logger.js';
import type { LifecyclePhase } from '../../src-main/electron/lifecycle.js';
import { askToCancelAndQuit, quitQuestion } from '../../src-main/electron/quit-dialog.js';
import { routeQuitEvents, type QuitEventSources } from '../../src-main/electron/quit-events.js';

function preventable() {
  const event = { prevented: false, preventDefault: () => void (event.prevented = true) };
  return event;
}

function setup() {
  const app = new EventEmitter();
  const powerMonitor = new EventEmitter();
  const calls: string[] = [];
  let phase: LifecyclePhase = { name: 'active' };
  let shutting = false;
  const lifecycle = {
    phase: () => phase,
    requestQuit: async () => (calls.push('requestQuit'), 'quit' as const),
    requestShutdown: async () => {
      calls.push('requestShutdown');
      shutting = true;
      return 'quit' as const;
    },
    shuttingDown: () => shutting,
  };
  routeQuitEvents({ app, powerMonitor } as unknown as QuitEventSources, lifecycle, silentLogger);
  return { app, powerMonitor, calls, setPhase: (next: LifecyclePhase) => void (phase = next) };
}

describe('quit events', () => {
  it('log out / restart / shut down: the shutdown is taken over (preventDefault) and runs the shutdown sequence, no question', () => {
    const { powerMonitor, app, calls } = setup();
    const event = preventable();
    powerMonitor.emit('shutdown', event);
    expect(event.prevented).toBe(true);
    expect(calls).toEqual(['requestShutdown']);
    // A before-quit arriving meanwhile is held but starts nothing new.
    const quit = preventable();
    app.emit('before-quit', quit);
    expect(quit.prevented).toBe(true);
    expect(calls).toEqual(['requestShutdown']);
  });

  it('Cmd+Q and the menus: before-quit is held while the quit sequence runs, and let through once stopped', () => {
    const { app, calls, setPhase } = setup();
    const first = preventable();
    app.emit('before-quit', first);
    expect(first.prevented).toBe(true);
    expect(calls).toEqual(['requestQuit']);
    setPhase({ name: 'stopped' });
    const last = preventable();
    app.emit('before-quit', last);
    expect(last.prevented).toBe(false);
  });
});

describe('the quit question', () => {
  const running = [{ id: 'cmd_1', prompt: 'fix   the\ntests' }, { id: 'cmd_2', prompt: '' }];

  it('brings the app forward before asking, and attaches to the detached window when there is one', async () => {
    const calls: string[] = [];
    const ports = (parent: string | null, response: number) => ({
      bringToFront: () => void calls.push('bringToFront'),
      parentWindow: () => parent,
      showMessageBox: async (p: string | null) => {
        calls.push(`ask:${p ?? 'no parent'}`);
        return { response };
      },
    });
    expect(await askToCancelAndQuit(ports(null, 0), running)).toBe(true);
    expect(await askToCancelAndQuit(ports('detached', 1), running)).toBe(false);
    expect(calls).toEqual(['bringToFront', 'ask:no parent', 'bringToFront', 'ask:detached']);
  });

  it('says how many run and which, and defaults to keeping them', () => {
    const question = quitQuestion(running);
    expect(question.message).toBe('2 commands are still running');
    expect(question.detail).toContain('• fix the tests\n• cmd_2');
    expect(question.buttons[question.defaultId]).toBe('Keep Running');
    expect(question.cancelId).toBe(question.defaultId);
    expect(quitQuestion([running[0]!]).message).toBe('1 command is still running');
  });
});
