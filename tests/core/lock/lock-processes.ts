import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { bundleFixture, cleanupTempHomes } from '../../support/temp-home.js';
import type { LockHolderView } from '../../../src-main/core/contract/types.js';

/** Starting and stopping the lock-racer fixture and other helper processes for the lock tests. */

export type RacerReport = { ok: true; pid: number; id: string } | { ok: false; pid: number; holder: LockHolderView };

export interface Racer {
  child: ChildProcess;
  /** The racer's first JSON line: what happened when it started. */
  report: Promise<RacerReport>;
  /** The next JSON line it prints. */
  nextLine<T = unknown>(): Promise<T>;
  /** Send a command line (--serve racers). */
  send(line: string): void;
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

  const queued: string[] = [];
  const waiting: ((line: string | null) => void)[] = [];
  let closed = false;
  createInterface({ input: child.stdout as NodeJS.ReadableStream })
    .on('line', (line) => {
      const waiter = waiting.shift();
      if (waiter) waiter(line);
      else queued.push(line);
    })
    .on('close', () => {
      closed = true;
      for (const waiter of waiting.splice(0)) waiter(null);
    });

  function nextLine<T>(): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`racer ${child.pid} printed nothing in ${timeoutMs} ms; stderr: ${stderr}`)), timeoutMs);
      const take = (line: string | null): void => {
        clearTimeout(timer);
        if (line === null) reject(new Error(`racer ${child.pid} exited before printing a line; stderr: ${stderr}`));
        else resolve(JSON.parse(line) as T);
      };
      const line = queued.shift();
      if (line !== undefined) take(line);
      else if (closed) take(null);
      else waiting.push(take);
    });
  }

  const report = nextLine<RacerReport>();
  report.catch(() => {}); // observed by the test; avoid an unhandled rejection when it is not awaited
  return {
    child,
    report,
    nextLine,
    send: (line) => void child.stdin?.write(`${line}\n`),
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

/**
 * For a test file: the lock-racer fixture bundled once, and after each test the racers and helpers it left
 * killed and its temporary homes removed. `start` starts a racer of that bundle.
 */
export function useLockRacers(): { start(env: NodeJS.ProcessEnv, args?: string[], timeoutMs?: number): Racer } {
  let bundleDir = '';
  let script = '';
  beforeAll(async () => {
    bundleDir = mkdtempSync(join(tmpdir(), 'beacon-racer-'));
    script = await bundleFixture('tests/core/lock/lock-racer.ts', bundleDir);
  });
  afterAll(() => rmSync(bundleDir, { recursive: true, force: true }));
  afterEach(() => {
    killLeftovers();
    cleanupTempHomes();
  });
  return { start: (env, args = [], timeoutMs) => startRacer(script, env, args, timeoutMs) };
}
