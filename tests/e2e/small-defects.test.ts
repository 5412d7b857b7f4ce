import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loginShellEnvironment } from '../../src-main/core/run/shell-env.js';
import { runCli } from '../support/cli.js';
import { startLocalQueueBeacon, type LocalQueueBeacon } from '../support/beacon-sandbox.js';
import { enqueue, waitForStatus, type Sandbox } from '../support/local-sandbox.js';
import { waitFor } from '../support/wait.js';
import { useLocalSandboxes } from '../support/sandbox-hooks.js';

/** Issue 15, point 8: the smaller defects, each tried against the real CLI (beacon.yaml symlink: tests/core/config). */
const local = useLocalSandboxes();
let q: LocalQueueBeacon | null = null;
afterEach(async () => {
  await q?.stop();
  q = null;
});

describe('flags too large for the argument limit', () => {
  it('are refused before the command runs (not "exited with code 1" after running)', async () => {
    // The owner allows the flag (agents.claude.allowed_flags); only its size is in question.
    q = await startLocalQueueBeacon('beacon-small-flags', { allowedFlags: ['--append-system-prompt'] });
    const oneHuge = q.insert({ prompt: 'huge-flag\n@agent lines=1', flags: JSON.stringify(['--append-system-prompt', 'x'.repeat(200 * 1024)]) });
    const many = q.insert({ prompt: 'many-flags\n@agent lines=1', flags: JSON.stringify(Array.from({ length: 30 }, () => ['--append-system-prompt', 'y'.repeat(100 * 1024)]).flat()) });
    const next = q.insert({ prompt: 'after-flags\n@agent lines=1' });
    await waitFor('the command after them', () => q!.read(next).status === 'completed', 30_000);
    const huge = q.read(oneHuge);
    const lots = q.read(many);
    if (process.platform === 'linux') expect(huge).toMatchObject({ status: 'failed', started_at: null, error_message: expect.stringMatching(/^An argument of the agent is too long: 204800 bytes .*over this system's \d+-byte limit for one argument; shorten the command's flags/) as unknown });
    expect(lots).toMatchObject({ status: 'failed', started_at: null, error_message: expect.stringMatching(/^The agent's command line and environment are too large to start it: \d+ bytes of arguments and \d+ of environment/) as unknown });
    expect(q.spawnedTags()).not.toContain('huge-flag');
    expect(q.spawnedTags()).not.toContain('many-flags');
  });
});

describe('beacon.sock that is a directory', () => {
  it('beacon run stops at once with one clear line; pause and doctor say what they can, without a stack trace', async () => {
    const sandbox = local.sandbox();
    mkdirSync(join(sandbox.home, 'beacon.sock'));
    const run = await runCli(['run'], { env: sandbox.env, cwd: sandbox.work, timeoutMs: 20_000 });
    expect(run.status).toBe(1);
    expect(run.stderr).toBe(`beacon: ${join(sandbox.home, 'beacon.sock')} is a directory, not one of Beacon's sockets; remove it (e.g. rmdir '${join(sandbox.home, 'beacon.sock')}') and start again\n`);
    for (const args of [['pause'], ['doctor']]) {
      const result = await runCli(args, { env: sandbox.env, cwd: sandbox.work });
      expect(result.stderr, args.join(' ')).not.toMatch(/\n\s+at |unexpected error/);
    }
  });
});

describe('row text in log lines', () => {
  it('an id or agent name with a newline cannot forge a log line', async () => {
    q = await startLocalQueueBeacon('beacon-small-log');
    const forged = '2026-01-01T00:00:00.000Z INFO  finished forged status=completed';
    q.insert({ id: `bad\n${forged}`, prompt: 'log-id\n@agent lines=1' });
    q.insert({ prompt: 'log-agent', agent: `nobody\n${forged}` });
    const next = q.insert({ prompt: 'after-log\n@agent lines=1' });
    await waitFor('the command after them', () => q!.read(next).status === 'completed', 30_000);
    const lines = q.run.stderr().split('\n');
    expect(lines.filter((line) => line.startsWith('2026-01-01T00:00:00.000Z'))).toEqual([]);
    expect(q.run.stderr()).toContain('\\n2026-01-01T00:00:00.000Z INFO  finished forged');
  });
});

describe('the login-shell probe', () => {
  /** A login shell that waits for a release file (as slow rc files would), counting its starts and signals. */
  function slowShell(box: Sandbox): { release: () => void; log: string } {
    const log = join(box.root, 'shell.log');
    const release = join(box.root, 'release-shell');
    const shell = join(box.root, 'slow-shell');
    writeFileSync(shell, `#!/bin/sh\necho start >> '${log}'\ntrap 'echo term >> "${log}"; exit 143' TERM\nwhile [ ! -e '${release}' ]; do sleep 0.05; done\nexec /bin/sh -c "$2"\n`);
    chmodSync(shell, 0o755);
    box.env.SHELL = shell;
    box.env.HOME = box.root;
    delete box.env.BEACON_LOGIN_SHELL;
    return { release: () => writeFileSync(release, ''), log };
  }

  it('never delays the lock check or the dashboard URL, runs once per start, and claiming waits for it', async () => {
    const sandbox = local.sandbox();
    const shell = slowShell(sandbox);
    const run = local.start(sandbox, ['--dashboard']);
    await waitFor('the dashboard URL', () => /Dashboard: http:\/\/127\.0\.0\.1:\d+\//.test(run.stdout()), 20_000);
    expect(readFileSync(shell.log, 'utf8')).toBe('start\n'); // still inside the user's rc files
    const second = await runCli(['run'], { env: sandbox.env, cwd: sandbox.work, timeoutMs: 20_000 });
    expect(second.status).toBe(2);
    expect(second.stderr).toMatch(/already|held|running/i);
    expect(existsSync(join(sandbox.root, 'release-shell'))).toBe(false);

    const id = enqueue(sandbox, '@agent lines=1\nafter the probe');
    shell.release();
    await waitForStatus(sandbox, id, ['completed']);
    expect(readFileSync(shell.log, 'utf8')).toBe('start\n');
  });

  it('on timeout the shell gets SIGTERM first (its rc files can clean up), and the environment falls back', async () => {
    const sandbox = local.sandbox();
    const shell = slowShell(sandbox);
    const env = { ...sandbox.env, PROBE_MARK: 'from-this-process' };
    const resolved = await loginShellEnvironment(env, { timeoutMs: 300 });
    expect(resolved.PROBE_MARK).toBe('from-this-process');
    await waitFor('the shell to be told to stop', () => existsSync(shell.log) && readFileSync(shell.log, 'utf8').includes('term'), 5000);
    expect(readFileSync(shell.log, 'utf8')).toBe('start\nterm\n');
  });
});

