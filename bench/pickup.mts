/**
 * Pickup latency (issue 7, benchmark 1): from INSERT to claimed and to the agent's start (it writes its
 * first byte right after), p50/p95/p99, through the gateway's realtime path and through the local queue.
 * Floors, measured on the very same INSERTs in the same run: a bare supabase-js client receiving the
 * INSERT event, and a bare SQLite connection polling PRAGMA data_version at the executor's 100 ms backstop
 * (the executor also watches the database files, so it usually beats that poll). Beside the realtime floor,
 * a bare client that claims on the event shows the claim's own round trip. The gateway runs in a process of
 * its own (gateway-process.mts), as the executor does, and each INSERT meets an idle executor.
 *   npx tsx bench/pickup.mts [--n 500] [--only supabase|local]
 */
import Database from 'better-sqlite3';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from '@supabase/supabase-js';
import WebSocket from 'ws';
import { beaconSandbox, MARKING_AGENT, startBeacon, type BeaconSandbox } from '../tests/support/beacon-sandbox.js';
import { OTHER_WS, WS } from '../tests/support/source-driver.js';
import { startGatewayProcess, type RemoteGateway } from './gateway-process.mjs';
import { distribution, fmt, numberArg, report, sleep, type BenchFigure } from './lib.mjs';

const n = numberArg('n', 500);
const onlyIndex = process.argv.indexOf('--only');
const only = onlyIndex > 0 ? process.argv[onlyIndex + 1] : null;
/** Pause after each command, so the next INSERT meets an executor at rest (as a user's next command would). */
const IDLE_GAP_MS = 50;
const wallNow = () => performance.timeOrigin + performance.now();

function spawnTimes(box: BeaconSandbox): Map<string, number> {
  const times = new Map<string, number>();
  if (!existsSync(box.spawnMarker)) return times;
  for (const line of readFileSync(box.spawnMarker, 'utf8').trim().split('\n')) {
    const entry = JSON.parse(line) as { t: number; head: string };
    times.set(entry.head.split('\n')[0]!, entry.t);
  }
  return times;
}

async function waitUntil(what: string, probe: () => boolean | Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(2);
  }
}

function figures(label: string, claimed: number[], started: number[], floor: number[]): BenchFigure[] {
  const c = distribution(claimed);
  const s = distribution(started);
  const f = distribution(floor);
  console.log(`${label}: floor ${fmt(f)}`);
  console.log(`${label}: INSERT→claimed ${fmt(c)}`);
  console.log(`${label}: INSERT→agent started ${fmt(s)}`);
  return [
    { name: `${label} floor p50`, value: f.p50, unit: 'ms' },
    { name: `${label} INSERT→claimed p50`, value: c.p50, unit: 'ms', floor: f.p50, ratio: c.p50 / f.p50, target: '≤ 2× floor and < 50 ms', met: c.p50 <= 2 * f.p50 && c.p50 < 50 },
    { name: `${label} INSERT→claimed p95`, value: c.p95, unit: 'ms', floor: f.p95, ratio: c.p95 / f.p95 },
    { name: `${label} INSERT→claimed p99`, value: c.p99, unit: 'ms', floor: f.p99, ratio: c.p99 / f.p99 },
    { name: `${label} INSERT→agent started p50`, value: s.p50, unit: 'ms', floor: f.p50, ratio: s.p50 / f.p50 },
    { name: `${label} INSERT→agent started p95`, value: s.p95, unit: 'ms', floor: f.p95, ratio: s.p95 / f.p95 },
    { name: `${label} INSERT→agent started p99`, value: s.p99, unit: 'ms', floor: f.p99, ratio: s.p99 / f.p99 },
  ];
}

async function supabaseRealtime(): Promise<BenchFigure[]> {
  const gateway = await startGatewayProcess();
  const box = beaconSandbox(gateway, { machineId: 'beacon-bench-pickup', supabase: { poll_seconds: 3600 } });
  const run = startBeacon(box);
  const floorClient = createClient(gateway.url, gateway.serviceRoleKey, { realtime: { transport: WebSocket as unknown as never } });
  const floorSeen = new Map<string, number>();
  let bare: BareClaimer | null = null;
  try {
    await run.ready;
    await new Promise<void>((resolve, reject) => {
      floorClient
        .channel('floor')
        .on('postgres_changes', { event: 'INSERT', schema: 'public', table: 'bridge_commands' }, (payload) => {
          floorSeen.set(String((payload.new as { id: string }).id), wallNow());
        })
        .subscribe((status) => (status === 'SUBSCRIBED' ? resolve() : status === 'CHANNEL_ERROR' ? reject(new Error('floor channel error')) : undefined));
    });
    bare = await bareClaimer(gateway);
    await sleep(1000);
    const claimed: number[] = [];
    const started: number[] = [];
    const floor: number[] = [];
    for (let i = 0; i < n; i++) {
      const id = randomUUID();
      const tag = `pickup-${i}`;
      const t0 = wallNow();
      await gateway.sql(`insert into public.bridge_commands (id, workspace_id, prompt, working_directory, agent) values ($1, $2, $3, $4, 'claude')`, [id, WS, `${tag}\n@agent lines=0`, box.work]);
      await waitUntil(`${tag} completed`, async () => (await gateway.sql(`select 1 from public.bridge_commands where id = $1 and status = 'completed'`, [id])).rowCount === 1);
      // One at a time means an idle executor: its result row and the listing after a run are behind it.
      await waitUntil(`${tag} result`, async () => (await gateway.sql(`select 1 from public.bridge_results where command_id = $1`, [id])).rowCount === 1);
      await sleep(IDLE_GAP_MS);
      const row = (await gateway.sql<{ c: number }>(`select extract(epoch from claimed_at) * 1000 as c from public.bridge_commands where id = $1`, [id])).rows[0]!;
      claimed.push(Number(row.c) - t0);
      started.push(spawnTimes(box).get(tag)! - t0);
      await waitUntil('the floor event', () => floorSeen.has(id), 10_000);
      floor.push(floorSeen.get(id)! - t0);
      await bare.claimOne();
      await bareSpawn(i);
      if ((i + 1) % 100 === 0) console.log(`  supabase: ${i + 1}/${n}`);
    }
    const bareClaimed = distribution(bare.latencies);
    console.log(`supabase realtime: a bare supabase-js client claiming on the event: INSERT→claimed ${fmt(bareClaimed)}`);
    const claimedP50 = distribution(claimed).p50;
    return [
      ...figures('supabase realtime', claimed, started, floor),
      { name: 'supabase realtime INSERT→claimed p50 against a bare supabase-js claimer', value: claimedP50, unit: 'ms', floor: bareClaimed.p50, ratio: claimedP50 / bareClaimed.p50 },
    ];
  } finally {
    await bare?.stop();
    await floorClient.removeAllChannels();
    await run.stop();
    await gateway.stop();
    box.cleanup();
  }
}

interface BareClaimer {
  latencies: number[];
  claimOne(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * A second reference beside the floor: a bare supabase-js client that calls claim_bridge_command the moment
 * its INSERT event arrives, on rows of another workspace (so it never races Beacon), one per Beacon command.
 * The floor leaves out the claim's round trip to the server; this one includes it, so the gap between
 * Beacon and it is what Beacon itself adds.
 */
async function bareClaimer(gateway: RemoteGateway): Promise<BareClaimer> {
  const client = createClient(gateway.url, gateway.serviceRoleKey, { realtime: { transport: WebSocket as unknown as never } });
  const claimedIds = new Set<string>();
  await new Promise<void>((resolve, reject) => {
    client
      .channel('bare-claimer')
      .on('postgres_changes', { event: 'INSERT', schema: 'public', table: 'bridge_commands', filter: `workspace_id=eq.${OTHER_WS}` }, (payload) => {
        const id = String((payload.new as { id: string }).id);
        void client
          .rpc('claim_bridge_command', { p_machine_id: 'bare-claimer', p_workspace_ids: [OTHER_WS], p_agents: ['claude'], p_command_ids: [id] })
          .then(() => claimedIds.add(id));
      })
      .subscribe((status) => (status === 'SUBSCRIBED' ? resolve() : status === 'CHANNEL_ERROR' ? reject(new Error('bare claimer channel error')) : undefined));
  });
  const latencies: number[] = [];
  return {
    latencies,
    async claimOne() {
      const id = randomUUID();
      const t0 = wallNow();
      await gateway.sql(`insert into public.bridge_commands (id, workspace_id, prompt, working_directory, agent) values ($1, $2, 'bare', '/tmp', 'claude')`, [id, OTHER_WS]);
      await waitUntil('the bare claim', () => claimedIds.has(id), 10_000);
      const row = (await gateway.sql<{ c: number }>(`select extract(epoch from claimed_at) * 1000 as c from public.bridge_commands where id = $1 and claimed_by_machine_id = 'bare-claimer'`, [id])).rows[0]!;
      latencies.push(Number(row.c) - t0);
      await sleep(IDLE_GAP_MS);
    },
    stop: () => client.removeAllChannels().then(() => undefined),
  };
}

async function localQueue(): Promise<BenchFigure[]> {
  const box = beaconSandbox(null, { machineId: 'beacon-bench-pickup-local', source: 'local' });
  const run = startBeacon(box);
  try {
    await run.ready;
    const file = join(box.home, 'local.db');
    const writer = new Database(file);
    writer.pragma('busy_timeout = 5000');
    const floorDb = new Database(file, { readonly: true });
    let version = floorDb.pragma('data_version', { simple: true }) as number;
    let floorSeenAt = 0;
    // The floor: a bare poll of data_version at the executor watcher's interval.
    const poll = setInterval(() => {
      const next = floorDb.pragma('data_version', { simple: true }) as number;
      if (next !== version) {
        version = next;
        if (floorSeenAt === 0) floorSeenAt = wallNow();
      }
    }, 100);
    const insert = writer.prepare(
      `INSERT INTO commands (id, prompt, working_directory, agent, flags, status, created_at) VALUES (?, ?, ?, 'claude', '[]', 'pending', ?)`,
    );
    const read = writer.prepare('SELECT status, claimed_at FROM commands WHERE id = ?');
    const claimed: number[] = [];
    const started: number[] = [];
    const floor: number[] = [];
    for (let i = 0; i < n; i++) {
      const id = randomUUID();
      const tag = `pickup-local-${i}`;
      await sleep(Math.random() * 100); // uniform phase against both 100 ms polls
      floorSeenAt = 0;
      const t0 = wallNow();
      insert.run(id, `${tag}\n@agent lines=0`, box.work, new Date().toISOString());
      await waitUntil(`${tag} completed`, () => (read.get(id) as { status: string }).status === 'completed');
      const row = read.get(id) as { claimed_at: string };
      claimed.push(Date.parse(row.claimed_at) - t0);
      started.push(spawnTimes(box).get(tag)! - t0);
      await waitUntil('the floor poll', () => floorSeenAt !== 0, 5000);
      floor.push(floorSeenAt - t0);
      await bareSpawn(i);
      if ((i + 1) % 100 === 0) console.log(`  local: ${i + 1}/${n}`);
    }
    clearInterval(poll);
    floorDb.close();
    writer.close();
    return figures('local queue', claimed, started, floor);
  } finally {
    await run.stop();
    box.cleanup();
  }
}

/**
 * The floor of "agent started": spawning the same stand-in agent with nothing in the way, sampled every
 * 10th command between Beacon's runs (so both see the same machine load).
 */
const spawnSamples: number[] = [];
async function bareSpawn(i: number): Promise<void> {
  if (i % 10 !== 0) return;
  const dir = mkdtempSync(join(tmpdir(), 'beacon-bench-spawn-'));
  const marker = join(dir, 'spawns.jsonl');
  const t0 = wallNow();
  await new Promise((r) => spawn(process.execPath, [MARKING_AGENT, marker, '-p', `bare-${i}\n@agent lines=0`], { stdio: 'ignore' }).once('exit', r));
  spawnSamples.push((JSON.parse(readFileSync(marker, 'utf8').trim()) as { t: number }).t - t0);
  rmSync(dir, { recursive: true, force: true });
}

console.log(`pickup latency, ${n} commands each path, one at a time, node ${process.version}`);
const all: BenchFigure[] = [];
if (only !== 'local') all.push(...(await supabaseRealtime()));
if (only !== 'supabase') all.push(...(await localQueue()));
const spawnFloor = distribution(spawnSamples);
console.log(`bare spawn of the same agent: ${fmt(spawnFloor)}`);
all.push({ name: 'bare spawn of the stand-in agent (floor of "agent started" minus the pickup floor) p50', value: spawnFloor.p50, unit: 'ms' });
for (const f of all) {
  if (f.name.includes('agent started') && f.floor !== undefined) {
    const pickupFloor = f.floor;
    f.floor = pickupFloor + spawnFloor.p50;
    f.ratio = f.value / f.floor;
  }
}
report('pickup', all, [
  'floor of "agent started" = the pickup floor + a bare spawn of the same agent (p50), measured in the same run','claimed: claimed_at (ms resolution in the local queue); agent started: the stand-in agent\'s own clock at startup, before its first byte']);
process.exit(0);
