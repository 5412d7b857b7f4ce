import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CommandOutcome } from '../../../../src-main/core/contract/command.js';
import { createLocalSource, type LocalCommandSource } from '../../../../src-main/core/commands/local/index.js';
import type { SourceEvents } from '../../../../src-main/core/commands/source.js';
import { setApproval } from '../../../../src-main/core/approvals/decide.js';

/** The embedded queue against a real SQLite file, with two connections standing in for two processes. */
let dir: string;
let sources: LocalCommandSource[];

function open(machineId = 'beacon-a'): LocalCommandSource {
  const source = createLocalSource({ file: join(dir, 'local.db'), machineId, defaultAgent: 'claude', watchIntervalMs: 20 });
  sources.push(source);
  return source;
}

function recorder(): SourceEvents & { wakes: string[]; cancelled: string[] } {
  const wakes: string[] = [];
  const cancelled: string[] = [];
  return { wakes, cancelled, onWake: (r) => wakes.push(r), onCancelled: (id) => cancelled.push(id), onCommandChanged: () => {}, onStatus: () => {} };
}

const identity = { machineId: 'beacon-a', agents: ['claude'], workspaceIds: [] };
const ok = () => ({ ok: true }) as const;

function outcome(status: CommandOutcome['status'], exitCode: number | null): CommandOutcome {
  const at = new Date().toISOString();
  return { status, exitCode, errorMessage: null, summary: null, stdoutTail: 'tail', stdoutTruncated: false, stderr: '', stderrTruncated: false, startedAt: at, completedAt: at };
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'beacon-local-'));
  sources = [];
});
afterEach(async () => {
  for (const s of sources) await s.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('local queue', () => {
  it('claims in created_at order, and only one of two claimants wins a command', async () => {
    const a = open('beacon-a');
    const b = open('beacon-b');
    const first = await a.enqueue({ prompt: 'one', workingDirectory: '/tmp' });
    const second = await a.enqueue({ prompt: 'two', workingDirectory: '/tmp' });
    expect(first.status).toBe('pending');
    expect(first.agent).toBe('claude');
    const [x, y] = await Promise.all([a.claimNext(ok), b.claimNext(ok)]);
    expect([x?.id, y?.id].sort()).toEqual([first.id, second.id].sort());
    expect(x?.id).toBe(first.id);
    expect(x?.claimedByMachineId).toBe('beacon-a');
    expect(y?.claimedByMachineId).toBe('beacon-b');
    expect(await a.claimNext(ok)).toBeNull();
  });

  it('skips what the check refuses, and claims-and-fails what it must not leave pending', async () => {
    const a = open();
    const skipped = await a.enqueue({ prompt: 'for another machine', workingDirectory: '/tmp', targetMachineId: 'beacon-z' });
    const refused = await a.enqueue({ prompt: 'bad dir', workingDirectory: '/nope' });
    const good = await a.enqueue({ prompt: 'fine', workingDirectory: '/tmp' });
    const claimed = await a.claimNext((c) => {
      if (c.targetMachineId) return { ok: false, reason: 'not mine', claimAndFail: false };
      if (c.workingDirectory === '/nope') return { ok: false, reason: 'Working directory refused: /nope does not exist', claimAndFail: true };
      return { ok: true };
    });
    expect(claimed?.id).toBe(good.id);
    expect((await a.get(skipped.id))?.status).toBe('pending');
    const failed = await a.get(refused.id);
    expect(failed).toMatchObject({ status: 'failed', errorMessage: 'Working directory refused: /nope does not exist', claimedByMachineId: 'beacon-a' });
    expect(failed?.completedAt).not.toBeNull();
  });

  it('guards transitions: a cancel is never overwritten by a later finish', async () => {
    const a = open();
    const events = recorder();
    await a.start(identity, events);
    const cmd = await a.enqueue({ prompt: 'x', workingDirectory: '/tmp' });
    await a.claimNext(ok);
    expect(await a.markRunning(cmd.id, new Date().toISOString())).toBe(true);
    expect(await a.markRunning(cmd.id, new Date().toISOString())).toBe(false);
    expect(await a.requestCancel(cmd.id)).toBe(true);
    expect(events.cancelled).toEqual([cmd.id]);
    expect(await a.isCancelled(cmd.id)).toBe(true);
    expect(await a.finish(cmd.id, outcome('completed', 0))).toBe(false);
    expect((await a.get(cmd.id))?.status).toBe('cancelled');
    expect(await a.requestCancel(cmd.id)).toBe(false);
  });

  it('an approval decision: the first one stands, a later one is refused with what happened', async () => {
    const a = open();
    await a.start(identity, recorder());
    const cmd = await a.enqueue({ prompt: 'x', workingDirectory: '/tmp' });
    await a.claimNext(ok);
    await a.markRunning(cmd.id, new Date().toISOString());
    expect(await a.markAwaitingApproval!(cmd.id)).toBe(true);
    const other = open('beacon-a'); // `beacon reject` in another process
    expect(await setApproval(a, cmd.id, 'approved')).toEqual({ ok: true, message: `Approved ${cmd.id}` });
    expect(await setApproval(other, cmd.id, 'rejected')).toEqual({ ok: false, message: `Command ${cmd.id} was already approved; the first decision stands` });
    expect((await a.get(cmd.id))?.approvalStatus).toBe('approved');
  });

  it('records the outcome with exit code, error and summary', async () => {
    const a = open();
    const cmd = await a.enqueue({ prompt: 'x', workingDirectory: '/tmp', timeoutSeconds: 30, flags: ['--x'] });
    await a.claimNext(ok);
    await a.markRunning(cmd.id, new Date().toISOString());
    const summary = { sessionId: 's', model: 'm', cliVersion: null, resultText: 'r', assistantText: null, toolUses: [], costUsd: 0.5, durationMs: 10, numTurns: 2, isError: false, errorText: null, resultSubtype: 'success' };
    expect(await a.finish(cmd.id, { ...outcome('failed', 3), errorMessage: 'boom', summary })).toBe(true);
    const row = await a.get(cmd.id);
    expect(row).toMatchObject({ status: 'failed', exitCode: 3, errorMessage: 'boom', timeoutSeconds: 30, flags: ['--x'], summary });
  });

  it('recovers orphans: running → failed "executor restarted", claimed → pending; other machines untouched', async () => {
    const a = open('beacon-a');
    const b = open('beacon-b');
    const ran = await a.enqueue({ prompt: 'ran', workingDirectory: '/tmp' });
    const claimedOnly = await a.enqueue({ prompt: 'claimed', workingDirectory: '/tmp' });
    const others = await a.enqueue({ prompt: 'b runs this', workingDirectory: '/tmp' });
    await a.claimNext((c) => (c.id === ran.id ? { ok: true } : { ok: false, reason: '', claimAndFail: false }));
    await a.markRunning(ran.id, new Date().toISOString());
    await a.claimNext((c) => (c.id === claimedOnly.id ? { ok: true } : { ok: false, reason: '', claimAndFail: false }));
    await b.claimNext(ok);
    const recovery = await a.recoverOrphans();
    expect(recovery).toEqual({ failed: [ran.id], requeued: [claimedOnly.id] });
    expect(await a.get(ran.id)).toMatchObject({ status: 'failed', errorMessage: 'executor restarted' });
    expect(await a.get(claimedOnly.id)).toMatchObject({ status: 'pending', claimedByMachineId: null, claimedAt: null });
    expect((await a.get(others.id))?.status).toBe('claimed');
  });

  it('wakes on a write by another connection, and reports a foreign cancel of an owned command', async () => {
    const a = open();
    const other = open();
    const events = recorder();
    await a.start(identity, events);
    events.wakes.length = 0;
    const cmd = await other.enqueue({ prompt: 'from elsewhere', workingDirectory: '/tmp' });
    const started = Date.now();
    while (!events.wakes.length && Date.now() - started < 2000) await new Promise((r) => setTimeout(r, 5));
    expect(events.wakes[0]).toBe('local queue changed');
    await a.claimNext(ok);
    await a.markRunning(cmd.id, new Date().toISOString());
    await other.requestCancel(cmd.id);
    while (!events.cancelled.length && Date.now() - started < 4000) await new Promise((r) => setTimeout(r, 5));
    expect(events.cancelled).toEqual([cmd.id]);
  });

  it('hears a foreign commit from the file system at once, long before its poll would', async () => {
    // A poll of one minute: only the watch on the database files can wake it within the test.
    const a = createLocalSource({ file: join(dir, 'local.db'), machineId: 'beacon-a', defaultAgent: 'claude', watchIntervalMs: 60_000 });
    sources.push(a);
    const other = open();
    const events = recorder();
    await a.start(identity, events);
    await new Promise((r) => setTimeout(r, 50));
    events.wakes.length = 0;
    const started = Date.now();
    await other.enqueue({ prompt: 'from elsewhere', workingDirectory: '/tmp' });
    while (!events.wakes.length && Date.now() - started < 3000) await new Promise((r) => setTimeout(r, 2));
    expect(events.wakes[0]).toBe('local queue changed');
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('lists running first, then newest, filtered by status', async () => {
    const a = open();
    const old = await a.enqueue({ prompt: 'old', workingDirectory: '/tmp' });
    await new Promise((r) => setTimeout(r, 5));
    const newer = await a.enqueue({ prompt: 'newer', workingDirectory: '/tmp' });
    await a.claimNext((c) => (c.id === old.id ? { ok: true } : { ok: false, reason: '', claimAndFail: false }));
    expect((await a.list()).map((c) => c.id)).toEqual([old.id, newer.id]);
    expect((await a.list({ statuses: ['pending'] })).map((c) => c.id)).toEqual([newer.id]);
  });
});
