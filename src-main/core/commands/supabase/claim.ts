import type { SupabaseClient } from '@supabase/supabase-js';
import type { Logger } from '../../logger.js';
import type { Command } from '../command.js';
import type { PreClaimCheck } from '../source.js';
import { classifyFailure, unwrap } from './client.js';
import { rowToCommand, type Row } from './mapping.js';

/**
 * Claiming (mentu-compat §3, §11.1, §11.7): list the oldest pending candidates this machine may see,
 * apply the executor's pre-claim check locally, then claim only those that passed. The database decides
 * the winner, through claim_bridge_command (one statement, SKIP LOCKED) or, where that function is not
 * installed, through the conditional PATCH id=eq.X&status=eq.pending that is won only if one row comes back.
 * A row that merely says it is ours is never permission to run it.
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
      .map(rowToCommand)
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt))
      .slice(0, CANDIDATE_LIMIT);
  }

  async claimNext(check: PreClaimCheck): Promise<ClaimRound> {
    const round: ClaimRound = { claimed: null, claimedToFail: [] };
    const candidates = await this.candidates();
    const runnable: Command[] = [];
    for (const command of candidates) {
      // Defence in depth: the query already excluded other machines' commands.
      if (command.targetMachineId && command.targetMachineId !== this.options.machineId) continue;
      const decision = check(command);
      if (decision.ok) runnable.push(command);
      else if (decision.claimAndFail) {
        const won = await this.claimById(command.id);
        if (won) round.claimedToFail.push({ command: won, reason: decision.reason });
      }
    }
    if (runnable.length === 0) return round;
    if (this.rpcAvailable) {
      const viaRpc = await this.claimViaRpc(runnable);
      if (viaRpc !== 'missing') {
        round.claimed = viaRpc;
        return round;
      }
    }
    for (const command of runnable) {
      const won = await this.claimById(command.id);
      if (won) {
        round.claimed = won;
        break;
      }
    }
    return round;
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
