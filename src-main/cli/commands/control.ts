import type { Command as Program } from 'commander';
import { writePaused } from '../../core/executor/pause-state.js';
import { mentuPaths } from '../../core/paths.js';
import { callExecutor, ExecutorNotRunningError } from '../control/client.js';
import { commandFrom, withConfiguredSource } from '../control/configured-source.js';
import { CliError } from '../errors.js';

/** cancel, pause, resume: through the running executor's control socket, or directly when none runs. */
export function registerControlCommands(program: Program): void {
  program
    .command('cancel')
    .description('cancel a command (a running one is stopped, its whole process group killed)')
    .argument('<id>', 'the command id, or its first 6 characters or more')
    .action(async (typed: string) => {
      const paths = mentuPaths();
      const result = await withConfiguredSource(async ({ source }): Promise<{ ok: boolean; message: string }> => {
        const { id } = await commandFrom(source, typed);
        try {
          return (await callExecutor(paths.controlSocket, 'cancel', [id])) as { ok: boolean; message: string };
        } catch (error) {
          if (!(error instanceof ExecutorNotRunningError)) throw error;
        }
        if (await source.requestCancel(id)) return { ok: true, message: `Cancelled ${id}` };
        const command = await source.get(id);
        return { ok: false, message: command ? `Command ${id} is already ${command.status}` : `No command ${id}` };
      });
      if (!result.ok) throw new CliError(result.message);
      process.stdout.write(result.message + '\n');
    });

  for (const action of ['pause', 'resume'] as const) {
    program
      .command(action)
      .description(action === 'pause' ? 'stop claiming new commands (running ones finish); persists across restarts' : 'claim commands again')
      .action(async () => {
        const paths = mentuPaths();
        try {
          await callExecutor(paths.controlSocket, action, []);
          process.stdout.write(action === 'pause' ? 'Paused: no new commands will be claimed; running commands finish.\n' : 'Resumed: claiming commands again.\n');
        } catch (error) {
          if (!(error instanceof ExecutorNotRunningError)) throw error;
          writePaused(paths.state, action === 'pause');
          process.stdout.write(
            action === 'pause'
              ? 'No executor is running; the next executor will start paused (beacon resume to undo).\n'
              : 'No executor is running; the next executor will claim commands.\n',
          );
        }
      });
  }
}
