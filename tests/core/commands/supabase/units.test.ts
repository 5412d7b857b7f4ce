import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { classifyFailure } from '../../../../src-main/core/commands/supabase/client.js';
import { boundMessage, LogBatcher, PendingText } from '../../../../src-main/core/commands/supabase/log-batcher.js';
import { rowToCommand } from '../../../../src-main/core/commands/supabase/mapping.js';
import { Outbox, type ApplyResult } from '../../../../src-main/core/commands/supabase/outbox.js';
import { guardedFinishStatuses, resultRow, tailBounded } from '../../../../src-main/core/commands/supabase/writes.js';
import { silentLogger } from '../../../../src-main/core/logger.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
const freshDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'beacon-outbox-unit-'));
  dirs.push(dir);
  return dir;
};

describe('row mapping', () => {
  it('treats null flags as [] and reads loose rows defensively', () => {
    const command = rowToCommand({ id: 'c1', workspace_id: 'w', prompt: 'p', working_directory: '/x', agent: null, flags: null, timeout_seconds: '30', status: 'pending', created_at: '2026-01-01T00:00:00Z' });
    expect(command).toMatchObject({ id: 'c1', flags: [], agent: 'claude', timeoutSeconds: 30, status: 'pending', withWorktree: false, defect: null });
    // An unknown status is no longer read as pending (issue 15, point 5): the row cannot be a command.
    expect(() => rowToCommand({ id: 'c1', status: 'weird' })).toThrow(/status Beacon does not know/);
  });
});

describe('write rules', () => {
  it('a finish guard never includes pending (only a user cancels a pending row)', () => {
    expect(guardedFinishStatuses('cancelled')).toEqual(['claimed', 'running', 'awaiting_approval', 'approved']);
    expect(guardedFinishStatuses('completed')).toEqual(['running', 'approved']);
    expect(guardedFinishStatuses('failed')).toContain('claimed');
  });

  it('the result row says success for completed, keeps a UTF-8-safe tail and the real start', () => {
    const row = resultRow({ machineId: 'm', maxOutputBytes: 8 }, 'c', {
      status: 'completed', exitCode: 0, errorMessage: null, summary: null, stdoutTail: 'héllo wörld', stdoutTruncated: false, stderr: '', stderrTruncated: false,
      startedAt: '2026-01-01T00:00:00.000Z', completedAt: '2026-01-01T00:01:00.000Z',
    });
    expect(row).toMatchObject({ status: 'success', stdout_truncated: true, stderr_truncated: false, started_at: '2026-01-01T00:00:00.000Z' });
    expect(Buffer.byteLength(String(row.stdout))).toBeLessThanOrEqual(8);
    expect(String(row.stdout)).toBe('o wörld');
    // A cut inside a multi-byte character moves forward to the next character.
    expect(tailBounded('wörld', 4, false)).toEqual({ text: 'rld', truncated: true });
    expect(tailBounded('abc', 10, true)).toEqual({ text: 'abc', truncated: true });
  });

  it('classifies failures: network and 5xx retry, PGRST202 means the RPC is missing, JWT errors are auth', () => {
    expect(classifyFailure(0, { message: 'fetch failed' })).toBe('network');
    expect(classifyFailure(503, { code: 'PGRST000' })).toBe('server');
    expect(classifyFailure(404, { code: 'PGRST202', message: 'Could not find the function' })).toBe('missing_function');
    expect(classifyFailure(401, { message: 'JWT expired' })).toBe('auth');
    expect(classifyFailure(400, { code: 'PGRST204', message: 'column not found' })).toBe('client');
  });
});

describe('spawn_logs batching', () => {
  it('emits at most 4 rows a second per command, in order, with strictly increasing ts', async () => {
    const emitted: { commandId: string; rows: { message: string; ts: string }[] }[] = [];
    const batcher = new LogBatcher({ workspaceOf: () => 'w', emit: (commandId, rows) => emitted.push({ commandId, rows }) });
    const started = Date.now();
    let expected = '';
    while (Date.now() - started < 1600) {
      const text = `t${Date.now()}\n`;
      expected += text;
      batcher.append('c', { stream: 'stdout', text });
      await new Promise((r) => setTimeout(r, 5));
    }
    const closing = Date.now();
    await batcher.close('c');
    expect(Date.now() - closing).toBeLessThanOrEqual(300); // the last row waits out at most one slot
    const rows = emitted.flatMap((e) => e.rows);
    expect(rows.map((r) => r.message).join('')).toBe(expected);
    const ts = rows.map((r) => Date.parse(r.ts));
    expect(ts.every((t, i) => i === 0 || t > ts[i - 1]!)).toBe(true);
    // Every window of one second, the closing row included, holds at most 4 rows.
    const busiest = Math.max(...ts.map((t) => ts.filter((u) => u >= t && u < t + 1000).length));
    expect(busiest).toBeLessThanOrEqual(4);
  });

  it('bounds a message by dropping its middle with a marker', () => {
    const text = 'A'.repeat(1000) + 'B'.repeat(1000);
    const bounded = boundMessage(text, 200);
    expect(bounded.length).toBeLessThanOrEqual(200);
    expect(bounded.startsWith('AAA')).toBe(true);
    expect(bounded.endsWith('BBB')).toBe(true);
    expect(bounded).toMatch(/characters omitted by Beacon/);
  });
});

describe('pending text of one stream', () => {
  it('is exact while it fits, and keeps the start, the end and a true count of what it dropped in a flood', () => {
    const small = new PendingText(1000);
    for (const piece of ['a', 'bb', 'c'.repeat(900)]) small.append(piece);
    expect(small.take()).toBe('abb' + 'c'.repeat(900));
    expect(small.isEmpty).toBe(true);

    const max = 4096;
    const flood = new PendingText(max);
    let all = '';
    for (let i = 0; i < 5000; i++) {
      const chunk = `line ${i} ${'x'.repeat(i % 50)}\n`;
      all += chunk;
      flood.append(chunk);
    }
    const message = flood.take();
    expect(message.length).toBeLessThanOrEqual(max);
    const match = /\n\[… (\d+) characters omitted by Beacon …\]\n/.exec(message);
    expect(match).not.toBeNull();
    const head = message.slice(0, match!.index);
    const tail = message.slice(match!.index + match![0].length);
    expect(all.startsWith(head)).toBe(true);
    expect(all.endsWith(tail)).toBe(true);
    expect(head.length + Number(match![1]) + tail.length).toBe(all.length);
  });
});

type Op = { commandId: string; kind: string; n: number };

describe('outbox', () => {
  it('keeps failed writes on disk, replays them in order per command, and keeps later writes behind them', async () => {
    const dir = freshDir();
    const applied: number[] = [];
    let up = false;
    const apply = (op: Op): Promise<ApplyResult<boolean>> => {
      if (!up) return Promise.resolve({ kind: 'retry', reason: 'down' });
      applied.push(op.n);
      return Promise.resolve({ kind: 'done', value: true });
    };
    const outbox = new Outbox<Op>({ dir, apply, logger: silentLogger, droppableKinds: ['logs'], baseBackoffMs: 20, maxBackoffMs: 50 });
    expect(await outbox.submit({ commandId: 'c', kind: 'logs', n: 1 })).toEqual({ state: 'queued' });
    up = true;
    // Behind the queued one, even though the database is back: order per command is kept.
    expect(await outbox.submit({ commandId: 'c', kind: 'finish', n: 2 })).toEqual({ state: 'queued' });
    expect(readdirSync(dir).filter((n) => n.endsWith('.json'))).toHaveLength(2);
    expect(await outbox.submit({ commandId: 'other', kind: 'logs', n: 3 })).toEqual({ state: 'done', value: true });
    await outbox.drain();
    expect(applied).toEqual([3, 1, 2]);
    expect(outbox.pending).toBe(0);
    expect(readdirSync(dir).filter((n) => n.endsWith('.json'))).toHaveLength(0);
    outbox.stop();
  });

  it('survives a restart: a new outbox on the same folder replays what the old one kept', async () => {
    const dir = freshDir();
    const first = new Outbox<Op>({ dir, apply: () => Promise.resolve({ kind: 'retry', reason: 'down' }), logger: silentLogger, droppableKinds: [] });
    await first.submit({ commandId: 'c', kind: 'finish', n: 7 });
    first.stop();
    const seen: number[] = [];
    const second = new Outbox<Op>({ dir, apply: (op) => (seen.push(op.n), Promise.resolve({ kind: 'done', value: true })), logger: silentLogger, droppableKinds: [] });
    expect(second.pending).toBe(1);
    expect(second.hasPending('c', 'finish')).toBe(true);
    await second.drain();
    expect(seen).toEqual([7]);
    second.stop();
  });

  it('is bounded: when full, the oldest output goes first and results are kept', async () => {
    const dir = freshDir();
    const outbox = new Outbox<Op>({ dir, apply: () => Promise.resolve({ kind: 'retry', reason: 'down' }), logger: silentLogger, droppableKinds: ['logs'], maxEntries: 3 });
    await outbox.submit({ commandId: 'c', kind: 'finish', n: 1 });
    for (let n = 2; n <= 5; n++) await outbox.submit({ commandId: 'c', kind: 'logs', n });
    expect(outbox.pendingOps().map((op) => op.n)).toEqual([1, 4, 5]);
    outbox.stop();
  });
});
