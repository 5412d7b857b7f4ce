import { afterEach, describe, expect, it } from 'vitest';
import type { CommandOutcome } from '../../../src-main/core/contract/command.js';
import { createExecutor, type Executor } from '../../../src-main/core/executor.js';
import { silentLogger } from '../../../src-main/core/logger.js';
import { makeWorld, MemorySource, ScriptedRunner, until, type UnitWorld } from '../../support/fakes.js';

/** A source whose result writes wait until the test lets them through (a slow database). */
class SlowFinishSource extends MemorySource {
  private readonly gates: (() => void)[] = [];
  private open = false;
  /** Let every write through from now on (cleanup, so a failed test does not hang the stop). */
  openAll(): void {
    this.open = true;
    this.release();
  }
  release(): void {
    for (const open of this.gates.splice(0)) open();
  }
  get waitingFinishes(): number {
    return this.gates.length;
  }
  override async finish(id: string, outcome: CommandOutcome): Promise<boolean> {
    if (!this.open) await new Promise<void>((open) => this.gates.push(open));
    return super.finish(id, outcome);
  }
}

let world: UnitWorld | null = null;
let executor: Executor | null = null;
let slow: SlowFinishSource | null = null;
afterEach(async () => {
  slow?.openAll();
  await executor?.stop({ cancelRunning: true, graceMs: 0 });
  world?.cleanup();
  executor = null;
  world = null;
});

describe('run slots', () => {
  it('a slot comes free when the agent is gone, not when its outcome is written (max_concurrent 1)', async () => {
    world = makeWorld();
    const source = (slow = new SlowFinishSource());
    const runner = new ScriptedRunner();
    executor = createExecutor({ paths: world.paths, env: world.env, mode: 'headless', logger: silentLogger, source, runner, config: world.config({ max_concurrent: 1 }) });
    await executor.start();
    const first = source.add({ workingDirectory: world.work });
    const second = source.add({ workingDirectory: world.work });
    await until('the first run', () => runner.runs.length === 1);
    expect(executor.snapshot().running.map((r) => r.id)).toEqual([first.id]);
    runner.runs[0]!.exit(0);
    // The first outcome is still being written, yet the second command runs: the slot was given back.
    await until('the second run', () => runner.runs.length === 2);
    expect(source.waitingFinishes).toBe(1);
    expect(source.rows.get(first.id)?.status).toBe('running');
    expect(executor.snapshot().running.map((r) => r.id)).toEqual([second.id]);
    source.release();
    await until('the first outcome', () => source.rows.get(first.id)?.status === 'completed');
    runner.runs[1]!.exit(0);
    await until('the second finish', () => source.waitingFinishes === 1);
    source.release();
    await until('the second outcome', () => source.rows.get(second.id)?.status === 'completed');
  });
});
