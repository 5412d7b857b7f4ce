import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createAnsiStripper } from '../../../src-main/core/contract/ansi-stripper.js';
import { createPtyRunner } from '../../../src-main/core/run/pty-runner.js';
import type { RunRequest } from '../../../src-main/core/run/runner.js';
import { fakeInvocation, testAgentEnv } from './fake-agent.js';

/** A stream-json agent through the real pty runner: readable text for the database, raw bytes everywhere else. */
const root = mkdtempSync(join(tmpdir(), 'beacon-readable-'));
const work = join(root, 'work');
mkdirSync(work);
afterAll(() => rmSync(root, { recursive: true, force: true }));

const runner = createPtyRunner({ killStepMs: 300, resultGraceMs: 500 });
let counter = 0;

async function run(prompt: string, outputFormat: RunRequest['outputFormat']) {
  const commandId = `readable-${++counter}`;
  const request: RunRequest = {
    commandId,
    invocation: fakeInvocation(prompt),
    cwd: work,
    env: testAgentEnv(root),
    timeoutMs: 30_000,
    logPath: join(root, 'logs', `${commandId}.log`),
    maxOutputBytes: 1024 * 1024,
    outputFormat,
  };
  const seen = { output: '', text: '' };
  const result = await runner.start(request, { onOutput: (t) => (seen.output += t), onText: (t) => (seen.text += t) }).result;
  return { result, seen, log: readFileSync(request.logPath, 'utf8') };
}

describe('readable stream-json for database sinks', () => {
  it('onText and the result tail get the rendering; the log and onOutput keep the JSON', async () => {
    const { result, seen, log } = await run('fix it\n@agent lines=2 ansi=1', 'stream-json');
    expect(result).toMatchObject({ reason: 'exited', exitCode: 0 });
    const session = result.summary.sessionId!;
    expect(seen.text).toBe(
      [`● Claude 2.1.330 · model claude-stand-in-1 · session ${session}`, 'working 1/2', '▸ Bash ls', 'working 2/2', '✔ Done · 1.2 s · 2 turns · $0.0123', ''].join('\n'),
    );
    expect(result.outputTail).toBe(seen.text);
    expect(seen.output).toContain('"type":"result"');
    expect(seen.output).toContain('"text":"\\u001b[32mworking 1/2');
    expect(log).toContain('"type":"system","subtype":"init"');
    expect(log.match(/\n/g)).toHaveLength(5); // init, two texts, the tool call, the result: one raw line each
    // The summary is still parsed from the raw JSON.
    expect(result.summary).toMatchObject({ numTurns: 2, costUsd: 0.0123, toolUses: [{ id: 'toolu_01', name: 'Bash' }] });
  });

  it('an error result reads as one line with its reason', async () => {
    const { result, seen } = await run('@agent error=the_tool_broke exit=1', 'stream-json');
    expect(result.exitCode).toBe(1);
    expect(seen.text).toContain('✖ error_during_execution: the_tool_broke\n');
    expect(seen.text).not.toContain('{"type"');
  });

  it('plain text between the JSON passes through, and a result that ran into it is still rendered', async () => {
    // 70 000 bytes of flood lines end inside a line, so the result line starts in the middle of one.
    const { seen, log } = await run('@agent bytes=70000 chunk=4096 stderr=warning:_slow', 'stream-json');
    expect(log).toMatch(/flood-[^\n]*\{"type":"result"/);
    expect(seen.text).toContain('warning:_slow\n');
    expect(seen.text).toContain('flood-0123456789-abcdefghijklmnopqrstuvwxyz-ABCDEFGHIJKLMNOPQRSTUVWXYZ-0123456789\n');
    expect(seen.text).toMatch(/\n[^\n]*flood[^\n{]*\n✔ Done · 1\.2 s · 2 turns · \$0\.0123\n$/);
    expect(seen.text).not.toContain('"type"');
  });

  it('without outputFormat the text stream stays exactly as before (raw lines, ANSI stripped)', async () => {
    const { seen } = await run('@agent lines=1', undefined);
    expect(seen.text).toContain('"type":"result"');
    expect(seen.text).not.toContain('✔ Done');
  });
});

describe('cleaning readable output', () => {
  const controls = '\x1b[?25l\x1b]0;my title\x07\x1b[6n\x1b[c\x1b[>4m\x1b[<u\x1b]11;?\x1b\\\x1b[?1000l';
  it('keeping colours: SGR and carriage returns stay; cursor, modes, title and queries go, also split across chunks', () => {
    const text = `${controls}\x1b[1;31mred\x1b[0m 50%\r100%\r\n\x1b[38;2;1;2;3mrgb\x1b[m\n`;
    const expected = '\x1b[1;31mred\x1b[0m 50%\r100%\r\n\x1b[38;2;1;2;3mrgb\x1b[m\n';
    const whole = createAnsiStripper({ keepColours: true });
    expect(whole.push(text) + whole.end()).toBe(expected);
    const split = createAnsiStripper({ keepColours: true });
    let out = '';
    for (const ch of text) out += split.push(ch);
    expect(out + split.end()).toBe(expected);
  });

  it('for a file or a pipe: no escapes at all, "\\r\\n" and redraws become "\\n"', () => {
    const stripper = createAnsiStripper();
    expect(stripper.push(`${controls}\x1b[31mred\x1b[0m 50%\r100%\r\n`) + stripper.end()).toBe('red 50%\n100%\n');
  });
});
