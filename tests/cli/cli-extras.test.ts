import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI } from '../support/cli.js';
import { cli, enqueue, waitForStatus } from '../support/local-sandbox.js';
import { waitFor } from '../support/wait.js';
import { useLocalSandboxes } from '../support/sandbox-hooks.js';

const local = useLocalSandboxes();

describe('beacon doctor', () => {
  it('healthy: exit 0, the agent path and its --version, the source, no executor running', () => {
    const sandbox = local.sandbox();
    const result = cli(sandbox, ['doctor', '--json']);
    expect(result.status).toBe(0);
    const report = JSON.parse(result.stdout) as { ok: boolean; checks: { name: string; level: string; detail: string }[] };
    expect(report.ok).toBe(true);
    const agent = report.checks.find((c) => c.name === 'agent fake');
    expect(agent?.detail).toContain(process.execPath);
    expect(agent?.detail).toContain(process.version);
    expect(report.checks.find((c) => c.name === 'command source')?.detail).toMatch(/^local .*reachable, 0 pending/);
    expect(report.checks.find((c) => c.name === 'control socket')?.detail).toContain('no executor');
  });

  it('broken agent and a running executor: exit 1 with what to do, the holder named', async () => {
    const sandbox = local.sandbox();
    const executor = local.start(sandbox);
    await executor.ready;
    const config = JSON.parse(readFileSync(join(sandbox.home, 'beacon.yaml'), 'utf8')) as { agents: Record<string, { command: string }> };
    config.agents.fake!.command = join(sandbox.root, 'no-such-claude');
    writeFileSync(join(sandbox.home, 'beacon.yaml'), JSON.stringify(config));
    const result = cli(sandbox, ['doctor']);
    expect(result.status).toBe(1);
    expect(result.stdout).toMatch(/\[FAIL\] agent fake: .*no-such-claude/);
    expect(result.stdout).toContain('→ Install it, or set agents.fake.command');
    expect(result.stdout).toMatch(new RegExp(`pid:?\\s+${executor.child.pid}\\b`));
    expect(result.stdout).toMatch(/\[ok {2}\] control socket: the executor answers/);
  });

  it('an invalid config: exit 1 naming the file', () => {
    const sandbox = local.sandbox();
    writeFileSync(join(sandbox.home, 'beacon.yaml'), 'execution:\n  max_concurrent: many\n');
    const result = cli(sandbox, ['doctor']);
    expect(result.status).toBe(1);
    expect(result.stdout).toContain('[FAIL] config');
    expect(result.stdout).toContain('beacon.yaml');
  });
});

describe('CLI details', () => {
  it('beacon run --dashboard prints the dashboard URL, which answers on 127.0.0.1', async () => {
    const sandbox = local.sandbox();
    const executor = local.start(sandbox, ['--dashboard', '--port', '0']);
    await executor.ready;
    const line = await waitFor('the Dashboard line', () => executor!.stdout().split('\n').find((l) => l.startsWith('Dashboard: ')));
    const url = new URL(line.slice('Dashboard: '.length));
    expect(url.hostname).toBe('127.0.0.1');
    const health = await fetch(new URL(`/api/health?token=${url.searchParams.get('token')}`, url));
    expect(health.status).toBe(200);
  });

  it('enqueue reads the prompt from stdin with "-", logs --follow streams until the command ends', async () => {
    const sandbox = local.sandbox();
    const executor = local.start(sandbox);
    await executor.ready;
    const piped = cli(sandbox, ['enqueue', '-', '--json'], { input: '@agent lines=4 interval=300\nfrom stdin with "quotes" and $HOME' });
    expect(piped.status).toBe(0);
    const command = JSON.parse(piped.stdout) as { id: string; prompt: string; workingDirectory: string };
    expect(command.prompt).toContain('from stdin with "quotes" and $HOME');
    expect(command.workingDirectory).toBe(sandbox.work);

    const follow = spawn(process.execPath, [CLI, 'logs', command.id, '--follow'], { env: sandbox.env });
    let out = '';
    follow.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
    const code = await new Promise<number | null>((r) => follow.on('exit', r));
    expect(code).toBe(0);
    expect(out).toContain('working 4/4');
    expect(out).toContain('✔ Done'); // the stream-json result line, shown readable
    expect((await waitForStatus(sandbox, command.id, ['completed'])).status).toBe('completed');
  });

  it('unknown ids and bad options fail with a clear message', () => {
    const sandbox = local.sandbox();
    const shown = cli(sandbox, ['show', 'does-not-exist']);
    expect(shown.status).not.toBe(0);
    expect(shown.stderr).toContain('No command does-not-exist');
    const badTimeout = cli(sandbox, ['enqueue', 'x', '--timeout', '-3']);
    expect(badTimeout.status).not.toBe(0);
    expect(badTimeout.stderr).toContain('--timeout expects a positive number');
    const id = enqueue(sandbox, 'pending one');
    const cancelled = cli(sandbox, ['cancel', id]);
    expect(cancelled.status).toBe(0);
    expect(cancelled.stdout).toContain(`Cancelled ${id}`);
  });
});
