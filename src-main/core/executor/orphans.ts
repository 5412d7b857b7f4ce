import type { CommandSource } from '../commands/source.js';
import type { Logger } from '../logger.js';

/**
 * After a restart no process of ours can still own a command: what was running ends failed
 * "executor restarted" (agent runs are not idempotent, never re-run), what was only claimed goes back
 * to pending (docs/mentu-schema.md#orphans).
 */
export async function recoverOrphans(source: CommandSource, logger: Logger): Promise<void> {
  const recovery = await source.recoverOrphans();
  for (const id of recovery.failed) logger.warn(`orphan ${id} was running when the executor stopped: failed "executor restarted"`);
  for (const id of recovery.requeued) logger.info(`orphan ${id} was claimed but never started: back to pending`);
}
