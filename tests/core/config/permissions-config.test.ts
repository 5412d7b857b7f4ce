import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { renderDefaultConfig } from '../../../src-main/core/config/default-file.js';
import { ConfigError } from '../../../src-main/core/config/errors.js';
import { DEFAULT_CLAUDE_PERMISSIONS } from '../../../src-main/core/config/schema.js';
import { parseConfigText } from '../../../src-main/core/config/validate.js';

/** agents.<name>.permissions in beacon.yaml: validated like every other key, with the line and what was expected. */

const file = '/home/ada/.mentu/beacon.yaml';
const agentsYaml = (agent: string): string => `agents:\n  claude:\n    command: claude\n    args: ["-p", "--", "{prompt}"]\n${agent}`;
const problem = (text: string): string => {
  try {
    parseConfigText(file, text);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected the file to be refused');
};

describe('permissions in beacon.yaml', () => {
  it('the first-start file spells out the defaults, and they are what a claude profile without the key gets', () => {
    const text = renderDefaultConfig({ machineId: 'beacon-x', machineName: 'x' });
    const written = parse(text) as { agents: { claude: { permissions: unknown } } };
    expect(written.agents.claude.permissions).toEqual(DEFAULT_CLAUDE_PERMISSIONS);
    expect(parseConfigText(file, text).config.agents.claude!.permissions).toEqual(DEFAULT_CLAUDE_PERMISSIONS);
  });

  it('accepts a full policy and fills the rest with defaults', () => {
    const { config } = parseConfigText(file, agentsYaml('    permissions:\n      mode: acceptEdits\n      allow: ["Bash(npm test:*)", "mcp__github__get_issue", "Read(./docs/**)"]\n'));
    expect(config.agents.claude!.permissions).toEqual({ mode: 'acceptEdits', allow: ['Bash(npm test:*)', 'mcp__github__get_issue', 'Read(./docs/**)'], deny: [], deny_unanswered_after_seconds: 600, sandbox: 'auto' });
  });

  it.each([
    ['    permissions:\n      mode: yolo\n', /line 6, column 13: agents\.claude\.permissions\.mode: expected one of "plan", "default", "acceptEdits", "bypassPermissions", got "yolo"/],
    ['    permissions:\n      deny_unanswered_after_seconds: 0\n', /agents\.claude\.permissions\.deny_unanswered_after_seconds: expected a whole number from 1 to 86400, got 0/],
    ['    permissions:\n      allow: ["rm -rf /"]\n', /line 6, column 15: agents\.claude\.permissions\.allow\[0\]: expected a permission rule in the CLI's syntax/],
    ['    permissions:\n      sandbox: maybe\n', /permissions\.sandbox: expected one of "auto", "on", "off"/],
    ['    permissions:\n      asks: always\n', /unknown key "asks"/],
  ])('refuses %j with the key and what was expected', (agent, message) => {
    expect(problem(agentsYaml(agent))).toMatch(message);
  });

  it('refuses permissions on an agent that is not the claude CLI, Beacon-owned options in args, and two different modes', () => {
    expect(problem('agents:\n  shell:\n    command: /bin/sh\n    args: ["-c", "{prompt}"]\n    permissions:\n      mode: plan\n')).toMatch(
      /agents\.shell\.permissions: permissions apply to the claude CLI only/,
    );
    expect(problem('agents:\n  claude:\n    command: claude\n    args: ["-p", "--permission-prompt-tool", "mcp__x__y", "--", "{prompt}"]\n')).toMatch(
      /agents\.claude\.args: --permission-prompt-tool is set by Beacon/,
    );
    expect(problem('agents:\n  claude:\n    command: claude\n    args: ["-p", "--settings={}", "--", "{prompt}"]\n')).toMatch(/--settings is set by Beacon/);
    expect(problem(agentsYaml('    permissions:\n      mode: plan\n').replace('"-p", ', '"-p", "--permission-mode", "acceptEdits", '))).toMatch(
      /agents\.claude\.permissions\.mode: permissions\.mode is plan but args ask for acceptEdits/,
    );
  });
});
