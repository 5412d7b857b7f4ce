import type { Command, CommandOutcome } from '../contract/command.js';
import type { CommandSource } from '../commands/source.js';
import type { Logger } from '../logger.js';
import { ApprovalGate, approvalPortFromSource, type ApprovalResolution } from './gate.js';
import { ApprovalStore } from './store.js';
import type { LedgerClient, LedgerTask } from '../ledger.js';
import { runOnApprove } from './on-approve.js';
import { agentEnvironment } from '../run/shell-env.js';

/**
 * The executor's side of post-run approval (gate.ts): hold a successful approval_required run,
 * wait for the decision in the background (a wait can last 24 h, so it holds no run slot), resume the waits
 * a previous process left, and end them at shutdown (the records stay for the next start).
 */
export interface ExecutorApprovals {
  /**
   * After a successful run: running → awaiting_approval and the wait starts. True when held; false when the
   * command was no longer running (a cancel won). Throws when the source cannot hold commands for approval.
   */
  hold(request: HoldRequest): Promise<boolean>;
  /** Resume every wait a previous process left (after orphan recovery at start). */
  resume(): Promise<void>;
  /** The source saw the command change: re-read its approval now. */
  wake(commandId: string): void;
  /** Ids this process is waiting on (or running on_approve for). */
  waiting(): string[];
  /** Stop waiting at once; give a running on_approve up to graceMs, then interrupt it. */
  stop(graceMs: number): Promise<void>;
}

export interface HoldRequest {
  command: Command;
  run: CommandOutcome;
  /** Where the agent ran (the worktree when there was one) and the worktree's variables. */
  workingDirectory: string;
  extraEnv: Record<string, string>;
  /** The ledger task reference of the run, for the evidence capture sent when the approval resolves. */
  taskRef: Promise<string | null>;
}

export interface ApprovalDeps {
  source: CommandSource;
  approvalsFile: string;
  /** The allowlisted login-shell environment the agent environment is built from. */
  agentEnv: () => Record<string, string>;
  ledger: () => LedgerClient | null;
  onApproveTimeoutMs: number;
  maxOutputBytes: number;
  logger: Logger;
  changed(commandId: string): void;
  pollIntervalMs?: number;
}

export function createExecutorApprovals(deps: ApprovalDeps): ExecutorApprovals {
  const { source, logger } = deps;
  const waitAbort = new AbortController();
  const onApproveAbort = new AbortController();
  const waits = new Map<string, Promise<void>>();
  const onApproveRuns = new Set<Promise<unknown>>();
  const gate = new ApprovalGate({
    port: approvalPortFromSource(source),
    store: new ApprovalStore(deps.approvalsFile, logger),
    source: source.kind,
    onApproveTimeoutMs: deps.onApproveTimeoutMs,
    maxOutputBytes: deps.maxOutputBytes,
    pollIntervalMs: deps.pollIntervalMs,
    logger,
    // Stopping ends the wait at once, but on_approve gets the shutdown grace period like a running agent.
    run: (request) => {
      const run = runOnApprove({ ...request, signal: onApproveAbort.signal });
      onApproveRuns.add(run);
      void run.finally(() => onApproveRuns.delete(run));
      return run;
    },
  });

  const envFor = (commandId: string, workspaceId: string | null, extra: Record<string, string>): Record<string, string> =>
    agentEnvironment(deps.agentEnv(), { commandId, workspaceId, extra });

  const evidence = (resolution: ApprovalResolution, task: Promise<LedgerTask | null>, taskRef: Promise<string | null>): void => {
    const ledger = deps.ledger();
    if (!ledger?.enabled || !('outcome' in resolution) || !resolution.recorded) return;
    void Promise.all([task, taskRef]).then(([known, ref]) => (known ? ledger.captureEvidence(known, resolution.outcome, ref) : null));
  };

  const startWait = (commandId: string, env: Record<string, string>, task: Promise<LedgerTask | null>, taskRef: Promise<string | null>): void => {
    if (waits.has(commandId)) return;
    const wait = gate
      .wait(commandId, { env, signal: waitAbort.signal })
      .then((resolution) => {
        if (resolution.kind === 'aborted') return;
        const status = 'outcome' in resolution ? ` status=${resolution.outcome.status}` : '';
        logger.info(`approval of ${commandId} ended: ${resolution.kind}${status}`);
        evidence(resolution, task, taskRef);
      })
      .catch((error: unknown) => logger.error(`the approval wait of ${commandId} failed; it resumes at the next start`, { error }))
      .finally(() => {
        waits.delete(commandId);
        deps.changed(commandId);
      });
    waits.set(commandId, wait);
  };

  const taskOf = async (commandId: string): Promise<LedgerTask | null> => {
    const command = await source.get(commandId).catch(() => null);
    return command ? { agent: command.agent, prompt: command.prompt, workingDirectory: command.workingDirectory } : null;
  };

  return {
    async hold({ command, run, workingDirectory, extraEnv, taskRef }) {
      const held = await gate.enter({
        commandId: command.id,
        workspaceId: command.workspaceId,
        workingDirectory,
        onApprove: command.onApprove,
        extraEnv,
        run,
      });
      if (!held) return false;
      const task: LedgerTask = { agent: command.agent, prompt: command.prompt, workingDirectory: command.workingDirectory };
      startWait(command.id, envFor(command.id, command.workspaceId, extraEnv), Promise.resolve(task), taskRef);
      deps.changed(command.id);
      return true;
    },
    async resume() {
      // An unreadable approvals file must not stop the executor: those commands stay awaiting_approval.
      const records = await gate.pending().catch((error: unknown) => {
        logger.error('cannot read the approval waits to resume; those commands stay awaiting approval', { error });
        return [];
      });
      for (const record of records) {
        logger.info(`resuming the approval wait of ${record.commandId} (deadline ${record.deadlineAt})`);
        startWait(record.commandId, envFor(record.commandId, record.workspaceId, record.extraEnv), taskOf(record.commandId), Promise.resolve(null));
      }
    },
    wake: (commandId) => gate.wake(commandId),
    waiting: () => [...waits.keys()],
    async stop(graceMs) {
      waitAbort.abort();
      if (onApproveRuns.size) {
        logger.info(`stopping: ${onApproveRuns.size} on_approve command(s) still running; waiting up to ${Math.round(graceMs / 1000)}s`);
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([Promise.allSettled([...onApproveRuns]), new Promise((r) => (timer = setTimeout(r, graceMs)))]);
        clearTimeout(timer);
      }
      onApproveAbort.abort();
      await Promise.allSettled([...waits.values()]);
    },
  };
}
