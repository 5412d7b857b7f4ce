import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { createLocalSource } from '../../src-main/core/commands/local/index.js';
import type { CommandSource } from '../../src-main/core/commands/source.js';
import { silentLogger } from '../../src-main/core/logger.js';
import { mentuPaths } from '../../src-main/core/paths.js';
import type { SecretStore } from '../../src-main/core/secrets.js';
import { createAppCore } from '../../src-main/electron/app-core.js';
import { MACHINE_SHUTTING_DOWN, SHUTDOWN_BOUND_MS, type LifecyclePhase } from '../../src-main/electron/lifecycle.js';
import { waitFor } from '../support/wait.js';

/** The app core against the real executor, lock and local queue (no Electron involved). */
const temps: string[] = [];
const children: ChildProcess[] = [];
afterEach(() => children.splice(0).forEach((child) => child.kill('SIGKILL')));
afterAll(() => temps.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

const noSecrets: SecretStore = { get: async () => null, set: async () => {}, delete: async () => {}, describe: () => 'none' };

function setup(answers: boolean[] = []) {
  const temp = mkdtempSync(join(tmpdir(), 'beacon-app-core-'));
  temps.push(temp);
  const env = { ...process.env, MENTU_HOME: join(temp, 'mentu'), BEACON_LOGIN_SHELL: '0' };
  const paths = mentuPaths(env);
  const workDir = join(temp, 'work');
  mkdirSync(paths.home, { recursive: true });
  mkdirSync(workDir);
  writeFileSync(
    paths.config,
    stringify({
      machine: { id: 'beacon-app-core' },
      command_source: 'local',
      execution: { allowed_directories: [workDir], default_agent: 'fake' },
      agents: { fake: { command: process.execPath, args: [resolve('tests/support/fake-agent.mjs'), '-p', '{prompt}'], output: 'stream-json' } },
    }),
  );
  const local = createLocalSource({ file: paths.localDb, machineId: 'beacon-app-core', defaultAgent: 'fake' });
  const sourceCalls: string[] = [];
  // Records start/stop (stop is what marks a machine offline) and passes everything to the real queue.
  const source = new Proxy(local, {
    get(target, key, receiver) {
      const value = Reflect.get(target, key, receiver) as unknown;
      if ((key === 'start' || key === 'stop') && typeof value === 'function') {
        return (...args: unknown[]) => {
          sourceCalls.push(key);
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      }
      return value;
    },
  }) as CommandSource;
  const exits: number[] = [];
  const asked: string[][] = [];
  const core = createAppCore({
    paths,
    env,
    logger: silentLogger,
    secrets: noSecrets,
    source,
    lockRetryMs: 100,
    confirmCancel: async (running) => {
      asked.push(running.map((command) => command.id));
      return answers.shift() ?? false;
    },
    exit: () => exits.push(Date.now()),
  });
  return { paths, core, sourceCalls, exits, asked, local, workDir };
}

const readLock = (file: string) => (existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>) : null);

describe('the app core over the real executor', () => {
  it('waits in standby while the Bridge holds the lock, becomes active when it frees; quitting stops the source and releases the lock', async () => {
    const { paths, core, sourceCalls, exits } = setup();
    const bridge = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    children.push(bridge);
    writeFileSync(paths.executorLock, JSON.stringify({ type: 'bridge', pid: bridge.pid, workspace_id: 'w1' }));

    const phases: LifecyclePhase[] = [];
    core.lifecycle.onChange((phase) => phases.push(phase));
    const started = core.lifecycle.start();
    await waitFor('standby', () => core.lifecycle.phase().name === 'standby', 15_000);
    const standby = core.lifecycle.phase();
    expect(standby.name === 'standby' && standby.holder).toMatchObject({ type: 'bridge', pid: bridge.pid, alive: true });
    expect((await core.client.getSnapshot()).role).toBe('standby');
    expect(sourceCalls).toEqual([]); // nothing is claimed in standby

    bridge.kill('SIGKILL');
    await started;
    expect(core.lifecycle.phase().name).toBe('active');
    expect(readLock(paths.executorLock)).toMatchObject({ type: 'beacon', mode: 'app', pid: process.pid });
    expect(sourceCalls).toEqual(['start']);
    expect(phases.map((p) => p.name)).toEqual(expect.arrayContaining(['standby', 'active']));

    expect(await core.lifecycle.requestQuit()).toBe('quit');
    expect(sourceCalls).toEqual(['start', 'stop']);
    expect(readLock(paths.executorLock)).toBeNull();
    expect(exits).toHaveLength(1);
  });

  it('a command running at quit: declined leaves it running; with consent it is cancelled and its process gone before the lock is released', async () => {
    const { paths, core, local, workDir, exits, asked } = setup([false, true]);
    await core.lifecycle.start();
    const pidFile = join(workDir, 'agent.pid');
    const command = await local.enqueue({ prompt: `@agent lines=500 interval=100 pidfile=${pidFile}\nlong`, workingDirectory: workDir, agent: 'fake' });
    await waitFor('the command running', () => existsSync(pidFile) && core.executor.snapshot().running.length === 1, 15_000);
    const agentPid = (JSON.parse(readFileSync(pidFile, 'utf8')) as { pid: number }).pid;

    expect(await core.lifecycle.requestQuit()).toBe('declined');
    expect(asked).toEqual([[command.id]]);
    expect((await local.get(command.id))?.status).toBe('running');
    expect(() => process.kill(agentPid, 0)).not.toThrow();
    expect(core.executor.snapshot().paused).toBe(false);
    expect(readLock(paths.executorLock)).toMatchObject({ pid: process.pid });

    expect(await core.lifecycle.requestQuit()).toBe('quit');
    expect(asked).toEqual([[command.id], [command.id]]);
    // The app's source is closed now; read the queue as another process would.
    const reader = createLocalSource({ file: paths.localDb, machineId: 'reader', defaultAgent: 'fake' });
    expect((await reader.get(command.id))?.status).toBe('cancelled');
    await reader.stop();
    expect(() => process.kill(agentPid, 0)).toThrow();
    expect(readLock(paths.executorLock)).toBeNull();
    expect(exits).toHaveLength(1);
  });
});

describe('the app core on the way out', () => {
  it('the quit holds claims in memory only: the state file never says paused, so a crash mid-quit cannot leave the next launch paused', async () => {
    const { paths, core, local, workDir } = setup([false]);
    await core.lifecycle.start();
    const pidFile = join(workDir, 'agent.pid');
    await local.enqueue({ prompt: `@agent lines=500 interval=100 pidfile=${pidFile}\nlong`, workingDirectory: workDir, agent: 'fake' });
    await waitFor('the long job running', () => existsSync(pidFile) && core.executor.snapshot().running.length === 1);
    const seenWhileAsking: { paused: boolean; stateFile: string | null }[] = [];
    const ask = core.lifecycle.onChange((phase) => {
      if (phase.name !== 'confirming-quit') return;
      seenWhileAsking.push({ paused: core.executor.snapshot().paused, stateFile: existsSync(paths.state) ? readFileSync(paths.state, 'utf8') : null });
    });
    expect(await core.lifecycle.requestQuit()).toBe('declined');
    ask();
    expect(seenWhileAsking).toHaveLength(1);
    expect(seenWhileAsking[0]!.paused).toBe(true); // nothing new is claimed while the question is open
    expect(seenWhileAsking[0]!.stateFile ?? '{}').not.toMatch(/"paused":\s*true/);
    expect(core.executor.snapshot().paused).toBe(false);
    await core.lifecycle.requestShutdown();
  });

  it('shutdown: no question; the running command is cancelled as "machine shutting down", recorded, and the app leaves within the bound', async () => {
    const { paths, core, local, workDir, exits, asked } = setup();
    await core.lifecycle.start();
    const pidFile = join(workDir, 'agent.pid');
    const command = await local.enqueue({ prompt: `@agent lines=500 interval=100 pidfile=${pidFile}\nlong`, workingDirectory: workDir, agent: 'fake' });
    await waitFor('the long job running', () => existsSync(pidFile) && core.executor.snapshot().running.length === 1);
    const agentPid = (JSON.parse(readFileSync(pidFile, 'utf8')) as { pid: number }).pid;

    const began = Date.now();
    expect(await core.lifecycle.requestShutdown()).toBe('quit');
    expect(Date.now() - began).toBeLessThan(SHUTDOWN_BOUND_MS + 500);
    expect(asked).toEqual([]);
    expect(exits).toHaveLength(1);
    const reader = createLocalSource({ file: paths.localDb, machineId: 'reader', defaultAgent: 'fake' });
    // The reason, then how the run was stopped (a stopped run never reads exit 0: docs/supabase.md).
    expect(await reader.get(command.id)).toMatchObject({ status: 'cancelled', errorMessage: expect.stringMatching(new RegExp(`^${MACHINE_SHUTTING_DOWN} \\((stopped with|ended by) SIG[A-Z]+\\)$`)) });
    await reader.stop();
    expect(() => process.kill(agentPid, 0)).toThrow();
    expect(readLock(paths.executorLock)).toBeNull();
  });
});
