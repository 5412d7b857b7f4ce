import type { SupabaseClient } from '@supabase/supabase-js';
import type { Logger } from '../../logger.js';
import type { OrphanRecovery } from '../source.js';
import { unwrap } from './client.js';
import type { Row } from './mapping.js';
import type { Outbox } from './outbox.js';
import { requeueClaimed } from './queries.js';
import { failedOutcome, type WriteOp } from './writes.js';

/**
 * After a restart no local process can still own this machine's claimed or running rows
 * (docs/mentu-schema.md#orphans). An agent run is not idempotent, so anything that may have started becomes failed
 * "executor restarted" with a result row; only rows provably never started go back to pending.
 * A start still waiting in the outbox counts as started; a result waiting there finishes the row itself.
 */

export interface OrphanContext {
  client: SupabaseClient;
  machineId: string;
  outbox: Outbox<WriteOp>;
  logger: Logger;
  now?: () => Date;
}

export const RESTART_MESSAGE = 'executor restarted';

export async function recoverOrphans(ctx: OrphanContext): Promise<OrphanRecovery> {
  const { client, machineId, outbox, logger } = ctx;
  const recovery: OrphanRecovery = { failed: [], requeued: [] };
  const response = await client.from('bridge_commands').select('id,status,started_at').eq('claimed_by_machine_id', machineId).in('status', ['claimed', 'running']);
  const rows = (unwrap('list orphaned commands', response) ?? []) as Row[];
  for (const row of rows) {
    const id = String(row.id);
    if (outbox.hasPending(id, 'finish')) continue;
    const mayHaveStarted = row.status === 'running' || outbox.hasPending(id, 'running');
    if (mayHaveStarted) {
      const now = (ctx.now ?? (() => new Date()))().toISOString();
      const startedAt = typeof row.started_at === 'string' ? row.started_at : null;
      const outcome = failedOutcome(RESTART_MESSAGE, startedAt, now, `${RESTART_MESSAGE}: the run was interrupted and is not repeated automatically`);
      const result = await outbox.submit({ kind: 'finish', commandId: id, outcome });
      if (result.state !== 'dropped') recovery.failed.push(id);
      continue;
    }
    if (await requeueClaimed({ client, machineId, workspaceIds: [] }, id)) recovery.requeued.push(id);
  }
  if (rows.length) logger.info('Recovered orphaned commands', { failed: recovery.failed, requeued: recovery.requeued });
  return recovery;
}
