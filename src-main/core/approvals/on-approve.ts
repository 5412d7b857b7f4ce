import { spawn } from 'node:child_process';

/**
 * Runs a command's `on_approve` after it was approved: `bash -c <on_approve>` (a shell command by
 * definition, written by whoever queued the command), in the directory the agent ran in, with the same
 * allowlisted environment. Output is kept as bounded tails; the timeout and an abort end the whole
 * process group (SIGTERM, then SIGKILL after the grace period).
 */

export interface OnApproveRequest {
  script: string;
  cwd: string;
  env: Record<string, string>;
  timeoutMs: number;
  maxOutputBytes: number;
  bashPath?: string;
  signal?: AbortSignal;
  /** Between SIGTERM and SIGKILL (default 5 s, as for agent timeouts). */
  killGraceMs?: number;
}

export interface OnApproveResult {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  aborted: boolean;
  /** Why bash could not be started at all, or null. */
  spawnError: string | null;
  stdout: string;
  stdoutTruncated: boolean;
  stderr: string;
  stderrTruncated: boolean;
}

class TailBuffer {
  private chunks: Buffer[] = [];
  private size = 0;
  truncated = false;
  constructor(private readonly max: number) {}
  push(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.size += chunk.length;
    while (this.size > this.max && this.chunks.length > 0) {
      const first = this.chunks[0]!;
      const excess = this.size - this.max;
      this.truncated = true;
      if (first.length <= excess) {
        this.chunks.shift();
        this.size -= first.length;
      } else {
        this.chunks[0] = first.subarray(excess);
        this.size -= excess;
      }
    }
  }
  text(): string {
    return Buffer.concat(this.chunks).toString('utf8');
  }
}

export function runOnApprove(request: OnApproveRequest): Promise<OnApproveResult> {
  const stdout = new TailBuffer(request.maxOutputBytes);
  const stderr = new TailBuffer(request.maxOutputBytes);
  return new Promise((resolve) => {
    let timedOut = false;
    let aborted = false;
    let settled = false;
    const child = spawn(request.bashPath ?? 'bash', ['-c', request.script], {
      cwd: request.cwd,
      env: request.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own process group, so the kill reaches everything the script started.
      detached: true,
    });
    const timers: NodeJS.Timeout[] = [];
    const killGroup = (signal: NodeJS.Signals): void => {
      try {
        if (child.pid) process.kill(-child.pid, signal);
      } catch {
        // already gone
      }
    };
    const stop = (): void => {
      killGroup('SIGTERM');
      timers.push(setTimeout(() => killGroup('SIGKILL'), request.killGraceMs ?? 5000));
    };
    const onAbort = (): void => {
      aborted = true;
      stop();
    };
    const finish = (result: Omit<OnApproveResult, 'stdout' | 'stdoutTruncated' | 'stderr' | 'stderrTruncated'>): void => {
      if (settled) return;
      settled = true;
      for (const timer of timers) clearTimeout(timer);
      request.signal?.removeEventListener('abort', onAbort);
      resolve({
        ...result,
        stdout: stdout.text(),
        stdoutTruncated: stdout.truncated,
        stderr: stderr.text(),
        stderrTruncated: stderr.truncated,
      });
    };

    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.on('error', (error) => {
      finish({ exitCode: null, signal: null, timedOut, aborted, spawnError: error.message });
    });
    child.on('close', (code, signal) => {
      finish({ exitCode: code, signal, timedOut, aborted, spawnError: null });
    });
    timers.push(
      setTimeout(() => {
        timedOut = true;
        stop();
      }, request.timeoutMs),
    );
    if (request.signal?.aborted) onAbort();
    else request.signal?.addEventListener('abort', onAbort, { once: true });
  });
}
