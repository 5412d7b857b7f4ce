import type { CommandOutcome } from '../contract/command.js';
import { isTerminal } from '../commands/command.js';
import { silentLogger, type Logger } from '../logger.js';
import type { ApprovalPort, ApprovalState } from './port.js';
import type { ApprovalRecord, ApprovalStore } from './store.js';
import { runOnApprove, type OnApproveRequest, type OnApproveResult } from './on-approve.js';

/**
 * The post-execution approval gate (docs/mentu-schema.md#approval). After a successful run of a command with
 * approval_required, the command waits in awaiting_approval (approval_status 'pending') until someone
 * sets approval_status:
 *   approved  → status approved, `on_approve` runs in the same directory, its result is the command's result;
 *   rejected  → failed "Command rejected by user";
 *   no answer → timeout "Approval timed out after 24 hours" (24 h after entering, across restarts).
 * A user's cancel while waiting wins: nothing more is written. The wait is durable (ApprovalStore), so a
 * restarted Beacon resumes it with the original deadline.
 */

export const APPROVAL_WINDOW_MS = 24 * 60 * 60 * 1000;
export const REJECTED_MESSAGE = 'Command rejected by user';

export type { ApprovalPort, ApprovalState } from './port.js';
export { approvalPortFromSource } from './port.js';

/** How a wait ended. `recorded` is whether the gate's terminal write was accepted by the source. */
export type ApprovalResolution =
  | { kind: 'approved' | 'rejected' | 'timeout'; outcome: CommandOutcome; recorded: boolean }
  /** The user cancelled the command while it waited: the cancel stands, nothing else was written. */
  | { kind: 'cancelled' }
  /** The command is gone or was ended by someone else; the record was dropped. */
  | { kind: 'lost'; reason: string }
  /** This process stopped waiting (shutdown); the record stays and the next start resumes it. */
  | { kind: 'aborted' };

export interface EnterRequest {
  commandId: string;
  workspaceId: string | null;
  /** Where the agent ran (the worktree when one was used). */
  workingDirectory: string;
  onApprove: string | null;
  /** The worktree's MENTU_* variables, if any. */
  extraEnv?: Record<string, string>;
  /** The agent's successful run (its outcome as the executor would have recorded it). */
  run: CommandOutcome;
}

export interface ApprovalGateOptions {
  port: ApprovalPort;
  store: ApprovalStore;
  source: 'local' | 'supabase';
  /** Milliseconds since the epoch (injectable for tests). */
  now?: () => number;
  /** How often the approval is re-read while waiting (default 5 s); `wake` re-reads at once. */
  pollIntervalMs?: number;
  /** How long an approval may take (default 24 h). */
  windowMs?: number;
  /** Timeout of on_approve (default 1 h, execution.default_timeout_seconds is the natural value). */
  onApproveTimeoutMs?: number;
  /** Output kept of on_approve (execution.max_output_bytes). */
  maxOutputBytes?: number;
  bashPath?: string;
  /** Injectable for tests; the real one spawns bash. */
  run?: (request: OnApproveRequest) => Promise<OnApproveResult>;
  logger?: Logger;
}

export interface WaitOptions {
  /** The allowlisted agent environment for this command (shell-env agentEnvironment with extraEnv). */
  env: Record<string, string>;
  /** Aborting stops waiting (kept for the next start) or interrupts on_approve. */
  signal?: AbortSignal;
}

/** One step of the wait, decided from the command's state and the time left (a pure state machine). */
export type ApprovalStep =
  | { kind: 'wait'; remainingMs: number }
  | { kind: 'approve' | 'reject' | 'timeout' | 'interrupted' | 'cancelled' }
  | { kind: 'lost'; reason: string };

/**
 * `state` is null when the source could not be read (keep waiting unless the deadline passed) and
 * 'gone' when the command no longer exists. An answer that arrives is honoured even at the deadline.
 */
export function nextApprovalStep(state: ApprovalState | 'gone' | null, remainingMs: number): ApprovalStep {
  if (state === 'gone') return { kind: 'lost', reason: 'no longer exists' };
  if (state) {
    if (state.status === 'cancelled') return { kind: 'cancelled' };
    if (isTerminal(state.status)) return { kind: 'lost', reason: `already ended ${state.status}` };
    if (state.status === 'approved') return { kind: 'interrupted' };
    if (state.status !== 'awaiting_approval') return { kind: 'lost', reason: `is ${state.status}, not awaiting approval` };
    if (state.approvalStatus === 'approved') return { kind: 'approve' };
    if (state.approvalStatus === 'rejected') return { kind: 'reject' };
  }
  return remainingMs <= 0 ? { kind: 'timeout' } : { kind: 'wait', remainingMs };
}

export class ApprovalGate {
  private readonly now: () => number;
  private readonly logger: Logger;
  private readonly wakers = new Map<string, Set<() => void>>();

  constructor(private readonly options: ApprovalGateOptions) {
    this.now = options.now ?? Date.now;
    this.logger = options.logger ?? silentLogger;
  }

  /**
   * running → awaiting_approval. The record is written first, so a crash in between leaves a record
   * for a command that is still `running` (recovered as an orphan, then dropped here as lost) rather
   * than a command waiting for an approval nobody watches.
   */
  async enter(request: EnterRequest): Promise<boolean> {
    const entered = this.now();
    const window = this.options.windowMs ?? APPROVAL_WINDOW_MS;
    const record: ApprovalRecord = {
      commandId: request.commandId,
      source: this.options.source,
      workspaceId: request.workspaceId,
      enteredAt: new Date(entered).toISOString(),
      deadlineAt: new Date(entered + window).toISOString(),
      workingDirectory: request.workingDirectory,
      onApprove: request.onApprove,
      extraEnv: request.extraEnv ?? {},
      run: {
        startedAt: request.run.startedAt,
        exitCode: request.run.exitCode,
        summary: request.run.summary,
        stdoutTail: request.run.stdoutTail,
        stdoutTruncated: request.run.stdoutTruncated,
        stderr: request.run.stderr,
        stderrTruncated: request.run.stderrTruncated,
      },
    };
    await this.options.store.put(record);
    const marked = await this.options.port.markAwaitingApproval(request.commandId);
    if (!marked) await this.options.store.remove(request.commandId);
    else this.logger.info('command awaits approval', { commandId: request.commandId, deadlineAt: record.deadlineAt });
    return marked;
  }

  /** Waits of this source that a new process must resume (call wait() for each after a restart). */
  async pending(): Promise<ApprovalRecord[]> {
    return (await this.options.store.list()).filter((record) => record.source === this.options.source);
  }

  /** Re-read now (the source saw the command change). Without an id, every waiting command re-reads. */
  wake(commandId?: string): void {
    const targets = commandId ? [this.wakers.get(commandId)] : [...this.wakers.values()];
    for (const set of targets) for (const wake of set ?? []) wake();
  }

  async wait(commandId: string, options: WaitOptions): Promise<ApprovalResolution> {
    const record = await this.options.store.get(commandId);
    if (!record) return { kind: 'lost', reason: `no approval is being awaited for ${commandId}` };
    const deadline = Date.parse(record.deadlineAt);

    for (;;) {
      if (options.signal?.aborted) return { kind: 'aborted' };
      const state = await this.read(commandId);
      const step = nextApprovalStep(state, deadline - this.now());
      switch (step.kind) {
        case 'wait':
          await this.pause(commandId, Math.min(this.options.pollIntervalMs ?? 5000, step.remainingMs), options.signal);
          continue;
        case 'approve':
          return this.approve(record, options);
        case 'reject':
          return this.settle(record, 'rejected', { status: 'failed', message: REJECTED_MESSAGE, stderr: REJECTED_MESSAGE });
        case 'timeout':
          return this.settle(record, 'timeout', { status: 'timeout', message: `Approval timed out after ${this.windowWords()}` });
        case 'interrupted':
          // We marked it approved and then stopped: on_approve may have run, so it is not run twice.
          return this.settle(record, 'approved', {
            status: 'failed',
            message: 'Beacon restarted while on_approve was running; it was not run again',
          });
        case 'cancelled':
          return this.drop(commandId, { kind: 'cancelled' });
        case 'lost':
          return this.drop(commandId, { kind: 'lost', reason: `command ${commandId} ${step.reason}` });
      }
    }
  }

  /** The command's state, 'gone', or null when the source could not be read (retried at the next poll). */
  private async read(commandId: string): Promise<ApprovalState | 'gone' | null> {
    try {
      return (await this.options.port.readApproval(commandId)) ?? 'gone';
    } catch (error) {
      this.logger.warn('cannot read the approval status; retrying', { commandId, error });
      return null;
    }
  }

  private async approve(record: ApprovalRecord, options: WaitOptions): Promise<ApprovalResolution> {
    const { commandId } = record;
    if (!(await this.options.port.markApproved(commandId))) {
      const state = await this.read(commandId);
      if (state && state !== 'gone' && state.status === 'cancelled') return this.drop(commandId, { kind: 'cancelled' });
      return this.drop(commandId, { kind: 'lost', reason: `command ${commandId} could not be marked approved` });
    }
    const script = record.onApprove?.trim();
    if (!script) {
      this.logger.info('approved; no on_approve to run', { commandId });
      return this.record(record, 'approved', { ...this.runOutcome(record), status: 'completed' });
    }
    this.logger.info('approved; running on_approve', { commandId, cwd: record.workingDirectory });
    const timeoutMs = this.options.onApproveTimeoutMs ?? 3600_000;
    const result = await (this.options.run ?? runOnApprove)({
      script,
      cwd: record.workingDirectory,
      env: options.env,
      timeoutMs,
      maxOutputBytes: this.options.maxOutputBytes ?? 10 * 1024 * 1024,
      bashPath: this.options.bashPath,
      signal: options.signal,
    });
    const outcome: CommandOutcome = {
      ...this.runOutcome(record),
      status: 'completed',
      exitCode: result.exitCode,
      errorMessage: null,
      stdoutTail: result.stdout,
      stdoutTruncated: result.stdoutTruncated,
      stderr: result.stderr,
      stderrTruncated: result.stderrTruncated,
    };
    if (result.spawnError) Object.assign(outcome, { status: 'failed', errorMessage: `on_approve could not start: ${result.spawnError}` });
    else if (result.timedOut) Object.assign(outcome, { status: 'timeout', errorMessage: `on_approve timed out after ${Math.round(timeoutMs / 1000)} s` });
    else if (result.aborted) Object.assign(outcome, { status: 'failed', errorMessage: 'on_approve was interrupted because Beacon stopped' });
    else if (result.exitCode !== 0) {
      const how = result.exitCode === null ? `was killed by ${result.signal ?? 'a signal'}` : `exited with code ${result.exitCode}`;
      Object.assign(outcome, { status: 'failed', errorMessage: `on_approve ${how}` });
    }
    return this.record(record, 'approved', outcome);
  }

  private settle(
    record: ApprovalRecord,
    kind: 'approved' | 'rejected' | 'timeout',
    end: { status: 'failed' | 'timeout'; message: string; stderr?: string },
  ): Promise<ApprovalResolution> {
    const base = this.runOutcome(record);
    return this.record(record, kind, {
      ...base,
      status: end.status,
      errorMessage: end.message,
      stderr: end.stderr ? (base.stderr ? `${base.stderr}\n${end.stderr}` : end.stderr) : base.stderr,
    });
  }

  private async record(record: ApprovalRecord, kind: 'approved' | 'rejected' | 'timeout', outcome: CommandOutcome) {
    const recorded = await this.options.port.finish(record.commandId, outcome);
    await this.options.store.remove(record.commandId);
    this.logger.info(`approval ended: ${kind}`, { commandId: record.commandId, status: outcome.status, recorded });
    if (!recorded) {
      const state = await this.read(record.commandId);
      if (state && state !== 'gone' && state.status === 'cancelled') return { kind: 'cancelled' } as const;
    }
    return { kind, outcome, recorded };
  }

  /** The agent's run as an outcome, completed now. */
  private runOutcome(record: ApprovalRecord): CommandOutcome {
    return {
      status: 'completed',
      exitCode: record.run.exitCode,
      errorMessage: null,
      summary: record.run.summary,
      stdoutTail: record.run.stdoutTail,
      stdoutTruncated: record.run.stdoutTruncated,
      stderr: record.run.stderr,
      stderrTruncated: record.run.stderrTruncated,
      startedAt: record.run.startedAt,
      completedAt: new Date(this.now()).toISOString(),
    };
  }

  private async drop(commandId: string, resolution: ApprovalResolution): Promise<ApprovalResolution> {
    await this.options.store.remove(commandId);
    this.logger.info('approval wait ended without a write', { commandId, resolution });
    return resolution;
  }

  private windowWords(): string {
    const ms = this.options.windowMs ?? APPROVAL_WINDOW_MS;
    const hours = ms / 3600_000;
    if (Number.isInteger(hours)) return `${hours} hour${hours === 1 ? '' : 's'}`;
    return `${Math.round(ms / 1000)} seconds`;
  }

  private pause(commandId: string, ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const set = this.wakers.get(commandId) ?? new Set<() => void>();
      this.wakers.set(commandId, set);
      const done = (): void => {
        clearTimeout(timer);
        set.delete(done);
        if (set.size === 0) this.wakers.delete(commandId);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      set.add(done);
      signal?.addEventListener('abort', done, { once: true });
    });
  }
}
