import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { insertRow, readRow, type Sandbox } from '../../support/local-sandbox.js';
import { waitFor } from '../../support/wait.js';
import { useLocalSandboxes } from '../../support/sandbox-hooks.js';

/**
 * Issue 15, point 3: the working directory is checked by its real path, then entered; between the two its
 * name can be swapped for a symlink (seen: agents running in /etc). Here another process swaps
 * work/target between the real directory and a symlink to a folder outside the allowed ones, as fast as it
 * can, while 40 commands run there. Every agent must start in the real target (it says which folder it
 * found itself in by the marker file there); the others must fail with a clear reason, never run outside.
 */
const SWAPPER = `
const { renameSync, symlinkSync, unlinkSync } = require('node:fs');
const [target, hidden, outside, stopFile] = process.argv.slice(1);
const pause = new Int32Array(new SharedArrayBuffer(4));
const hold = () => Atomics.wait(pause, 0, 0, 1); // each state lasts about a millisecond
let swaps = 0;
while (!require('node:fs').existsSync(stopFile)) {
  try { renameSync(target, hidden); symlinkSync(outside, target); hold(); unlinkSync(target); renameSync(hidden, target); hold(); swaps++; } catch {}
}
process.stdout.write(String(swaps));
`;
const AGENT = 'if [ -e outside.marker ]; then where=OUTSIDE; elif [ -e inside.marker ]; then where=inside; else where=unknown; fi; echo "$1 $where" >> "$LOG"';

const local = useLocalSandboxes();
let sandbox: Sandbox | null = null;
let swapper: ChildProcess | null = null;
afterEach(() => {
  if (sandbox) writeFileSync(join(sandbox.root, 'stop-swapping'), '');
  swapper?.kill('SIGKILL');
  sandbox = null;
});

describe('a working directory swapped for a symlink while commands run (issue 15, point 3)', () => {
  it('no agent ever starts outside the directory that was checked', async () => {
    const box = local.sandbox({ max_concurrent: 2, default_agent: 'where' });
    sandbox = box;
    const log = join(box.root, 'where.log');
    const config = JSON.parse(readFileSync(join(box.home, 'beacon.yaml'), 'utf8')) as { agents: Record<string, unknown> };
    config.agents.where = { command: '/bin/sh', args: ['-c', AGENT.replace('$LOG', log), 'where', '{prompt}'], output: 'text' };
    writeFileSync(join(box.home, 'beacon.yaml'), JSON.stringify(config, null, 2));
    const target = join(box.work, 'target');
    const outside = join(box.root, 'outside');
    mkdirSync(target);
    mkdirSync(outside);
    writeFileSync(join(target, 'inside.marker'), '');
    writeFileSync(join(outside, 'outside.marker'), '');

    await local.start(box).ready;
    swapper = spawn(process.execPath, ['-e', SWAPPER, target, join(box.work, '.target-hidden'), outside, join(box.root, 'stop-swapping')], { stdio: ['ignore', 'pipe', 'inherit'] });
    let swaps = '';
    swapper.stdout!.setEncoding('utf8').on('data', (chunk: string) => (swaps += chunk));

    // Queued as rows (as another client would): `beacon enqueue` checks the directory up front too, and would
    // refuse the commands that arrive while the name points outside; the executor's own check is under test.
    // Paced, so that the commands are checked and started over a stretch of swapping, not in one burst.
    const ids: string[] = [];
    for (let i = 0; i < 40; i++) {
      ids.push(insertRow(box, { prompt: `c${i}`, working_directory: target, agent: 'where' }));
      await delay(40);
    }
    const rows = await waitFor('all 40 commands to end', () => {
      const all = ids.map((id) => readRow(box, id));
      return all.every((row) => row && ['completed', 'failed'].includes(row.status)) ? all : null;
    }, 120_000, 100);
    writeFileSync(join(box.root, 'stop-swapping'), '');
    await waitFor('the swapper to stop', () => swaps !== '');

    const where = existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n').filter(Boolean) : [];
    const failures = rows.filter((row) => row!.status === 'failed').map((row) => row!.error_message ?? '');
    const summary = { swaps: Number(swaps), completed: rows.length - failures.length, failed: failures.length, ran: where.length };
    // Before the fix: some agents found outside.marker (they ran in the folder the symlink pointed to).
    expect(where.filter((line) => !line.endsWith(' inside')), JSON.stringify(summary)).toEqual([]);
    expect(summary.completed, JSON.stringify(summary)).toBe(where.length);
    for (const reason of failures) {
      expect(reason).toMatch(/^(Working directory refused: working directory .* (does not exist|is outside the allowed directories|changed while)|The agent could not be started: (the working directory .* was replaced after it was checked|cannot enter the working directory))/);
    }
    // At least one swap per command on average: the name really moved while they were checked and started.
    expect(summary.swaps).toBeGreaterThan(40);
    expect(summary.completed, 'some commands must have run for the check to mean anything').toBeGreaterThan(0);
    if (process.env.BEACON_TEST_SUMMARY) console.log(summary, failures.filter((f) => f.includes('replaced')).length, 'refused by the launch step');
  }, 180_000);
});
