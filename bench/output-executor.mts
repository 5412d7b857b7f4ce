/**
 * Output through the whole executor (issue 7, benchmark 3): the stand-in agent writes N MB (default 200)
 * as fast as it can under a real `beacon run` with the Supabase source. Figures: MB/s through Beacon
 * against the same agent under bare node-pty in this process (the floor, same run); spawn_logs rows per
 * second for the command (target ≤ 4); peak RSS of the executor process (target ≤ 200 MB).
 * bench/output.mts measures the run pipeline alone; bench/ui-flood.ts the dashboard's frames per second.
 *   npx tsx bench/output-executor.mts [--mb 200]
 */
import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import * as pty from 'node-pty';
import { beaconSandbox, startBeacon } from '../tests/support/beacon-sandbox.js';
import { startGateway } from '../tests/gateway/index.js';
import { WS } from '../tests/support/source-driver.js';
import { numberArg, report, sleep } from './lib.mjs';
import { peakRssOf } from './proc-stats.mjs';

const megabytes = numberArg('mb', 200);
const bytes = Math.round(megabytes * 1024 * 1024);
const fakeAgent = resolve(import.meta.dirname, '..', 'tests', 'support', 'fake-agent.mjs');

async function bareNodePty(cwd: string): Promise<number> {
  const started = performance.now();
  let received = 0;
  await new Promise<void>((done) => {
    const child = pty.spawn(process.execPath, [fakeAgent, '-p', `@agent bytes=${bytes}`], {
      name: 'xterm-256color', cols: 120, rows: 40, cwd, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C.UTF-8' }, encoding: null,
    });
    child.onData((chunk) => (received += (chunk as unknown as Buffer).length));
    child.onExit(() => done());
  });
  const seconds = (performance.now() - started) / 1000;
  if (received < bytes) throw new Error(`bare node-pty received ${received} of ${bytes} bytes`);
  return received / 1024 / 1024 / seconds;
}

console.log(`output through beacon run: ${megabytes} MB flood, node ${process.version}`);
const gateway = await startGateway();
const box = beaconSandbox(gateway, { machineId: 'beacon-bench-output' });
const run = startBeacon(box);
try {
  await run.ready;
  const floorRate = await bareNodePty(box.work);
  console.log(`floor: bare node-pty ${floorRate.toFixed(1)} MB/s`);
  const pid = run.child.pid!;
  const peak = peakRssOf(pid);
  const id = randomUUID();
  await gateway.sql(`insert into public.bridge_commands (id, workspace_id, prompt, working_directory, agent) values ($1, $2, $3, $4, 'claude')`, [id, WS, `@agent bytes=${bytes}`, box.work]);
  const terminal = ['completed', 'failed', 'timeout', 'cancelled'];
  for (;;) {
    const status = (await gateway.sql<{ status: string }>('select status from public.bridge_commands where id = $1', [id])).rows[0]!.status;
    if (terminal.includes(status)) break;
    await sleep(200);
  }
  for (let i = 0; i < 100 && (await gateway.sql('select 1 from public.bridge_results where command_id = $1', [id])).rowCount === 0; i++) await sleep(100);
  await sleep(1500); // the last spawn_logs batch
  const peakBytes = peak.stop();
  const row = (await gateway.sql<{ status: string; seconds: number }>(
    `select status, extract(epoch from completed_at - started_at) as seconds from public.bridge_commands where id = $1`, [id],
  )).rows[0]!;
  const logs = (await gateway.sql<{ n: number; first: number; last: number; chars: number }>(
    `select count(*)::int as n, extract(epoch from min(ts)) as first, extract(epoch from max(ts)) as last, coalesce(sum(length(message)), 0)::bigint as chars
       from public.spawn_logs where command_id = $1`, [id],
  )).rows[0]!;
  const stamps = (await gateway.sql<{ t: number }>(`select extract(epoch from ts) * 1000 as t from public.spawn_logs where command_id = $1 order by ts`, [id])).rows.map((r) => Number(r.t));
  const busiestSecond = maxInAnySecond(stamps);
  const seconds = Number(row.seconds);
  const rate = megabytes / seconds;
  const rowsPerSecond = logs.n / Math.max(seconds, 1);
  console.log(`beacon: ${row.status} in ${seconds.toFixed(1)} s; spawn_logs ${logs.n} rows, ${(Number(logs.chars) / 1024).toFixed(0)} KB`);
  report('output-executor', [
    { name: `${megabytes} MB through beacon run`, value: rate, unit: 'MB/s', floor: floorRate, ratio: rate / floorRate },
    { name: 'spawn_logs rows per second (one command, over its run)', value: rowsPerSecond, unit: 'rows/s' },
    { name: 'spawn_logs rows in its busiest second (any 1 s window)', value: busiestSecond, unit: 'rows', target: '≤ 4', met: busiestSecond <= 4 },
    { name: 'executor peak RSS', value: peakBytes / 1024 / 1024, unit: 'MB', target: '≤ 200 MB', met: peakBytes <= 200 * 1024 * 1024 },
  ], [`command ended ${row.status}; run time from started_at to completed_at`]);
} finally {
  await run.stop();
  await gateway.stop();
  box.cleanup();
}
process.exit(0);

/** The most rows whose timestamps fall in one window [t, t + 1 s), over every window starting at a row. */
function maxInAnySecond(sortedMs: number[]): number {
  let best = 0;
  let end = 0;
  for (let start = 0; start < sortedMs.length; start++) {
    while (end < sortedMs.length && sortedMs[end]! < sortedMs[start]! + 1000) end++;
    best = Math.max(best, end - start);
  }
  return best;
}
