import { describe, expect, it } from 'vitest';
import { DEFAULT_CLAUDE_ARGS, LEGACY_CLAUDE_ARGS, type AgentProfile } from '../../../src-main/core/config/schema.js';
import { checkCommandFlags, DEFAULT_CLAUDE_ALLOWED_FLAGS, isClaudeProfile } from '../../../src-main/core/run/agent-flags.js';
import { buildInvocation, effectiveAgentArgs } from '../../../src-main/core/run/agents.js';
import { argvProblem, MAX_ARG_BYTES, MAX_ARGV_ENV_BYTES } from '../../../src-main/core/run/argv-size.js';
import { promptProblem } from '../../../src-main/core/executor/pre-claim.js';

const claude = (args: string[], extra: Partial<AgentProfile> = {}): AgentProfile => ({ command: '/usr/local/bin/claude', args, output: 'stream-json', ...extra });
const other = (args: string[], extra: Partial<AgentProfile> = {}): AgentProfile => ({ command: '/usr/bin/codex', args, output: 'text', ...extra });

describe('the prompt travels after "--"', () => {
  it('the default claude args end with "--" and the prompt; flags go before "--"', () => {
    expect(DEFAULT_CLAUDE_ARGS.slice(-2)).toEqual(['--', '{prompt}']);
    expect(buildInvocation('/c', claude(DEFAULT_CLAUDE_ARGS), '--version', ['--model', 'opus'])).toEqual({
      file: '/c', args: ['-p', '--output-format', 'stream-json', '--verbose', '--model', 'opus', '--', '--version'],
    });
  });

  it('a claude profile of the earlier default is corrected at run time, options kept in order', () => {
    expect(effectiveAgentArgs(claude(LEGACY_CLAUDE_ARGS))).toEqual({ args: DEFAULT_CLAUDE_ARGS, corrected: true });
    expect(effectiveAgentArgs(claude(['--', '{prompt}', '--verbose']))).toEqual({ args: ['--verbose', '--', '{prompt}'], corrected: true });
    expect(effectiveAgentArgs(claude(DEFAULT_CLAUDE_ARGS)).corrected).toBe(false);
    expect(buildInvocation('/c', claude(LEGACY_CLAUDE_ARGS), '- fix the bug', []).args).toEqual([...DEFAULT_CLAUDE_ARGS.slice(0, -1), '- fix the bug']);
  });

  it('another agent\'s args are its owner\'s business: left as written, flags appended', () => {
    expect(effectiveAgentArgs(other(['exec', '{prompt}']))).toEqual({ args: ['exec', '{prompt}'], corrected: false });
    expect(buildInvocation('/x', other(['exec', '{prompt}']), 'p', ['--json']).args).toEqual(['exec', 'p', '--json']);
    expect(isClaudeProfile({ command: 'claude' })).toBe(true);
    expect(isClaudeProfile({ command: '/opt/claude-wrapper' })).toBe(false);
  });
});

describe("the owner's flag allow-list", () => {
  it('lets the documented claude defaults through, with separate or attached values', () => {
    expect(checkCommandFlags(['--model', 'opus', '--max-turns=3', '--disallowedTools', 'Bash', 'WebFetch', '--fork-session'], claude(DEFAULT_CLAUDE_ARGS), 'claude')).toEqual({ ok: true });
    expect(DEFAULT_CLAUDE_ALLOWED_FLAGS).toEqual(expect.arrayContaining(['--model', '--max-turns', '--max-budget-usd', '--append-system-prompt', '--resume', '--fork-session', '--disallowedTools']));
    // Issue 14: a command may only make the permission policy stricter; an allow list from the queue would loosen it.
    expect(DEFAULT_CLAUDE_ALLOWED_FLAGS).not.toContain('--allowedTools');
  });

  it.each([
    ['--dangerously-skip-permissions'], ['--permission-mode', 'bypassPermissions'], ['--settings={"hooks":{}}'], ['--settings', '/tmp/s.json'], ['--allowedTools', 'Bash'],
  ])('refuses %s: it would loosen the permission policy, which allowed_flags cannot change', (...flags: string[]) => {
    const decision = checkCommandFlags(flags, claude(DEFAULT_CLAUDE_ARGS, { allowed_flags: flags.filter((f) => f.startsWith('-')).map((f) => f.split('=')[0]!) }), 'claude');
    expect(decision.ok).toBe(false);
    expect(decision.ok ? '' : decision.reason).toContain(JSON.stringify(flags[0]!.split('=')[0]!).slice(0, -1));
    expect(decision.ok ? '' : decision.reason).toContain('agents.claude.permissions in beacon.yaml');
  });

  it.each([
    ['--mcp-config', '{}'], ['--add-dir', '/'], ['--system-prompt', 'x'], ['--output-format', 'text'], ['-c'], ['--model', 'x', '--plugin-dir', '/p'],
  ])('refuses %s by default, naming the flag and where the owner allows it', (...flags: string[]) => {
    const decision = checkCommandFlags(flags, claude(DEFAULT_CLAUDE_ARGS), 'claude');
    expect(decision.ok).toBe(false);
    const refusedName = flags.find((f) => f.startsWith('-') && !DEFAULT_CLAUDE_ALLOWED_FLAGS.includes(f.split('=')[0]!))!.split('=')[0]!;
    expect(decision.ok ? '' : decision.reason).toContain(JSON.stringify(refusedName));
    expect(decision.ok ? '' : decision.reason).toContain('agents.claude.allowed_flags in beacon.yaml');
  });

  it('a value that looks like an option is checked as one; "--" and a leading loose value are refused', () => {
    expect(checkCommandFlags(['--model', '--dangerously-skip-permissions'], claude(DEFAULT_CLAUDE_ARGS), 'claude').ok).toBe(false);
    expect(checkCommandFlags(['--model=--anything'], claude(DEFAULT_CLAUDE_ARGS), 'claude').ok).toBe(true);
    const dash = checkCommandFlags(['--', '--settings=x'], claude(DEFAULT_CLAUDE_ARGS), 'claude');
    expect(dash.ok ? '' : dash.reason).toMatch(/may not contain "--"/);
    const loose = checkCommandFlags(['hello', '--model', 'x'], claude(DEFAULT_CLAUDE_ARGS), 'claude');
    expect(loose.ok ? '' : loose.reason).toMatch(/must start with an option/);
  });

  it("the owner's allowed_flags replace the default; other agents accept none unless listed", () => {
    const owned = claude(DEFAULT_CLAUDE_ARGS, { allowed_flags: ['--permission-mode'] });
    // Listed or not, --permission-mode is judged by the policy: stricter than the owner's default passes, looser does not.
    expect(checkCommandFlags(['--permission-mode', 'plan'], owned, 'claude').ok).toBe(true);
    expect(checkCommandFlags(['--permission-mode', 'acceptEdits'], owned, 'claude').ok).toBe(false);
    expect(checkCommandFlags(['--model', 'x'], owned, 'claude').ok).toBe(false);
    const none = checkCommandFlags(['--json'], other(['{prompt}']), 'codex');
    expect(none.ok ? '' : none.reason).toContain('agent "codex" accepts no flags from the queue');
    expect(checkCommandFlags(['--json'], other(['{prompt}'], { allowed_flags: ['--json'] }), 'codex').ok).toBe(true);
  });
});

describe('sizes and empty prompts, before any spawn', () => {
  const invocation = (prompt: string, flags: string[] = []) => buildInvocation('/c', claude(DEFAULT_CLAUDE_ARGS), prompt, flags);

  it('accepts 100 KB of text and refuses one argument over the per-argument limit', () => {
    const ok = 'x'.repeat(100 * 1024);
    expect(argvProblem(invocation(ok), ok, {})).toBeNull();
    const big = 'y'.repeat(MAX_ARG_BYTES + 1);
    expect(argvProblem(invocation(big), big, {})).toMatch(/^Prompt too long/);
    const flag = `--append-system-prompt=${'z'.repeat(MAX_ARG_BYTES)}`;
    expect(argvProblem(invocation('p', [flag]), 'p', {})).toMatch(/An argument of the agent is too long/);
  });

  it('refuses argv + environment over the total limit, naming both sizes', () => {
    const env: Record<string, string> = {};
    for (let i = 0; Object.keys(env).length * 64 * 1024 < MAX_ARGV_ENV_BYTES; i++) env[`V${i}`] = 'e'.repeat(64 * 1024);
    expect(argvProblem(invocation('p'), 'p', env)).toMatch(/too large to start it: \d+ bytes of arguments and \d+ of environment/);
  });

  it('refuses a prompt of only whitespace (the CLI would exit 0 doing nothing) but not one that merely looks empty', () => {
    for (const prompt of [' ', '\n', '\t', '\u00a0 ']) expect(promptProblem(prompt)).toMatch(/empty/);
    expect(promptProblem('\u200b')).toBeNull();
    expect(promptProblem('""')).toBeNull();
  });
});
