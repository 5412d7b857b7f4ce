import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { isProcessGroupAlive, killProcessGroup } from '../../../src-main/core/run/kill-ladder.js';
import { isGone } from './fake-agent.js';

/** A simulated group that dies on the n-th signal, with a virtual clock. */
function simulated(diesOn: NodeJS.Signals | null) {
  const sent: { signal: NodeJS.Signals; at: number }[] = [];
  let clock = 0;
  let alive = true;
  return {
    sent,
    options: {
      stepMs: 2000,
      pollMs: 100,
      killWaitMs: 1000,
      sleep: async (ms: number) => {
        clock += ms;
      },
      isGroupAlive: () => alive,
      signalGroup: (_pgid: number, signal: NodeJS.Signals) => {
        sent.push({ signal, at: clock });
        if (signal === diesOn) alive = false;
      },
    },
  };
}

describe('killProcessGroup', () => {
  it('climbs SIGINT → 2 s → SIGTERM → 2 s → SIGKILL and stops at the first signal that works', async () => {
    const stubborn = simulated('SIGKILL');
    expect(await killProcessGroup(42, stubborn.options)).toEqual({ gone: true, lastSignal: 'SIGKILL' });
    expect(stubborn.sent).toEqual([
      { signal: 'SIGINT', at: 0 },
      { signal: 'SIGTERM', at: 2000 },
      { signal: 'SIGKILL', at: 4000 },
    ]);
    const polite = simulated('SIGINT');
    expect(await killProcessGroup(42, polite.options)).toEqual({ gone: true, lastSignal: 'SIGINT' });
    expect(polite.sent.map((s) => s.signal)).toEqual(['SIGINT']);
    const immortal = simulated(null);
    expect(await killProcessGroup(42, immortal.options)).toEqual({ gone: false, lastSignal: 'SIGKILL' });
  });

  it('kills a real process group, including a member that ignores SIGINT and SIGTERM', async () => {
    const script = 'process.on("SIGINT",()=>{});process.on("SIGTERM",()=>{});setInterval(()=>{},1000);console.log("ready")';
    const leader = spawn(process.execPath, ['-e', script], { detached: true, stdio: ['ignore', 'pipe', 'ignore'] });
    const pgid = leader.pid as number;
    await new Promise((r) => leader.stdout.once('data', r)); // its handlers are installed
    expect(isProcessGroupAlive(pgid)).toBe(true);
    const outcome = await killProcessGroup(pgid, { stepMs: 200 });
    expect(outcome).toEqual({ gone: true, lastSignal: 'SIGKILL' });
    expect(isGone(pgid)).toBe(true);
    expect(isProcessGroupAlive(pgid)).toBe(false);
  });
});
