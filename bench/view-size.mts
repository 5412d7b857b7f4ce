/**
 * View size (issue 15, point 4): a local queue with a long history (100,000 commands, a few of them with
 * 1 MB prompts) and 50 dashboard clients connected. Measured: the time to build a snapshot (a getSnapshot
 * round trip from one more client, while the 50 receive every change) against the floor, the same listing
 * straight from SQLite in this process; and the executor's peak RSS while commands run and every change is
 * broadcast, against an idle node process.
 *   npx tsx bench/view-size.mts [--commands 100000] [--clients 50] [--rounds 40]
 */
import { randomUUID } from 'node:crypto';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import WebSocket from 'ws';
import { openLocalDatabase } from '../src-main/core/commands/local/database.js';
import { beaconSandbox, startBeacon } from '../tests/support/beacon-sandbox.js';
import { dashboardUrlIn } from '../tests/support/dashboard-socket.js';
import { distribution, numberArg, report, sleep } from './lib.mjs';
import { peakRssOf, rssBytes } from './proc-stats.mjs';

const commands = numberArg('commands', 100_000);
const clients = numberArg('clients', 50);
const rounds = numberArg('rounds', 40);
console.log(`view size: ${commands} commands in the history, ${clients} dashboard clients, ${rounds} snapshot round trips, node ${process.version}`);

const box = beaconSandbox(null, { machineId: 'beacon-bench-views', source: 'local', noopAgent: true, execution: { default_agent: 'noop', max_concurrent: 2 } });
const file = join(box.home, 'local.db');
const seeded = openLocalDatabase(file);
const insert = seeded.prepare(
  `INSERT INTO commands (id, prompt, working_directory, agent, flags, status, created_at, completed_at, exit_code, error_message, summary)
   VALUES (?, ?, ?, 'noop', '[]', ?, ?, ?, ?, ?, ?)`,
);
const summary = JSON.stringify({ sessionId: 's', model: 'claude-stand-in', cliVersion: '2', resultText: 'done '.repeat(100), assistantText: null, toolUses: [{ name: 'Bash', count: 3 }], costUsd: 0.01, durationMs: 1000, numTurns: 2, isError: false, errorText: null, resultSubtype: 'success' });
const t0 = Date.now() - commands * 1000;
seeded.transaction(() => {
  for (let i = 0; i < commands; i++) {
    // 1 MB prompts: four across the history and one among the newest (what a snapshot shows).
    const huge = i % Math.max(1, Math.floor(commands / 4)) === 0 || i === commands - 50;
    const failed = i % 10 === 0;
    const at = new Date(t0 + i * 1000).toISOString();
    insert.run(randomUUID(), huge ? 'x'.repeat(1024 * 1024) : `history ${i}: ${'summarise the module and list its callers '.repeat(5)}`, box.work, failed ? 'failed' : 'completed', at, at, failed ? 1 : 0, failed ? 'The agent exited with code 1' : null, summary);
  }
})();
seeded.close();

// The floor: the listing a snapshot needs, straight from SQLite, nothing of Beacon in the way.
const bare = new Database(file, { readonly: true });
const listing = bare.prepare(`SELECT * FROM commands ORDER BY created_at DESC LIMIT 100`);
const floorTimes: number[] = [];
for (let i = 0; i < rounds; i++) {
  const start = performance.now();
  listing.all();
  floorTimes.push(performance.now() - start);
}
bare.close();

const run = startBeacon(box, ['--dashboard']);
await run.ready;
let url = '';
while (!(url = dashboardUrlIn(run.stdout()) ?? '')) await sleep(20);
const { origin, searchParams } = new URL(url);
const connect = (): Promise<WebSocket> =>
  new Promise((resolve, reject) => {
    const ws = new WebSocket(`${origin.replace('http', 'ws')}/api?token=${searchParams.get('token')}`, { headers: { origin } });
    ws.once('open', () => resolve(ws)).once('error', reject);
  });
let eventsReceived = 0;
const sockets: WebSocket[] = [];
for (let i = 0; i < clients; i++) {
  const ws = await connect();
  ws.on('message', () => eventsReceived++);
  sockets.push(ws);
}
const probe = await connect();
let nextId = 1;
const roundTrip = (): Promise<{ ms: number; bytes: number }> =>
  new Promise((resolve) => {
    const id = nextId++;
    const start = performance.now();
    const onMessage = (data: WebSocket.RawData) => {
      const text = data.toString();
      if (!text.startsWith('{"kind":"result"') || JSON.parse(text).id !== id) return;
      probe.off('message', onMessage);
      resolve({ ms: performance.now() - start, bytes: text.length });
    };
    probe.on('message', onMessage);
    probe.send(JSON.stringify({ kind: 'call', id, action: 'getSnapshot', args: [] }));
  });

const idleBare = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
const peak = peakRssOf(run.child.pid!, 25);
// Work meanwhile: commands queued by another process run and every change goes to all the clients.
const writer = new Database(file);
writer.pragma('busy_timeout = 5000');
const enqueue = writer.prepare(`INSERT INTO commands (id, prompt, working_directory, agent, flags, status, created_at) VALUES (?, ?, ?, 'noop', '[]', 'pending', ?)`);
const times: number[] = [];
let bytes = 0;
for (let i = 0; i < rounds; i++) {
  enqueue.run(randomUUID(), `bench ${i}`, box.work, new Date().toISOString());
  const trip = await roundTrip();
  times.push(trip.ms);
  bytes = trip.bytes;
  await sleep(50);
}
await sleep(500);
const peakBytes = peak.stop();
const bareRss = rssBytes(idleBare.pid!);
idleBare.kill('SIGKILL');
writer.close();
for (const ws of [...sockets, probe]) ws.close();
await run.stop();
box.cleanup();

const d = distribution(times);
const f = distribution(floorTimes);
report('view-size', [
  { name: 'floor: the same listing straight from SQLite p50', value: f.p50, unit: 'ms' },
  { name: `snapshot round trip p50 (${clients} clients connected)`, value: d.p50, unit: 'ms', floor: f.p50, ratio: d.p50 / f.p50, target: '≤ 50 ms', met: d.p50 <= 50 },
  { name: 'snapshot round trip p95', value: d.p95, unit: 'ms', floor: f.p95, ratio: d.p95 / f.p95, target: '≤ 50 ms', met: d.p95 <= 50 },
  { name: 'snapshot size', value: bytes / 1024, unit: 'KB' },
  { name: 'events delivered to the clients', value: eventsReceived, unit: 'events' },
  { name: 'executor peak RSS', value: peakBytes / 1024 / 1024, unit: 'MB', floor: bareRss / 1024 / 1024, ratio: peakBytes / bareRss, target: '≤ 250 MB', met: peakBytes <= 250 * 1024 * 1024 },
], [
  `the history: ${commands} commands (five with 1 MB prompts, one among the newest 100); ${rounds} commands queued during the measurement, each run by a /bin/sh no-op agent`,
  'round trip: a getSnapshot call from one more client to its reply, so it includes the build, JSON and the WebSocket; the floor of RSS is an idle node process',
]);
process.exit(0);
