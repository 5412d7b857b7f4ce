import { closeSync, constants, openSync } from 'node:fs';
import type { IPty } from 'node-pty';

/**
 * Keeps an agent's last output from being lost when it exits. Linux can report end-of-file on the pty
 * master while the agent's final writes are still in the kernel's buffers, and node-pty stops reading
 * there: under CPU load 10–14 KB of a 70 KB run, with its stream-json result line, went missing in about
 * one run in ten. So the runner holds the terminal's other side (the slave) open itself, which keeps the
 * master readable after the agent is gone. Once node-pty has seen the process exit and the output has
 * been quiet for `quietMs`, the hold is let go: the master reaches end-of-file and node-pty reports the
 * exit as usual. node-pty says when the process exited only through its private `_boundClose` flag; if a
 * version stops setting it, its own 200 ms timer ends the wait instead, which is slower but loses nothing.
 */
export interface PtyDrain {
  /** Output arrived (the quiet period starts again). */
  noteOutput(): void;
  /** The run is over: let go of the terminal if still held. */
  release(): void;
}

const POLL_MS = 5;

export function holdUntilDrained(agent: IPty, quietMs = 20): PtyDrain {
  const ptsName = (agent as IPty & { ptsName?: unknown }).ptsName;
  let held: number | null = null;
  if (typeof ptsName === 'string' && ptsName.startsWith('/dev/')) {
    try {
      held = openSync(ptsName, constants.O_RDWR | constants.O_NOCTTY);
    } catch {
      held = null; // without the hold, reading ends as node-pty decides
    }
  }
  let lastOutputAt = Date.now();
  let poll: NodeJS.Timeout | null = null;

  const release = (): void => {
    if (poll) clearInterval(poll);
    poll = null;
    if (held === null) return;
    try {
      closeSync(held);
    } catch {
      // already closed: nothing left to let go
    }
    held = null;
  };

  const onProcessExit = (): void => {
    if (held === null || poll) return;
    poll = setInterval(() => {
      if (Date.now() - lastOutputAt >= quietMs) release();
    }, POLL_MS);
  };

  if (held !== null) watchExitFlag(agent, onProcessExit);
  return { noteOutput: () => (lastOutputAt = Date.now()), release };
}

/** node-pty sets `_boundClose` when the process has exited and it starts waiting for the terminal to close. */
function watchExitFlag(agent: IPty, onSet: () => void): void {
  const target = agent as unknown as Record<string, unknown>;
  if (typeof target._boundClose !== 'boolean') return;
  let value = target._boundClose;
  Object.defineProperty(target, '_boundClose', {
    configurable: true,
    enumerable: true,
    get: () => value,
    set: (next: boolean) => {
      value = next;
      if (next) onSet();
    },
  });
}
