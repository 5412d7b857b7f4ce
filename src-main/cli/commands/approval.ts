import type { Command as Program } from 'commander';
import { setApproval, type ApprovalDecision } from '../../core/approvals/decide.js';
import { mentuPaths } from '../../core/paths.js';
import { callExecutor, ExecutorNotRunningError } from '../control/client.js';
import { readControlKey } from '../control/control-key.js';
import { commandFrom, withConfiguredSource } from '../control/configured-source.js';
import { CliError } from '../errors.js';

/**
 * approve, reject: a person's decision on a command awaiting approval (docs/mentu-schema.md#approval). Through the running
 * executor's control socket, so its wait re-reads at once; without one, straight to the configured source
 * (the next executor to start sees the decision).
 */
export function registerApprovalCommands(program: Program): void {
  const decisions: [string, ApprovalDecision, string][] = [
    ['approve', 'approved', "approve a command awaiting approval: its on_approve runs and becomes the command's result"],
    ['reject', 'rejected', 'reject a command awaiting approval: it ends failed "Command rejected by user"'],
  ];
  for (const [name, decision, description] of decisions) {
    program
      .command(name)
      .description(description)
      .argument('<id>', 'the command id, or its first 6 characters or more')
      .action(async (typed: string) => {
        const paths = mentuPaths();
        const result = await withConfiguredSource(async ({ source }): Promise<{ ok: boolean; message: string }> => {
          const { id } = await commandFrom(source, typed);
          try {
            return (await callExecutor(paths.controlSocket, 'decideApproval', [id, decision], 10_000, readControlKey(paths))) as { ok: boolean; message: string };
          } catch (error) {
            if (!(error instanceof ExecutorNotRunningError)) throw error;
          }
          const direct = await setApproval(source, id, decision);
          return direct.ok ? { ...direct, message: `${direct.message} (no executor is running; the next one to start acts on it)` } : direct;
        });
        if (!result.ok) throw new CliError(result.message);
        process.stdout.write(result.message + '\n');
      });
  }
}
