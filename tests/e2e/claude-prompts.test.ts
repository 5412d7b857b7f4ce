import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CLAUDE_ARGS, LEGACY_CLAUDE_ARGS } from '../../src-main/core/config/schema.js';
import { cli, enqueue, insertRow, makeSandbox, startExecutor, stopExecutor, waitForStatus, type ExecutorProcess, type Sandbox } from '../support/local-sandbox.js';
import { claudeAgentProfile, useRealClaude, type ClaudeHome } from '../support/real-claude.js';
import { startModelServer, turn, userPrompt, type ModelServer } from '../model-server/index.js';

/**
 * A prompt is always a prompt (issue 12): through `beacon run` and the REAL claude CLI, prompts that look like the
 * CLI's own options reach the model as the user message, byte for byte, and nothing else runs. The sandbox starts
 * with a beacon.yaml of the earlier default (prompt right after -p), upgraded in place, and a hand-edited profile
 * that is corrected at run time.
 */

let server: ModelServer;
let sandbox: Sandbox;
let claudeHome: ClaudeHome;
let executor: ExecutorProcess;
let hookFile: string;

const settingsPrompt = (): string => `--settings={"hooks":{"SessionStart":[{"hooks":[{"type":"command","command":"touch ${hookFile}"}]}],"UserPromptSubmit":[{"hooks":[{"type":"command","command":"touch ${hookFile}"}]}]}}`;

beforeAll(async () => {
  server = await startModelServer();
  sandbox = makeSandbox();
  hookFile = join(sandbox.root, 'hook-ran');
  claudeHome = useRealClaude(sandbox, server);
  // The profiles a user upgrading Beacon may have: the earlier default, and one edited by hand.
  const file = join(sandbox.home, 'beacon.yaml');
  const config = parseYaml(readFileSync(file, 'utf8')) as { agents: Record<string, { args: string[] }> };
  config.agents.claude!.args = [...LEGACY_CLAUDE_ARGS];
  config.agents.edited = { ...(claudeAgentProfile() as { args: string[] }), args: ['-p', '{prompt}', '--output-format', 'stream-json', '--verbose', '--max-turns', '3'] };
  writeFileSync(file, JSON.stringify(config, null, 2));
});
afterAll(async () => {
  if (executor) await stopExecutor(executor);
  await server.stop();
  sandbox.cleanup();
  claudeHome.cleanup();
});

describe('a beacon.yaml of the earlier default', () => {
  it('beacon doctor upgrades it in place and says so; a hand-edited profile is corrected at run time, and doctor says that too', async () => {
    const doctor = cli(sandbox, ['doctor', '--json']);
    const checks = (JSON.parse(doctor.stdout) as { checks: { name: string; level: string; detail: string }[] }).checks;
    expect(checks.find((c) => c.name === 'agent claude argv')).toMatchObject({ level: 'info', detail: expect.stringContaining('upgraded in place: the prompt now travels after "--"') });
    expect(checks.find((c) => c.name === 'agent edited argv')).toMatchObject({
      level: 'warning',
      detail: expect.stringContaining(`Beacon corrects it at each run to ${JSON.stringify(['-p', '--output-format', 'stream-json', '--verbose', '--max-turns', '3', '--', '{prompt}'])}`),
    });
    const config = parseYaml(readFileSync(join(sandbox.home, 'beacon.yaml'), 'utf8')) as { agents: Record<string, { args: string[] }> };
    expect(config.agents.claude!.args).toEqual(DEFAULT_CLAUDE_ARGS);
    expect(config.agents.edited!.args).toContain('{prompt}'); // left as the user wrote it

    executor = startExecutor(sandbox);
    await executor.ready;
    expect(executor.stderr()).toContain('agents.edited.args');
    expect(executor.stderr()).toContain('Beacon corrects it at each run');
  });
});

describe('prompts that look like options reach the model as the user message, byte for byte', () => {
  const cases: [string, string][] = [
    ['--version', '--version'],
    ['--help', '--help'],
    ['-c', '-c'],
    ['a markdown list', '- fix the bug\n- add a test'],
    ['--settings with hooks', ''],
    ['an empty-looking prompt (a zero-width space)', '\u200b'],
    ['100 KB of text', `${'lorem ipsum dolor sit amet '.repeat(3800)}\u00e9\n`.slice(0, 100 * 1024)],
  ];
  for (const [name, given] of cases) {
    it(name, async () => {
      const prompt = given || settingsPrompt();
      server.reset();
      server.script(turn.text(`answered: ${name}`));
      const id = enqueue(sandbox, prompt);
      const row = await waitForStatus(sandbox, id, ['completed', 'failed', 'timeout', 'cancelled'], 60_000);
      expect(row.status, row.error_message ?? '').toBe('completed');
      const calls = server.messageRequests();
      expect(calls).toHaveLength(1);
      expect(userPrompt(calls[0]!)).toBe(prompt);
      expect(cli(sandbox, ['logs', id]).stdout).toContain(`answered: ${name}`);
      expect(existsSync(hookFile)).toBe(false);
    });
  }

  it('through the profile corrected at run time too', async () => {
    server.reset();
    server.script(turn.text('answered'));
    const id = enqueue(sandbox, '- fix the bug', ['--agent', 'edited']);
    const row = await waitForStatus(sandbox, id, ['completed', 'failed', 'timeout', 'cancelled'], 60_000);
    expect(row.status, row.error_message ?? '').toBe('completed');
    expect(userPrompt(server.messageRequests()[0]!)).toBe('- fix the bug');
  });

  it('from stdin exactly as given, with no newline added', async () => {
    server.reset();
    server.script(turn.text('ok'));
    const prompt = '--version\n\ttrailing spaces   ';
    const queued = cli(sandbox, ['enqueue', '-'], { input: prompt });
    expect(queued.status, queued.stderr).toBe(0);
    const row = await waitForStatus(sandbox, queued.stdout.trim(), ['completed', 'failed', 'timeout', 'cancelled'], 60_000);
    expect(row.status).toBe('completed');
    expect(userPrompt(server.messageRequests()[0]!)).toBe(prompt);
  });

  it('a prompt of only whitespace is refused: by enqueue (exit 2), and by the executor before any spawn', async () => {
    server.reset();
    const refused = cli(sandbox, ['enqueue', '--', ' \n\t ']);
    expect(refused.status).toBe(2);
    expect(refused.stderr).toContain('The prompt is empty');
    const id = insertRow(sandbox, { prompt: '\u00a0\n' });
    const row = await waitForStatus(sandbox, id, ['completed', 'failed', 'timeout', 'cancelled'], 30_000);
    expect(row).toMatchObject({ status: 'failed', started_at: null });
    expect(row.error_message).toContain('The prompt is empty');
    expect(server.messageRequests()).toHaveLength(0);
  });
});
