import { describe, expect, it } from 'vitest';
import { runCli } from '../../support/cli.js';
import { type LocalQueueBeacon } from '../../support/beacon-sandbox.js';
import { useLocalQueueBeacon } from '../../support/sandbox-hooks.js';
import { waitFor } from '../../support/wait.js';

/**
 * Issue 15, point 2: any value of any type in any column costs only its own row. SQLite keeps a BLOB in a
 * TEXT column and text in a numeric one; before the fix one row whose prompt was a BLOB crashed the whole
 * executor (a Buffer reached node-pty as an argument: segfault) right after the claim, killing the command
 * running beside it. Each row below is written by another process; it must end `failed` with a reason that
 * names the column, never spawn, and the command running meanwhile must complete.
 */
const MACHINE = 'beacon-any-type';
const validUtf8 = Buffer.from('héllo wörld', 'utf8');
const invalidUtf8 = Buffer.from([0xff, 0xfe, 0xc3, 0x28, 0x80]);

const TEXT_COLUMNS = ['prompt', 'working_directory', 'agent', 'flags', 'workspace_id', 'target_machine_id', 'command_type', 'commitment_id', 'on_approve', 'approval_status', 'created_at'];
const NUMBER_COLUMNS: [string, unknown][] = [
  ['timeout_seconds', validUtf8],
  ['timeout_seconds', 'soon'],
  ['with_worktree', invalidUtf8],
  ['with_worktree', 'yes'],
  ['approval_required', 'yes'],
  ['approval_required', 2],
];

interface Case {
  name: string;
  column: string;
  value: unknown;
}
const cases: Case[] = [
  ...TEXT_COLUMNS.flatMap((column) => [
    { name: `${column}: a BLOB of valid UTF-8`, column, value: validUtf8 },
    { name: `${column}: a BLOB of invalid UTF-8`, column, value: invalidUtf8 },
  ]),
  ...NUMBER_COLUMNS.map(([column, value]) => ({ name: `${column}: ${Buffer.isBuffer(value) ? 'a BLOB' : JSON.stringify(value)}`, column, value })),
];

let q: LocalQueueBeacon;
// Two run slots: one for the command that runs beside the bad rows, one they are claimed for.
useLocalQueueBeacon(MACHINE, (started) => (q = started), { execution: { max_concurrent: 2 } });

describe(`any value of any type in any column (${cases.length} rows, local queue)`, () => {
  it('every bad row fails alone with the column named; the command running beside them completes; nothing else spawns', async () => {
    const beside = q.insert({ prompt: 'beside\n@agent sleep=3000 lines=1' });
    await waitFor('the command beside to run', () => q.read(beside).status === 'running');
    const ids = cases.map((c, index) => ({ c, id: q.insert({ prompt: `bad-${index}\n@agent lines=1`, [c.column]: c.value }) }));
    const after = q.insert({ prompt: 'after\n@agent lines=1' });

    for (const { c, id } of ids) {
      const row = await waitFor(`"${c.name}" to end`, () => {
        const current = q.read(id);
        return ['completed', 'failed', 'timeout', 'cancelled'].includes(current.status) ? current : null;
      }, 30_000, 50).catch((error: Error) => {
        throw new Error(`${error.message}; executor alive: ${q.run.child.exitCode === null}\n${q.run.stderr().slice(-2000)}`);
      });
      expect({ case: c.name, status: row.status, started: row.started_at }).toEqual({ case: c.name, status: 'failed', started: null });
      expect(row.error_message, c.name).toContain(`column ${c.column} holds`);
    }
    expect((await waitFor('the command beside to end', () => (q.read(beside).status === 'running' ? null : q.read(beside)), 30_000)).status).toBe('completed');
    await waitFor('the command after them to complete', () => q.read(after).status === 'completed', 30_000, 50);
    const spawned = q.spawnedTags();
    expect(spawned.filter((tag) => tag.startsWith('bad-'))).toEqual([]);
    expect(spawned).toEqual(expect.arrayContaining(['beside', 'after']));
    expect(q.run.child.exitCode).toBeNull();
  });

  it('a BLOB id is refused too, and a BLOB status is left alone; beacon list still lists the rest', async () => {
    const blobId = Buffer.from('blob-id-\u00e9', 'utf8');
    q.insert({ id: blobId, prompt: 'blob-id\n@agent lines=1' });
    const blobStatus = q.insert({ prompt: 'blob-status\n@agent lines=1', status: Buffer.from('pending') });
    const after = q.insert({ prompt: 'after-ids\n@agent lines=1' });
    await waitFor('the command after them to complete', () => q.read(after).status === 'completed', 30_000, 50);
    const byBlob = q.db.prepare('SELECT status, error_message FROM commands WHERE id = ?').get(blobId) as { status: string; error_message: string };
    expect(byBlob.status).toBe('failed');
    expect(byBlob.error_message).toContain('id is a BLOB');
    expect(Buffer.isBuffer((q.db.prepare('SELECT status FROM commands WHERE id = ?').get(blobStatus) as { status: unknown }).status)).toBe(true);
    expect(q.spawnedTags()).not.toContain('blob-id');

    const listed = await runCli(['list', '--json', '--limit', '500'], { env: q.box.env });
    expect(listed.status, listed.stderr).toBe(0);
    expect(listed.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect((JSON.parse(listed.stdout) as { id: string }[]).map((c) => c.id)).toContain(after);
  });
});
