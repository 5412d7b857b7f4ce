import type { SupabaseClient } from '@supabase/supabase-js';
import {
  PERMISSION_SURFACES,
  type PermissionAnswer,
  type PermissionAnswerSource,
  type PermissionRequestState,
  type PermissionRequestView,
} from '../../contract/permission-request.js';
import type { Logger } from '../../logger.js';
import type { PermissionMirror, PermissionSettleResult } from '../source.js';
import { ChannelManager } from './channel-manager.js';
import { SupabaseWriteError, unwrap } from './client.js';
import type { Row } from './mapping.js';

/**
 * Live permission requests in Mentu's bridge_permission_requests (supabase/migrations/…_beacon_permission_requests.sql):
 * each request is written as it is asked, a workspace member's client answers it with a guarded update, and this
 * executor hears the answers the way it hears commands: realtime (UPDATE on its own machine's rows), a catch-up
 * on every (re)subscribe, and a poll. The database decides which answer was first: an update counts only if the
 * row was still pending.
 */
export const PERMISSION_TABLE = 'bridge_permission_requests';

export interface PermissionTableOptions {
  client: () => SupabaseClient;
  machineId: string;
  pollSeconds: number;
  logger: Logger;
  /** Sets the realtime socket's token before every join (the session's, renewed if it expired). */
  authorize?: () => Promise<void>;
}

const SOURCES: readonly string[] = [...PERMISSION_SURFACES, 'no_answer', 'beacon'];

export function createPermissionTable(options: PermissionTableOptions): PermissionMirror {
  const { machineId, logger } = options;
  /** Inserts still on their way: an answer to a request waits for its row, or it would have nothing to guard. */
  const published = new Map<string, Promise<void>>();
  let channels: ChannelManager | null = null;
  let poll: NodeJS.Timeout | null = null;

  const answerOf = (row: Row): { state: PermissionRequestState; answer: PermissionAnswer } | null => {
    const state = String(row.status) as PermissionRequestState;
    if (!['allowed', 'denied', 'void'].includes(state)) return null;
    const via = SOURCES.includes(String(row.answered_via)) ? (String(row.answered_via) as PermissionAnswerSource) : 'mentu';
    return {
      state,
      answer: {
        decision: state === 'allowed' ? 'allow' : 'deny',
        scope: row.answer_scope === 'command' && state === 'allowed' ? 'command' : 'once',
        via,
        by: via === 'mentu' ? (typeof row.answered_by === 'string' ? row.answered_by : null) : typeof row.answered_by_name === 'string' ? row.answered_by_name : null,
        at: typeof row.answered_at === 'string' ? row.answered_at : new Date().toISOString(),
        message: typeof row.answer_message === 'string' && row.answer_message ? row.answer_message : null,
      },
    };
  };

  const catchUp = async (ids: string[], onAnswer: (id: string, state: PermissionRequestState, answer: PermissionAnswer) => void): Promise<void> => {
    if (!ids.length) return;
    const response = await options.client().from(PERMISSION_TABLE).select('*').in('id', ids).neq('status', 'pending');
    for (const row of (unwrap('read permission answers', response) ?? []) as Row[]) {
      const settled = answerOf(row);
      if (settled) onAnswer(String(row.id), settled.state, settled.answer);
    }
  };

  return {
    async publish(request: PermissionRequestView) {
      if (!request.workspaceId) return; // a local-queue command has no workspace to show it in
      const insert = (async () => {
        const response = await options.client().from(PERMISSION_TABLE).insert({
          id: request.id,
          workspace_id: request.workspaceId,
          command_id: request.commandId,
          machine_id: machineId,
          tool_name: request.tool,
          summary: request.summary,
          detail: request.detail,
          tool_use_id: request.toolUseId,
          status: 'pending',
          asked_at: request.askedAt,
          deadline_at: request.deadlineAt,
        });
        unwrap('write permission request', response);
      })();
      published.set(request.id, insert.catch(() => undefined));
      await insert;
    },

    async settle(requestId, state, answer): Promise<PermissionSettleResult> {
      await published.get(requestId);
      try {
        const response = await options
          .client()
          .from(PERMISSION_TABLE)
          .update({
            status: state,
            answer_scope: answer.scope,
            answer_message: answer.message,
            answered_via: answer.via,
            answered_by_name: answer.via === 'mentu' ? null : answer.by,
            answered_at: answer.at,
          })
          .eq('id', requestId)
          .eq('status', 'pending')
          .select('id');
        if (((unwrap('answer permission request', response) ?? []) as Row[]).length === 1) return { outcome: 'won' };
        const current = await options.client().from(PERMISSION_TABLE).select('*').eq('id', requestId).maybeSingle();
        const row = unwrap('read permission request', current) as Row | null;
        // No row: it was never written (the database was unreachable when it was asked): nothing to race with.
        const settled = row ? answerOf(row) : null;
        return settled ? { outcome: 'lost', ...settled } : { outcome: 'won' };
      } catch (error) {
        if (error instanceof SupabaseWriteError && (error.kind === 'network' || error.kind === 'server')) return { outcome: 'unreachable', reason: error.message };
        throw error;
      } finally {
        published.delete(requestId);
      }
    },

    watch(pendingIds, onAnswer) {
      const check = (why: string): void => {
        void catchUp(pendingIds(), onAnswer).catch((error: unknown) => logger.warn(`permission answers ${why} failed`, { error }));
      };
      channels = new ChannelManager({
        client: options.client(),
        filterValues: [machineId],
        binding: { table: PERMISSION_TABLE, column: 'machine_id', events: ['UPDATE'], topic: 'beacon-permissions' },
        disconnectOnStop: false,
        authorize: options.authorize,
        logger,
        maxBackoffMs: 15_000,
        events: {
          onSubscribed: () => check('catch-up'),
          onTrouble: () => {},
          onChange: (_type, row) => {
            const settled = answerOf(row);
            if (settled && pendingIds().includes(String(row.id))) onAnswer(String(row.id), settled.state, settled.answer);
          },
        },
      });
      channels.start();
      poll = setInterval(() => check('poll'), options.pollSeconds * 1000);
      poll.unref();
    },

    async voidLeftovers(reason) {
      const response = await options
        .client()
        .from(PERMISSION_TABLE)
        .update({ status: 'void', answered_via: 'beacon', answer_message: reason, answered_at: new Date().toISOString() })
        .eq('machine_id', machineId)
        .eq('status', 'pending')
        .select('id');
      return ((unwrap('void permission requests', response) ?? []) as Row[]).length;
    },

    async stop() {
      if (poll) clearInterval(poll);
      poll = null;
      await channels?.stop();
      channels = null;
    },
  };
}
