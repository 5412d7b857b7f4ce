import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LocalBeaconClient } from '../../../src-main/core/api/beacon-api.js';
import type { BeaconEvent } from '../../../src-main/core/contract/types.js';
import { loadConfig } from '../../../src-main/core/config/load.js';
import type { Executor } from '../../../src-main/core/executor.js';
import { silentLogger } from '../../../src-main/core/logger.js';
import type { SecretName } from '../../../src-main/core/secrets.js';
import { callExecutor, ExecutorNotRunningError } from '../../../src-main/cli/control/client.js';
import { startControlServer } from '../../../src-main/cli/control/server.js';
import { startApiWorld, type ApiWorld } from '../../support/api-world.js';
import { until, type MemorySource, type ScriptedRunner, type UnitWorld } from '../../support/fakes.js';

/** The BeaconClient over a real executor (fake source and runner), and the control socket that serves it. */
let api: ApiWorld;
let world: UnitWorld;
let source: MemorySource;
let runner: ScriptedRunner;
let executor: Executor;
let client: LocalBeaconClient;
let stored: Map<SecretName, string>;

beforeEach(async () => {
  api = await startApiWorld();
  ({ world, source, runner, executor, client, stored } = api);
});
afterEach(() => api.stop());

describe('BeaconClient', () => {
  it('snapshot: role, commands with output bytes, running first', async () => {
    const done = source.add({ workingDirectory: world.work });
    await until('run', () => runner.runs.length === 1);
    mkdirSync(world.paths.logsDir, { recursive: true });
    writeFileSync(join(world.paths.logsDir, `${done.id}.log`), 'abc');
    const snapshot = await client.getSnapshot();
    expect(snapshot).toMatchObject({ role: 'active', mode: 'headless', paused: false, machineId: 'beacon-unit', maxConcurrent: 1 });
    expect(snapshot.source.kind).toBe('local');
    expect(snapshot.commands[0]).toMatchObject({ id: done.id, status: 'running', outputBytes: 3 });
    expect(snapshot.lockHolders.some((h) => h.pid === process.pid)).toBe(true);
  });

  it('subscribe: coalesced snapshot events on changes, output events with seq and offset', async () => {
    const events: BeaconEvent[] = [];
    const unsubscribe = client.subscribe((e) => events.push(e));
    await client.pause();
    await client.resume();
    source.add({ workingDirectory: world.work });
    await until('run', () => runner.runs.length === 1);
    runner.runs[0]!.observer.onOutput!('hello ');
    runner.runs[0]!.observer.onOutput!('world');
    await until('an output event', () => events.some((e) => e.type === 'output'));
    await until('a snapshot event', () => events.some((e) => e.type === 'snapshot'));
    const output = events.find((e) => e.type === 'output');
    expect(output).toMatchObject({ type: 'output', seq: 1, offset: 11, data: 'hello world' });
    const snapshots = events.filter((e) => e.type === 'snapshot');
    // pause, resume, wake, claim, running: many changes, few snapshots.
    expect(snapshots.length).toBeLessThan(5);
    unsubscribe();
    const before = events.length;
    await client.pause();
    await new Promise((r) => setTimeout(r, 100));
    expect(events.length).toBe(before);
  });

  it('readOutput decodes whole UTF-8 code points only, and says when the log is complete', async () => {
    const command = source.add({ workingDirectory: world.work });
    await until('run', () => runner.runs.length === 1);
    mkdirSync(world.paths.logsDir, { recursive: true });
    const text = 'a€b😀c';
    writeFileSync(join(world.paths.logsDir, `${command.id}.log`), text);
    // 'a' (1) + '€' (3): a 3-byte read stops before the euro sign.
    const first = await client.readOutput(command.id, 0, 3);
    expect(first).toMatchObject({ offset: 0, nextOffset: 1, data: 'a', complete: false });
    const second = await client.readOutput(command.id, first.nextOffset, 6);
    expect(second.data).toBe('€b');
    // Starting inside the emoji skips to the next character.
    const inside = await client.readOutput(command.id, 7, 100);
    expect(inside).toMatchObject({ offset: 9, data: 'c' });
    const all = await client.readOutput(command.id, 0);
    expect(all.data).toBe(text);
    expect(all.complete).toBe(false);
    runner.runs[0]!.exit(0);
    await until('finished', () => source.rows.get(command.id)?.status === 'completed');
    expect((await client.readOutput(command.id, 0)).complete).toBe(true);
    await expect(client.readOutput('no-such-command', 0)).rejects.toThrow(/No command/);
  });

  it('requeue copies a finished command and refuses an active one; cancel goes through the executor', async () => {
    const command = source.add({ workingDirectory: world.work, prompt: 'again please', timeoutSeconds: 9 });
    await until('run', () => runner.runs.length === 1);
    expect((await client.requeue(command.id)).ok).toBe(false);
    const cancelled = await client.cancel(command.id);
    expect(cancelled.ok).toBe(true);
    await until('cancelled', () => runner.runs[0]!.cancelledWith === 'cancelled by user');
    const requeued = await client.requeue(command.id);
    expect(requeued.ok).toBe(true);
    const copy = source.rows.get(requeued.newCommandId!);
    expect(copy).toMatchObject({ prompt: 'again please', timeoutSeconds: 9, workingDirectory: world.work });
    expect(copy?.id).not.toBe(command.id);
  });

  it('settings: patch goes to beacon.yaml and the executor; the key only to the secret store, never echoed', async () => {
    const key = 'sb-secret-key-0123456789abcdef';
    const settings = await client.updateSettings({ maxConcurrent: 3, defaultTimeoutSeconds: 120, supabaseKey: key });
    expect(settings).toMatchObject({ maxConcurrent: 3, defaultTimeoutSeconds: 120, supabaseKeyStored: true, agentName: 'fake', commandSource: 'local' });
    expect(settings.agentResolvedPath).toBe(process.execPath);
    expect(settings.agentVersion).toBe(process.version);
    expect(JSON.stringify(settings)).not.toContain(key);
    expect(stored.get('supabase_key')).toBe(key);
    expect(executor.snapshot().maxConcurrent).toBe(3);
    const reloaded = await loadConfig(world.paths, world.env);
    expect(reloaded.config.execution.max_concurrent).toBe(3);
    expect(JSON.stringify(reloaded.config)).not.toContain(key);
  });
});

describe('control socket', () => {
  it('serves the actions over JSON lines, owner-only, replacing a stale socket file', async () => {
    const socketPath = world.paths.controlSocket;
    writeFileSync(socketPath, 'left over');
    await expect(callExecutor(socketPath, 'pause', [])).rejects.toBeInstanceOf(ExecutorNotRunningError);
    const server = await startControlServer({ socketPath, home: world.paths.home, actions: client, logger: silentLogger, controlKey: 'k'.repeat(64), agentPids: () => [] });
    try {
      expect(statSync(socketPath).mode & 0o777).toBe(0o600);
      expect(statSync(world.paths.home).mode & 0o777).toBe(0o700);
      await callExecutor(socketPath, 'pause', []);
      expect(executor.snapshot().paused).toBe(true);
      const snapshot = (await callExecutor(socketPath, 'getSnapshot', [])) as { paused: boolean };
      expect(snapshot.paused).toBe(true);
      await expect(callExecutor(socketPath, 'cancel', ['../etc/passwd'])).rejects.toThrow(/Invalid arguments for cancel/);
      await expect(callExecutor(socketPath, 'getSnapshot' as never, [1])).rejects.toThrow(/Invalid arguments/);
    } finally {
      await server.close();
    }
    await expect(callExecutor(socketPath, 'pause', [])).rejects.toBeInstanceOf(ExecutorNotRunningError);
  });
});
