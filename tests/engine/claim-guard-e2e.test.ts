import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { beaconSandbox, startBeacon, type BeaconRun, type BeaconSandbox } from '../chaos/sandbox.js';
import { waitFor } from '../supabase/harness.js';

/**
 * `beacon run` on the local queue with a row another process wrote that makes the pre-claim check throw
 * (a working directory stored as a BLOB reaches path functions as a Buffer): that row alone is failed
 * with "Beacon could not check this command: …", and the command queued after it still runs.
 */

let box: BeaconSandbox;
let run: BeaconRun;
let db: Database.Database;

beforeAll(async () => {
  box = beaconSandbox(null, { machineId: 'beacon-guard-e2e', source: 'local' });
  run = startBeacon(box);
  await run.ready;
  db = new Database(join(box.home, 'local.db'));
  db.pragma('busy_timeout = 5000');
}, 60_000);

afterAll(async () => {
  db?.close();
  await run?.stop();
  box?.cleanup();
});

function insert(fields: Record<string, unknown>): string {
  const row: Record<string, unknown> = {
    id: randomUUID(), prompt: '@agent lines=1', working_directory: box.work, agent: 'claude', flags: '[]', status: 'pending', created_at: new Date().toISOString(), ...fields,
  };
  const keys = Object.keys(row);
  db.prepare(`INSERT INTO commands (${keys.join(',')}) VALUES (${keys.map((k) => `@${k}`).join(',')})`).run(row);
  return row.id as string;
}

const read = (id: string) => db.prepare('SELECT status, error_message, started_at FROM commands WHERE id = ?').get(id) as { status: string; error_message: string | null; started_at: string | null };
const spawned = (): string[] =>
  existsSync(box.spawnMarker) ? readFileSync(box.spawnMarker, 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as { head: string }).head.split('\n')[0]!) : [];

describe('beacon run, local queue: a row whose check throws', () => {
  it('is failed with the reason, never spawned, and the next command completes', async () => {
    const bad = insert({ prompt: 'guard-bad\n@agent lines=1', working_directory: Buffer.from(box.work) });
    expect((db.prepare('SELECT typeof(working_directory) AS t FROM commands WHERE id = ?').get(bad) as { t: string }).t).toBe('blob');
    const next = insert({ prompt: 'guard-next\n@agent lines=1' });
    await waitFor('the next command to complete', () => read(next).status === 'completed', 30_000, 50).catch((error: Error) => {
      throw new Error(`${error.message}: next ${JSON.stringify(read(next))}, bad ${JSON.stringify(read(bad))}\n${run.stderr().slice(-1500)}`);
    });
    expect(read(bad)).toMatchObject({ status: 'failed', started_at: null, error_message: expect.stringMatching(/^Beacon could not check this command: .*path/) as unknown });
    expect(spawned().filter((tag) => tag === 'guard-bad')).toEqual([]);
    expect(spawned().filter((tag) => tag === 'guard-next')).toEqual(['guard-next']);
    expect(run.child.exitCode).toBeNull();
  }, 70_000);
});
