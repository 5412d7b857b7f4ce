import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { callExecutor } from '../../src-main/cli/control/client.js';
import type { BeaconSnapshot } from '../../src-main/core/contract/types.js';
import { runCli } from '../support/cli.js';
import { type LocalQueueBeacon } from '../support/beacon-sandbox.js';
import { useLocalQueueBeacon } from '../support/sandbox-hooks.js';
import { waitFor } from '../support/wait.js';

/**
 * Issue 15, point 5: a row whose status Beacon does not know (`Pending`, written by another program) used to
 * empty the whole list in the UI ("Could not list commands: …") and crash `beacon list` with a stack trace.
 * Such rows are skipped and said; the rest are listed.
 */
let q: LocalQueueBeacon;
useLocalQueueBeacon('beacon-unreadable-rows', (started) => (q = started));

describe('rows with a status Beacon does not know', () => {
  it('beacon list, beacon show and the snapshot list the rest and name the skipped rows', async () => {
    const good = q.insert({ prompt: 'good\n@agent lines=1' });
    await waitFor('the good command to complete', () => q.read(good).status === 'completed', 30_000);
    const odd = q.insert({ prompt: 'odd', status: 'Pending' });
    const blob = q.insert({ prompt: 'odd-blob', status: Buffer.from('running') });

    const list = await runCli(['list'], { env: q.box.env });
    expect(list.status, list.stderr).toBe(0);
    expect(list.stdout).toContain(good.slice(0, 8));
    expect(list.stderr).toContain(`command ${odd} has a status Beacon does not know: text "Pending"`);
    expect(list.stderr).toContain(`command ${blob} has a status Beacon does not know: a BLOB (7 bytes)`);
    expect(list.stderr).not.toMatch(/\n\s+at /);

    const json = await runCli(['list', '--json'], { env: q.box.env });
    expect(json.status).toBe(0);
    expect((JSON.parse(json.stdout) as { id: string }[]).map((c) => c.id)).toEqual([good]);

    const show = await runCli(['show', odd], { env: q.box.env });
    expect(show.status).toBe(1);
    expect(show.stderr).toBe(`beacon: command ${odd} has a status Beacon does not know: text "Pending"\n`);

    const snapshot = (await callExecutor(join(q.box.home, 'beacon.sock'), 'getSnapshot', [])) as BeaconSnapshot;
    expect(snapshot.problem).toBeNull();
    expect(snapshot.commands.map((c) => c.id)).toEqual([good]);
    expect(snapshot.skippedCommands?.map((row) => row.id).sort()).toEqual([odd, blob].sort());
  });
});
