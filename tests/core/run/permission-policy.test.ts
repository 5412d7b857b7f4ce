import { describe, expect, it } from 'vitest';
import { DEFAULT_CLAUDE_ARGS, type AgentProfile } from '../../../src-main/core/config/schema.js';
import { checkCommandFlags } from '../../../src-main/core/run/agent-flags.js';
import { permissionInvocation, PERMISSION_PROMPT_TOOL, type PermissionArgsContext } from '../../../src-main/core/run/permission-args.js';
import { commandPolicy, isAtLeastAsStrict, ownerPolicy } from '../../../src-main/core/run/permission-policy.js';

/** The owner's permission policy (agents.<name>.permissions) and what a queued command may do to it. */

const claude = (extra: Partial<AgentProfile> = {}): AgentProfile => ({ command: '/usr/local/bin/claude', args: [...DEFAULT_CLAUDE_ARGS], output: 'stream-json', ...extra });
const context: PermissionArgsContext = {
  mentuHome: '/home/ada/.mentu',
  server: { command: '/usr/bin/node', args: ['/opt/beacon/beacon.cjs', 'permission-server'] },
  serverEnv: { BEACON_PERMISSION_SOCKET: '/home/ada/.mentu/permissions.sock', BEACON_PERMISSION_TICKET: 't1' },
  sandbox: { available: true, detail: 'bubblewrap' },
};
const optionAfter = (args: string[], name: string): string => args[args.indexOf(name) + 1] as string;

describe('the owner policy', () => {
  it('defaults to asking (mode default, 600 s, sandbox auto) for a claude profile and is absent for other agents', () => {
    expect(ownerPolicy(claude())).toMatchObject({ mode: 'default', allow: [], deny: [], denyUnansweredAfterSeconds: 600, sandbox: 'auto', modeFrom: 'default' });
    expect(ownerPolicy({ command: '/bin/sh', args: ['{prompt}'], output: 'text' })).toBeNull();
  });

  it('reads the mode an older profile put in its args; permissions.mode wins when set', () => {
    expect(ownerPolicy(claude({ args: ['-p', '--permission-mode', 'acceptEdits', '--', '{prompt}'] }))).toMatchObject({ mode: 'acceptEdits', modeFrom: 'args' });
    expect(ownerPolicy(claude({ args: ['--dangerously-skip-permissions', '-p', '{prompt}'] }))).toMatchObject({ mode: 'bypassPermissions', modeFrom: 'args' });
    const set = claude({ permissions: { mode: 'plan', allow: ['Read'], deny: [], deny_unanswered_after_seconds: 5, sandbox: 'off' } });
    expect(ownerPolicy(set)).toMatchObject({ mode: 'plan', allow: ['Read'], denyUnansweredAfterSeconds: 5, sandbox: 'off', modeFrom: 'permissions' });
  });

  it('orders the modes from strictest to loosest', () => {
    expect(isAtLeastAsStrict('plan', 'default')).toBe(true);
    expect(isAtLeastAsStrict('default', 'acceptEdits')).toBe(true);
    expect(isAtLeastAsStrict('acceptEdits', 'default')).toBe(false);
    expect(isAtLeastAsStrict('bypassPermissions', 'acceptEdits')).toBe(false);
  });
});

describe('a command may ask for a stricter policy, never a looser one', () => {
  const owner = claude({ permissions: { mode: 'acceptEdits', allow: [], deny: [], deny_unanswered_after_seconds: 600, sandbox: 'auto' } });

  it('accepts a stricter --permission-mode (in either spelling) and runs under it', () => {
    for (const flags of [['--permission-mode', 'plan'], ['--permission-mode=default'], ['--permission-mode', 'acceptEdits']]) {
      expect(checkCommandFlags(flags, owner, 'claude'), flags.join(' ')).toEqual({ ok: true });
    }
    expect(commandPolicy(ownerPolicy(owner)!, ['--permission-mode', 'plan'])).toMatchObject({ mode: 'plan', modeFrom: 'command' });
  });

  it('refuses a looser mode, bypass switches, allow lists, another prompt tool and settings, even when the owner lists them in allowed_flags', () => {
    const listed = claude({ ...owner, allowed_flags: ['--allowedTools', '--settings', '--permission-prompt-tool', '--dangerously-skip-permissions'] });
    const cases: [string[], RegExp][] = [
      [['--permission-mode', 'bypassPermissions'], /"--permission-mode bypassPermissions" refused: this machine's policy is acceptEdits/],
      [['--dangerously-skip-permissions'], /"--dangerously-skip-permissions" refused: it would loosen/],
      [['--allow-dangerously-skip-permissions'], /would loosen/],
      [['--allowedTools', 'Bash'], /"--allowedTools" refused: it would loosen/],
      [['--allowed-tools=Bash'], /"--allowed-tools" refused/],
      [['--permission-prompt-tool', 'mcp__evil__yes'], /"--permission-prompt-tool" refused/],
      [['--settings', '{"permissions":{"allow":["Bash"]}}'], /"--settings" refused/],
      [['--permission-mode', 'sideways'], /expected one of plan, default, acceptEdits, bypassPermissions/],
    ];
    for (const [flags, reason] of cases) {
      const decision = checkCommandFlags(flags, listed, 'claude');
      expect(decision.ok, flags.join(' ')).toBe(false);
      expect((decision as { reason: string }).reason).toMatch(reason);
    }
  });

  it('still lets the documented stricter flags through (--disallowedTools)', () => {
    expect(checkCommandFlags(['--disallowedTools', 'Bash', '--model', 'opus'], owner, 'claude')).toEqual({ ok: true });
  });
});

describe('the options Beacon gives the CLI', () => {
  it('default mode: the mode, the settings with the owner rules plus Beacon\'s own deny rules and the sandbox, and its permission server', () => {
    const profile = claude({ permissions: { mode: 'default', allow: ['Bash(npm test:*)'], deny: ['WebFetch'], deny_unanswered_after_seconds: 30, sandbox: 'auto' } });
    const invocation = permissionInvocation(profile, ['--model', 'opus'], context)!;
    expect(invocation.asks).toBe(true);
    expect(invocation.sandboxed).toBe(true);
    expect(optionAfter(invocation.args, '--permission-mode')).toBe('default');
    expect(optionAfter(invocation.args, '--permission-prompt-tool')).toBe(PERMISSION_PROMPT_TOOL);
    const settings = JSON.parse(optionAfter(invocation.args, '--settings')) as { permissions: { allow: string[]; deny: string[] }; sandbox: Record<string, unknown> };
    expect(settings.permissions.allow).toEqual(['Bash(npm test:*)']);
    expect(settings.permissions.deny).toEqual(expect.arrayContaining(['WebFetch', 'Read(//home/ada/.mentu/**)', 'Edit(//home/ada/.mentu/**)']));
    expect(settings.sandbox).toMatchObject({
      enabled: true, failIfUnavailable: true, autoAllowBashIfSandboxed: false, allowUnsandboxedCommands: false,
      filesystem: { denyRead: ['/home/ada/.mentu'], denyWrite: ['/home/ada/.mentu'] },
    });
    const mcp = JSON.parse(optionAfter(invocation.args, '--mcp-config')) as { mcpServers: Record<string, { command: string; args: string[]; env: Record<string, string>; timeout: number }> };
    expect(mcp.mcpServers.beacon).toEqual({ type: 'stdio', ...context.server, env: context.serverEnv, timeout: 90_000 });
    expect(invocation.flags).toEqual(['--model', 'opus']);
  });

  it('plan and bypassPermissions get no permission server (plan runs nothing; bypass asks nothing); a stricter command mode replaces the owner\'s', () => {
    const plan = permissionInvocation(claude(), ['--permission-mode', 'plan'], context)!;
    expect(plan.asks).toBe(false);
    expect(plan.args).not.toContain('--permission-prompt-tool');
    expect(optionAfter(plan.args, '--permission-mode')).toBe('plan');
    expect(plan.flags).toEqual([]);
    const bypass = permissionInvocation(claude({ args: ['--dangerously-skip-permissions', '-p', '--', '{prompt}'] }), [], context)!;
    expect(bypass.asks).toBe(false);
    expect(optionAfter(bypass.args, '--permission-mode')).toBe('bypassPermissions');
    expect(bypass.profile.args).toEqual(['-p', '--', '{prompt}']);
  });

  it('sandbox auto is off where the sandbox cannot run, and says why; off leaves it out; no server means no prompt tool', () => {
    const unavailable = { ...context, sandbox: { available: false as const, detail: 'socat not on the agent\'s PATH' } };
    const auto = permissionInvocation(claude(), [], unavailable)!;
    expect(auto.sandboxed).toBe(false);
    expect(auto.sandboxNote).toContain('socat');
    expect(JSON.parse(optionAfter(auto.args, '--settings'))).not.toHaveProperty('sandbox');
    const off = permissionInvocation(claude({ permissions: { mode: 'default', allow: [], deny: [], deny_unanswered_after_seconds: 600, sandbox: 'off' } }), [], context)!;
    expect(off.sandboxed).toBe(false);
    const serverless = permissionInvocation(claude(), [], { ...context, server: null })!;
    expect(serverless.asks).toBe(false);
    expect(serverless.args).not.toContain('--mcp-config');
  });

  it('leaves other agents alone', () => {
    expect(permissionInvocation({ command: '/bin/sh', args: ['-c', '{prompt}'], output: 'text' }, ['-x'], context)).toBeNull();
  });
});
