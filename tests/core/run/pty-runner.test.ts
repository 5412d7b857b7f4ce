import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { RunSummary } from '../../../src-main/core/contract/run-summary.js';
import { createPtyRunner } from '../../../src-main/core/run/pty-runner.js';
import { agentEnvironment } from '../../../src-main/core/run/shell-env.js';
import type { AgentInvocation, RunRequest } from '../../../src-main/core/run/runner.js';
import { expectGone, fakeInvocation, testAgentEnv } from './fake-agent.js';
import { waitFor } from '../../support/wait.js';

const root = mkdtempSync(join(tmpdir(), 'beacon-runner-'));
const work = join(root, 'work');
mkdirSync(work);
afterAll(() => rmSync(root, { recursive: true, force: true }));

let counter = 0;
function request(invocation: AgentInvocation, overrides: Partial<RunRequest> = {}): RunRequest {
  const commandId = `cmd-${++counter}`;
  return {
    commandId,
    invocation,
    cwd: work,
    env: testAgentEnv(root),
    timeoutMs: 30_000,
    logPath: join(root, 'logs', `${commandId}.log`),
    maxOutputBytes: 1024 * 1024,
    ...overrides,
  };
}

function record() {
  const seen = { output: '', text: '', summaries: [] as RunSummary[] };
  return {
    seen,
    observer: {
      onOutput: (t: string) => (seen.output += t),
      onText: (t: string) => (seen.text += t),
      onSummary: (s: RunSummary) => seen.summaries.push(s),
    },
  };
}

const runner = createPtyRunner({ killStepMs: 300, resultGraceMs: 500 });

describe('pty runner with the stand-in agent', () => {
  it('runs to exit 0: log, decoded and stripped streams, parsed summary', async () => {
    const { seen, observer } = record();
    const req = request(fakeInvocation('hello\n@agent lines=3 ansi=1'));
    const run = runner.start(req, observer);
    expect(run.pid).toBeGreaterThan(0);
    const result = await run.result;
    expect(result).toMatchObject({ reason: 'exited', exitCode: 0, signal: null, detail: null, outputTruncated: false });
    expect(result.summary).toMatchObject({
      sessionId: expect.stringMatching(/^5f0c6a36-/),
      model: 'claude-stand-in-1',
      cliVersion: '2.1.330',
      costUsd: 0.0123,
      durationMs: 1234,
      numTurns: 2,
      isError: false,
      resultSubtype: 'success',
      resultText: 'done: hello @agent lines=3 ansi=1',
      toolUses: [{ id: 'toolu_01', name: 'Bash' }],
    });
    expect(result.summary.assistantText).toBe('working 1/3\nworking 2/3\nworking 3/3');
    const log = readFileSync(req.logPath, 'utf8');
    expect(log).toContain('"type":"system","subtype":"init"');
    expect(log).toContain('"text":"\\u001b[32mworking 1/3');
    expect(log).toContain('"type":"result"');
    expect(result.totalBytes).toBe(statSync(req.logPath).size);
    expect(seen.output).toContain('\r\n');
    expect(seen.text).not.toContain('\r');
    expect(seen.text).toContain('"type":"result"');
    expect(result.outputTail).toBe(seen.text);
    expect(seen.summaries.length).toBeGreaterThanOrEqual(3);
    expect(seen.summaries.at(-1)).toEqual(result.summary);
    expect(new Date(result.endedAt).getTime()).toBeGreaterThanOrEqual(new Date(result.startedAt).getTime());
  });

  it('streams terminal escapes to onOutput and strips them for onText', async () => {
    const { seen, observer } = record();
    const req = request({ file: '/usr/bin/printf', args: ['\\033[31mred\\033[0m plain\\n\\033]0;title\\00710%%\\r20%%\\n'] });
    const result = await runner.start(req, observer).result;
    expect(result).toMatchObject({ reason: 'exited', exitCode: 0 });
    expect(seen.output).toBe('\u001b[31mred\u001b[0m plain\r\n\u001b]0;title\u000710%\r20%\r\n');
    expect(seen.text).toBe('red plain\n10%\n20%\n');
    expect(readFileSync(req.logPath, 'utf8')).toBe(seen.output);
  });

  it('reports a non-zero exit code and an error result', async () => {
    const result = await runner.start(request(fakeInvocation('@agent exit=3 error=boom')), {}).result;
    expect(result).toMatchObject({ reason: 'exited', exitCode: 3 });
    expect(result.summary).toMatchObject({ isError: true, errorText: 'boom', resultSubtype: 'error_during_execution' });
  });

  it('passes a 100 KB prompt of metacharacters, quotes, newlines and unicode byte for byte', async () => {
    const echo = join(root, 'echo.txt');
    const piece = `$(rm -rf /) \`id\` "dq" 'sq' \\ | & ; < > * ? [a] {b} ~ ! # % ^ \t 😀👩‍👩‍👧 שלום مرحبا e\u0301 a\u0308 \u202Eabc\u202C \u2028 \u2029 \r\n`;
    let body = '';
    while (Buffer.byteLength(body) < 100 * 1024) body += piece;
    const prompt = `@agent echo=${echo}\n${body}`;
    const result = await runner.start(request(fakeInvocation(prompt)), {}).result;
    expect(result.reason).toBe('exited');
    expect(result.exitCode).toBe(0);
    expect(readFileSync(echo).equals(Buffer.from(prompt, 'utf8'))).toBe(true);
  });

  it('gives the agent end-of-file on stdin (cat exits by itself)', async () => {
    const result = await runner.start(request({ file: '/bin/cat', args: [] }, { timeoutMs: 10_000 }), {}).result;
    expect(result).toMatchObject({ reason: 'exited', exitCode: 0 });
  });

  it('runs in the given cwd with the agent environment: MENTU_* set, secrets gone, agent auth kept', async () => {
    const cwdFile = join(root, 'cwd.txt');
    const envFile = join(root, 'env.json');
    const base = { ...testAgentEnv(root), ONLY_THIS: 'yes', SUPABASE_SERVICE_ROLE_KEY: 'sek', BEACON_MENTU_PROXY_TOKEN: 'tok', CLAUDE_CODE_OAUTH_TOKEN: 'oauth' };
    const env = agentEnvironment(base, { commandId: 'cmd-env', workspaceId: 'ws-1' });
    await runner.start(request(fakeInvocation(`@agent cwdfile=${cwdFile} env=${envFile}`), { env }), {}).result;
    expect(readFileSync(cwdFile, 'utf8')).toBe(work);
    const seen = JSON.parse(readFileSync(envFile, 'utf8')) as Record<string, string>;
    expect(seen).toMatchObject({ ONLY_THIS: 'yes', TERM: 'xterm-256color', CLAUDE_CODE_OAUTH_TOKEN: 'oauth', MENTU_BRIDGE_COMMAND_ID: 'cmd-env', MENTU_WORKSPACE_ID: 'ws-1', MENTU_ACTOR: 'agent:executor' });
    expect(seen.SUPABASE_SERVICE_ROLE_KEY).toBeUndefined();
    expect(seen.BEACON_MENTU_PROXY_TOKEN).toBeUndefined();
  });

  it('stops an agent that lingers after its result line once the grace period ends', async () => {
    const pidfile = join(root, 'linger.json');
    const result = await runner.start(request(fakeInvocation(`@agent linger=60000 pidfile=${pidfile}`)), {}).result;
    expect(result).toMatchObject({ reason: 'exited', exitCode: 0 });
    expect(result.detail).toMatch(/after its result line/);
    expectGone((JSON.parse(readFileSync(pidfile, 'utf8')) as { pid: number }).pid, 'the lingering agent');
  });

  it('an agent that exits leaving a process behind in its group: the leftover is stopped before the result', async () => {
    const pidfile = join(root, 'leftover.pid');
    // The agent here is a shell script on purpose: it leaves a child that ignores SIGHUP and SIGINT.
    const script = `trap '' HUP INT; sleep 300 & echo $! > '${pidfile}'; exit 0`;
    const result = await runner.start(request({ file: '/bin/sh', args: ['-c', script] }), {}).result;
    expect(result).toMatchObject({ reason: 'exited', exitCode: 0 });
    expectGone(Number(readFileSync(pidfile, 'utf8').trim()), 'the leftover sleep');
  });

  it('times out: the agent and its grandchild are gone', async () => {
    const pidfile = join(root, 'timeout.json');
    const result = await runner.start(request(fakeInvocation(`@agent child=1 pidfile=${pidfile} sleep=60000`), { timeoutMs: 1500 }), {}).result;
    expect(result.reason).toBe('timeout');
    expect(result.detail).toBe('the agent ran longer than its timeout of 1500 ms');
    const pids = JSON.parse(readFileSync(pidfile, 'utf8')) as { pid: number; childPid: number };
    expectGone(pids.pid, 'the agent');
    expectGone(pids.childPid, 'the grandchild');
  });

  it('cancels an agent that ignores SIGINT and SIGTERM (SIGKILL needed), grandchild included', async () => {
    const pidfile = join(root, 'hang.json');
    const req = request(fakeInvocation(`@agent hang=1 child=1 pidfile=${pidfile} noresult=1 sleep=60000`));
    const run = runner.start(req, {});
    await waitFor('the agent pidfile', () => existsSync(pidfile));
    await run.cancel('user asked');
    const pids = JSON.parse(readFileSync(pidfile, 'utf8')) as { pid: number; childPid: number };
    expectGone(pids.pid, 'the agent');
    expectGone(pids.childPid, 'the grandchild');
    const result = await run.result;
    expect(result).toMatchObject({ reason: 'cancelled', detail: 'user asked' });
    expect(result.summary.sessionId).toMatch(/^5f0c6a36-/);
  });

  it('with the default ladder (2 s steps), cancel of a hanging agent still ends in SIGKILL and resolves after the exit', async () => {
    const pidfile = join(root, 'hang-default.json');
    const run = createPtyRunner().start(request(fakeInvocation(`@agent hang=1 child=1 pidfile=${pidfile} sleep=60000`)), {});
    await waitFor('the agent pidfile', () => existsSync(pidfile));
    const started = Date.now();
    await run.cancel('executor shutdown');
    const elapsed = Date.now() - started;
    const pids = JSON.parse(readFileSync(pidfile, 'utf8')) as { pid: number; childPid: number };
    expectGone(pids.pid, 'the agent');
    expectGone(pids.childPid, 'the grandchild');
    // SIGINT and SIGTERM are ignored, so both 2 s waits must have passed before SIGKILL.
    expect(elapsed).toBeGreaterThanOrEqual(3900);
    expect((await run.result).reason).toBe('cancelled');
  });

  it('never throws on a spawn failure: it reports spawn_failed with the reason', async () => {
    const missing = await runner.start(request({ file: join(root, 'no-such-agent'), args: [] }), {}).result;
    expect(missing).toMatchObject({ reason: 'spawn_failed', exitCode: null });
    expect(missing.detail).toBe(`${join(root, 'no-such-agent')} does not exist or is not executable`);
    const badCwd = await runner.start(request(fakeInvocation('x'), { cwd: join(root, 'nope') }), {}).result;
    expect(badCwd).toMatchObject({ reason: 'spawn_failed', detail: `working directory ${join(root, 'nope')} does not exist` });
  });
});

