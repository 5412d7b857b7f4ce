import { accessSync, constants, statSync } from 'node:fs';
import * as pty from 'node-pty';
import { emptyRunSummary, type RunSummary } from '../contract/run-summary.js';
import { silentLogger, type Logger } from '../logger.js';
import { isProcessGroupAlive, killProcessGroup } from './kill-ladder.js';
import { LAUNCH_EXIT_CODE, LAUNCH_REFUSED, verifiedLaunch } from './launch.js';
import { OutputPipeline } from './output/pipeline.js';
import { markDescriptorsCloseOnExec, nativeHelperStatus } from './native.js';
import { holdUntilDrained } from './pty-drain.js';
import { watchProcessGroup } from './watchdog.js';
import type { RunEndReason, RunningProcess, RunObserver, RunRequest, RunResult, Runner } from './runner.js';

export interface PtyRunnerOptions {
  /** SIGINT → wait → SIGTERM → wait → SIGKILL steps (default 2000 ms each). */
  killStepMs?: number;
  /** Linger allowed after the stream-json result line before the process is killed (default 3000 ms). */
  resultGraceMs?: number;
  /** Observer failures and kill-ladder problems are reported here. */
  logger?: Logger;
  /** Clock (ISO timestamps of the result), injectable for tests. */
  now?: () => Date;
}

/** The terminal the agent sees. */
const PTY_SIZE = { name: 'xterm-256color', cols: 120, rows: 40 } as const;

/**
 * How a run is ending. `running` → `afterResult` (the result line was seen; grace timer) →
 * `stopping` (the kill ladder runs; its reason is what the run reports) → `finished`.
 * A natural exit can happen in `running` or `afterResult`.
 */
type Phase =
  | { kind: 'running' }
  | { kind: 'afterResult' }
  | { kind: 'stopping'; reason: RunEndReason; detail: string | null; afterResult: boolean }
  | { kind: 'finished' };

export function createPtyRunner(options: PtyRunnerOptions = {}): Runner {
  return { start: (request, observer) => startRun(request, observer, options) };
}

function startRun(request: RunRequest, rawObserver: RunObserver, options: PtyRunnerOptions): RunningProcess {
  const logger = options.logger ?? silentLogger;
  const now = options.now ?? (() => new Date());
  const killStepMs = options.killStepMs ?? 2000;
  const resultGraceMs = request.resultGraceMs ?? options.resultGraceMs ?? 3000;
  const startedAt = now().toISOString();
  const observer = guardObserver(rawObserver, logger);

  const spawnProblem = checkSpawnable(request);
  if (spawnProblem) return spawnFailed(spawnProblem, startedAt, now);

  let phase = { kind: 'running' } as Phase;
  let child: pty.IPty | null = null;
  let pipeline: OutputPipeline;
  try {
    pipeline = new OutputPipeline({
      logPath: request.logPath,
      maxOutputBytes: request.maxOutputBytes,
      outputFormat: request.outputFormat,
      observer,
      onResult: () => onResultLine(),
      onBackpressure: (paused) => (paused ? child?.pause() : child?.resume()),
    });
  } catch (error) {
    return spawnFailed(`the output log ${request.logPath} cannot be created: ${(error as Error).message}`, startedAt, now);
  }
  // Nothing this process holds may reach the agent: before the spawn for what is open now, after it for
  // the new terminal's master (forkpty returns it inheritable), so later agents cannot reach this one.
  closeOnExecOrWarn(logger);
  // Entered and verified by the launch step when the checked directory's identity is known (run/launch.ts).
  const launch = request.cwdIdentity ? verifiedLaunch(request.invocation, request.cwd, request.cwdIdentity) : null;
  const invocation = launch ?? request.invocation;
  try {
    child = pty.spawn(invocation.file, invocation.args, {
      ...PTY_SIZE,
      cwd: launch ? '/' : request.cwd,
      env: request.env,
      encoding: null, // raw bytes: the log keeps them exactly, and decoding carries split code points
    });
  } catch (error) {
    void pipeline.finish();
    return spawnFailed(`${request.invocation.file} could not be started: ${(error as Error).message}`, startedAt, now);
  } finally {
    markDescriptorsCloseOnExec();
  }
  const agent = child;
  const pid = agent.pid; // node-pty makes the agent a session leader: its pid is the process-group id
  const watchdog = watchProcessGroup(pid);
  // `claude -p` must not wait on stdin. The pty is still in canonical mode when the agent starts, so one
  // VEOF (^D) on an empty line makes its first read() return 0: end-of-file, exactly once. Unlike closing
  // the pty, this keeps stdout a terminal. (macOS echoes it as "^D\b\b"; the output pipeline drops that.)
  agent.write('\x04');

  let exitInfo: { exitCode: number; signal?: number } | null = null;
  const exited = new Promise<void>((resolve) => {
    agent.onExit((event) => {
      exitInfo = event;
      resolve();
    });
  });
  const drain = holdUntilDrained(agent);
  let head = ''; // the first bytes: where the launch step says why it refused to start the agent
  agent.onData((chunk) => {
    drain.noteOutput();
    if (launch && head.length < 1024) head += (chunk as unknown as Buffer).toString('utf8');
    pipeline.push(chunk as unknown as Buffer);
  });

  const timeoutTimer =
    Number.isFinite(request.timeoutMs) && request.timeoutMs > 0
      ? setTimeout(() => void stop('timeout', `the agent ran longer than its timeout of ${formatMs(request.timeoutMs)}`, false), request.timeoutMs)
      : null;
  let graceTimer: NodeJS.Timeout | null = null;

  function onResultLine(): void {
    if (phase.kind !== 'running') return;
    phase = { kind: 'afterResult' };
    graceTimer = setTimeout(() => {
      void stop('exited', `the agent was still running ${formatMs(resultGraceMs)} after its result line and was stopped`, true);
    }, resultGraceMs);
  }

  let stopping: Promise<void> | null = null;
  let stopSignal: NodeJS.Signals | null = null;
  /** Runs the kill ladder once; later calls wait for the same stop. */
  function stop(reason: RunEndReason, detail: string | null, afterResult: boolean): Promise<void> {
    if (stopping) return stopping;
    if (phase.kind === 'finished') return Promise.resolve();
    phase = { kind: 'stopping', reason, detail, afterResult };
    clearTimers();
    stopping = killGroup().then(() => exited);
    return stopping;
  }

  async function killGroup(): Promise<void> {
    agent.resume(); // a paused pty would hold back the end of the output
    const outcome = await killProcessGroup(pid, { stepMs: killStepMs });
    stopSignal = outcome.lastSignal;
    if (!outcome.gone) logger.error('processes of the agent survived SIGKILL', { commandId: request.commandId, pgid: pid });
  }

  function clearTimers(): void {
    if (timeoutTimer) clearTimeout(timeoutTimer);
    if (graceTimer) clearTimeout(graceTimer);
  }

  const result = (async (): Promise<RunResult> => {
    await exited;
    drain.release();
    // Whatever the agent left behind in its group must not outlive the run.
    if (!stopping && isProcessGroupAlive(pid)) {
      logger.info('the agent exited but left processes behind; stopping them', { commandId: request.commandId, pgid: pid });
      await stop('exited', null, false);
    }
    if (stopping) await stopping;
    watchdog.release();
    clearTimers();
    const ending = phase as Phase;
    phase = { kind: 'finished' };
    const totals = await pipeline.finish();
    if (totals.logError) logger.warn(totals.logError, { commandId: request.commandId });
    const exit: { exitCode: number; signal?: number } = exitInfo ?? { exitCode: -1 };
    const refused = launch && exit.exitCode === LAUNCH_EXIT_CODE ? launchRefusal(head) : null;
    if (refused) logger.warn(refused, { commandId: request.commandId });
    const reason: RunEndReason = refused ? 'spawn_failed' : ending.kind === 'stopping' ? ending.reason : 'exited';
    const stoppedAfterResult = ending.kind === 'stopping' && ending.afterResult;
    return {
      reason,
      // Stopped after its result line: the run is over in substance; its code follows the result.
      exitCode: stoppedAfterResult ? (totals.summary.isError ? 1 : 0) : exit.exitCode,
      signal: exit.signal ? exit.signal : null,
      stopSignal,
      detail: refused ?? (ending.kind === 'stopping' ? ending.detail : null),
      summary: totals.summary,
      outputTail: totals.outputTail,
      outputTruncated: totals.outputTruncated,
      totalBytes: totals.totalBytes,
      startedAt,
      endedAt: now().toISOString(),
    };
  })();

  return {
    pid,
    result,
    cancel: async (detail: string) => {
      await stop('cancelled', detail, false);
      await result;
    },
  };
}

/** The launch step's one line, when it refused to start the agent. */
function launchRefusal(head: string): string | null {
  const at = head.indexOf(LAUNCH_REFUSED);
  if (at < 0) return null;
  const line = head.slice(at + LAUNCH_REFUSED.length).split(/\r?\n/)[0]!.trim();
  return line || null;
}

let warnedNoHelper = false;
/** Without the native helper an agent can inherit another agent's terminal on Linux: said once, loudly. */
function closeOnExecOrWarn(logger: Logger): void {
  if (markDescriptorsCloseOnExec() || warnedNoHelper) return;
  warnedNoHelper = true;
  const status = nativeHelperStatus();
  const why = status.ok ? '' : `: ${status.reason}`;
  if (process.platform === 'linux') logger.warn(`agents may inherit each other's terminals: Beacon's native helper is missing${why}`);
}

/** Problems node-pty would only report as text from the forked child: checked before spawning. */
function checkSpawnable(request: RunRequest): string | null {
  const file = request.invocation.file;
  try {
    if (!statSync(file).isFile()) return `${file} is not a file`;
    accessSync(file, constants.X_OK);
  } catch {
    return `${file} does not exist or is not executable`;
  }
  // With the checked identity the launch step enters and verifies the directory itself (run/launch.ts).
  if (!request.cwdIdentity) {
    try {
      if (!statSync(request.cwd).isDirectory()) return `working directory ${request.cwd} is not a directory`;
    } catch {
      return `working directory ${request.cwd} does not exist`;
    }
  }
  if (request.invocation.args.some((arg) => arg.includes('\0'))) return 'an argument contains a NUL character';
  return null;
}

function spawnFailed(detail: string, startedAt: string, now: () => Date): RunningProcess {
  const summary: RunSummary = emptyRunSummary();
  const result: RunResult = {
    reason: 'spawn_failed',
    exitCode: null,
    signal: null,
    stopSignal: null,
    detail,
    summary,
    outputTail: '',
    outputTruncated: false,
    totalBytes: 0,
    startedAt,
    endedAt: now().toISOString(),
  };
  // pid 0: nothing was spawned (never pass it to process.kill).
  return { pid: 0, result: Promise.resolve(result), cancel: async () => {} };
}

/** An observer that throws must not break the output pipeline of a running agent. */
function guardObserver(observer: RunObserver, logger: Logger): RunObserver {
  const guard =
    <T>(name: string, fn: ((value: T) => void) | undefined) =>
    (value: T): void => {
      if (!fn) return;
      try {
        fn.call(observer, value);
      } catch (error) {
        logger.warn(`run observer ${name} failed`, { error });
      }
    };
  return {
    onOutput: guard('onOutput', observer.onOutput),
    onText: guard('onText', observer.onText),
    onSummary: guard('onSummary', observer.onSummary),
  };
}

function formatMs(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}
