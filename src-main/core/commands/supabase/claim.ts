import type { SupabaseClient } from '@supabase/supabase-js';
import type { Logger } from '../../logger.js';
import type { Command } from '../../contract/command.js';
import { guardedCheck, LoggedOnce } from '../check-guard.js';
import type { PreClaimCheck } from '../source.js';
import { classifyFailure, unwrap } from './client.js';
import { rowToCommand, type Row } from './mapping.js';

/**
 * Claiming (docs/mentu-schema.md#claiming): list the oldest pending candidates this machine may see,
 * apply the executor's pre-claim check locally, then claim only those that passed. The database decides
 * the winner, through claim_bridge_command (one statement, SKIP LOCKED) or, where that function is not
 * installed, through the conditional PATCH id=eq.X&status=eq.pending that is won only if one row comes back.
 * A row that merely says it is ours is never permission to run it. Each candidate is checked on its own
 * (commands/check-guard.ts), and rows a realtime event just carried may be tried before the listing.
 */

export const CANDIDATE_LIMIT = 25;

export interface ClaimerOptions {
  client: SupabaseClient;
  machineId: string;
  workspaceIds: string[];
  agents: string[];
  logger: Logger;
  now?: () => Date;
}

export interface ClaimRound {
  /** The command this machine won and must run, if any. */
  claimed: Command | null;
  /** Won candidates that must be failed at once (targeted at us but not runnable here), with the reason. */
  claimedToFail: { command: Command; reason: string }[];
}

export class Claimer {
  /** Remembered once the RPC turned out to be missing: from then on the PATCH is used. */
  private rpcAvailable = true;
  /** Did the last listing end with nothing to claim? Only then may hinted rows go first. */
  private drained = false;
  private readonly reported = new LoggedOnce();

  constructor(private readonly options: ClaimerOptions) {}

  get usesRpc(): boolean {
    return this.rpcAvailable;
  }

  /** Pending commands in our workspaces that are untargeted or targeted at us, oldest first. */
  async candidates(): Promise<Command[]> {
    const { client, workspaceIds, machineId } = this.options;
    const base = () =>
      client.from('bridge_commands').select('*').in('workspace_id', workspaceIds).eq('status', 'pending').order('created_at', { ascending: true }).limit(CANDIDATE_LIMIT);
    // Two simple queries rather than an `or=` filter, so commands targeted elsewhere never fill the window.
    const [untargeted, mine] = await Promise.all([base().is('target_machine_id', null), base().eq('target_machine_id', machineId)]);
    const rows = [...(unwrap('list pending commands', untargeted) ?? []), ...(unwrap('list targeted commands', mine) ?? [])] as Row[];
    return rows
      .flatMap((row) => this.mapCandidate(row))
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt))
      .slice(0, CANDIDATE_LIMIT);
  }

  /** One row that cannot be read is skipped (and reported once), never the whole listing. */
  private mapCandidate(row: Row): Command[] {
    try {
      return [rowToCommand(row)];
    } catch (error) {
      const id = typeof row.id === 'string' ? row.id : '(no id)';
      if (this.reported.first(id)) this.options.logger.warn('A pending command could not be read; leaving it', { commandId: id, error });
      return [];
    }
  }

  /**
   * One claim round. `hinted` are rows realtime just carried (claim-hints.ts): while the last listing
   * found nothing left to claim they are tried first, so a fresh command costs one round trip. With a
   * backlog they are ignored, so a newer command never overtakes older ones (the listing is oldest first).
   */
  async claimNext(check: PreClaimCheck, hinted: Command[] = []): Promise<ClaimRound> {
    const round: ClaimRound = { claimed: null, claimedToFail: [] };
    if (hinted.length > 0 && this.drained) {
      round.claimed = await this.claimAmong(hinted, check, round);
      if (round.claimed) return round;
    }
    round.claimed = await this.claimAmong(await this.candidates(), check, round);
    this.drained = round.claimed === null;
    return round;
  }

  /** Checks each candidate on its own (a throw costs only that one), then claims among those that passed. */
  private async claimAmong(candidates: Command[], check: PreClaimCheck, round: ClaimRound): Promise<Command | null> {
    const { machineId, logger } = this.options;
    const runnable: Command[] = [];
    for (const command of candidates) {
      // Defence in depth: the query already excluded other machines' commands.
      if (command.targetMachineId && command.targetMachineId !== machineId) continue;
      const decision = guardedCheck(check, command, command.targetMachineId === machineId);
      if (decision.ok) runnable.push(command);
      else if (decision.claimAndFail) {
        const won = await this.claimById(command.id);
        if (won) round.claimedToFail.push({ command: won, reason: decision.reason });
      } else if (decision.unchecked && this.reported.first(command.id)) {
        logger.warn('A pending command could not be checked; leaving it for a machine that can', { commandId: command.id, reason: decision.reason });
      }
    }
    if (runnable.length === 0) return null;
    if (this.rpcAvailable) {
      const viaRpc = await this.claimViaRpc(runnable);
      if (viaRpc !== 'missing') return viaRpc;
    }
    for (const command of runnable) {
      const won = await this.claimById(command.id);
      if (won) return won;
    }
    return null;
  }

  private async claimViaRpc(runnable: Command[]): Promise<Command | null | 'missing'> {
    const { client, machineId, workspaceIds, agents } = this.options;
    const response = await client.rpc('claim_bridge_command', {
      p_machine_id: machineId,
      p_workspace_ids: workspaceIds,
      // The local check already accepted these agents (it may map names the config aliases).
      p_agents: [...new Set([...agents, ...runnable.map((c) => c.agent)])],
      p_command_ids: runnable.map((c) => c.id),
    });
    if (response.error && classifyFailure(response.status, response.error) === 'missing_function') {
      this.rpcAvailable = false;
      this.options.logger.warn('claim_bridge_command is not installed in this project; claiming with the conditional PATCH instead (apply supabase/migrations to get the faster claim)');
      return 'missing';
    }
    if (response.status === 404) {
      this.rpcAvailable = false;
      return 'missing';
    }
    const data = unwrap('claim_bridge_command', response) as Row[] | Row | null;
    const row = Array.isArray(data) ? data[0] : data;
    if (!row || typeof row !== 'object' || !row.id) return null;
    return this.verifyWon(rowToCommand(row));
  }

  /** The conditional PATCH: won only if exactly one row comes back. */
  async claimById(commandId: string): Promise<Command | null> {
    const { client, machineId } = this.options;
    const now = (this.options.now ?? (() => new Date()))();
    const response = await client
      .from('bridge_commands')
      .update({ status: 'claimed', claimed_by_machine_id: machineId, claimed_at: now.toISOString() })
      .eq('id', commandId)
      .eq('status', 'pending')
      .select('*');
    const rows = (unwrap('claim command', response) ?? []) as Row[];
    if (rows.length !== 1) return null;
    return this.verifyWon(rowToCommand(rows[0]!));
  }

  private verifyWon(command: Command): Command | null {
    if (command.status !== 'claimed' || command.claimedByMachineId !== this.options.machineId) {
      this.options.logger.error('A claim returned a row this machine does not own; not running it', { commandId: command.id });
      return null;
    }
    return command;
  }
}
