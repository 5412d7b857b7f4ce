import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createBeaconClient, type LocalBeaconClient } from '../../src-main/core/api/beacon-api.js';
import { createLocalSource } from '../../src-main/core/commands/local/index.js';
import type { CommandSource } from '../../src-main/core/commands/source.js';
import { createExecutor, type Executor } from '../../src-main/core/executor.js';
import { silentLogger } from '../../src-main/core/logger.js';
import type { SecretStore } from '../../src-main/core/secrets.js';
import { makeWorld, MemorySource, ScriptedRunner, until, type UnitWorld } from '../engine/fakes.js';

/** The executor's approval hold and fleet as the Beacon API snapshot shows them (in-process, scripted runner). */

let world: UnitWorld;
let runner: ScriptedRunner;
let executor: Executor | null = null;
let client: LocalBeaconClient | null = null;
const secrets: SecretStore = { get: async () => null, set: async () => {}, delete: async () => {}, describe: () => 'none' };

beforeEach(() => {
  world = makeWorld();
  runner = new ScriptedRunner();
});
afterEach(async () => {
  client?.dispose();
  await executor?.stop({ cancelRunning: true, graceMs: 0 });
  executor = client = null;
  world.cleanup();
});

async function startWith(source: CommandSource): Promise<Executor> {
  executor = createExecutor({ paths: world.paths, env: world.env, mode: 'headless', logger: silentLogger, source, runner, config: world.config() });
  await executor.start();
  client = createBeaconClient({ executor, paths: world.paths, env: world.env, secrets });
  return executor;
}

describe('approval hold in the executor', () => {
  it('the snapshot lists the command awaiting approval and the fleet (this machine from the lock); stopping keeps the wait for the next start', async () => {
    const source = createLocalSource({ file: world.paths.localDb, machineId: 'beacon-unit', defaultAgent: 'fake' });
    const exec = await startWith(source);
    const command = await source.enqueue({ prompt: 'needs a person', workingDirectory: world.work, approvalRequired: true, onApprove: 'true' });
    await until('the run', () => runner.runs.length === 1);
    runner.runs[0]!.exit(0);
    await until('the hold', () => exec.snapshot().awaitingApproval.includes(command.id));
    expect(exec.snapshot().running).toEqual([]);

    const snapshot = await client!.getSnapshot();
    expect(snapshot.commands.find((c) => c.id === command.id)?.status).toBe('awaiting_approval');
    await until('the fleet', () => exec.snapshot().fleet.length > 0);
    expect((await client!.getSnapshot()).fleet).toEqual([
      expect.objectContaining({ id: 'beacon-unit', self: true, stale: false, status: 'online', workspaceId: '' }),
    ]);

    await exec.stop({ cancelRunning: true, graceMs: 0 });
    executor = null;
    const records = JSON.parse(readFileSync(world.paths.approvals, 'utf8')) as { approvals: Record<string, { deadlineAt: string }> };
    expect(Object.keys(records.approvals)).toEqual([command.id]);
    const reopened = createLocalSource({ file: world.paths.localDb, machineId: 'beacon-unit', defaultAgent: 'fake' });
    expect((await reopened.get(command.id))?.status).toBe('awaiting_approval');
    await reopened.stop();
  });

  it('a source that cannot hold commands for approval fails the command with the reason (never completed unapproved)', async () => {
    const source = new MemorySource();
    await startWith(source);
    const command = source.add({ workingDirectory: world.work, approvalRequired: true, onApprove: 'true' });
    await until('the run', () => runner.runs.length === 1);
    runner.runs[0]!.exit(0);
    await until('the result', () => source.finished.length === 1);
    expect(source.finished[0]).toMatchObject({
      id: command.id,
      recorded: true,
      outcome: { status: 'failed', errorMessage: expect.stringContaining('cannot hold a command for approval') },
    });
  });
});
