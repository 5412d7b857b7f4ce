import { randomBytes, randomUUID } from 'node:crypto';
import type { PermissionMirror, PermissionSettleResult } from '../commands/source.js';
import {
  describeAnswerSource,
  type PermissionAnswer,
  type PermissionAnswerInput,
  type PermissionRequestsSummary,
  type PermissionRequestState,
  type PermissionRequestView,
  type PermissionSurface,
} from '../contract/permission-request.js';
import type { Logger } from '../logger.js';
import { describeToolInput } from './request-summary.js';

/**
 * Live permission requests: each tool use the agent's CLI asks about (through Beacon's permission server) becomes
 * a record that waits for the first answer from any surface. One state machine per request, pending → allowed |
 * denied | void, settled once: with Mentu configured the database's guarded update decides which answer was first
 * (so a phone and the tray window cannot both win); otherwise this process does. A request nobody answers is
 * denied at its deadline; the requests of a run that ends are void.
 */
export type PermissionVerdict = { behavior: 'allow'; updatedInput: Record<string, unknown> } | { behavior: 'deny'; message: string };

export interface AskInput {
  toolName: string;
  input: Record<string, unknown>;
  toolUseId: string | null;
}

export interface RunRegistration {
  commandId: string;
  workspaceId: string | null;
  /** The real working directory (diffs are read only inside it). */
  cwd: string;
  denyUnansweredAfterSeconds: number;
}

export interface OpenRun {
  /** What the run's permission server presents: requests are bound to this command. */
  ticket: string;
  /** The run ended: what is still pending is void. */
  close(reason: string): void;
  summary(): PermissionRequestsSummary;
}

export interface AnswerResult {
  ok: boolean;
  message: string;
  request?: PermissionRequestView;
}

export interface PermissionRequestsOptions {
  mentuHome: string;
  logger: Logger;
  /** The database copy (Mentu), or null for the local queue. */
  mirror: () => PermissionMirror | null;
  now?: () => Date;
  /** A request changed (asked, answered, void): the UI redraws. */
  changed(commandId: string): void;
  /** A line for the command's log in the source (spawn_logs). */
  note(commandId: string, line: string): void;
}

interface RequestRecord {
  view: PermissionRequestView;
  input: Record<string, unknown>;
  run: RunState;
  settling: Promise<void> | null;
  timer: NodeJS.Timeout | null;
  deliver: ((verdict: PermissionVerdict) => void) | null;
}

interface RunState extends RunRegistration {
  ticket: string;
  closed: boolean;
  /** Tools a person allowed for the rest of this command, with who did. */
  grants: Map<string, PermissionAnswer>;
  records: RequestRecord[];
}

/** Settled requests of finished commands stay visible this long (the run summary keeps the counts for good). */
const RECENT_MS = 30 * 60 * 1000;
const DENIALS_KEPT = 20;

export function createPermissionRequests(options: PermissionRequestsOptions) {
  const now = options.now ?? (() => new Date());
  const runs = new Map<string, RunState>();
  const records = new Map<string, RequestRecord>();
  const finished: { at: number; record: RequestRecord }[] = [];

  const changed = (record: RequestRecord): void => options.changed(record.view.commandId);

  const apply = (record: RequestRecord, state: PermissionRequestState, answer: PermissionAnswer): void => {
    if (record.view.state !== 'pending') return;
    if (record.timer) clearTimeout(record.timer);
    record.timer = null;
    record.view = { ...record.view, state, answer };
    if (state === 'allowed' && answer.scope === 'command') record.run.grants.set(record.view.tool, answer);
    const who = describeAnswerSource(answer);
    const said = answer.message ? `: ${answer.message}` : '';
    options.note(record.view.commandId, `[beacon] permission request ${record.view.id.slice(0, 8)} ${record.view.tool} ${record.view.summary}: ${state} (${who})${said}`);
    options.logger.info(`permission request ${record.view.id} (${record.view.commandId}, ${record.view.tool}) ${state} by ${who}`);
    record.deliver?.(verdictOf(record, state, answer));
    record.deliver = null;
    changed(record);
  };

  /** First answer wins: through the database's guarded update when there is one, else here and now. */
  const settle = (record: RequestRecord, state: PermissionRequestState, answer: PermissionAnswer): Promise<void> => {
    if (record.view.state !== 'pending') return Promise.resolve();
    if (record.settling) return record.settling;
    const mirror = options.mirror();
    if (!mirror) {
      apply(record, state, answer);
      return Promise.resolve();
    }
    record.settling = mirror
      .settle(record.view.id, state, answer)
      .catch((error: unknown): PermissionSettleResult => ({ outcome: 'unreachable', reason: error instanceof Error ? error.message : String(error) }))
      .then((result) => {
        if (result.outcome === 'lost') apply(record, result.state, result.answer);
        else {
          if (result.outcome === 'unreachable') options.logger.warn(`permission request ${record.view.id}: the database is unreachable (${result.reason}); decided here`);
          apply(record, state, answer);
        }
      })
      .finally(() => {
        record.settling = null;
      });
    return record.settling;
  };

  const createRecord = (run: RunState, ask: AskInput): RequestRecord => {
    const asked = now();
    const text = describeToolInput(ask.toolName, ask.input, { cwd: run.cwd, mentuHome: options.mentuHome });
    const view: PermissionRequestView = {
      id: randomUUID(),
      commandId: run.commandId,
      workspaceId: run.workspaceId,
      tool: ask.toolName,
      summary: text.summary,
      detail: text.detail,
      toolUseId: ask.toolUseId,
      askedAt: asked.toISOString(),
      deadlineAt: new Date(asked.getTime() + run.denyUnansweredAfterSeconds * 1000).toISOString(),
      state: 'pending',
      answer: null,
    };
    const record: RequestRecord = { view, input: ask.input, run, settling: null, timer: null, deliver: null };
    records.set(view.id, record);
    run.records.push(record);
    return record;
  };

  const ask = (ticket: string, input: AskInput): Promise<PermissionVerdict> => {
    const run = runs.get(ticket);
    if (!run || run.closed) return Promise.resolve({ behavior: 'deny', message: 'Beacon does not know this run (it ended, or the ticket is wrong); nothing can be allowed.' });
    const record = createRecord(run, input);
    const grant = run.grants.get(input.toolName);
    if (grant) {
      apply(record, 'allowed', { ...grant, at: now().toISOString(), message: `allowed for the rest of this command by ${describeAnswerSource(grant)}` });
      return Promise.resolve(verdictOf(record, 'allowed', grant));
    }
    const verdict = new Promise<PermissionVerdict>((resolve) => (record.deliver = resolve));
    const waitMs = Date.parse(record.view.deadlineAt) - now().getTime();
    record.timer = setTimeout(() => {
      void settle(record, 'denied', {
        decision: 'deny', scope: 'once', via: 'no_answer', by: null, at: now().toISOString(),
        message: `nobody answered within ${run.denyUnansweredAfterSeconds} s`,
      });
    }, Math.max(0, waitMs));
    options.note(run.commandId, `[beacon] permission request ${record.view.id.slice(0, 8)}: ${record.view.tool} ${record.view.summary} (waiting for an answer until ${record.view.deadlineAt})`);
    options.logger.info(`permission request ${record.view.id} (${run.commandId}): ${record.view.tool} ${record.view.summary}`);
    const mirror = options.mirror();
    if (mirror) void mirror.publish(record.view).catch((error: unknown) => options.logger.warn(`permission request ${record.view.id} could not be written to the database`, { error }));
    changed(record);
    return verdict;
  };

  const resolveId = (idOrPrefix: string): RequestRecord | string => {
    const exact = records.get(idOrPrefix);
    if (exact) return exact;
    if (idOrPrefix.length < 4) return `No permission request ${idOrPrefix} (give at least 4 characters of its id)`;
    const matches = [...records.values()].filter((record) => record.view.id.startsWith(idOrPrefix));
    if (matches.length === 1) return matches[0] as RequestRecord;
    return matches.length ? `${matches.length} permission requests start with ${idOrPrefix}; give more of the id` : `No permission request ${idOrPrefix}`;
  };

  return {
    openRun(registration: RunRegistration): OpenRun {
      const ticket = randomBytes(24).toString('hex');
      const run: RunState = { ...registration, ticket, closed: false, grants: new Map(), records: [] };
      runs.set(ticket, run);
      return {
        ticket,
        close: (reason) => {
          if (run.closed) return;
          run.closed = true;
          runs.delete(ticket);
          for (const record of run.records) {
            if (record.view.state === 'pending') {
              void settle(record, 'void', { decision: 'deny', scope: 'once', via: 'beacon', by: null, at: now().toISOString(), message: reason });
            }
            finished.push({ at: Date.now(), record });
          }
        },
        summary: () => summarize(run.records),
      };
    },
    ask,
    /** A person's answer from a surface; the first one wins, later ones are told who answered. */
    async answer(idOrPrefix: string, input: PermissionAnswerInput, who: { via: PermissionSurface; by: string | null }): Promise<AnswerResult> {
      const found = resolveId(idOrPrefix);
      if (typeof found === 'string') return { ok: false, message: found };
      const record = found;
      if (input.decision === 'deny' && input.scope === 'command') return { ok: false, message: 'Only an allow can cover the rest of the command' };
      const answer: PermissionAnswer = {
        decision: input.decision, scope: input.scope ?? 'once', via: who.via, by: who.by, at: now().toISOString(), message: input.message?.trim() || null,
      };
      if (record.view.state === 'pending') await settle(record, input.decision === 'allow' ? 'allowed' : 'denied', answer);
      const settled = record.view.answer;
      if (settled === answer) return { ok: true, message: `${input.decision === 'allow' ? 'Allowed' : 'Denied'} ${record.view.tool} ${record.view.summary}`, request: record.view };
      const by = settled ? describeAnswerSource(settled) : 'nobody';
      return { ok: false, message: `Request ${record.view.id.slice(0, 8)} was already ${record.view.state} (by ${by})`, request: record.view };
    },
    /** An answer someone wrote in the database (a Mentu client); the database already decided it was first. */
    applyRemote(requestId: string, state: PermissionRequestState, answer: PermissionAnswer): void {
      const record = records.get(requestId);
      if (!record || record.settling || record.view.state !== 'pending') return;
      apply(record, state, answer);
    },
    pendingIds: (): string[] => [...records.values()].filter((record) => record.view.state === 'pending').map((record) => record.view.id),
    /** The requests of running commands and those settled lately, oldest first. */
    list(): PermissionRequestView[] {
      const cutoff = Date.now() - RECENT_MS;
      while (finished.length && (finished[0] as { at: number }).at < cutoff) {
        const old = finished.shift() as { record: RequestRecord };
        if (old.record.view.state !== 'pending') records.delete(old.record.view.id);
      }
      return [...records.values()].map((record) => record.view);
    },
    stop(): void {
      for (const run of [...runs.values()]) runs.delete(run.ticket);
      for (const record of records.values()) if (record.timer) clearTimeout(record.timer);
    },
  };
}

export type PermissionRequests = ReturnType<typeof createPermissionRequests>;

function verdictOf(record: RequestRecord, state: PermissionRequestState, answer: PermissionAnswer): PermissionVerdict {
  if (state === 'allowed') return { behavior: 'allow', updatedInput: record.input };
  if (answer.via === 'no_answer') {
    return { behavior: 'deny', message: `Nobody answered this permission request in time, so Beacon denied it (${answer.message ?? 'no answer'}). Go on without it.` };
  }
  if (state === 'void') return { behavior: 'deny', message: `Denied: ${answer.message ?? 'the command ended'}` };
  return { behavior: 'deny', message: `Denied by ${describeAnswerSource(answer)}${answer.message ? `: ${answer.message}` : ''}` };
}

export function summarize(records: readonly { view: PermissionRequestView }[]): PermissionRequestsSummary {
  const views = records.map((record) => record.view);
  const denied = views.filter((view) => view.state === 'denied');
  return {
    asked: views.length,
    allowed: views.filter((view) => view.state === 'allowed').length,
    denied: denied.length,
    unanswered: denied.filter((view) => view.answer?.via === 'no_answer').length,
    denials: denied.slice(0, DENIALS_KEPT).map((view) => ({
      tool: view.tool, summary: view.summary, via: view.answer?.via ?? 'beacon', by: view.answer?.by ?? null, message: view.answer?.message ?? null, toolUseId: view.toolUseId,
    })),
  };
}
