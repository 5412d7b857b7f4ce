import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { type BeaconSandbox, type LocalQueueBeacon } from '../../support/beacon-sandbox.js';
import { useLocalQueueBeacon } from '../../support/sandbox-hooks.js';
import { waitFor } from '../../support/wait.js';


/**
 * The bad-input catalogue for the local queue: rows written straight into ~/.mentu/local.db by another
 * process (SQLite's loose typing lets text into numeric columns and NUL bytes into text), while one
 * `beacon run` serves. In the local queue every command is ours, so an invalid one must end failed with
 * a clear reason and never spawn; a row targeted elsewhere is left alone. A valid command after each
 * proves the executor still serves.
 */

const MACHINE = 'beacon-bad-local';
type Expected = { kind: 'failed'; reason: RegExp } | { kind: 'completed' } | { kind: 'ignored'; status: string };
interface Case {
  name: string;
  row: (box: BeaconSandbox) => Record<string, unknown>;
  expected: Expected;
}

const cases: Case[] = [
  { name: 'NUL byte in the prompt', row: () => ({ prompt: 'before\u0000after' }), expected: { kind: 'failed', reason: /Prompt contains a NUL byte/ } },
  { name: 'NUL byte in the working directory', row: (b) => ({ working_directory: `${b.work}\u0000/x` }), expected: { kind: 'failed', reason: /Working directory refused/ } },
  { name: '5 MB prompt', row: () => ({ prompt: 'y'.repeat(5 * 1024 * 1024) }), expected: { kind: 'failed', reason: /Prompt too long/ } },
  { name: 'timeout_seconds as text', row: () => ({ timeout_seconds: 'soon' }), expected: { kind: 'failed', reason: /column timeout_seconds holds text "soon", not a number/ } },
  { name: 'negative timeout', row: () => ({ timeout_seconds: -1 }), expected: { kind: 'failed', reason: /Invalid timeout_seconds -1/ } },
  { name: 'fractional timeout below a second', row: () => ({ timeout_seconds: 0.0001 }), expected: { kind: 'completed' } },
  { name: 'absurd timeout (1e12 s)', row: () => ({ timeout_seconds: 1e12 }), expected: { kind: 'failed', reason: /Invalid timeout_seconds/ } },
  // A value of the wrong type is refused, never guessed at (issue 15, point 2; before: these ran with no flags / no worktree).
  { name: 'flags not JSON', row: () => ({ flags: 'not json' }), expected: { kind: 'failed', reason: /column flags holds text "not json", not a list of text/ } },
  { name: 'flags a JSON object', row: () => ({ flags: '{"a":1}' }), expected: { kind: 'failed', reason: /column flags holds a JSON object/ } },
  { name: 'with_worktree as text', row: () => ({ with_worktree: 'yes' }), expected: { kind: 'failed', reason: /column with_worktree holds text "yes", not 1 or 0/ } },
  { name: 'agent __proto__', row: () => ({ agent: '__proto__' }), expected: { kind: 'failed', reason: /Unknown agent "__proto__"/ } },
  { name: 'agent toString', row: () => ({ agent: 'toString' }), expected: { kind: 'failed', reason: /Unknown agent "toString"/ } },
  { name: 'unknown command_type', row: () => ({ command_type: 'bug' }), expected: { kind: 'failed', reason: /command_type "bug" is not supported/ } },
  { name: 'targeted at another machine', row: () => ({ target_machine_id: 'beacon-other' }), expected: { kind: 'ignored', status: 'pending' } },
  {
    name: 'an id that is a path',
    row: () => ({ id: `../../escape-${randomUUID()}` }),
    expected: { kind: 'failed', reason: /Invalid command id/ },
  },
  { name: 'created_at not a date', row: () => ({ created_at: 'yesterday' }), expected: { kind: 'completed' } },
  { name: 'unknown status', row: () => ({ status: 'queued' }), expected: { kind: 'ignored', status: 'queued' } },
];

let q: LocalQueueBeacon;
useLocalQueueBeacon(MACHINE, (started) => (q = started));

describe(`bad-input catalogue through the local queue (${cases.length} cases)`, () => {
  for (const [index, c] of cases.entries()) {
    it(`${c.name}: ${c.expected.kind}${c.expected.kind === 'failed' ? ` (${c.expected.reason})` : ''}; the next command runs`, async () => {
      const tag = `local-${index}`;
      const fields = c.row(q.box);
      if (typeof fields.prompt === 'string') fields.prompt = `${tag}\n${fields.prompt}`;
      else fields.prompt = `${tag}\n@agent lines=1`;
      const id = q.insert(fields);
      const next = q.insert({ prompt: `${tag}-next\n@agent lines=1` });
      // The next command finishing proves the executor looked at this one and kept serving.
      await waitFor(`the command after "${c.name}"`, () => q.read(next).status === 'completed', 30_000, 50).catch((error: Error) => {
        throw new Error(`${error.message}: ${JSON.stringify(q.read(next))}; case row ${JSON.stringify(q.read(id))}\n${q.run.stderr().slice(-1500)}`);
      });
      if (c.expected.kind !== 'ignored') await waitFor(`"${c.name}" to end`, () => ['completed', 'failed', 'timeout', 'cancelled'].includes(q.read(id).status), 30_000, 50);
      const row = q.read(id);
      const ran = q.spawnedTags().filter((t) => t === tag).length;
      if (c.expected.kind === 'failed') {
        expect({ status: row.status, spawned: ran }).toEqual({ status: 'failed', spawned: 0 });
        expect(row.started_at).toBeNull();
        expect(row.error_message).toMatch(c.expected.reason);
      } else if (c.expected.kind === 'ignored') {
        expect({ status: row.status, spawned: ran }).toEqual({ status: c.expected.status, spawned: 0 });
      } else {
        expect({ status: row.status, spawned: ran, error: row.error_message }).toEqual({ status: 'completed', spawned: 1, error: null });
      }
      expect(q.run.child.exitCode).toBeNull();
    }, 70_000);
  }
});
