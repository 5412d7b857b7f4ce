import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createBeaconClient, type LocalBeaconClient } from '../../../src-main/core/api/beacon-api.js';
import { createLocalSource } from '../../../src-main/core/commands/local/index.js';
import type { CommandSource } from '../../../src-main/core/commands/source.js';
import { createExecutor, type Executor } from '../../../src-main/core/executor.js';
import { silentLogger } from '../../../src-main/core/logger.js';
import type { SecretStore } from '../../../src-main/core/secrets.js';
import { makeWorld, MemorySource, ScriptedRunner, until, type UnitWorld } from '../../support/fakes.js';

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

async function startWith(source: CommandSource, proxyUrl: string | null = null, store: SecretStore = secrets): Promise<Executor> {
  const loaded = world.config();
  loaded.config.mentu.proxy_url = proxyUrl;
  executor = createExecutor({ paths: world.paths, env: world.env, mode: 'headless', logger: silentLogger, source, runner, config: loaded, secrets: store });
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

describe('ledger evidence of an approved command', () => {
  let proxy: Server | null = null;
  afterEach(async () => {
    await new Promise((r) => proxy?.close(r) ?? r(null));
    proxy = null;
  });

  it('is sent once the approval resolves, with the final outcome (none while it waits)', async () => {
    const captures: { kind: string; body: string }[] = [];
    proxy = createServer((request, response) => {
      let text = '';
      request.on('data', (c: Buffer) => (text += c.toString()));
      request.on('end', () => {
        captures.push(JSON.parse(text) as { kind: string; body: string });
        response.setHeader('Content-Type', 'application/json');
        response.end(JSON.stringify({ id: `mem_${captures.length}` }));
      });
    });
    await new Promise<void>((r) => proxy!.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
    const store: SecretStore = { ...secrets, get: async (name) => (name === 'mentu_proxy_token' ? 'proxy-token-for-test' : null) };
    const source = createLocalSource({ file: world.paths.localDb, machineId: 'beacon-unit', defaultAgent: 'fake' });
    const exec = await startWith(source, url, store);

    const command = await source.enqueue({ prompt: 'ship it', workingDirectory: world.work, approvalRequired: true, onApprove: 'echo deployed-by-on-approve' });
    await until('the run', () => runner.runs.length === 1);
    runner.runs[0]!.exit(0);
    await until('the hold', () => exec.snapshot().awaitingApproval.includes(command.id));
    await new Promise((r) => setTimeout(r, 300));
    expect(captures.map((c) => c.kind)).toEqual(['task']);

    expect(await exec.decideApproval(command.id, 'approved')).toEqual({ ok: true, message: `Approved ${command.id}` });
    await until('the evidence', () => captures.length === 2, 10_000);
    expect(captures[1]!.kind).toBe('evidence');
    expect(captures[1]!.body).toContain('SUCCESS (exit 0)');
    expect(captures[1]!.body).toContain('deployed-by-on-approve');
    expect(captures[1]!.body).toContain('Task ref: mem_1');
    expect((await source.get(command.id))?.status).toBe('completed');
  });
});
