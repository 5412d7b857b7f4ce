import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createExecutor, type Executor } from '../../../src-main/core/executor.js';
import type { OutputEvent } from '../../../src-main/core/executor/types.js';
import { silentLogger } from '../../../src-main/core/logger.js';
import { recordingLogger } from '../../support/recording-logger.js';
import { makeWorld, MemorySource, ScriptedRunner, until, type UnitWorld } from '../../support/fakes.js';

/** The executor's decisions with fakes of its two ports (source, runner) and the real config, lock and checks. */
let world: UnitWorld;
let source: MemorySource;
let runner: ScriptedRunner;
let executor: Executor;

let logger: ReturnType<typeof recordingLogger>;

function make(execution: Record<string, unknown> = {}, kind: 'local' | 'supabase' = 'local'): Executor {
  logger = recordingLogger();
  source = new MemorySource(kind);
  runner = new ScriptedRunner();
  executor = createExecutor({ paths: world.paths, env: world.env, mode: 'headless', logger, source, runner, config: world.config(execution), cancelPollMs: 50 });
  return executor;
}

beforeEach(() => {
  world = makeWorld();
});
afterEach(async () => {
  await executor?.stop({ cancelRunning: true, graceMs: 0 });
  world.cleanup();
});

describe('executor with fake ports', () => {
  it('runs a claimed command with the planned request, and records completion', async () => {
    make();
    await executor.start();
    const command = source.add({ workingDirectory: world.work, timeoutSeconds: 42, prompt: 'hello; rm -rf / "quoted"' });
    await until('the run', () => runner.runs.length === 1);
    const { request } = runner.runs[0]!;
    expect(request.cwd).toBe(world.work);
    expect(request.timeoutMs).toBe(42_000);
    expect(request.invocation.args).toContain('hello; rm -rf / "quoted"');
    expect(request.env.MENTU_BRIDGE_COMMAND_ID).toBe(command.id);
    expect(request.logPath).toBe(join(world.paths.logsDir, `${command.id}.log`));
    expect(executor.snapshot().running.map((r) => r.id)).toEqual([command.id]);
    runner.runs[0]!.exit(0);
    await until('finish', () => source.finished.length === 1);
    expect(source.rows.get(command.id)).toMatchObject({ status: 'completed', exitCode: 0 });
    await until('capacity freed', () => executor.snapshot().running.length === 0);
  });

  it('never handles one command twice, even if the source hands it out again', async () => {
    make({ max_concurrent: 4 });
    await executor.start();
    const command = source.add({ workingDirectory: world.work });
    await until('the run', () => runner.runs.length === 1);
    source.replay = source.rows.get(command.id)!;
    source.events!.onWake('duplicate delivery');
    source.events!.onWake('duplicate delivery again');
    await new Promise((r) => setTimeout(r, 100));
    expect(runner.runs.length).toBe(1);
    source.replay = null;
  });

  it('claims only below max_concurrent, and the next one when a slot frees', async () => {
    make({ max_concurrent: 2 });
    await executor.start();
    for (let i = 0; i < 3; i++) source.add({ workingDirectory: world.work });
    await until('two runs', () => runner.runs.length === 2);
    await until('a claim pass at capacity', () => logger.count('not claiming') > 0);
    expect(runner.runs.length).toBe(2);
    expect([...source.rows.values()].filter((r) => r.status === 'pending').length).toBe(1);
    runner.runs[0]!.exit(1);
    await until('the third run', () => runner.runs.length === 3);
    expect(source.rows.get('cmd-1')).toMatchObject({ status: 'failed', exitCode: 1 });
  });

  it('pause stops claiming (persisted), resume claims again; running ones are not touched', async () => {
    make();
    await executor.start();
    source.add({ workingDirectory: world.work });
    await until('the first run', () => runner.runs.length === 1);
    executor.pause();
    const decided = logger.count('not claiming');
    source.add({ workingDirectory: world.work });
    runner.runs[0]!.exit(0);
    await until('a claim pass while paused', () => logger.count('not claiming') > decided);
    expect(runner.runs.length).toBe(1);
    expect(runner.runs[0]!.cancelledWith).toBeNull();
    expect(executor.snapshot().paused).toBe(true);
    const second = createExecutor({ paths: world.paths, env: world.env, mode: 'headless', logger: silentLogger, source: new MemorySource(), runner, config: world.config() });
    expect(second.snapshot().paused).toBe(true);
    executor.resume();
    await until('the second run', () => runner.runs.length === 2);
  });

  it('a cancel from the source kills the run and the guarded finish records nothing over it', async () => {
    make();
    await executor.start();
    const command = source.add({ workingDirectory: world.work });
    await until('the run', () => runner.runs.length === 1);
    await source.requestCancel(command.id);
    source.events!.onCancelled(command.id);
    await until('finish attempt', () => source.finished.length === 1);
    expect(runner.runs[0]!.cancelledWith).toBe('cancelled by user');
    expect(source.finished[0]!.recorded).toBe(false);
    expect(source.rows.get(command.id)?.status).toBe('cancelled');
  });

  it('the isCancelled poll is a backstop when no cancel event arrives', async () => {
    make();
    await executor.start();
    const command = source.add({ workingDirectory: world.work });
    await until('the run', () => runner.runs.length === 1);
    source.cancelSilently(command.id);
    await until('the backstop cancel', () => runner.runs[0]!.cancelledWith !== null);
    expect(runner.runs[0]!.cancelledWith).toBe('cancelled by user');
  });

  it('genesis denial fails the command with exit code 403, never spawned', async () => {
    make();
    await executor.start();
    const denied = join(world.work, 'denied');
    mkdirSync(join(denied, '.mentu'), { recursive: true });
    writeFileSync(
      join(denied, '.mentu', 'genesis.key'),
      'identity: { workspace: w }\npermissions:\n  actors:\n    "agent:executor": { operations: [capture] }\n',
    );
    const command = source.add({ workingDirectory: denied });
    await until('finish', () => source.finished.length === 1);
    expect(runner.runs.length).toBe(0);
    expect(source.rows.get(command.id)).toMatchObject({ status: 'failed', exitCode: 403 });
    expect(source.rows.get(command.id)?.errorMessage).toContain('execute');
  });

  it('an absurd or non-positive timeout fails with a clear reason', async () => {
    make();
    await executor.start();
    const negative = source.add({ workingDirectory: world.work, timeoutSeconds: -5 });
    const nan = source.add({ workingDirectory: world.work, timeoutSeconds: Number.NaN });
    const huge = source.add({ workingDirectory: world.work, timeoutSeconds: 10 ** 9 });
    await until('three refusals', () => source.finished.length === 3);
    expect(runner.runs.length).toBe(0);
    for (const c of [negative, nan, huge]) expect(source.rows.get(c.id)?.errorMessage).toMatch(/Invalid timeout_seconds/);
  });

  it('Supabase source: untargeted commands it cannot run are left for others; targeted ones are failed; bug_execution too', async () => {
    make({}, 'supabase');
    await executor.start();
    const elsewhere = source.add({ workingDirectory: '/definitely/not/here' });
    const forOther = source.add({ workingDirectory: world.work, targetMachineId: 'beacon-other' });
    const mineBad = source.add({ workingDirectory: '/definitely/not/here', targetMachineId: 'beacon-unit' });
    const bug = source.add({ workingDirectory: world.work, commandType: 'bug_execution' });
    const bugMine = source.add({ workingDirectory: world.work, commandType: 'bug_execution', targetMachineId: 'beacon-unit' });
    await until('the targeted ones failed', () => source.rows.get(mineBad.id)?.status === 'failed' && source.rows.get(bugMine.id)?.status === 'failed');
    expect(source.rows.get(elsewhere.id)?.status).toBe('pending');
    expect(source.rows.get(forOther.id)?.status).toBe('pending');
    expect(source.rows.get(bug.id)?.status).toBe('pending');
    expect(source.rows.get(bugMine.id)?.errorMessage).toContain('bug_execution');
    expect(runner.runs.length).toBe(0);
  });

  it('batches UI output into few events with a per-command seq and byte offset', async () => {
    make();
    const outputs: OutputEvent[] = [];
    executor.events.on('output', (e) => outputs.push(e));
    await executor.start();
    source.add({ workingDirectory: world.work });
    await until('the run', () => runner.runs.length === 1);
    for (let i = 0; i < 50; i++) runner.runs[0]!.observer.onOutput!('é');
    await until('an output event', () => outputs.length > 0);
    runner.runs[0]!.observer.onOutput!('z');
    await until('a second event', () => outputs.length > 1);
    expect(outputs[0]).toMatchObject({ seq: 1, offset: 100, data: 'é'.repeat(50) });
    expect(outputs[1]).toMatchObject({ seq: 2, offset: 101, data: 'z' });
  });

  it('stop: running commands get the grace period, then are cancelled "executor shutdown"', async () => {
    make();
    await executor.start();
    const command = source.add({ workingDirectory: world.work });
    await until('the run', () => runner.runs.length === 1);
    const started = Date.now();
    const stopping = executor.stop({ cancelRunning: true, graceMs: 5000 });
    await new Promise((r) => setTimeout(r, 100));
    expect(runner.runs[0]!.cancelledWith).toBeNull();
    void executor.stop({ cancelRunning: true, graceMs: 0 }); // a second signal shortens the grace
    await stopping;
    expect(Date.now() - started).toBeLessThan(3000);
    expect(runner.runs[0]!.cancelledWith).toBe('executor shutdown');
    expect(source.rows.get(command.id)).toMatchObject({ status: 'cancelled', errorMessage: 'executor shutdown (stopped with SIGINT)', exitCode: 130 });
    expect(executor.snapshot().role).toBe('stopped');
  });

  it('heartbeats report busy with the running ids', async () => {
    make();
    await executor.start();
    const command = source.add({ workingDirectory: world.work });
    await until('the run', () => runner.runs.length === 1);
    executor.resubscribe();
    await until('a busy heartbeat', () => source.heartbeats.some((h) => h.busy));
    expect(source.heartbeats.find((h) => h.busy)?.runningCommandIds).toEqual([command.id]);
  });

  it('app mode waits in standby while another executor holds the lock, then becomes active', async () => {
    make();
    await executor.start();
    const appSource = new MemorySource();
    const app = createExecutor({ paths: world.paths, env: world.env, mode: 'app', logger: silentLogger, source: appSource, runner, config: world.config(), lockRetryMs: 50 });
    const starting = app.start();
    await until('standby', () => app.snapshot().role === 'standby');
    expect(app.snapshot().standbyHolder?.pid).toBe(process.pid);
    await executor.stop({ cancelRunning: true, graceMs: 0 });
    await starting;
    expect(app.snapshot().role).toBe('active');
    await app.stop({ cancelRunning: true, graceMs: 0 });
  });

  it('headless mode fails at once naming the holder', async () => {
    make();
    await executor.start();
    const second = createExecutor({ paths: world.paths, env: world.env, mode: 'headless', logger: silentLogger, source: new MemorySource(), runner, config: world.config() });
    await expect(second.start()).rejects.toMatchObject({ name: 'LockHeldError' });
    expect(second.snapshot().role).toBe('stopped');
    expect(second.snapshot().problem).toContain(String(process.pid));
  });
});

describe('executor with the parity modules', () => {
  it('with_worktree + commitment_id runs in the commitment worktree with MENTU_COMMITMENT; outside git it fails with the reason', async () => {
    const { execFileSync } = await import('node:child_process');
    const repo = join(world.work, 'repo');
    mkdirSync(repo);
    const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t' } });
    git('init', '-q');
    writeFileSync(join(repo, 'README'), 'x');
    git('add', '.');
    git('commit', '-q', '-m', 'init');
    make();
    await executor.start();
    const inRepo = source.add({ workingDirectory: repo, withWorktree: true, commitmentId: 'cmt_kzr4z3eo' });
    await until('the run', () => runner.runs.length === 1);
    const { request } = runner.runs[0]!;
    expect(request.cwd).toBe(join(world.work, 'worktrees', 'cmt_kzr4z3eo'));
    expect(request.env.MENTU_COMMITMENT).toBe('cmt_kzr4z3eo');
    runner.runs[0]!.exit(0);
    await until('finish', () => source.rows.get(inRepo.id)?.status === 'completed');

    const notGit = source.add({ workingDirectory: world.work, withWorktree: true, commitmentId: 'cmt_0badc0de' });
    await until('the refusal', () => source.rows.get(notGit.id)?.status === 'failed');
    expect(source.rows.get(notGit.id)?.errorMessage).toMatch(/worktree/i);
    expect(runner.runs.length).toBe(1);
  });

  it('ledger captures: task on start, evidence on finish, through the configured proxy', async () => {
    const { createServer } = await import('node:http');
    const bodies: { op: string; kind: string; body: string }[] = [];
    const tokens: (string | undefined)[] = [];
    const server = createServer((req, res) => {
      let text = '';
      req.on('data', (c: Buffer) => (text += c.toString()));
      req.on('end', () => {
        bodies.push(JSON.parse(text) as { op: string; kind: string; body: string });
        tokens.push(req.headers['x-proxy-token'] as string | undefined);
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ id: `mem_${bodies.length}` }));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as { port: number }).port;
    try {
      source = new MemorySource();
      runner = new ScriptedRunner();
      const loaded = world.config();
      loaded.config.mentu.proxy_url = `http://127.0.0.1:${port}`;
      const secrets = { get: async () => 'proxy-token-0123456789', set: async () => {}, delete: async () => {}, describe: () => 'memory' };
      executor = createExecutor({ paths: world.paths, env: world.env, mode: 'headless', logger: silentLogger, source, runner, secrets, config: loaded });
      await executor.start();
      const command = source.add({ workingDirectory: world.work, prompt: 'ledger me' });
      await until('the run', () => runner.runs.length === 1);
      runner.runs[0]!.exit(0);
      await until('two captures', () => bodies.length === 2);
      expect(bodies[0]).toMatchObject({ op: 'capture', kind: 'task' });
      expect(bodies[0]!.body).toContain('ledger me');
      expect(bodies[1]).toMatchObject({ op: 'capture', kind: 'evidence' });
      expect(bodies[1]!.body).toContain('SUCCESS');
      expect(tokens).toEqual(['proxy-token-0123456789', 'proxy-token-0123456789']);
      expect(source.rows.get(command.id)?.status).toBe('completed');
    } finally {
      server.close();
    }
  });
});
