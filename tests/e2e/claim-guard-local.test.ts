import { describe, expect, it } from 'vitest';
import { type LocalQueueBeacon } from '../support/beacon-sandbox.js';
import { useLocalQueueBeacon } from '../support/sandbox-hooks.js';
import { waitFor } from '../support/wait.js';


/**
 * `beacon run` on the local queue with a row another process wrote that once made the pre-claim check throw
 * (a working directory stored as a BLOB reached path functions as a Buffer). Since issue 15 the row reader
 * refuses a column of the wrong type before any check: that row alone is failed with "Command refused:
 * column working_directory holds a BLOB …", and the command queued after it still runs.
 */

let q: LocalQueueBeacon;
useLocalQueueBeacon('beacon-guard-e2e', (started) => (q = started));

describe('beacon run, local queue: a row whose check throws', () => {
  it('is failed with the reason, never spawned, and the next command completes', async () => {
    const bad = q.insert({ prompt: 'guard-bad\n@agent lines=1', working_directory: Buffer.from(q.box.work) });
    expect((q.db.prepare('SELECT typeof(working_directory) AS t FROM commands WHERE id = ?').get(bad) as { t: string }).t).toBe('blob');
    const next = q.insert({ prompt: 'guard-next\n@agent lines=1' });
    await waitFor('the next command to complete', () => q.read(next).status === 'completed', 30_000, 50).catch((error: Error) => {
      throw new Error(`${error.message}: next ${JSON.stringify(q.read(next))}, bad ${JSON.stringify(q.read(bad))}\n${q.run.stderr().slice(-1500)}`);
    });
    expect(q.read(bad)).toMatchObject({ status: 'failed', started_at: null, error_message: expect.stringMatching(/^Command refused: column working_directory holds a BLOB/) as unknown });
    expect(q.spawnedTags().filter((tag) => tag === 'guard-bad')).toEqual([]);
    expect(q.spawnedTags().filter((tag) => tag === 'guard-next')).toEqual(['guard-next']);
    expect(q.run.child.exitCode).toBeNull();
  }, 70_000);
});
