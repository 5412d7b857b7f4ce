/**
 * Contention (issue 7, benchmark 2): 8 `beacon run` executors (separate MENTU_HOMEs, distinct machine
 * ids) and 2,000 commands of a /bin/sh no-op agent against one gateway: duplicates and lost commands
 * (both must be 0, counted from the agents' own spawn markers and from bridge_results), claims per
 * second, first through claim_bridge_command (RPC) and then with the function dropped (conditional
 * PATCH fallback). The floor: the same number of bare conditional UPDATEs (one claim each, 8 clients
 * in parallel, straight SQL) in the same run.
 *   npx tsx bench/contention.mts [--n 2000] [--executors 8]
 */
import { existsSync, readFileSync } from 'node:fs';
import pg from 'pg';
import { beaconSandbox, insertMany, startBeacon, type BeaconRun, type BeaconSandbox } from '../tests/support/beacon-sandbox.js';
import { startGateway, type Gateway } from '../tests/gateway/index.js';
import { WS } from '../tests/support/source-driver.js';
import { numberArg, report, sleep, type BenchFigure } from './lib.mjs';

const total = numberArg('n', 2000);
const executors = numberArg('executors', 8);

async function counts(gateway: Gateway): Promise<{ done: number; results: number; distinctResults: number }> {
  const row = (await gateway.sql<{ done: number; results: number; distinct_results: number }>(
    `select (select count(*)::int from public.bridge_commands where status in ('completed','failed','timeout','cancelled')) as done,
            (select count(*)::int from public.bridge_results) as results,
            (select count(distinct command_id)::int from public.bridge_results) as distinct_results`,
  )).rows[0]!;
  return { done: row.done, results: row.results, distinctResults: row.distinct_results };
}

/** The floor: bare conditional claims (UPDATE … WHERE status='pending' … SKIP LOCKED) by 8 clients. */
async function bareClaims(gateway: Gateway): Promise<number> {
  await gateway.reset();
  const values = Array.from({ length: total }, (_, i) => `('${WS}', 'floor-${i}', '/tmp', 'noop')`).join(',');
  await gateway.sql(`insert into public.bridge_commands (workspace_id, prompt, working_directory, agent) values ${values}`);
  const clients = await Promise.all(Array.from({ length: executors }, async () => {
    const client = new pg.Client({ connectionString: gateway.connectionString });
    await client.connect();
    return client;
  }));
  const started = performance.now();
  let claimed = 0;
  await Promise.all(clients.map(async (client, i) => {
    for (;;) {
      const result = await client.query(
        `update public.bridge_commands set status = 'claimed', claimed_by_machine_id = $1, claimed_at = now()
          where id = (select id from public.bridge_commands where status = 'pending' order by created_at limit 1 for update skip locked)
          returning id`, [`floor-${i}`]);
      if (result.rowCount === 0) break;
      claimed += 1;
    }
  }));
  const seconds = (performance.now() - started) / 1000;
  await Promise.all(clients.map((c) => c.end()));
  if (claimed !== total) throw new Error(`floor claimed ${claimed} of ${total}`);
  await gateway.reset();
  return total / seconds;
}

async function phase(gateway: Gateway, label: string): Promise<BenchFigure[]> {
  await gateway.reset();
  const boxes: BeaconSandbox[] = [];
  const runs: BeaconRun[] = [];
  try {
    for (let i = 0; i < executors; i++) {
      const box = beaconSandbox(gateway, { machineId: `beacon-bench-c${i}`, noopAgent: true, execution: { max_concurrent: 2 } });
      // All executors share one allowed work folder, so every one of them may run every command.
      boxes.push(box);
    }
    const shared = boxes[0]!.work;
    for (const box of boxes) box.env.BENCH_SHARED = shared;
    for (const box of boxes.slice(1)) {
      const config = JSON.parse(readFileSync(`${box.home}/beacon.yaml`, 'utf8')) as { execution: { allowed_directories: string[] } };
      config.execution.allowed_directories = [shared];
      await import('node:fs').then((fs) => fs.writeFileSync(`${box.home}/beacon.yaml`, JSON.stringify(config, null, 2)));
    }
    for (const box of boxes) runs.push(startBeacon(box));
    await Promise.all(runs.map((r) => r.ready));
    await sleep(1500);
    const tags = Array.from({ length: total }, (_, i) => `c-${i}`);
    const started = performance.now();
    for (let i = 0; i < total; i += 200) {
      await insertMany(gateway, tags.slice(i, i + 200).map((tag) => ({ workspace_id: WS, prompt: tag, working_directory: shared, agent: 'noop' })));
    }
    let last = -1;
    for (;;) {
      const c = await counts(gateway);
      if (c.done >= total) break;
      if (c.done !== last && Math.floor(c.done / 250) !== Math.floor(last / 250)) console.log(`  ${label}: ${c.done}/${total} done`);
      last = c.done;
      await sleep(250);
    }
    const seconds = (performance.now() - started) / 1000;
    const claimRow = (await gateway.sql<{ first: number; last: number }>(
      `select extract(epoch from min(claimed_at)) as first, extract(epoch from max(claimed_at)) as last from public.bridge_commands`,
    )).rows[0]!;
    const claimSpan = Number(claimRow.last) - Number(claimRow.first);
    for (let i = 0; i < 40 && (await counts(gateway)).results < total; i++) await sleep(250);
    const c = await counts(gateway);
    const spawned = boxes.flatMap((box) => existsSync(box.spawnMarker) ? readFileSync(box.spawnMarker, 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as { head: string }).head) : []);
    const seen = new Set(spawned);
    const duplicates = spawned.length - seen.size;
    const lost = tags.filter((t) => !seen.has(t)).length;
    const perExecutor = boxes.map((box) => (existsSync(box.spawnMarker) ? readFileSync(box.spawnMarker, 'utf8').trim().split('\n').length : 0));
    const failed = (await gateway.sql<{ n: number }>(`select count(*)::int as n from public.bridge_commands where status <> 'completed'`)).rows[0]!.n;
    console.log(`${label}: ${total} commands over ${executors} executors in ${seconds.toFixed(1)} s; per executor ${perExecutor.join('/')}; not completed ${failed}; result rows ${c.results} (${c.distinctResults} distinct)`);
    return [
      { name: `${label} duplicates (agent spawns)`, value: duplicates, unit: 'commands', target: '0', met: duplicates === 0 },
      { name: `${label} lost (never spawned)`, value: lost, unit: 'commands', target: '0', met: lost === 0 },
      { name: `${label} duplicate result rows`, value: c.results - c.distinctResults, unit: 'rows', target: '0', met: c.results === c.distinctResults },
      { name: `${label} claims per second`, value: total / Math.max(claimSpan, 0.001), unit: 'claims/s' },
      { name: `${label} commands completed per second`, value: total / seconds, unit: 'commands/s' },
    ];
  } finally {
    await Promise.all(runs.map((r) => r.stop()));
    for (const box of boxes) box.cleanup();
  }
}

console.log(`contention: ${executors} executors, ${total} commands of a no-op agent, max_concurrent 2 each, node ${process.version}`);
const gateway = await startGateway();
try {
  const floorRate = await bareClaims(gateway);
  console.log(`floor: bare conditional UPDATE claims by ${executors} SQL clients: ${floorRate.toFixed(0)} claims/s`);
  const rpc = await phase(gateway, 'RPC');
  await gateway.sql('drop function if exists public.claim_bridge_command(text, uuid[], integer)');
  const fns = (await gateway.sql(`select 1 from pg_proc where proname = 'claim_bridge_command'`)).rowCount;
  if (fns) await gateway.sql(`do $$ declare r record; begin for r in select oid::regprocedure as sig from pg_proc where proname = 'claim_bridge_command' loop execute 'drop function ' || r.sig; end loop; end $$`);
  const patch = await phase(gateway, 'PATCH fallback');
  for (const f of [...rpc, ...patch]) {
    if (f.unit === 'claims/s') {
      f.floor = floorRate;
      f.ratio = f.value / floorRate;
    }
  }
  report('contention', [{ name: 'floor: bare SQL claims per second', value: floorRate, unit: 'claims/s' }, ...rpc, ...patch], [
    'claims per second: commands / (last claimed_at − first claimed_at); bounded by max_concurrent × executors and the agent run time, not by the claim alone',
  ]);
} finally {
  await gateway.stop();
}
process.exit(0);
