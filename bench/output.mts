/**
 * Output throughput and memory of the run pipeline (issue 3): the stand-in agent floods N MB through
 * a pty; we time it through createPtyRunner (log file bounded to max_output_bytes, decoding, ANSI
 * stripping, stream-json parsing, tail buffer) and, as the floor, through bare node-pty in the same
 * process and the same run (bytes counted, nothing else). Prints MB/s of both, their ratio, and the
 * peak RSS of this process during each run. Usage: npx tsx bench/output.mts [MB=50] [rounds=2]
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as pty from 'node-pty';
import { createPtyRunner } from '../src-main/core/run/pty-runner.js';

const megabytes = Number(process.argv[2] ?? 50);
const rounds = Number(process.argv[3] ?? 2);
const bytes = megabytes * 1024 * 1024;
const maxOutputBytes = 10 * 1024 * 1024; // beacon.yaml default
const fakeAgent = resolve(import.meta.dirname, '..', 'tests', 'support', 'fake-agent.mjs');
const root = mkdtempSync(join(tmpdir(), 'beacon-bench-output-'));
const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: root, MENTU_HOME: join(root, '.mentu'), LANG: 'C.UTF-8' };
const args = [fakeAgent, '-p', `@agent bytes=${bytes}`];

function peakRss(): { stop(): number } {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  return {
    stop: () => {
      clearInterval(timer);
      return Math.max(peak, process.memoryUsage().rss);
    },
  };
}

async function bare(): Promise<{ seconds: number; received: number; peak: number }> {
  const sampler = peakRss();
  const started = process.hrtime.bigint();
  let received = 0;
  await new Promise<void>((done) => {
    const child = pty.spawn(process.execPath, args, { name: 'xterm-256color', cols: 120, rows: 40, cwd: root, env, encoding: null });
    child.write('\x04');
    child.onData((chunk) => (received += (chunk as unknown as Buffer).length));
    child.onExit(() => done());
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { seconds, received, peak: sampler.stop() };
}

async function runner(round: number): Promise<{ seconds: number; received: number; peak: number; logSize: number }> {
  const sampler = peakRss();
  const started = process.hrtime.bigint();
  const logPath = join(root, 'logs', `bench-${round}.log`);
  let textChars = 0;
  const run = createPtyRunner().start(
    { commandId: `bench-${round}`, invocation: { file: process.execPath, args }, cwd: root, env, timeoutMs: 600_000, logPath, maxOutputBytes },
    { onOutput: () => {}, onText: (t) => (textChars += t.length) },
  );
  const result = await run.result;
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (result.reason !== 'exited' || result.exitCode !== 0) throw new Error(`bench run ended ${result.reason} ${result.exitCode}: ${result.detail}`);
  return { seconds, received: result.totalBytes, peak: sampler.stop(), logSize: statSync(logPath).size };
}

const mb = (n: number): string => (n / 1024 / 1024).toFixed(1);
console.log(`flood of ${megabytes} MB through a pty, ${rounds} rounds, max_output_bytes ${mb(maxOutputBytes)} MB, node ${process.version}`);
console.log(`RSS at start: ${mb(process.memoryUsage().rss)} MB`);
for (let round = 1; round <= rounds; round++) {
  const floor = await bare();
  const ours = await runner(round);
  const floorRate = floor.received / 1024 / 1024 / floor.seconds;
  const ourRate = ours.received / 1024 / 1024 / ours.seconds;
  console.log(
    `round ${round}: bare node-pty ${floorRate.toFixed(1)} MB/s (peak RSS ${mb(floor.peak)} MB) | runner ${ourRate.toFixed(1)} MB/s ` +
      `(peak RSS ${mb(ours.peak)} MB, log ${mb(ours.logSize)} MB of ${mb(ours.received)} MB) | runner/floor ${(ourRate / floorRate).toFixed(2)}`,
  );
}
rmSync(root, { recursive: true, force: true });
