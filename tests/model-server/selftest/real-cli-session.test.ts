import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runClaude, CLAUDE_VERSION } from '../../support/real-claude.js';
import { toolResults, toolsOffered, turn, userPrompt } from '../index.js';
import { useCliFixture } from './cli-fixture.js';

/** The real CLI 2.1.197 against the scripted model: a whole session with a tool carried out in the working directory. */

const cli = useCliFixture();

function freshWorkdir(name: string): string {
  const work = join(cli.home, 'work', name);
  mkdirSync(work, { recursive: true });
  return work;
}

describe('a Write + text session through the real CLI', () => {
  it('carries out the Write in the working directory and reports the tool result back to the model', async () => {
    const cwd = freshWorkdir('write');
    const target = join(cwd, 'hello.txt');
    cli.server.script(turn.tool('Write', { file_path: target, content: 'hello from the scripted model\n' }, { say: 'Writing it.' }), turn.text('Wrote hello.txt.'));

    const run = await runClaude({ ...cli.base(), cwd, prompt: 'write hello.txt', args: ['--permission-mode', 'acceptEdits'] });

    expect(run.code, run.stderr).toBe(0);
    expect(readFileSync(target, 'utf8')).toBe('hello from the scripted model\n');
    const calls = cli.server.messageRequests();
    expect(calls).toHaveLength(2);
    expect(calls.every((call) => call.body?.stream === true)).toBe(true);
    expect(userPrompt(calls[0]!)).toBe('write hello.txt');
    expect(toolsOffered(calls[0]!)).toEqual(expect.arrayContaining(['Write', 'Edit', 'Bash', 'Read']));
    const [result] = toolResults(calls[1]!);
    expect(result?.isError).toBe(false);
    expect(result?.text).toContain(target);

    const init = run.lines[0]!;
    expect(init).toMatchObject({ type: 'system', subtype: 'init', cwd, claude_code_version: CLAUDE_VERSION, permissionMode: 'acceptEdits' });
    expect(run.result).toMatchObject({ type: 'result', subtype: 'success', is_error: false, num_turns: 2, result: 'Wrote hello.txt.', permission_denials: [] });
    expect(run.result!.session_id).toBe(init.session_id);
    expect(calls[0]!.headers['x-api-key']).toBe('sk-ant-scripted-test-key');
    expect(calls[0]!.headers['user-agent']).toContain(`claude-cli/${CLAUDE_VERSION}`);
  });

  it('refuses the Write in the default permission mode: an is_error tool_result and a permission_denials entry', async () => {
    const cwd = freshWorkdir('refused');
    const target = join(cwd, 'nope.txt');
    cli.server.script(turn.tool('Write', { file_path: target, content: 'x' }, { id: 'toolu_refused_1' }), turn.text('Could not write.'));

    const run = await runClaude({ ...cli.base(), cwd, prompt: 'write nope.txt' });

    expect(run.code, run.stderr).toBe(0);
    expect(existsSync(target)).toBe(false);
    const [result] = toolResults(cli.server.messageRequests()[1]!);
    expect(result).toMatchObject({ toolUseId: 'toolu_refused_1', isError: true });
    expect(result!.content).toBe(`Claude requested permissions to write to ${target}, but you haven't granted it yet.`);
    expect(run.result).toMatchObject({
      subtype: 'success', is_error: false,
      permission_denials: [{ tool_name: 'Write', tool_use_id: 'toolu_refused_1', tool_input: { file_path: target, content: 'x' } }],
    });
  });

  it('carries out a Bash tool use and returns its output byte for byte', async () => {
    const cwd = freshWorkdir('bash');
    cli.server.script(turn.tool('Bash', { command: 'printf "a\\tb\\n" > out.txt && cat out.txt', description: 'write and read' }), turn.text('ok'));

    const run = await runClaude({ ...cli.base(), cwd, prompt: 'run it', args: ['--allowedTools', 'Bash'] });

    expect(run.code, run.stderr).toBe(0);
    expect(readFileSync(join(cwd, 'out.txt'), 'utf8')).toBe('a\tb\n');
    expect(toolResults(cli.server.messageRequests()[1]!)[0]).toMatchObject({ isError: false, text: 'a\tb' });
  });

  it('stops at --max-turns with an error_max_turns result and exit code 1', async () => {
    const cwd = freshWorkdir('max-turns');
    cli.server.script(turn.tool('Read', { file_path: join(cwd, 'a.txt') }), turn.tool('Read', { file_path: join(cwd, 'b.txt') }), turn.text('never'));

    const run = await runClaude({ ...cli.base(), cwd, prompt: 'read', args: ['--max-turns', '1'] });

    expect(run.code).toBe(1);
    expect(run.result).toMatchObject({ subtype: 'error_max_turns', is_error: true, errors: ['Reached maximum number of turns (1)'] });
    expect(cli.server.messageRequests()).toHaveLength(1);
  });

  it('shows a scripted thinking block in the assistant frame', async () => {
    const cwd = freshWorkdir('thinking');
    cli.server.script(turn.blocks([{ type: 'thinking', thinking: 'Let me consider.' }, { type: 'text', text: 'Considered.' }]));

    const run = await runClaude({ ...cli.base(), cwd, prompt: 'think' });

    expect(run.code, run.stderr).toBe(0);
    const blocks = run.lines.filter((line) => line.type === 'assistant').flatMap((line) => (line.message as { content: { type: string }[] }).content);
    expect(blocks).toEqual(expect.arrayContaining([expect.objectContaining({ type: 'thinking', thinking: 'Let me consider.' })]));
    expect(run.result).toMatchObject({ result: 'Considered.' });
  });
});
