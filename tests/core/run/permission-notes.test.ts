import { describe, expect, it } from 'vitest';
import { configSchema, DEFAULT_CLAUDE_ARGS } from '../../../src-main/core/config/schema.js';
import { permissionNotes } from '../../../src-main/core/run/permission-notes.js';

/** What doctor, the executor's start, the tray and the window say about a permission policy. */

const config = (permissions: Record<string, unknown> | undefined, args = DEFAULT_CLAUDE_ARGS) =>
  configSchema.parse({ agents: { claude: { command: 'claude', args, output: 'stream-json', ...(permissions ? { permissions } : {}) }, shell: { command: '/bin/sh', args: ['{prompt}'] } } });
const context = { configPath: '/h/.mentu/beacon.yaml', agentEnv: {}, sandbox: { available: true as const, detail: 'bubblewrap' }, uid: 1000 };

describe('permissionNotes', () => {
  it('nothing to say about the default policy with a sandbox that runs', () => {
    expect(permissionNotes(config(undefined), context)).toEqual([]);
  });

  it('warns loudly about bypassPermissions (from permissions.mode or an older profile\'s args), and as root says it cannot run without IS_SANDBOX', () => {
    const [warning] = permissionNotes(config({ mode: 'bypassPermissions' }), context);
    expect(warning).toMatchObject({ agent: 'claude', level: 'warning', detail: expect.stringContaining('NOTHING IS ASKED') as unknown, fix: 'Set agents.claude.permissions.mode to default (or acceptEdits) in /h/.mentu/beacon.yaml.' });
    const legacy = permissionNotes(config(undefined, ['--dangerously-skip-permissions', '-p', '--', '{prompt}']), context);
    expect(legacy[0]!.detail).toContain('--dangerously-skip-permissions');
    const root = permissionNotes(config({ mode: 'bypassPermissions' }), { ...context, uid: 0 });
    expect(root.map((note) => note.level)).toEqual(['warning', 'problem']);
    expect(root[1]!.detail).toContain('unless IS_SANDBOX=1');
    expect(permissionNotes(config({ mode: 'bypassPermissions' }), { ...context, uid: 0, agentEnv: { IS_SANDBOX: '1' } })).toHaveLength(1);
  });

  it('a sandbox that cannot run: a warning with auto, a problem with on, a warning when switched off', () => {
    const none = { ...context, sandbox: { available: false as const, detail: 'socat not on the agent\'s PATH' } };
    expect(permissionNotes(config({ sandbox: 'auto' }), none)).toEqual([expect.objectContaining({ level: 'warning', detail: expect.stringContaining('socat') as unknown })]);
    expect(permissionNotes(config({ sandbox: 'on' }), none)).toEqual([expect.objectContaining({ level: 'problem', detail: expect.stringContaining('stops at the start') as unknown })]);
    expect(permissionNotes(config({ sandbox: 'off' }), context)).toEqual([expect.objectContaining({ level: 'warning', detail: expect.stringContaining('sandbox is off') as unknown })]);
    expect(permissionNotes(config({ sandbox: 'auto', mode: 'plan' }), none)).toEqual([]);
  });
});
