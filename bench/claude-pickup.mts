/**
 * The real claude CLI through Beacon, pickup (issue 12, benchmark 1): from the INSERT of a command into the local
 * queue to the scripted model server's first /v1/messages request, through an idle `beacon run` (claim, checks,
 * pty spawn, the CLI's own start). Floor, measured alternately in the same run: the same CLI started directly by
 * this script (child_process.spawn) to the same server's first request. Target: ≤ 1.15× the floor at p50.
 *   npx tsx bench/claude-pickup.mts [--n 20]
 */
import Database from 'better-sqlite3';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { makeSandbox, readRow, startExecutor, stopExecutor } from '../tests/support/local-sandbox.js';
import { CLAUDE_BIN, CLAUDE_PRINT_ARGS, CLAUDE_VERSION, claudeEnv, useRealClaude, withoutClaudeVariables } from '../tests/support/real-claude.js';
import { startModelServer, turn } from '../tests/model-server/index.js';
import { distribution, fmt, numberArg, report, sleep } from './lib.mjs';

const n = numberArg('n', 20);
/** Pause after each run, so the next INSERT meets an executor at rest (as a user's next command would). */
const IDLE_GAP_MS = 200;
const wallNow = () => performance.timeOrigin + performance.now();

const server = await startModelServer();
const sandbox = makeSandbox();
const claudeHome = useRealClaude(sandbox, server);
const executor = startExecutor(sandbox);
await executor.ready;
const db = new Database(join(sandbox.home, 'local.db'));
db.pragma('busy_timeout = 5000');
const insert = db.prepare(
  "INSERT INTO commands (id, prompt, working_directory, agent, flags, status, created_at) VALUES (?, ?, ?, 'claude', '[]', 'pending', ?)",
);

async function throughBeacon(i: number): Promise<number> {
  server.reset();
  server.script(turn.text('ok'));
  const id = randomUUID();
  const at = wallNow();
  insert.run(id, `pickup ${i}`, sandbox.work, new Date().toISOString());
  const request = await server.waitForRequest();
  const elapsed = request.receivedAt - at;
  for (;;) {
    const status = readRow(sandbox, id)?.status;
    if (status === 'completed') break;
    if (status === 'failed' || status === 'timeout' || status === 'cancelled') throw new Error(`run ${i} ended ${status}: ${readRow(sandbox, id)?.error_message}`);
    await sleep(10);
  }
  return elapsed;
}

async function direct(i: number): Promise<number> {
  server.reset();
  server.script(turn.text('ok'));
  const env = { ...withoutClaudeVariables(process.env), ...claudeEnv(server, claudeHome.home) };
  const at = wallNow();
  const child = spawn(CLAUDE_BIN, [...CLAUDE_PRINT_ARGS, '--', `direct ${i}`], { cwd: sandbox.work, env, stdio: ['ignore', 'ignore', 'ignore'] });
  const request = await server.waitForRequest();
  const elapsed = request.receivedAt - at;
  await new Promise((resolve) => child.on('close', resolve));
  return elapsed;
}

const beacon: number[] = [];
const floor: number[] = [];
console.log(`claude ${CLAUDE_VERSION} pickup: ${n} rounds, each an idle executor's INSERT → first model request, then the same CLI started directly`);
try {
  await throughBeacon(-1); // warm the CLI's files into the page cache for both
  await sleep(IDLE_GAP_MS);
  for (let i = 0; i < n; i++) {
    beacon.push(await throughBeacon(i));
    await sleep(IDLE_GAP_MS);
    floor.push(await direct(i));
    await sleep(IDLE_GAP_MS);
  }
} finally {
  db.close();
  await stopExecutor(executor);
  await server.stop();
  sandbox.cleanup();
  claudeHome.cleanup();
}
const b = distribution(beacon);
const f = distribution(floor);
console.log(`through Beacon: ${fmt(b)}`);
console.log(`CLI started directly: ${fmt(f)}`);
report('claude-pickup', [
  { name: 'CLI started directly → first request p50', value: f.p50, unit: 'ms' },
  { name: 'INSERT → first request through Beacon p50', value: b.p50, unit: 'ms', floor: f.p50, ratio: b.p50 / f.p50, target: '≤ 1.15× floor', met: b.p50 <= 1.15 * f.p50 },
  { name: 'INSERT → first request through Beacon p95', value: b.p95, unit: 'ms', floor: f.p95, ratio: b.p95 / f.p95 },
], [`claude ${CLAUDE_VERSION}, local queue, idle executor; the floor is the bare CLI (no pty), alternating with Beacon's runs`]);
