import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { canTransition } from '../../../src-main/core/commands/command.js';
import { type CommandOutcome, type CommandStatus } from '../../../src-main/core/contract/command.js';
import { mentuPaths } from '../../../src-main/core/paths.js';
import {
  ApprovalGate,
  nextApprovalStep,
  type ApprovalPort,
  type ApprovalState,
} from '../../../src-main/core/approvals/gate.js';
import { ApprovalStore } from '../../../src-main/core/approvals/store.js';

const HOUR = 3600_000;
const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempDir(prefix: string): string {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), prefix)));
  dirs.push(dir);
  return dir;
}

/**
 * A stand-in for a command source's rows: the transitions are checked against the real state machine,
 * so a write the source would refuse is refused here too. It outlives gate instances like a database.
 */
class FakeRows implements ApprovalPort {
  rows = new Map<string, ApprovalState>();
  finished = new Map<string, CommandOutcome>();
  transitions: string[] = [];

  add(id: string, status: CommandStatus): void {
    this.rows.set(id, { status, approvalStatus: 'not_required' });
  }
  answer(id: string, approvalStatus: 'approved' | 'rejected'): void {
    this.rows.get(id)!.approvalStatus = approvalStatus;
  }
  private move(id: string, to: CommandStatus): boolean {
    const row = this.rows.get(id);
    if (!row || !canTransition(row.status, to)) return false;
    this.transitions.push(`${row.status}→${to}`);
    row.status = to;
    return true;
  }
  readApproval(id: string): Promise<ApprovalState | null> {
    const row = this.rows.get(id);
    return Promise.resolve(row ? { ...row } : null);
  }
  markAwaitingApproval(id: string): Promise<boolean> {
    const ok = this.move(id, 'awaiting_approval');
    if (ok) this.rows.get(id)!.approvalStatus = 'pending';
    return Promise.resolve(ok);
  }
  markApproved(id: string): Promise<boolean> {
    return Promise.resolve(this.move(id, 'approved'));
  }
  finish(id: string, outcome: CommandOutcome): Promise<boolean> {
    const ok = this.move(id, outcome.status);
    if (ok) this.finished.set(id, outcome);
    return Promise.resolve(ok);
  }
}

function agentRun(): CommandOutcome {
  return {
    status: 'completed',
    exitCode: 0,
    errorMessage: null,
    summary: null,
    stdoutTail: 'the agent changed two files',
    stdoutTruncated: false,
    stderr: '',
    stderrTruncated: false,
    startedAt: '2026-01-01T00:00:00.000Z',
    completedAt: '2026-01-01T00:01:00.000Z',
  };
}

function setup(options: { onApprove?: string | null } = {}) {
  const home = tempDir('beacon-parity-approval-home-');
  const workdir = tempDir('beacon-parity-approval-wd-');
  const rows = new FakeRows();
  rows.add('cmd-1', 'running');
  let clock = Date.parse('2026-01-01T00:01:00.000Z');
  const makeGate = () =>
    new ApprovalGate({
      port: rows,
      store: new ApprovalStore(mentuPaths({ MENTU_HOME: home }).approvals),
      source: 'supabase',
      now: () => clock,
      pollIntervalMs: 20,
    });
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', MENTU_BRIDGE_COMMAND_ID: 'cmd-1', MENTU_COMMITMENT: 'cmt_kzr4z3eo' };
  const enter = (gate: ApprovalGate) =>
    gate.enter({
      commandId: 'cmd-1',
      workspaceId: null,
      workingDirectory: workdir,
      onApprove: options.onApprove === undefined ? null : options.onApprove,
      extraEnv: { MENTU_COMMITMENT: 'cmt_kzr4z3eo' },
      run: agentRun(),
    });
  return { home, workdir, rows, env, makeGate, enter, advance: (ms: number) => (clock += ms), now: () => clock };
}

describe('the approval step machine', () => {
  const waiting: ApprovalState = { status: 'awaiting_approval', approvalStatus: 'pending' };
  it('decides each step from the state and the time left', () => {
    expect(nextApprovalStep(waiting, 1000)).toEqual({ kind: 'wait', remainingMs: 1000 });
    expect(nextApprovalStep(waiting, 0)).toEqual({ kind: 'timeout' });
    expect(nextApprovalStep(null, 10)).toEqual({ kind: 'wait', remainingMs: 10 });
    expect(nextApprovalStep({ ...waiting, approvalStatus: 'approved' }, -5)).toEqual({ kind: 'approve' });
    expect(nextApprovalStep({ ...waiting, approvalStatus: 'rejected' }, 10)).toEqual({ kind: 'reject' });
    expect(nextApprovalStep({ status: 'cancelled', approvalStatus: 'pending' }, 10)).toEqual({ kind: 'cancelled' });
    expect(nextApprovalStep({ status: 'approved', approvalStatus: 'approved' }, 10)).toEqual({ kind: 'interrupted' });
    expect(nextApprovalStep({ status: 'failed', approvalStatus: 'pending' }, 10)).toMatchObject({ kind: 'lost' });
    expect(nextApprovalStep({ status: 'running', approvalStatus: null }, 10)).toMatchObject({ kind: 'lost' });
    expect(nextApprovalStep('gone', 10)).toMatchObject({ kind: 'lost' });
  });
});

describe('the approval gate', () => {
  it('approved: on_approve runs in the same directory with the same environment; its exit code is the result', async () => {
    const t = setup({ onApprove: 'pwd > where.txt; echo "$MENTU_COMMITMENT ${HOME:-nohome}" > env.txt; echo deployed; exit 3' });
    const gate = t.makeGate();
    expect(await t.enter(gate)).toBe(true);
    expect(t.rows.rows.get('cmd-1')).toEqual({ status: 'awaiting_approval', approvalStatus: 'pending' });
    const waiting = gate.wait('cmd-1', { env: t.env });
    setTimeout(() => {
      t.rows.answer('cmd-1', 'approved');
      gate.wake('cmd-1');
    }, 50);
    const resolution = await waiting;
    expect(resolution).toMatchObject({ kind: 'approved', recorded: true });
    if (resolution.kind !== 'approved') throw new Error('unreachable');
    expect(resolution.outcome).toMatchObject({
      status: 'failed',
      exitCode: 3,
      errorMessage: 'on_approve exited with code 3',
      stdoutTail: 'deployed\n',
      startedAt: '2026-01-01T00:00:00.000Z',
    });
    expect(readFileSync(join(t.workdir, 'where.txt'), 'utf8').trim()).toBe(t.workdir);
    expect(readFileSync(join(t.workdir, 'env.txt'), 'utf8').trim()).toBe('cmt_kzr4z3eo nohome');
    expect(t.rows.transitions).toEqual(['running→awaiting_approval', 'awaiting_approval→approved', 'approved→failed']);
    expect(await gate.pending()).toEqual([]);
  });

  it('approved with a successful on_approve completes the command', async () => {
    const t = setup({ onApprove: 'echo merged' });
    const gate = t.makeGate();
    await t.enter(gate);
    t.rows.answer('cmd-1', 'approved');
    const resolution = await gate.wait('cmd-1', { env: t.env });
    expect(resolution).toMatchObject({ kind: 'approved', outcome: { status: 'completed', exitCode: 0, stdoutTail: 'merged\n' } });
    expect(t.rows.rows.get('cmd-1')!.status).toBe('completed');
  });

  it('rejected: failed "Command rejected by user", keeping what the agent did', async () => {
    const t = setup({ onApprove: 'touch must-not-exist' });
    const gate = t.makeGate();
    await t.enter(gate);
    const waiting = gate.wait('cmd-1', { env: t.env });
    setTimeout(() => t.rows.answer('cmd-1', 'rejected'), 40);
    const resolution = await waiting;
    expect(resolution).toMatchObject({
      kind: 'rejected',
      recorded: true,
      outcome: { status: 'failed', errorMessage: 'Command rejected by user', stderr: 'Command rejected by user', stdoutTail: 'the agent changed two files' },
    });
    expect(existsSync(join(t.workdir, 'must-not-exist'))).toBe(false);
    expect(t.rows.rows.get('cmd-1')!.status).toBe('failed');
  });

  it('times out 24 hours after entering (fake clock)', async () => {
    const t = setup({ onApprove: 'touch must-not-exist' });
    const gate = t.makeGate();
    await t.enter(gate);
    let settled = false;
    const waiting = gate.wait('cmd-1', { env: t.env }).finally(() => (settled = true));
    t.advance(24 * HOUR - 1000);
    await new Promise((r) => setTimeout(r, 100));
    expect(settled).toBe(false);
    t.advance(1000);
    const resolution = await waiting;
    expect(resolution).toMatchObject({
      kind: 'timeout',
      outcome: { status: 'timeout', errorMessage: 'Approval timed out after 24 hours' },
    });
    expect(t.rows.rows.get('cmd-1')!.status).toBe('timeout');
    expect(existsSync(join(t.workdir, 'must-not-exist'))).toBe(false);
  });

  it("a user's cancel while waiting wins: nothing more is written", async () => {
    const t = setup({ onApprove: 'touch must-not-exist' });
    const gate = t.makeGate();
    await t.enter(gate);
    const waiting = gate.wait('cmd-1', { env: t.env });
    setTimeout(() => (t.rows.rows.get('cmd-1')!.status = 'cancelled'), 40);
    expect(await waiting).toEqual({ kind: 'cancelled' });
    expect(t.rows.finished.size).toBe(0);
    expect(await gate.pending()).toEqual([]);
  });

  it('an approval given after a restart: a new instance resumes with the persisted deadline', async () => {
    const t = setup({ onApprove: 'pwd > approved-after-restart.txt' });
    const first = t.makeGate();
    await t.enter(first);
    const stop = new AbortController();
    const waiting = first.wait('cmd-1', { env: t.env, signal: stop.signal });
    setTimeout(() => stop.abort(), 40);
    expect(await waiting).toEqual({ kind: 'aborted' });

    // The wait is on disk, owner-only, with the deadline fixed when the command entered.
    const file = mentuPaths({ MENTU_HOME: t.home }).approvals;
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const saved = JSON.parse(readFileSync(file, 'utf8')) as { approvals: Record<string, { deadlineAt: string }> };
    expect(saved.approvals['cmd-1']!.deadlineAt).toBe('2026-01-02T00:01:00.000Z');

    // Beacon comes back 23 hours later: a new gate over a new store instance.
    t.advance(23 * HOUR);
    const second = t.makeGate();
    const pending = await second.pending();
    expect(pending.map((r) => [r.commandId, r.deadlineAt, r.workingDirectory])).toEqual([
      ['cmd-1', '2026-01-02T00:01:00.000Z', t.workdir],
    ]);
    const resumed = second.wait('cmd-1', { env: t.env });
    setTimeout(() => {
      t.rows.answer('cmd-1', 'approved');
      second.wake();
    }, 40);
    expect(await resumed).toMatchObject({ kind: 'approved', outcome: { status: 'completed', exitCode: 0 } });
    expect(readFileSync(join(t.workdir, 'approved-after-restart.txt'), 'utf8').trim()).toBe(t.workdir);
    expect(await second.pending()).toEqual([]);
  });

  it('a restart after the deadline times out at once instead of granting a new 24 hours', async () => {
    const t = setup();
    await t.enter(t.makeGate());
    t.advance(25 * HOUR);
    const resolution = await t.makeGate().wait('cmd-1', { env: t.env });
    expect(resolution).toMatchObject({ kind: 'timeout' });
  });

  it('does not run on_approve twice when Beacon stopped after marking the command approved', async () => {
    const t = setup({ onApprove: 'echo x >> ran.txt' });
    await t.enter(t.makeGate());
    t.rows.answer('cmd-1', 'approved');
    await t.rows.markApproved('cmd-1'); // the previous process got this far, then died
    const resolution = await t.makeGate().wait('cmd-1', { env: t.env });
    expect(resolution).toMatchObject({ kind: 'approved', outcome: { status: 'failed', errorMessage: expect.stringContaining('not run again') } });
    expect(existsSync(join(t.workdir, 'ran.txt'))).toBe(false);
  });

  it('leaves no record when the command could not enter awaiting_approval', async () => {
    const t = setup();
    t.rows.rows.get('cmd-1')!.status = 'cancelled';
    const gate = t.makeGate();
    expect(await t.enter(gate)).toBe(false);
    expect(await gate.pending()).toEqual([]);
  });
});
