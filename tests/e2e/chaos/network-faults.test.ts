import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { type Gateway } from '../../gateway/index.js';
import { useGateway } from '../../gateway/use-gateway.js';
import { WS } from '../../support/source-driver.js';
import { insertMany, statusCounts, type BeaconRun, type BeaconSandbox } from '../../support/beacon-sandbox.js';
import { waitFor } from '../../support/wait.js';
import { useBeaconSandboxes } from '../../support/sandbox-hooks.js';

/**
 * Network chaos against a real `beacon run` (Supabase source, the marking agent): the realtime sockets
 * dropped every 2 s through a 500-command run, and the database unreachable for 30 s while commands run.
 * The spawn marker counts real agent processes, so "0 lost, 0 run twice" is measured, not inferred.
 * tests/core/commands/supabase/source-faults.test.ts covers the same faults at the source level with fewer commands.
 */

let gateway: Gateway;
useGateway((g) => (gateway = g));
const beacons = useBeaconSandboxes(() => gateway);

async function executor(machineId: string, execution: Record<string, unknown>): Promise<{ box: BeaconSandbox; run: BeaconRun }> {
  const box = beacons.sandbox({ machineId, execution, noopAgent: true });
  const run = beacons.start(box);
  await run.ready;
  return { box, run };
}

const spawnHeads = (box: BeaconSandbox): string[] =>
  existsSync(box.spawnMarker) ? readFileSync(box.spawnMarker, 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as { head: string }).head.split('\n')[0]!) : [];

describe('network chaos', () => {
  it('realtime sockets dropped every 2 s during a 500-command run: 0 lost, 0 run twice', async () => {
    const { box, run } = await executor('beacon-chaos-drops', { max_concurrent: 4 });
    const total = 500;
    const tags = Array.from({ length: total }, (_, i) => `drop-${i}`);
    let drops = 0;
    const dropper = setInterval(() => {
      gateway.faults.dropAllSockets();
      drops += 1;
    }, 2000);
    const started = Date.now();
    try {
      // In batches, so inserts land while sockets are down as well as while they are up.
      for (let i = 0; i < total; i += 50) {
        await insertMany(gateway, tags.slice(i, i + 50).map((tag) => ({ workspace_id: WS, prompt: `${tag}\n@agent lines=0`, working_directory: box.work, agent: 'noop' })));
        await new Promise((r) => setTimeout(r, 300));
      }
      await waitFor('all 500 completed', async () => (await statusCounts(gateway)).completed === total, 240_000, 500).catch(async (error: Error) => {
        throw new Error(`${error.message}: ${JSON.stringify(await statusCounts(gateway))}, ${spawnHeads(box).length} spawns\n${run.stderr().slice(-2000)}`);
      });
    } finally {
      clearInterval(dropper);
    }
    const seconds = (Date.now() - started) / 1000;
    await waitFor('500 result rows', async () => (await gateway.sql<{ n: number }>('select count(*)::int as n from public.bridge_results')).rows[0]!.n >= total, 60_000, 500);
    const heads = spawnHeads(box);
    const twice = heads.filter((tag, i) => heads.indexOf(tag) !== i);
    const lost = tags.filter((tag) => !heads.includes(tag));
    console.log(`socket drops: ${total} commands in ${seconds.toFixed(1)} s with ${drops} drops; ${heads.length} spawns, ${lost.length} lost, ${twice.length} run twice`);
    expect(drops).toBeGreaterThanOrEqual(3);
    expect(twice).toEqual([]);
    expect(lost).toEqual([]);
    expect(heads).toHaveLength(total);
    const results = (await gateway.sql<{ n: number; d: number }>('select count(*)::int as n, count(distinct command_id)::int as d from public.bridge_results')).rows[0];
    expect(results).toEqual({ n: total, d: total });
    expect(run.child.exitCode).toBeNull();
  }, 300_000);

  it('the database unreachable for 30 s during runs: output and results arrive afterwards, nothing lost', async () => {
    const { box, run } = await executor('beacon-chaos-outage', { max_concurrent: 3 });
    const before = await insertMany(gateway, [0, 1, 2].map((i) => ({
      workspace_id: WS, prompt: `outage-run-${i}\n@agent lines=12 interval=500`, working_directory: box.work, agent: 'claude',
    })));
    await waitFor('three running with output', async () => {
      const running = (await gateway.sql<{ n: number }>(`select count(*)::int as n from public.bridge_commands where status = 'running'`)).rows[0]!.n;
      const logs = (await gateway.sql<{ n: number }>('select count(distinct command_id)::int as n from public.spawn_logs')).rows[0]!.n;
      return running === 3 && logs === 3;
    }, 30_000, 100);
    const outageStarted = Date.now();
    gateway.faults.unreachable(30_000);
    // Queued while the database is down: Mentu's side may still write through another path (here: SQL).
    const during = await insertMany(gateway, [0, 1].map((i) => ({
      workspace_id: WS, prompt: `outage-queued-${i}\n@agent lines=2`, working_directory: box.work, agent: 'claude',
    })));
    // The agents finish (~6 s) long before the database comes back.
    await waitFor('the agents to exit', () => spawnHeads(box).length >= 3 && /finished .* status=completed[\s\S]*finished .* status=completed[\s\S]*finished .* status=completed/.test(run.stderr()), 25_000, 200);
    expect(Date.now() - outageStarted).toBeLessThan(30_000);
    await waitFor('all five completed with result rows', async () => {
      const done = (await gateway.sql<{ n: number }>(`select count(*)::int as n from public.bridge_commands where status = 'completed'`)).rows[0]!.n;
      const results = (await gateway.sql<{ n: number }>('select count(*)::int as n from public.bridge_results')).rows[0]!.n;
      return done === 5 && results === 5;
    }, 90_000, 500).catch(async (error: Error) => {
      throw new Error(`${error.message}: ${JSON.stringify(await statusCounts(gateway))}\n${run.stderr().slice(-2500)}`);
    });
    const recovered = (Date.now() - outageStarted) / 1000;
    for (const id of before) {
      const lines = (await gateway.sql<{ message: string }>('select message from public.spawn_logs where command_id = $1 order by ts, id', [id])).rows.map((r) => r.message).join('');
      for (let i = 1; i <= 12; i++) expect(lines, `line ${i} of ${id}`).toContain(`working ${i}/12`);
      const [result] = (await gateway.sql('select status, exit_code from public.bridge_results where command_id = $1', [id])).rows;
      expect(result).toEqual({ status: 'success', exit_code: 0 });
    }
    const heads = spawnHeads(box);
    expect(heads.sort()).toEqual(['outage-queued-0', 'outage-queued-1', 'outage-run-0', 'outage-run-1', 'outage-run-2']);
    expect(during).toHaveLength(2);
    console.log(`database outage 30 s: everything written ${recovered.toFixed(1)} s after the outage began`);
    expect(run.child.exitCode).toBeNull();
  }, 180_000);
});
