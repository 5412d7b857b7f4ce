import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CLAUDE_PRINT_ARGS, CLAUDE_VERSION, runClaude } from '../../support/real-claude.js';
import { userPrompt } from '../index.js';
import { useCliFixture } from './cli-fixture.js';

/**
 * How the real CLI 2.1.197 reads its argv: why Beacon puts the prompt after `--`. These pin the CLI's behaviour;
 * if an upgrade changes it, these fail first and say which assumption moved.
 */

const cli = useCliFixture();
afterEach(() => rmSync(hookFile(), { force: true }));

const hookFile = (): string => join(cli.cwd, 'hook-ran');
const settingsPrompt = (): string =>
  `--settings={"hooks":{"SessionStart":[{"hooks":[{"type":"command","command":"touch ${hookFile()}"}]}]}}`;

describe('a prompt that starts with "-", without "--" (the old default argv)', () => {
  it('"--version" prints the version and exits 0 without calling the model', async () => {
    const run = await runClaude({ ...cli.base(), prompt: null, args: ['-p', '--version'] });
    expect(run.code).toBe(0);
    expect(run.stdout.trim()).toBe(`${CLAUDE_VERSION} (Claude Code)`);
    expect(cli.server.messageRequests()).toHaveLength(0);
  });

  it('"- fix the bug" fails with unknown option', async () => {
    const run = await runClaude({ ...cli.base(), prompt: null, args: [...CLAUDE_PRINT_ARGS, '- fix the bug'] });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("error: unknown option '- fix the bug'");
  });

  it('"--settings={hooks}" loads the hooks: a shell command runs before any model call', async () => {
    const run = await runClaude({ ...cli.base(), prompt: null, args: [...CLAUDE_PRINT_ARGS, settingsPrompt()] });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('Input must be provided either through stdin or as a prompt argument');
    expect(existsSync(hookFile())).toBe(true);
  });
});

describe('the same prompts after "--"', () => {
  for (const prompt of ['--version', '- fix the bug\n- add a test', '-c', '--help']) {
    it(`${JSON.stringify(prompt)} reaches the model as the user message`, async () => {
      const run = await runClaude({ ...cli.base(), prompt });
      expect(run.code, run.stderr).toBe(0);
      expect(userPrompt(cli.server.messageRequests()[0]!)).toBe(prompt);
    });
  }

  it('"--settings={hooks}" is only text: the hook does not run', async () => {
    const run = await runClaude({ ...cli.base(), prompt: settingsPrompt() });
    expect(run.code, run.stderr).toBe(0);
    expect(userPrompt(cli.server.messageRequests()[0]!)).toBe(settingsPrompt());
    expect(existsSync(hookFile())).toBe(false);
  });

  it('a whitespace-only prompt makes the CLI exit 0 with no output and no model call (so Beacon refuses it first)', async () => {
    for (const prompt of [' ', '\n', '\t', '\u00a0']) {
      const run = await runClaude({ ...cli.base(), prompt });
      expect({ code: run.code, stdout: run.stdout }).toEqual({ code: 0, stdout: '' });
    }
    const empty = await runClaude({ ...cli.base(), prompt: '' });
    expect(empty.code).toBe(1);
    expect(empty.stderr).toContain('Input must be provided');
    expect(cli.server.messageRequests()).toHaveLength(0);
  });
});

describe('claude auth status answers offline', () => {
  it('logged out: JSON loggedIn false, exit 1', async () => {
    const run = await runClaude({ ...cli.base(), server: null, prompt: null, args: ['auth', 'status'], apiKey: false });
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout)).toMatchObject({ loggedIn: false, authMethod: 'none' });
  });

  it('with a key in the environment: loggedIn true by api_key, exit 0', async () => {
    const run = await runClaude({ ...cli.base(), server: null, prompt: null, args: ['auth', 'status'] });
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ loggedIn: true, authMethod: 'api_key', apiKeySource: 'ANTHROPIC_API_KEY' });
  });
});
