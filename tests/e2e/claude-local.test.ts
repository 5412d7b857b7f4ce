import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, enqueue, insertRow, makeSandbox, readRow, startExecutor, stopExecutor, waitForStatus, type ExecutorProcess, type Sandbox } from '../support/local-sandbox.js';
import * as pty from 'node-pty';
import { CLI } from '../support/cli.js';
import { waitFor } from '../support/wait.js';
import { callExecutor } from '../../src-main/cli/control/client.js';
import type { BeaconSnapshot } from '../../src-main/core/contract/types.js';
import { CLAUDE_BIN, CLAUDE_VERSION, useRealClaude, type ClaudeHome } from '../support/real-claude.js';
import { assistantTurns, startModelServer, toolResults, turn, userPrompt, userTexts, type ModelServer } from '../model-server/index.js';

/**
 * `beacon run` on the local queue with the REAL claude CLI (2.1.197) against the scripted model: the prompt in,
 * tool calls carried out in the working directory, the output in `beacon logs`, the run summary in the row.
 */

let server: ModelServer;
let sandbox: Sandbox;
let claudeHome: ClaudeHome;
let executor: ExecutorProcess;

beforeAll(async () => {
  server = await startModelServer();
  sandbox = makeSandbox();
  // The owner's profile lets edits in the working directory and Bash through; anything else is asked of a person
  // (docs/permissions.md), and a request nobody answers is denied after 5 s.
  claudeHome = useRealClaude(sandbox, server, { extraArgs: ['--permission-mode', 'acceptEdits', '--allowedTools', 'Bash'], permissions: { deny_unanswered_after_seconds: 5 } });
  executor = startExecutor(sandbox);
  await executor.ready;
});
afterAll(async () => {
  await stopExecutor(executor);
  await server.stop();
  sandbox.cleanup();
  claudeHome.cleanup();
});

interface Summary {
  sessionId: string; model: string; cliVersion: string; numTurns: number; costUsd: number; inputTokens: number; outputTokens: number;
  toolUses: { name: string }[]; permissionDenialCount: number; permissionDenials: { tool: string; target: string | null }[]; cwd: string;
}
const summaryOf = (id: string): Summary => JSON.parse(readRow(sandbox, id)!.summary!) as Summary;
const pidOf = (id: string): Promise<number> =>
  waitFor(`the pid of ${id}`, () => Number(new RegExp(`running ${id} pid (\\d+)`).exec(executor.stderr())?.[1] ?? 0));

describe('a real claude session through the local queue', () => {
  it('carries out Write and Bash in the working directory and records session, model, CLI version, turns, cost and tokens', async () => {
    server.reset();
    const target = join(sandbox.work, 'notes.md');
    server.script(
      turn.tool('Write', { file_path: target, content: '# notes\n- first\n' }, { say: 'I will write the notes.' }),
      turn.tool('Bash', { command: 'wc -l notes.md', description: 'count lines' }),
      turn.text('Wrote notes.md (2 lines).'),
    );
    const id = enqueue(sandbox, 'write the notes');
    const row = await waitForStatus(sandbox, id, ['completed', 'failed', 'timeout', 'cancelled'], 60_000);

    expect(row.status, row.error_message ?? '').toBe('completed');
    expect(row.exit_code).toBe(0);
    expect(row.error_message).toBeNull();
    expect(readFileSync(target, 'utf8')).toBe('# notes\n- first\n');
    const calls = server.messageRequests();
    expect(userPrompt(calls[0]!)).toBe('write the notes');
    expect(toolResults(calls[2]!)[0]).toMatchObject({ isError: false, text: expect.stringContaining('2 notes.md') });
    const summary = summaryOf(id);
    expect(summary).toMatchObject({ cliVersion: CLAUDE_VERSION, numTurns: 3, cwd: sandbox.work, permissionDenialCount: 0 });
    expect(summary.sessionId).toMatch(/^[0-9a-f-]{36}$/);
    expect(summary.model.startsWith(calls[0]!.body!.model!)).toBe(true); // the init line adds the context size, e.g. "[1m]"
    expect(summary.costUsd).toBeGreaterThan(0);
    expect(summary.inputTokens).toBeGreaterThan(0);
    expect(summary.outputTokens).toBeGreaterThan(0);
    expect(summary.toolUses.map((t) => t.name)).toEqual(['Write', 'Bash']);

    const logs = cli(sandbox, ['logs', id]);
    expect(logs.stdout).toContain('I will write the notes.');
    expect(logs.stdout).toContain('Wrote notes.md (2 lines).');
    const shown = cli(sandbox, ['show', id]).stdout;
    expect(shown).toContain(`cli:        ${CLAUDE_VERSION}`);
    expect(shown).toMatch(/tokens: +\d+ in, \d+ out/);
  });

  it('runs the CLI with the prompt as the last argv element, right after "--" (read from /proc/<pid>/cmdline)', async () => {
    server.reset();
    server.script(turn.text('slowly', { pacing: { eventDelayMs: 250 } }));
    const prompt = '--version\n- and a list item';
    const id = enqueue(sandbox, prompt, ['--flag=--model', '--flag=claude-scripted-x']);
    const pid = await pidOf(id);
    await server.waitForRequest();
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').slice(0, -1);
    expect(argv[0]).toBe(CLAUDE_BIN);
    expect(argv.slice(-2)).toEqual(['--', prompt]);
    // The profile's options, then Beacon's permission options (the mode the profile asked for, the policy, its permission server), the command's flags, "--", the prompt.
    expect(argv).toEqual([
      CLAUDE_BIN, '-p', '--output-format', 'stream-json', '--verbose', '--allowedTools', 'Bash',
      '--permission-mode', 'acceptEdits', '--settings', expect.stringContaining('"permissions":{"allow":[],"deny":[') as unknown, '--mcp-config', expect.stringContaining('permission-server') as unknown,
      '--permission-prompt-tool', 'mcp__beacon__permission_prompt', '--model', 'claude-scripted-x', '--', prompt,
    ]);
    const row = await waitForStatus(sandbox, id, ['completed', 'failed', 'timeout', 'cancelled'], 60_000);
    expect(row.status).toBe('completed');
    expect(userPrompt(server.messageRequests()[0]!)).toBe(prompt);
    expect(server.messageRequests()[0]!.body!.model).toBe('claude-scripted-x');
  });

  it('a refused tool use is counted: "completed; 1 request denied …: WebFetch …" in the row, list and show', async () => {
    server.reset();
    server.script(turn.tool('WebFetch', { url: 'https://example.com/', prompt: 'read it' }), turn.text('Could not fetch.'));
    const id = enqueue(sandbox, 'fetch the page');
    // WebFetch is asked of a person (issue 14): denied here from the CLI.
    const request = await waitFor('the WebFetch request', () => (JSON.parse(cli(sandbox, ['requests', '--json']).stdout) as { id: string; tool: string }[]).find((r) => r.tool === 'WebFetch'));
    expect(cli(sandbox, ['deny', request.id]).status).toBe(0);
    const row = await waitForStatus(sandbox, id, ['completed', 'failed', 'timeout', 'cancelled'], 60_000);
    expect(row.status).toBe('completed');
    expect(row.error_message).toBe('completed; 1 request denied (by the CLI): WebFetch https://example.com/');
    expect(summaryOf(id)).toMatchObject({ permissionDenialCount: 1, permissionDenials: [{ tool: 'WebFetch', target: 'https://example.com/' }] });
    expect(toolResults(server.messageRequests()[1]!)[0]!.isError).toBe(true);
    const list = cli(sandbox, ['list']).stdout;
    expect(list.split('\n').find((line) => line.startsWith(id))).toContain('completed, 1 refused');
    expect(cli(sandbox, ['show', id]).stdout).toContain('note:       completed; 1 request denied (by the CLI): WebFetch https://example.com/');
  });

  it('queue flags outside the allow-list are refused: by `beacon enqueue` up front (exit 2), by the executor before any spawn', async () => {
    server.reset();
    const refused = cli(sandbox, ['enqueue', '--flag=--settings={"hooks":{}}', '--', 'hi']);
    expect(refused.status).toBe(2);
    expect(refused.stderr).toContain('"--settings" refused: it would loosen this machine\'s permission policy');
    expect(refused.stdout).toBe('');

    // A row written by another process gets no up-front check: the executor refuses it.
    const id = insertRow(sandbox, { prompt: 'hi', flags: JSON.stringify(['--dangerously-skip-permissions']) });
    const row = await waitForStatus(sandbox, id, ['completed', 'failed', 'timeout', 'cancelled'], 30_000);
    expect(row.status).toBe('failed');
    expect(row.error_message).toContain('"--dangerously-skip-permissions" refused: it would loosen this machine\'s permission policy');
    expect(row.error_message).toContain('agents.claude.permissions in beacon.yaml');
    expect(row.started_at).toBeNull();
    expect(server.messageRequests()).toHaveLength(0);
    expect(existsSync(join(sandbox.home, 'logs', `${id}.log`))).toBe(false);
  });
});

describe('follow-up: a finished command continued with --resume, in the same real directory', () => {
  it('the model receives the earlier turns and the new prompt; the follow-up runs where the original did', async () => {
    server.reset();
    server.script(turn.text('First answer.'));
    const first = enqueue(sandbox, 'first question');
    expect((await waitForStatus(sandbox, first, ['completed', 'failed', 'timeout', 'cancelled'], 60_000)).status).toBe('completed');
    const session = summaryOf(first).sessionId;

    server.reset();
    server.script(turn.text('Second answer.'));
    const queued = cli(sandbox, ['enqueue', '--follow-up', first, '--', '- and a follow-up']);
    expect(queued.status, queued.stderr).toBe(0);
    const second = queued.stdout.trim();
    const row = await waitForStatus(sandbox, second, ['completed', 'failed', 'timeout', 'cancelled'], 60_000);
    expect(row.status, row.error_message ?? '').toBe('completed');
    const [call] = server.messageRequests();
    expect(userTexts(call!)).toEqual(['first question', '- and a follow-up']);
    expect(JSON.stringify(assistantTurns(call!))).toContain('First answer.');
    const shown = JSON.parse(cli(sandbox, ['show', second, '--json']).stdout) as { flags: string[]; workingDirectory: string; summary: { sessionId: string } };
    expect(shown.flags).toEqual(['--resume', session]);
    expect(shown.workingDirectory).toBe(sandbox.work);
  });

  it('is refused up front (exit 2) when the original has no session id, is unknown, or its directory is gone', async () => {
    const never = insertRow(sandbox, { prompt: 'x', agent: 'nobody' });
    await waitForStatus(sandbox, never, ['failed'], 30_000);
    const noSession = cli(sandbox, ['enqueue', '--follow-up', never, 'more']);
    expect(noSession.status).toBe(2);
    expect(noSession.stderr).toContain(`Command ${never} has no session id to resume`);
    const unknown = cli(sandbox, ['enqueue', '--follow-up', 'no-such-id', 'more']);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain('Nothing to follow up: No command no-such-id: no command id starts with it');

    // A finished session in a folder that is then removed.
    const gone = join(sandbox.work, 'gone');
    mkdirSync(gone);
    server.reset();
    server.script(turn.text('ok'));
    const id = enqueue(sandbox, 'in a folder', ['--cwd', gone]);
    await waitForStatus(sandbox, id, ['completed'], 60_000);
    rmSync(gone, { recursive: true });
    const refused = cli(sandbox, ['enqueue', '--follow-up', id, 'more']);
    expect(refused.status).toBe(2);
    expect(refused.stderr).toContain(`ran in ${gone}, which is gone`);
  });
});

describe("the executor's snapshot carries the agent's health (the tray's health line)", () => {
  it('the CLI version, logged in by API key, the login shell not used', async () => {
    const health = await waitFor('the agent health check', async () => {
      const snapshot = (await callExecutor(join(sandbox.home, 'beacon.sock'), 'getSnapshot', [], 5000)) as BeaconSnapshot;
      return snapshot.agentHealth ?? null;
    });
    expect(health).toMatchObject({
      agent: 'claude', path: CLAUDE_BIN, version: `${CLAUDE_VERSION} (Claude Code)`, loggedIn: true, login: 'API key (ANTHROPIC_API_KEY)', problem: null,
      shell: { state: 'off', shell: null, ms: null },
    });
  });
});

const ESC = String.fromCharCode(0x1b);

describe('readable output drops what a terminal would act on', () => {
  /** `beacon logs` in a terminal (a pty), its output as the terminal received it. */
  function logsOnATerminal(id: string): Promise<string> {
    return new Promise((resolve) => {
      const term = pty.spawn(process.execPath, [CLI, 'logs', id], { name: 'xterm-256color', cols: 200, rows: 50, cwd: sandbox.work, env: sandbox.env as Record<string, string> });
      let out = '';
      term.onData((data) => (out += data));
      term.onExit(() => resolve(out));
    });
  }

  it('the CLI resets cursor, mouse, keyboard and title at exit: gone from beacon logs (pipe: no colours, no CR; terminal: colours kept); --raw keeps them', async () => {
    server.reset();
    server.script(turn.text('Readable answer.'));
    const id = enqueue(sandbox, 'answer');
    await waitForStatus(sandbox, id, ['completed'], 60_000);
    const raw = cli(sandbox, ['logs', id, '--raw']).stdout;
    expect(raw).toContain('\x1b[?25h'); // cursor shown
    expect(raw).toContain('\x1b]0;\x07'); // title reset
    expect(raw).toContain('\r\n');

    const piped = cli(sandbox, ['logs', id]).stdout;
    expect(piped).toContain('Readable answer.');
    expect(piped).not.toContain('\x1b');
    expect(piped).not.toContain('\r');

    const onTerminal = await logsOnATerminal(id);
    expect(onTerminal).toContain('Readable answer.');
    expect(onTerminal).toMatch(new RegExp(`${ESC}\\[[0-9;]*m`)); // colours
    expect(onTerminal).not.toContain('\x1b[?25h');
    expect(onTerminal).not.toContain('\x1b]0;');
    expect(onTerminal).not.toContain('\x1b[?1000l');
  });
});
