/**
 * The real claude CLI through Beacon, output (issue 12, benchmark 2): a scripted session whose one reply streams
 * N MB of text (default 50) through the real CLI, which prints it in its assistant frame and again in its result
 * line. Through `beacon run` (local queue, pty, log, readable rendering): time from INSERT to completed, and the
 * executor's peak RSS. Floor, same run: the same CLI and script started directly, stdout to /dev/null.
 * A second floor, the CLI in a bare node-pty, shows what the terminal alone costs. The three alternate for
 * `--rounds` rounds (the machine is shared: medians, not one lucky run).
 *   npx tsx bench/claude-output.mts [--mb 50] [--rounds 3]
 */
import Database from 'better-sqlite3';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { openSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import * as pty from 'node-pty';
import { makeSandbox, readRow, startExecutor, stopExecutor } from '../tests/support/local-sandbox.js';
import { CLAUDE_BIN, CLAUDE_PRINT_ARGS, CLAUDE_VERSION, claudeEnv, useRealClaude, withoutClaudeVariables } from '../tests/support/real-claude.js';
import { startModelServer, turn } from '../tests/model-server/index.js';
import { numberArg, report, sleep } from './lib.mjs';
import { cpuSeconds, peakRssOf, rssBytes } from './proc-stats.mjs';

const megabytes = numberArg('mb', 50);
const rounds = numberArg('rounds', 3);
const LINE = 'The quick brown fox jumps over the lazy dog. 0123456789\n';
const text = LINE.repeat(Math.ceil((megabytes * 1024 * 1024) / LINE.length)).slice(0, megabytes * 1024 * 1024);
const MB = 1024 * 1024;
const scripted = () => turn.text(text, { pacing: { textChunkChars: 64 * 1024 } });

const server = await startModelServer();
const sandbox = makeSandbox();
const claudeHome = useRealClaude(sandbox, server);
const executor = startExecutor(sandbox);
await executor.ready;
const executorPid = executor.child.pid!;

async function throughBeacon(): Promise<{ seconds: number; executorPeak: number; cliPeak: number; executorCpu: number }> {
  server.reset();
  server.script(scripted());
  const db = new Database(join(sandbox.home, 'local.db'));
  const id = randomUUID();
  const executorRss = peakRssOf(executorPid);
  const cpuBefore = cpuSeconds(executorPid);
  const started = performance.now();
  db.prepare("INSERT INTO commands (id, prompt, working_directory, agent, flags, status, created_at) VALUES (?, 'flood', ?, 'claude', '[]', 'pending', ?)").run(id, sandbox.work, new Date().toISOString());
  db.close();
  let cliRss: { stop(): number } | null = null;
  for (;;) {
    const pid = Number(new RegExp(`running ${id} pid (\\d+)`).exec(executor.stderr())?.[1] ?? 0);
    if (pid && !cliRss) cliRss = peakRssOf(pid);
    const row = readRow(sandbox, id);
    if (row && ['completed', 'failed', 'timeout', 'cancelled'].includes(row.status)) {
      if (row.status !== 'completed') throw new Error(`the flood ended ${row.status}: ${row.error_message}`);
      break;
    }
    await sleep(20);
  }
  const seconds = (performance.now() - started) / 1000;
  return { seconds, executorPeak: executorRss.stop(), cliPeak: cliRss?.stop() ?? 0, executorCpu: cpuSeconds(executorPid) - cpuBefore };
}

/** The same CLI in a bare node-pty, its output counted and dropped: what the terminal alone costs. */
async function inBarePty(): Promise<number> {
  server.reset();
  server.script(scripted());
  const env = { ...withoutClaudeVariables(process.env), ...claudeEnv(server, claudeHome.home) } as Record<string, string>;
  const started = performance.now();
  let received = 0;
  await new Promise<void>((done) => {
    const child = pty.spawn(CLAUDE_BIN, [...CLAUDE_PRINT_ARGS, '--', 'flood'], { name: 'xterm-256color', cols: 120, rows: 40, cwd: sandbox.work, env, encoding: null });
    child.onData((chunk) => (received += (chunk as unknown as Buffer).length));
    child.write('\x04'); // end of input, as Beacon's runner does
    child.onExit(() => done());
  });
  if (received < megabytes * MB) throw new Error(`the bare pty received only ${received} bytes`);
  return (performance.now() - started) / 1000;
}

async function direct(): Promise<{ seconds: number; cliPeak: number }> {
  server.reset();
  server.script(scripted());
  const out = openSync('/dev/null', 'w');
  const env = { ...withoutClaudeVariables(process.env), ...claudeEnv(server, claudeHome.home) };
  const started = performance.now();
  const child = spawn(CLAUDE_BIN, [...CLAUDE_PRINT_ARGS, '--', 'flood'], { cwd: sandbox.work, env, stdio: ['ignore', out, 'ignore'] });
  const rss = peakRssOf(child.pid!);
  const code = await new Promise((resolve) => child.on('close', resolve));
  closeSync(out);
  if (code !== 0) throw new Error(`the bare CLI exited ${String(code)}`);
  return { seconds: (performance.now() - started) / 1000, cliPeak: rss.stop() };
}

console.log(`claude ${CLAUDE_VERSION} output: one reply of ${megabytes} MB of text, ${rounds} rounds of: through Beacon, the CLI to /dev/null, the CLI in a bare node-pty`);
const beaconRuns: Awaited<ReturnType<typeof throughBeacon>>[] = [];
const bareRuns: Awaited<ReturnType<typeof direct>>[] = [];
const ptyRuns: number[] = [];
const idleRss = rssBytes(executorPid);
try {
  for (let round = 0; round < rounds; round++) {
    beaconRuns.push(await throughBeacon());
    bareRuns.push(await direct());
    ptyRuns.push(await inBarePty());
    const [b, d, p] = [beaconRuns.at(-1)!, bareRuns.at(-1)!, ptyRuns.at(-1)!];
    console.log(`round ${round + 1}: Beacon ${b.seconds.toFixed(2)} s (executor CPU ${b.executorCpu.toFixed(2)} s, peak RSS ${(b.executorPeak / MB).toFixed(0)} MB), /dev/null ${d.seconds.toFixed(2)} s, bare pty ${p.toFixed(2)} s`);
  }
} finally {
  await stopExecutor(executor);
  await server.stop();
  sandbox.cleanup();
  claudeHome.cleanup();
}
const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const beaconSeconds = median(beaconRuns.map((r) => r.seconds));
const throughput = megabytes / beaconSeconds;
const floor = megabytes / median(bareRuns.map((r) => r.seconds));
const ptyFloor = megabytes / median(ptyRuns);
const executorPeak = Math.max(...beaconRuns.map((r) => r.executorPeak));
const cliPeak = median(beaconRuns.map((r) => r.cliPeak));
const bareCliPeak = median(bareRuns.map((r) => r.cliPeak));
report('claude-output', [
  { name: `${megabytes} MB reply through Beacon (median)`, value: throughput, unit: 'MB/s', floor, ratio: throughput / floor },
  { name: `${megabytes} MB reply through Beacon, against the CLI in a bare node-pty`, value: throughput, unit: 'MB/s', floor: ptyFloor, ratio: throughput / ptyFloor },
  { name: 'executor CPU during the run (median)', value: median(beaconRuns.map((r) => r.executorCpu)), unit: 's' },
  { name: 'executor peak RSS (max of the rounds)', value: executorPeak / MB, unit: 'MB', target: '≤ 200 MB', met: executorPeak <= 200 * MB },
  { name: 'executor RSS at rest before', value: idleRss / MB, unit: 'MB' },
  { name: "the CLI's own peak RSS under Beacon (median)", value: cliPeak / MB, unit: 'MB', floor: bareCliPeak / MB, ratio: cliPeak / bareCliPeak },
], [`the CLI prints the reply twice (assistant frame and result line): about ${2 * megabytes} MB of JSON through the pty; the log keeps the head and tail (execution.max_output_bytes)`]);
