import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Command } from '../../../src-main/core/contract/command.js';
import { createLocalSource } from '../../../src-main/core/commands/local/index.js';
import type { PreClaimCheck } from '../../../src-main/core/commands/source.js';
import { ClaimHints } from '../../../src-main/core/commands/supabase/claim-hints.js';
import { createExecutor, type Executor } from '../../../src-main/core/executor.js';
import { silentLogger } from '../../../src-main/core/logger.js';
import { makeWorld, MemorySource, ScriptedRunner, until, type UnitWorld } from '../../support/fakes.js';

/** One bad row never stalls an executor: the per-candidate guard, through the executor and the local queue. */

let world: UnitWorld;
let source: MemorySource;
let runner: ScriptedRunner;
let executor: Executor | null = null;

/** A working directory that is not a string reaches the real pre-claim check, which then throws. */
const MALFORMED_DIR = Buffer.from('/tmp') as unknown as string;

function make(kind: 'local' | 'supabase'): Executor {
  source = new MemorySource(kind);
  runner = new ScriptedRunner();
  executor = createExecutor({ paths: world.paths, env: world.env, mode: 'headless', logger: silentLogger, source, runner, config: world.config(), cancelPollMs: 50 });
  return executor;
}

beforeEach(() => {
  world = makeWorld();
});
afterEach(async () => {
  await executor?.stop({ cancelRunning: true, graceMs: 0 });
  executor = null;
  world.cleanup();
});

describe('a command whose check throws', () => {
  it('local queue: it is failed with "Beacon could not check this command" and the next command runs', async () => {
    make('local');
    const bad = source.add({ workingDirectory: MALFORMED_DIR });
    const good = source.add({ workingDirectory: world.work });
    await executor!.start();
    await until('the good command to run', () => runner.runs.length === 1);
    expect(runner.runs[0]!.request.env.MENTU_BRIDGE_COMMAND_ID).toBe(good.id);
    expect(source.rows.get(bad.id)!.status).toBe('failed');
    expect(source.rows.get(bad.id)!.errorMessage).toMatch(/^Beacon could not check this command: .*path/);
    runner.runs[0]!.exit(0);
    await until('the good command to finish', () => source.rows.get(good.id)!.status === 'completed');
  });

  it('supabase: untargeted it is left pending for another machine, targeted here it is failed; the next command runs', async () => {
    make('supabase');
    const untargeted = source.add({ workingDirectory: MALFORMED_DIR });
    const targeted = source.add({ workingDirectory: MALFORMED_DIR, targetMachineId: 'beacon-unit' });
    const good = source.add({ workingDirectory: world.work });
    await executor!.start();
    await until('the good command to run', () => runner.runs.length === 1);
    expect(runner.runs[0]!.request.env.MENTU_BRIDGE_COMMAND_ID).toBe(good.id);
    expect(source.rows.get(untargeted.id)!.status).toBe('pending');
    expect(source.rows.get(targeted.id)).toMatchObject({ status: 'failed', errorMessage: expect.stringMatching(/^Beacon could not check this command: /) as unknown });
    runner.runs[0]!.exit(0);
  });
});

describe('the local queue guards each candidate itself', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'beacon-local-guard-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('a check that throws on one row fails that row with the message and claims the next one in the same round', async () => {
    const local = createLocalSource({ file: join(dir, 'local.db'), machineId: 'beacon-a', defaultAgent: 'claude', watchIntervalMs: 20 });
    try {
      const bad = await local.enqueue({ prompt: 'bad', workingDirectory: '/tmp' });
      const elsewhere = await local.enqueue({ prompt: 'bad elsewhere', workingDirectory: '/tmp', targetMachineId: 'beacon-b' });
      const good = await local.enqueue({ prompt: 'good', workingDirectory: '/tmp' });
      const check: PreClaimCheck = (command) => {
        if (command.prompt.startsWith('bad')) throw new Error('exploded');
        return { ok: true };
      };
      expect((await local.claimNext(check))?.id).toBe(good.id);
      expect(await local.get(bad.id)).toMatchObject({ status: 'failed', errorMessage: 'Beacon could not check this command: exploded', startedAt: null });
      // Targeted at another machine: not ours even in the local queue, so it is left alone.
      expect((await local.get(elsewhere.id))?.status).toBe('pending');
    } finally {
      await local.stop();
    }
  });
});

describe('claim hints (the realtime fast path)', () => {
  const row = (id: string, fields: Record<string, unknown> = {}) => ({
    id, workspace_id: 'ws', prompt: id, working_directory: '/tmp', agent: 'claude', status: 'pending', created_at: new Date(Date.parse('2026-01-01T00:00:00Z') + Number(id.replace(/\D/g, '') || 0)).toISOString(), ...fields,
  });
  const ids = (commands: Command[]) => commands.map((c) => c.id);

  it('keeps pending rows for us, oldest first, and hands each out once', () => {
    const hints = new ClaimHints({ machineId: 'me' });
    hints.observe(row('c2'));
    hints.observe(row('c1', { target_machine_id: 'me' }));
    hints.observe(row('c3', { target_machine_id: 'other' }));
    hints.observe({ prompt: 'no id' });
    expect(ids(hints.take())).toEqual(['c1', 'c2']);
    expect(hints.take()).toEqual([]);
  });

  it('drops a row once it is seen non-pending, and hints older than the ttl', () => {
    let now = 1000;
    const hints = new ClaimHints({ machineId: 'me', ttlMs: 5000, now: () => now });
    hints.observe(row('c1'));
    hints.observe(row('c2'));
    hints.observe(row('c1', { status: 'claimed' }));
    now += 3000;
    hints.observe(row('c3'));
    now += 2500; // c2 is 5.5 s old, c3 2.5 s
    expect(ids(hints.take())).toEqual(['c3']);
  });

  it('is bounded: beyond maxSize the oldest hint is dropped', () => {
    const hints = new ClaimHints({ machineId: 'me', maxSize: 3 });
    for (let i = 1; i <= 5; i++) hints.observe(row(`c${i}`));
    expect(hints.size).toBe(3);
    expect(ids(hints.take())).toEqual(['c3', 'c4', 'c5']);
  });
});
