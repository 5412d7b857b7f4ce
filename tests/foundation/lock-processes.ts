import { spawn, type ChildProcess } from 'node:child_process';
import type { LockHolderView } from '../../src-main/core/api/types.js';

/** Starting and stopping the lock-racer fixture and other helper processes for the lock tests. */

export type RacerReport = { ok: true; pid: number; id: string } | { ok: false; pid: number; holder: LockHolderView };

export interface Racer {
  child: ChildProcess;
  /** The racer's one JSON line. */
  report: Promise<RacerReport>;
  exited: Promise<number | null>;
  /** Close stdin: the racer releases (if it holds) and exits. */
  finish(): Promise<number | null>;
}

const started = new Set<ChildProcess>();

export function startRacer(script: string, env: NodeJS.ProcessEnv, args: string[] = [], timeoutMs = 120_000): Racer {
  const child = spawn(process.execPath, [script, ...args], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  started.add(child);
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  void exited.then(() => started.delete(child));
  const report = new Promise<RacerReport>((resolve, reject) => {
    let buffer = '';
    const timer = setTimeout(() => reject(new Error(`racer ${child.pid} printed nothing in ${timeoutMs} ms; stderr: ${stderr}`)), timeoutMs);
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      buffer += chunk;
      const newline = buffer.indexOf('\n');
      if (newline < 0) return;
      clearTimeout(timer);
      resolve(JSON.parse(buffer.slice(0, newline)) as RacerReport);
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`racer ${child.pid} exited (${code}) before reporting; stderr: ${stderr}`));
    });
  });
  report.catch(() => {}); // observed by the test; avoid an unhandled rejection when it is not awaited
  return {
    child,
    report,
    exited,
    finish() {
      child.stdin?.end();
      return exited;
    },
  };
}

/** A process that just stays alive (stands in for a Bridge daemon or an earlier Beacon). */
export function startSleeper(): { pid: number; stop(): Promise<void> } {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  started.add(child);
  const exited = new Promise<void>((resolve) => child.on('close', () => resolve()));
  void exited.then(() => started.delete(child));
  return {
    pid: child.pid as number,
    async stop() {
      child.kill('SIGKILL');
      await exited;
    },
  };
}

/** Kill whatever a failed test left running. */
export function killLeftovers(): void {
  for (const child of started) child.kill('SIGKILL');
  started.clear();
}
