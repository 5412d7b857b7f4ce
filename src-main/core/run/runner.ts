import type { RunSummary } from '../contract/run-summary.js';

/**
 * The runner port: turns one prepared invocation into one process and reports how it ended.
 * The pty implementation lives in pty-runner.ts; the executor only sees this interface.
 */

/** The agent's argv: never a shell line. The prompt is exactly one element of `args`. */
export interface AgentInvocation {
  file: string;
  args: string[];
}

export interface RunRequest {
  commandId: string;
  invocation: AgentInvocation;
  /** Real path of the working directory (already validated against allowed_directories). */
  cwd: string;
  /**
   * "dev:ino" of the directory that was checked (run/workdir.ts). When set, the agent is started only if
   * the directory it enters is exactly that one (run/launch.ts), whatever the path names by then.
   */
  cwdIdentity?: string;
  /** The complete environment of the agent (an allowlist; no secrets). */
  env: Record<string, string>;
  timeoutMs: number;
  /** Raw pty bytes go here, bounded by maxOutputBytes (head and tail kept). */
  logPath: string;
  maxOutputBytes: number;
  /** After the stream-json `result` line, how long the process may linger before it is killed. */
  resultGraceMs?: number;
  /**
   * The agent profile's `output`. With 'stream-json', onText and the result tail get the readable
   * rendering of the JSON lines (core/contract/stream-json/render.ts); the log and onOutput stay raw.
   */
  outputFormat?: 'stream-json' | 'text';
}

export interface RunObserver {
  /** Decoded text exactly as the terminal should show it (ANSI kept), for the UI. */
  onOutput?(text: string): void;
  /** ANSI-stripped text, for database sinks (spawn_logs); stream-json lines rendered readable (plain). */
  onText?(text: string): void;
  /** The stream-json summary changed (init seen, tool used, result). */
  onSummary?(summary: RunSummary): void;
}

export type RunEndReason = 'exited' | 'timeout' | 'cancelled' | 'spawn_failed';

export interface RunResult {
  reason: RunEndReason;
  exitCode: number | null;
  signal: number | null;
  /** The last signal Beacon's kill ladder sent (timeout, cancel, shutdown, linger after the result); null if none. */
  stopSignal: NodeJS.Signals | null;
  /** Why it was cancelled (user, "executor shutdown") or why spawning failed. */
  detail: string | null;
  summary: RunSummary;
  /** The tail (bounded) of the text onText got, for the result row. */
  outputTail: string;
  outputTruncated: boolean;
  /** Bytes the agent wrote in all (including what the bounded log dropped). */
  totalBytes: number;
  startedAt: string;
  endedAt: string;
}

export interface RunningProcess {
  readonly pid: number;
  readonly result: Promise<RunResult>;
  /** Kill the whole process group (SIGINT → 2 s → SIGTERM → 2 s → SIGKILL); resolves once it is gone. */
  cancel(detail: string): Promise<void>;
}

export interface Runner {
  start(request: RunRequest, observer: RunObserver): RunningProcess;
}
