import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, enqueue, makeSandbox, startExecutor, stopExecutor, waitForStatus, type ExecutorProcess, type Sandbox } from '../support/local-sandbox.js';
import { waitFor } from '../support/wait.js';

/**
 * Settings apply without a restart (issue 18, point 5), and `beacon status` says whether it claims (point 7):
 * a real `beacon run` on the local queue, beacon.yaml edited on disk as a person would.
 */
describe('a running executor follows edits of beacon.yaml', () => {
  let sandbox: Sandbox;
  let executor: ExecutorProcess;
  let config: Record<string, Record<string, unknown>>;
  const write = (text: string) => writeFileSync(join(sandbox.home, 'beacon.yaml'), text);
  const writeConfig = () => write(JSON.stringify(config, null, 2) + '\n');
  const logLines = (pattern: RegExp) => executor.stderr().split('\n').filter((line) => pattern.test(line));
  const status = () => JSON.parse(cli(sandbox, ['status', '--json']).stdout) as { executor: Record<string, unknown> };

  beforeAll(async () => {
    sandbox = makeSandbox();
    config = JSON.parse(readFileSync(join(sandbox.home, 'beacon.yaml'), 'utf8')) as typeof config;
    executor = startExecutor(sandbox);
    await executor.ready;
  });
  afterAll(async () => {
    await stopExecutor(executor);
    sandbox.cleanup();
  });

  it('beacon status says whether it is claiming or paused, in text and JSON', () => {
    expect(status().executor).toEqual({ running: true, role: 'active', paused: false, claiming: true, restartNeeded: [], configError: null });
    expect(cli(sandbox, ['status']).stdout).toMatch(/\nClaiming: {7}yes\n/);
    expect(cli(sandbox, ['pause']).status).toBe(0);
    expect(status().executor).toMatchObject({ paused: true, claiming: false });
    expect(cli(sandbox, ['status']).stdout).toContain('Claiming:       no, PAUSED: running commands finish; beacon resume to claim again');
    expect(cli(sandbox, ['resume']).status).toBe(0);
    expect(status().executor).toMatchObject({ paused: false, claiming: true });
  });

  it('a folder added to allowed_directories is usable by the next command, and the change is logged', async () => {
    const other = join(sandbox.root, 'other');
    mkdirSync(other);
    expect(cli(sandbox, ['enqueue', 'x', '--cwd', other]).status).toBe(2); // refused while not allowed
    config.execution!.allowed_directories = [sandbox.work, other];
    config.execution!.max_concurrent = 2;
    writeConfig();
    await waitFor('the change to be logged', () => logLines(/config: now using execution.allowed_directories, execution.max_concurrent/).length === 1, 10_000);
    const id = enqueue(sandbox, '@agent lines=1', ['--cwd', other]);
    const row = await waitForStatus(sandbox, id, ['completed', 'failed']);
    expect(row.status, row.error_message ?? '').toBe('completed');
  });

  it('a change that needs a restart is said in the log and in beacon status; the executor keeps its running source', async () => {
    config.command_source = 'supabase' as unknown as Record<string, unknown>;
    config.supabase = { url: 'https://example.supabase.co', workspace_ids: [] };
    writeConfig();
    await waitFor('the restart warning', () => logLines(/config: command_source, supabase.url changed in .*restart Beacon to use the new value/).length === 1, 10_000);
    expect(status().executor).toMatchObject({ claiming: true, restartNeeded: ['command_source', 'supabase.url'] });
    expect(cli(sandbox, ['status']).stdout).toContain('Restart needed: command_source, supabase.url changed in beacon.yaml; the executor runs with the old value until it restarts');
    // Still the local queue: a row written there runs.
    const id = insertPending(sandbox, '@agent lines=1');
    expect((await waitForStatus(sandbox, id, ['completed', 'failed'])).status).toBe('completed');
    delete (config as Record<string, unknown>).supabase;
    config.command_source = 'local' as unknown as Record<string, unknown>;
    writeConfig();
    await waitFor('the wait to clear', () => (status().executor.restartNeeded as string[]).length === 0, 10_000);
  });

  it('an invalid edit is reported with its line and column; the running configuration stays until the file is fixed', async () => {
    const good = readFileSync(join(sandbox.home, 'beacon.yaml'), 'utf8');
    write(good.replace('"max_concurrent": 2', '"max_concurrent": "two"'));
    await waitFor('the rejection in the log', () => logLines(/config: Invalid configuration in .*beacon.yaml at line \d+, column \d+: execution.max_concurrent/).length === 1, 10_000);
    // The CLI cannot read the file either, but beacon status still reports the running executor with the error.
    const text = cli(sandbox, ['status']);
    expect(text.status).toBe(0);
    expect(text.stdout).toMatch(/Config edit: {4}not applied: Invalid configuration in .* at line \d+, column \d+: execution.max_concurrent/);
    expect(text.stdout).toContain('Claiming:       yes');
    const id = insertPending(sandbox, '@agent lines=1');
    expect((await waitForStatus(sandbox, id, ['completed', 'failed'])).status).toBe('completed');
    write(good);
    await waitFor('valid again', () => logLines(/is valid again/).length === 1, 10_000);
    expect(status().executor.configError).toBeNull();
  });
});

/** A pending row written straight into the queue (the CLI cannot enqueue while beacon.yaml is invalid). */
function insertPending(sandbox: Sandbox, prompt: string): string {
  const id = randomUUID();
  const db = new Database(join(sandbox.home, 'local.db'));
  try {
    db.prepare(`INSERT INTO commands (id, prompt, working_directory, agent, status, created_at) VALUES (?, ?, ?, 'fake', 'pending', ?)`).run(id, prompt, sandbox.work, new Date().toISOString());
  } finally {
    db.close();
  }
  return id;
}
