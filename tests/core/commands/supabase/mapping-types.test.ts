import { describe, expect, it } from 'vitest';
import { rowToCommand } from '../../../../src-main/core/commands/supabase/mapping.js';
import { UnreadableRowError } from '../../../../src-main/core/commands/row-fields.js';
import { createPreClaimCheck } from '../../../../src-main/core/executor/pre-claim.js';
import { parseConfigText } from '../../../../src-main/core/config/validate.js';

/**
 * Issue 15, point 2, the Supabase side: a bridge_commands row may carry any JSON value in any column (a
 * project whose column has another type, a client that wrote through RPC). Before the fix a prompt of 42
 * became an empty prompt and ran, an agent of 7 became `claude` and ran. Now each is refused naming the column.
 */
const base = { id: 'c-1', workspace_id: 'w', prompt: 'hello', working_directory: '/tmp', agent: 'claude', flags: [], status: 'pending', created_at: '2026-01-01T00:00:00Z' };
const odd: [string, unknown][] = [
  ['a number', 42],
  ['a boolean', true],
  ['a JSON object', { a: 1 }],
  ['a list', ['x']],
];
const columns = ['prompt', 'working_directory', 'agent', 'workspace_id', 'target_machine_id', 'command_type', 'commitment_id', 'on_approve', 'created_at'];
const cases: { column: string; value: unknown; label: string }[] = [
  ...columns.flatMap((column) => odd.map(([label, value]) => ({ column, value, label }))),
  { column: 'flags', value: 'not a list', label: 'text' },
  { column: 'flags', value: { a: 1 }, label: 'a JSON object' },
  { column: 'flags', value: ['--ok', 42], label: 'a list with a number' },
  { column: 'timeout_seconds', value: 'soon', label: 'text' },
  { column: 'timeout_seconds', value: { s: 1 }, label: 'a JSON object' },
  { column: 'with_worktree', value: 'yes', label: 'text' },
  { column: 'approval_required', value: 1, label: 'a number' },
];

const config = parseConfigText('/x/beacon.yaml', 'machine:\n  id: beacon-m\nexecution:\n  allowed_directories: [/tmp]\nagents:\n  claude:\n    command: /bin/sh\n').config;
const context = () => ({ config, configPath: '/x/beacon.yaml', machineId: 'beacon-m', sourceKind: 'supabase' as const, agentEnv: { PATH: '/usr/bin:/bin' }, homeDir: '/tmp' });

describe(`bridge_commands rows with a value of the wrong type (${cases.length} cases)`, () => {
  for (const { column, value, label } of cases) {
    it(`${column} holding ${label}: refused, naming the column`, () => {
      const command = rowToCommand({ ...base, [column]: value, target_machine_id: column === 'target_machine_id' ? value : 'beacon-m' });
      expect(command.defect).toContain(`column ${column} holds`);
      const decision = createPreClaimCheck(context, () => false)(command);
      // Targeted here it is ours to fail; with an unreadable target it may be another machine's: left, logged once.
      expect(decision).toMatchObject({ ok: false, claimAndFail: column !== 'target_machine_id' });
      expect(decision.ok ? '' : decision.reason).toMatch(new RegExp(`^Command refused: column ${column} holds`));
    });
  }

  it('an ordinary row has no defect (null flags and null booleans are fine)', () => {
    expect(rowToCommand({ ...base, flags: null, with_worktree: null, timeout_seconds: '30' }).defect).toBeNull();
  });

  it('a row whose id is not text, or whose status Beacon does not know, is unreadable', () => {
    expect(() => rowToCommand({ ...base, id: 7 })).toThrow(UnreadableRowError);
    expect(() => rowToCommand({ ...base, status: 'Pending' })).toThrow(/status Beacon does not know: text "Pending"/);
  });

  it('the run summary comes from result.run_summary; another executor\'s result, or a malformed one, is no summary and no defect', () => {
    const summary = rowToCommand({ ...base, status: 'completed', result: { exit_code: 0, run_summary: { sessionId: 's-1', model: 'claude-x', numTurns: 2 } } }).summary;
    expect(summary).toMatchObject({ sessionId: 's-1', model: 'claude-x', numTurns: 2, toolUses: [] });
    for (const result of [{ success: true, summary: 'bug fixed' }, { run_summary: 'text' }, { run_summary: { sessionId: 5 } }, { run_summary: [1] }, null]) {
      const command = rowToCommand({ ...base, status: 'completed', result });
      expect(command.summary, JSON.stringify(result)).toBeNull();
      expect(command.defect).toBeNull();
    }
  });
});
