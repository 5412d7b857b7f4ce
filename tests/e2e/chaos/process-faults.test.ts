import { existsSync, readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { isAlive } from '../../support/local-sandbox.js';
import { type Gateway } from '../../gateway/index.js';
import { useGateway } from '../../gateway/use-gateway.js';
import { WS } from '../../support/source-driver.js';
import { insertMany, statusCounts, type BeaconRun, type BeaconSandbox } from '../../support/beacon-sandbox.js';
import { waitFor } from '../../support/wait.js';
import { useBeaconSandboxes } from '../../support/sandbox-hooks.js';

/**
 * Process chaos against `beacon run` with the Supabase source and a backlog: kill -9 while several
 * commands run and more wait (tests/e2e/supabase-cli.test.ts covers one orphan), and SIGTERM with
 * short and long runs in flight (tests/e2e/stop-cancel.test.ts covers the local queue).
 */

let gateway: Gateway;
const pids: number[] = [];

useGateway((g) => (gateway = g));
const beacons = useBeaconSandboxes(() => gateway);
afterEach(async () => {
  for (const pid of pids.splice(0)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
});

function sandbox(machineId: string, execution: Record<string, unknown>): BeaconSandbox {
  return beacons.sandbox({ machineId, execution });
}
function start(box: BeaconSandbox): BeaconRun {
  return beacons.start(box);
}
const spawns = (box: BeaconSandbox): { pid: number; tag: string }[] =>
  existsSync(box.spawnMarker)
    ? readFileSync(box.spawnMarker, 'utf8').trim().split('\n').map((l) => {
        const entry = JSON.parse(l) as { pid: number; head: string };
        return { pid: entry.pid, tag: entry.head.split('\n')[0]! };
      })
    : [];
const rows = async () =>
  (await gateway.sql<{ prompt: string; status: string; error: string | null }>(
    `select split_part(prompt, E'\\n', 1) as prompt, b.status, r.error_message as error
       from public.bridge_commands b left join public.bridge_results r on r.command_id = b.id order by prompt`,
  )).rows;

describe('process chaos', () => {
  it('kill -9 with 3 running and 12 queued: the 3 end failed "executor restarted", are never re-run, the 12 run once', async () => {
    const box = sandbox('beacon-chaos-kill', { max_concurrent: 3 });
    const first = start(box);
    await first.ready;
    await insertMany(gateway, [0, 1, 2].map((i) => ({ workspace_id: WS, prompt: `kill-running-${i}\n@agent sleep=60000`, working_directory: box.work, agent: 'claude' })));
    await waitFor('three agents running', async () => (await statusCounts(gateway)).running === 3 && spawns(box).length === 3, 30_000, 100);
    await insertMany(gateway, Array.from({ length: 12 }, (_, i) => ({ workspace_id: WS, prompt: `kill-queued-${i}\n@agent lines=1`, working_directory: box.work, agent: 'claude' })));
    for (const s of spawns(box)) pids.push(s.pid); // the orphans outlive kill -9 of their parent
    first.child.kill('SIGKILL');
    await first.exited;
    const second = start(box);
    await second.ready;
    await waitFor('every command terminal with a result row', async () => {
      const all = await rows();
      return all.length === 15 && all.every((r) => r.error !== null || r.status === 'completed') && all.filter((r) => r.status === 'completed').length === 12;
    }, 60_000, 200).catch(async (error: Error) => {
      throw new Error(`${error.message}: ${JSON.stringify(await rows())}\n${second.stderr().slice(-2000)}`);
    });
    const all = await rows();
    expect(all.filter((r) => r.prompt.startsWith('kill-running-'))).toEqual([0, 1, 2].map((i) => ({ prompt: `kill-running-${i}`, status: 'failed', error: 'executor restarted' })));
    const tags = spawns(box).map((s) => s.tag);
    expect(tags.filter((t) => t.startsWith('kill-running-')).sort()).toEqual(['kill-running-0', 'kill-running-1', 'kill-running-2']);
    expect(tags.filter((t) => t.startsWith('kill-queued-')).sort()).toEqual(Array.from({ length: 12 }, (_, i) => `kill-queued-${i}`).sort());
    // A further restart does not touch them again.
    await second.stop();
    box.env.BEACON_LOG_LEVEL = 'debug';
    const third = start(box);
    await third.ready;
    // The claim loop looks for work after recovery; a re-run of a failed orphan would start then.
    await waitFor('a claim pass that found nothing', () => third.stderr().includes('claim pass: nothing to claim'), 30_000);
    expect(spawns(box)).toHaveLength(15);
    expect((await rows()).filter((r) => r.status === 'failed')).toHaveLength(3);
  }, 150_000);

  it('SIGTERM: short runs finish inside the grace period, a long one is cancelled "executor shutdown", the backlog is left pending', async () => {
    const box = sandbox('beacon-chaos-term', { max_concurrent: 3, shutdown_grace_seconds: 3 });
    const run = start(box);
    await run.ready;
    await insertMany(gateway, [
      { workspace_id: WS, prompt: 'term-short-0\n@agent lines=3 interval=300', working_directory: box.work, agent: 'claude' },
      { workspace_id: WS, prompt: 'term-short-1\n@agent lines=3 interval=300', working_directory: box.work, agent: 'claude' },
      { workspace_id: WS, prompt: 'term-long\n@agent sleep=60000 child=1', working_directory: box.work, agent: 'claude' },
    ]);
    await waitFor('three agents running', async () => (await statusCounts(gateway)).running === 3 && spawns(box).length === 3, 30_000, 100);
    await insertMany(gateway, Array.from({ length: 5 }, (_, i) => ({ workspace_id: WS, prompt: `term-backlog-${i}\n@agent lines=1`, working_directory: box.work, agent: 'claude' })));
    await gateway.settled();
    const agents = spawns(box).map((s) => s.pid);
    const sent = Date.now();
    run.child.kill('SIGTERM');
    const exit = await run.exited;
    const took = Date.now() - sent;
    console.log(`SIGTERM with 3 running: exit ${exit.code} after ${took} ms (grace 3 s)`);
    expect(exit.code).toBe(0);
    expect(took).toBeLessThan(3000 + 5000); // the grace period plus the kill ladder, with margin for a loaded machine
    const all = await rows();
    expect(all.filter((r) => r.prompt.startsWith('term-short-')).map((r) => r.status)).toEqual(['completed', 'completed']);
    expect(all.find((r) => r.prompt === 'term-long')).toMatchObject({ status: 'cancelled', error: expect.stringMatching(/^executor shutdown \(/) });
    expect(all.filter((r) => r.prompt.startsWith('term-backlog-')).map((r) => r.status)).toEqual(Array(5).fill('pending'));
    expect(spawns(box)).toHaveLength(3);
    for (const pid of agents) expect(isAlive(pid), `agent ${pid} left running`).toBe(false);
  }, 90_000);
});
