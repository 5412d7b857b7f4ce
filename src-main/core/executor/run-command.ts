import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Command, CommandOutcome } from '../contract/command.js';
import type { RunSummary } from '../contract/run-summary.js';
import { signalName, stoppedExitCode } from '../contract/exit-code.js';
import { explainFailure, refusalNote } from '../contract/stream-json/explain.js';
import type { CommandSource } from '../commands/source.js';
import type { Logger } from '../logger.js';
import type { LedgerClient } from '../ledger.js';
import { prepareWorktree } from '../worktrees.js';
import type { MentuPaths } from '../paths.js';
import { buildInvocation } from '../run/agents.js';
import { explainFolderPermission } from '../run/folder-permission.js';
import { argvProblem } from '../run/argv-size.js';
import type { RunResult, Runner, RunningProcess } from '../run/runner.js';
import { agentEnvironment } from '../run/shell-env.js';
import type { ExecutorApprovals, HoldRequest } from '../approvals/executor-approvals.js';
import type { PermissionRequests } from '../approvals/permission-requests.js';
import type { PermissionServerCommand } from '../run/permission-args.js';
import type { OutputBatcher } from './output-batcher.js';
import { preparePermissions } from './run-permissions.js';
import { planCommand, type PlanContext } from './pre-claim.js';

/**
 * One command's life after the claim: validate again, mark running, run it, record the outcome.
 * Every write to the source is guarded there, so a user's cancel always wins.
 */
export interface RunningEntry {
  command: Command;
  pid: number | null;
  startedAt: string | null;
  summary: RunSummary | null;
  process: RunningProcess | null;
  /** Set once a cancel arrived; applied as soon as the process exists. */
  cancelReason: string | null;
}

export interface RunDeps {
  source: CommandSource;
  runner: Runner;
  logger: Logger;
  now: () => Date;
  paths: MentuPaths;
  plan: () => PlanContext;
  /** Mentu ledger captures (task on start, evidence on finish); never blocks or fails a command. */
  ledger: () => LedgerClient | null;
  output: OutputBatcher;
  /** Post-run approval (approval_required commands); null before the executor started. */
  approvals: () => ExecutorApprovals | null;
  /** Live permission requests of running commands; null before the executor started. */
  permissions: () => PermissionRequests | null;
  /** How the agent's CLI starts Beacon's permission server (the shell decides); null: none. */
  permissionServer: PermissionServerCommand | null;
  running: Map<string, RunningEntry>;
  changed(commandId: string): void;
  /** A run slot came free (the agent is gone; its outcome may still be being written): look for work. */
  slotFreed(): void;
}

export const CANCELLED_BY_USER = 'cancelled by user';
export const EXECUTOR_SHUTDOWN = 'executor shutdown';

/** Ask a running (or about to run) command to stop. The first reason wins. */
export function cancelEntry(entry: RunningEntry, reason: string, logger: Logger): void {
  if (entry.cancelReason) return;
  entry.cancelReason = reason;
  logger.info(`cancelling ${entry.command.id}: ${reason}`);
  entry.process?.cancel(reason).catch((error: unknown) => logger.error(`could not stop ${entry.command.id}`, { error }));
}

export async function runCommand(deps: RunDeps, command: Command): Promise<void> {
  const entry: RunningEntry = { command, pid: null, startedAt: null, summary: null, process: null, cancelReason: null };
  deps.running.set(command.id, entry);
  deps.changed(command.id);
  try {
    await execute(deps, entry);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    deps.logger.error(`command ${command.id}: the executor failed while running it`, { error });
    await deps.source
      .finish(command.id, failure(`Beacon could not run the command: ${message}`, null, entry.startedAt, deps.now()))
      .catch((finishError: unknown) => deps.logger.error(`command ${command.id}: could not record the failure`, { error: finishError }));
  } finally {
    releaseSlot(deps, entry);
  }
}

/**
 * The run slot (max_concurrent counts agents running) is given back as soon as the agent is gone, so the
 * next claim does not wait for this command's result writes to the source. Once only.
 */
function releaseSlot(deps: RunDeps, entry: RunningEntry): void {
  const id = entry.command.id;
  if (deps.running.get(id) !== entry) return;
  deps.output.finish(id);
  deps.running.delete(id);
  deps.changed(id);
  deps.slotFreed();
}

async function execute(deps: RunDeps, entry: RunningEntry): Promise<void> {
  const { source, logger } = deps;
  const { command } = entry;
  const id = command.id;
  const context = deps.plan();
  const planned = planCommand(command, context);
  if (!planned.ok) {
    logger.warn(`refused ${id}: ${planned.reason}`);
    await record(deps, id, failure(planned.reason, planned.exitCode, null, deps.now()));
    return;
  }
  const { plan } = planned;

  // with_worktree + commitment_id: run in the commitment's git worktree (worktrees.ts), or fail with why.
  let cwd = plan.cwd;
  let cwdIdentity: string | undefined = plan.cwdIdentity;
  let worktreeEnv: Record<string, string> = {};
  if (command.withWorktree && command.commitmentId) {
    const worktree = await prepareWorktree(
      { workingDirectory: plan.cwd, commitmentId: command.commitmentId, withWorktree: true },
      { env: context.agentEnv, logger },
    );
    if (!worktree.ok) {
      logger.warn(`refused ${id}: ${worktree.reason}`);
      await record(deps, id, failure(worktree.reason, null, null, deps.now()));
      return;
    }
    cwd = worktree.cwd;
    cwdIdentity = undefined; // a worktree Beacon itself just made; not the directory that was checked
    worktreeEnv = worktree.env;
  }

  // The id names the log file: checked before the command is marked running, so a bad one never starts.
  let logPath: string;
  try {
    logPath = deps.paths.commandLog(id);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    logger.warn(`refused ${id}: ${reason}`);
    await record(deps, id, failure(reason, null, null, deps.now()));
    return;
  }

  // The owner's permission policy (claude): Beacon's options, and this run's ticket for its permission server.
  const permissions = preparePermissions(
    { paths: deps.paths, logger, permissions: deps.permissions(), server: deps.permissionServer, agentEnv: context.agentEnv },
    command, plan.profile, cwd,
  );
  // The kernel's argv limits, checked before the command is marked running (a refusal inside the pty child reads as exit 1).
  const invocation = buildInvocation(plan.agentPath, permissions.profile, command.prompt, [...permissions.args, ...permissions.flags]);
  const agentEnv = agentEnvironment(context.agentEnv, { commandId: id, workspaceId: command.workspaceId, extra: worktreeEnv, rule: plan.profile.env });
  const tooLarge = argvProblem(invocation, command.prompt, agentEnv);
  if (tooLarge) {
    permissions.abandon();
    logger.warn(`refused ${id}: ${tooLarge}`);
    await record(deps, id, failure(tooLarge, null, null, deps.now()));
    return;
  }

  const startedAt = deps.now().toISOString();
  if (!(await source.markRunning(id, startedAt))) {
    permissions.abandon();
    logger.info(`${id} was cancelled before it started; not running it`);
    return;
  }
  entry.startedAt = startedAt;
  if (entry.cancelReason) {
    permissions.abandon();
    await record(deps, id, { ...failure(entry.cancelReason, null, startedAt, deps.now()), status: 'cancelled' });
    return;
  }

  const ledger = deps.ledger();
  const task = { agent: command.agent, prompt: command.prompt, workingDirectory: command.workingDirectory };
  const taskRef = ledger?.enabled ? ledger.captureTask(task) : Promise.resolve(null);
  const captureEvidence = (outcome: CommandOutcome): void => {
    if (ledger?.enabled) void taskRef.then((ref) => ledger.captureEvidence(task, outcome, ref));
  };

  mkdirSync(dirname(logPath), { recursive: true, mode: 0o700 });
  let proc: RunningProcess;
  try {
    proc = deps.runner.start(
      {
        commandId: id,
        invocation,
        cwd,
        cwdIdentity,
        env: agentEnv,
        timeoutMs: Math.round(plan.timeoutSeconds * 1000),
        logPath,
        maxOutputBytes: context.config.execution.max_output_bytes,
        outputFormat: plan.profile.output,
      },
      {
        onOutput: (text) => deps.output.push(id, text),
        onText: (text) => source.appendOutput(id, { stream: 'stdout', text }),
        onSummary: (summary) => {
          entry.summary = summary;
          deps.changed(id);
        },
      },
    );
  } catch (error) {
    permissions.abandon();
    const reason = `The agent could not be started: ${error instanceof Error ? error.message : String(error)}`;
    logger.error(`${id}: ${reason}`);
    const outcome = failure(reason, null, startedAt, deps.now());
    if (await record(deps, id, outcome)) captureEvidence(outcome);
    return;
  }
  entry.process = proc;
  entry.pid = proc.pid;
  logger.info(`running ${id} pid ${proc.pid} (${command.agent} in ${cwd}, timeout ${plan.timeoutSeconds}s)`);
  deps.changed(id);
  if (entry.cancelReason) proc.cancel(entry.cancelReason).catch(() => {});

  const result = await proc.result;
  releaseSlot(deps, entry);
  const outcome = permissions.finish(withFolderPermissionHint(outcomeOf(result, plan.timeoutSeconds), cwd, context.homeDir));
  if (command.approvalRequired && outcome.status === 'completed') {
    // Held for a person's decision instead of recorded; the evidence follows when the approval resolves.
    await holdForApproval(deps, { command, run: outcome, workingDirectory: cwd, extraEnv: worktreeEnv, taskRef }, captureEvidence);
    return;
  }
  if (await record(deps, id, outcome)) captureEvidence(outcome);
}

async function holdForApproval(deps: RunDeps, request: HoldRequest, captureEvidence: (outcome: CommandOutcome) => void): Promise<void> {
  const id = request.command.id;
  try {
    const approvals = deps.approvals();
    if (!approvals) throw new Error('Beacon is not ready to hold commands for approval.');
    if (!(await approvals.hold(request))) deps.logger.info(`${id} was cancelled meanwhile; it is not held for approval`);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    deps.logger.error(`${id} cannot wait for approval: ${reason}`);
    const failed: CommandOutcome = { ...request.run, status: 'failed', errorMessage: reason, stderr: request.run.stderr ? `${request.run.stderr}\n${reason}` : reason };
    if (await record(deps, id, failed)) captureEvidence(failed);
  }
}

/** The guarded finish, logged. False: the row was cancelled meanwhile and nothing else is recorded. */
async function record(deps: RunDeps, id: string, outcome: CommandOutcome): Promise<boolean> {
  const recorded = await deps.source.finish(id, outcome);
  if (!recorded) {
    // The user's cancel is already in the row and stands; say so without contradicting it.
    deps.logger.info(
      outcome.status === 'cancelled'
        ? `${id} stopped after its cancel; it stays recorded as cancelled by the user`
        : `${id} was cancelled meanwhile; it stays cancelled (the run's ${outcome.status} outcome is not written over it)`,
    );
    return false;
  }
  const duration = outcome.startedAt ? ` duration=${seconds(outcome.startedAt, outcome.completedAt)}s` : '';
  const why = outcome.status === 'completed' || !outcome.errorMessage ? '' : ` reason=${JSON.stringify(outcome.errorMessage)}`;
  deps.logger.info(`finished ${id} status=${outcome.status} exit=${outcome.exitCode ?? '-'}${duration}${why}`);
  return true;
}

function outcomeOf(result: RunResult, timeoutSeconds: number): CommandOutcome {
  const base = {
    summary: result.summary,
    stdoutTail: result.outputTail,
    stdoutTruncated: result.outputTruncated,
    stderr: '',
    stderrTruncated: false,
    startedAt: result.startedAt,
    completedAt: result.endedAt,
  };
  switch (result.reason) {
    case 'exited':
      if (result.exitCode === 0) {
        const refused = refusalNote(result.summary);
        return { ...base, status: 'completed', exitCode: 0, errorMessage: refused ? `completed; ${refused}` : null };
      }
      return {
        ...base,
        status: 'failed',
        exitCode: result.exitCode,
        errorMessage: explainFailure(result.summary, result.exitCode, result.signal ? signalName(result.signal) : null),
      };
    case 'timeout':
      return { ...base, status: 'timeout', exitCode: stoppedCode(result), errorMessage: `Timed out after ${timeoutSeconds}s${stoppedWith(result)}` };
    case 'cancelled':
      return { ...base, status: 'cancelled', exitCode: stoppedCode(result), errorMessage: `${result.detail ?? CANCELLED_BY_USER}${stoppedWith(result)}` };
    case 'spawn_failed':
      return { ...base, status: 'failed', exitCode: null, errorMessage: `The agent could not be started: ${result.detail ?? 'unknown error'}` };
  }
}

/** A failure that macOS's folder protection caused says which permission to grant (folder-permission.ts). */
function withFolderPermissionHint(outcome: CommandOutcome, cwd: string, homeDir: string): CommandOutcome {
  if (outcome.status !== 'failed') return outcome;
  const hint = explainFolderPermission([outcome.errorMessage, outcome.stdoutTail.slice(-4096)], cwd, homeDir);
  return hint ? { ...outcome, errorMessage: `${outcome.errorMessage ?? 'The agent failed'}. ${hint}` } : outcome;
}

/** A stopped run never reads exit 0 (contract/exit-code.ts). */
function stoppedCode(result: RunResult): number | null {
  return stoppedExitCode(result.exitCode, result.signal, result.stopSignal);
}

function stoppedWith(result: RunResult): string {
  if (result.signal) return ` (ended by ${signalName(result.signal)})`;
  if (result.exitCode !== null && result.exitCode > 0) return ` (stopped with ${result.stopSignal ?? 'a signal'}; the agent exited with code ${result.exitCode})`;
  return result.stopSignal ? ` (stopped with ${result.stopSignal})` : '';
}

function failure(reason: string, exitCode: number | null, startedAt: string | null, now: Date): CommandOutcome {
  return {
    status: 'failed',
    exitCode,
    errorMessage: reason,
    summary: null,
    stdoutTail: '',
    stdoutTruncated: false,
    stderr: reason,
    stderrTruncated: false,
    startedAt,
    completedAt: now.toISOString(),
  };
}

function seconds(from: string, to: string): string {
  return ((Date.parse(to) - Date.parse(from)) / 1000).toFixed(1);
}
