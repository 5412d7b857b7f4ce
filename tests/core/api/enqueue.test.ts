import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LocalBeaconClient } from '../../../src-main/core/api/beacon-api.js';
import { dispatchAction } from '../../../src-main/core/api/dispatch.js';
import { startApiWorld, type ApiWorld } from '../../support/api-world.js';
import { until, type MemorySource, type ScriptedRunner, type UnitWorld } from '../../support/fakes.js';

/** The New command form's actions: the same up-front checks as `beacon enqueue`, into the executor's own source. */
let api: ApiWorld;
let world: UnitWorld;
let source: MemorySource;
let runner: ScriptedRunner;
let client: LocalBeaconClient;

beforeEach(async () => {
  api = await startApiWorld();
  ({ world, source, runner, client } = api);
});
afterEach(() => api.stop());

describe('enqueue through the Beacon API', () => {
  it('queues an allowed command, which the executor then runs', async () => {
    const sub = join(world.work, 'app');
    mkdirSync(sub);
    const result = await client.enqueue!({ prompt: 'fix the build', workingDirectory: sub, timeoutSeconds: 120 });
    expect(result).toMatchObject({ ok: true, message: expect.stringMatching(/^Queued /) });
    const queued = source.rows.get(result.commandId!);
    expect(queued).toMatchObject({ prompt: 'fix the build', workingDirectory: sub, agent: 'fake', timeoutSeconds: 120, targetMachineId: null });
    await until('the run', () => runner.runs.length === 1);
    expect(runner.runs[0]!.request.cwd).toBe(sub);
  });

  it('refuses what `beacon enqueue` refuses, queueing nothing', async () => {
    const refusals = [
      [{ prompt: 'x', workingDirectory: world.root }, /outside the allowed directories/],
      [{ prompt: 'x', workingDirectory: join(world.work, 'missing') }, /does not exist/],
      [{ prompt: 'x', workingDirectory: world.work, agent: 'claude' }, /unknown agent "claude": this machine's agents are fake/],
      [{ prompt: 'x', workingDirectory: world.work, targetMachineId: 'beacon-elsewhere' }, /served by this machine only/],
    ] as const;
    for (const [request, reason] of refusals) {
      const result = await client.enqueue!(request);
      expect(result.ok).toBe(false);
      expect(result.message).toMatch(reason);
      expect(result.message).toMatch(/^Not queued: /);
    }
    expect(source.rows.size).toBe(0);
  });

  it('the dispatcher every transport uses validates the request before the core sees it', async () => {
    await expect(dispatchAction(client, 'enqueue', [{ prompt: '', workingDirectory: world.work }])).rejects.toThrow(/Invalid arguments for enqueue at argument 0.prompt/);
    await expect(dispatchAction(client, 'enqueue', [{ prompt: 'x', workingDirectory: world.work, flags: ['--dangerously-skip-permissions'] }])).rejects.toThrow(/Invalid arguments for enqueue/);
    await expect(dispatchAction(client, 'enqueue', [{ prompt: 'x', workingDirectory: world.work, timeoutSeconds: -1 }])).rejects.toThrow(/timeoutSeconds/);
    const queued = (await dispatchAction(client, 'enqueue', [{ prompt: 'x', workingDirectory: world.work }])) as { ok: boolean };
    expect(queued.ok).toBe(true);
    expect(source.rows.size).toBe(1);
  });

  it('offers the allowed folders, recent directories still allowed, the agents and the default timeout', async () => {
    const sub = join(world.work, 'recent');
    mkdirSync(sub);
    source.add({ workingDirectory: sub, status: 'completed' });
    source.add({ workingDirectory: join(world.work, 'gone'), status: 'failed' });
    source.add({ workingDirectory: world.root, status: 'failed' });
    const options = await client.getEnqueueOptions!();
    expect(options).toEqual({
      sourceKind: 'local',
      allowedDirectories: [world.work],
      recentDirectories: [sub],
      agents: ['fake'],
      defaultAgent: 'fake',
      defaultTimeoutSeconds: 3600,
      machineId: 'beacon-unit',
      machines: [],
    });
  });
});
