import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, enqueue, isAlive, waitForStatus } from '../support/local-sandbox.js';
import { waitFor } from '../support/wait.js';
import { useLocalSandboxes } from '../support/sandbox-hooks.js';

const local = useLocalSandboxes();

function pids(file: string): number[] {
  const { pid, childPid } = JSON.parse(readFileSync(file, 'utf8')) as { pid: number; childPid: number | null };
  return [pid, ...(childPid ? [childPid] : [])];
}

describe('timeout and cancel through the CLI', () => {
  it('a command over its timeout ends timeout, the agent and its child gone', async () => {
    const sandbox = local.sandbox();
    const executor = local.start(sandbox);
    await executor.ready;
    const pidfile = join(sandbox.root, 'timeout.json');
    const id = enqueue(sandbox, `@agent pidfile=${pidfile} child=1 sleep=60000\nslow`, ['--timeout', '2']);
    await waitFor('the agent to start', () => existsSync(pidfile));
    const row = await waitForStatus(sandbox, id, ['timeout', 'failed', 'completed', 'cancelled'], 30_000);
    expect(row.status).toBe('timeout');
    for (const pid of pids(pidfile)) expect(isAlive(pid)).toBe(false);
  });

  it('beacon cancel of a running command ends cancelled, processes gone; cancel of a pending one is immediate', async () => {
    const sandbox = local.sandbox();
    const executor = local.start(sandbox);
    await executor.ready;
    const pidfile = join(sandbox.root, 'cancel.json');
    const id = enqueue(sandbox, `@agent pidfile=${pidfile} child=1 sleep=60000\nto be cancelled`);
    await waitForStatus(sandbox, id, ['running']);
    await waitFor('the agent to start', () => existsSync(pidfile));
    // max_concurrent is 1: this one waits behind the running command.
    const queued = enqueue(sandbox, 'never runs');

    const cancelled = cli(sandbox, ['cancel', id]);
    expect(cancelled.status).toBe(0);
    const row = await waitForStatus(sandbox, id, ['cancelled', 'failed', 'completed', 'timeout']);
    expect(row.status).toBe('cancelled');
    await waitFor('the agent and its child to be gone', () => pids(pidfile).every((pid) => !isAlive(pid)), 15_000);

    // The queued one runs next unless cancelled; cancel it as soon as possible and accept either ending.
    const second = cli(sandbox, ['cancel', queued]);
    const after = await waitForStatus(sandbox, queued, ['cancelled', 'completed']);
    expect(second.status === 0 ? ['cancelled', 'completed'] : ['completed']).toContain(after.status);

    const again = cli(sandbox, ['cancel', id]);
    expect(again.status).not.toBe(0);
    expect(again.stderr).toContain('already cancelled');
  });
});

describe('graceful stop', () => {
  it('SIGTERM: running commands get the grace period, then are cancelled "executor shutdown"; the lock is released, exit 0', async () => {
    const sandbox = local.sandbox({ shutdown_grace_seconds: 1 });
    const executor = local.start(sandbox);
    await executor.ready;
    const pidfile = join(sandbox.root, 'shutdown.json');
    const id = enqueue(sandbox, `@agent pidfile=${pidfile} child=1 sleep=60000\nbusy at shutdown`);
    await waitForStatus(sandbox, id, ['running']);
    await waitFor('the agent to start', () => existsSync(pidfile));
    const started = Date.now();
    executor.child.kill('SIGTERM');
    const { code } = await executor.exited;
    const took = Date.now() - started;
    console.log(`SIGTERM → exit took ${took} ms (grace 1 s + the kill ladder)`);
    expect(code).toBe(0);
    expect(took).toBeLessThan(10_000);
    const row = await waitForStatus(sandbox, id, ['cancelled', 'failed']);
    expect(row.status).toBe('cancelled');
    expect(row.error_message).toMatch(/^executor shutdown \((stopped with|ended by) SIG[A-Z]+/);
    expect(row.exit_code).toBeGreaterThan(128); // a stopped run never reads exit 0
    for (const pid of pids(pidfile)) expect(isAlive(pid)).toBe(false);
    expect(existsSync(join(sandbox.home, 'executor.lock'))).toBe(false);
    expect(existsSync(join(sandbox.home, 'beacon.sock'))).toBe(false);
  });

  it('SIGTERM with nothing running exits promptly with 0', async () => {
    const sandbox = local.sandbox();
    const executor = local.start(sandbox);
    await executor.ready;
    executor.child.kill('SIGTERM');
    const { code } = await executor.exited;
    expect(code).toBe(0);
    expect(existsSync(join(sandbox.home, 'executor.lock'))).toBe(false);
  });
});
