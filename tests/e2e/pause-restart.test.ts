import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, enqueue, readRow, stopExecutor, waitForStatus, type ExecutorProcess, type Sandbox } from '../support/local-sandbox.js';
import { waitFor } from '../support/wait.js';
import { useLocalSandboxes } from '../support/sandbox-hooks.js';

const local = useLocalSandboxes();
function start(s: Sandbox): ExecutorProcess {
  s.env.BEACON_LOG_LEVEL = 'debug'; // the claim loop's decisions are what these tests wait on
  return local.start(s);
}

/** Claim passes the executor has decided so far (debug lines of the claim loop). */
function passesDecided(executor: ExecutorProcess): number {
  return executor.stderr().split('\n').filter((line) => line.includes('claim pass:')).length;
}

describe('pause and resume', () => {
  it('a command enqueued while paused stays pending until resume; the pause survives a restart', async () => {
    const sandbox = local.sandbox();
    const first = start(sandbox);
    await first.ready;
    const paused = cli(sandbox, ['pause']);
    expect(paused.status).toBe(0);
    expect(paused.stdout).toMatch(/^Paused/);

    const passes = passesDecided(first);
    const id = enqueue(sandbox, 'wait for resume');
    await waitFor('a claim pass after the enqueue', () => passesDecided(first) > passes);
    expect(first.stderr()).toContain('not claiming (paused');
    expect(readRow(sandbox, id)?.status).toBe('pending');

    // Restart: the pause persists.
    await stopExecutor(first);
    const second = start(sandbox);
    await second.ready;
    expect(second.stderr()).toContain('PAUSED');
    await waitFor('the first claim pass', () => passesDecided(second) > 0);
    expect(readRow(sandbox, id)?.status).toBe('pending');

    const resumed = cli(sandbox, ['resume']);
    expect(resumed.status).toBe(0);
    expect(resumed.stdout).toMatch(/^Resumed/);
    const row = await waitForStatus(sandbox, id, ['completed', 'failed']);
    expect(row.status).toBe('completed');
  });

  it('without an executor, pause writes the state the next start honours', async () => {
    const sandbox = local.sandbox();
    const paused = cli(sandbox, ['pause']);
    expect(paused.status).toBe(0);
    expect(paused.stdout).toContain('No executor is running');
    const id = enqueue(sandbox, 'later');
    const executor = start(sandbox);
    await executor.ready;
    await waitFor('the first claim pass', () => passesDecided(executor) > 0);
    expect(readRow(sandbox, id)?.status).toBe('pending');
    expect(cli(sandbox, ['resume']).status).toBe(0);
    expect((await waitForStatus(sandbox, id, ['completed', 'failed'])).status).toBe('completed');
  });
});

describe('kill -9 of the executor mid-run', () => {
  it('on restart the command ends failed "executor restarted" and is not run again', async () => {
    const sandbox = local.sandbox();
    const pidfile = join(sandbox.root, 'run.json');
    const first = start(sandbox);
    await first.ready;
    const id = enqueue(sandbox, `@agent pidfile=${pidfile} sleep=30000\nlong run`);
    await waitForStatus(sandbox, id, ['running']);
    await waitFor('the agent to start', () => existsSync(pidfile));
    first.child.kill('SIGKILL');
    await first.exited;
    // The orphaned agent may outlive its executor; end it so only a re-run could write the file again.
    const { pid } = JSON.parse((await import('node:fs')).readFileSync(pidfile, 'utf8')) as { pid: number };
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    rmSync(pidfile);

    const second = start(sandbox);
    await second.ready;
    const row = await waitForStatus(sandbox, id, ['failed', 'completed', 'cancelled', 'timeout']);
    expect(row.status).toBe('failed');
    expect(row.error_message).toBe('executor restarted');
    // After recovery the claim loop looks for work once; a re-run would start then.
    await waitFor('a claim pass that found nothing', () => second.stderr().includes('claim pass: nothing to claim'));
    expect(existsSync(pidfile)).toBe(false);
    expect(second.stderr()).toContain(`orphan ${id}`);
  });
});
