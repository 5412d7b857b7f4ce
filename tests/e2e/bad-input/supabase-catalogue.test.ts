import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { beaconSandbox, startBeacon, type BeaconRun, type BeaconSandbox } from '../../support/beacon-sandbox.js';
import { startGateway, type Gateway } from '../../gateway/index.js';
import { OTHER_WS, WS } from '../../support/source-driver.js';
import { waitFor } from '../../support/wait.js';

/**
 * The bad-input catalogue through the Supabase gateway: each row is inserted into bridge_commands the
 * way any Mentu client could (superuser SQL, so only the column types stop it), while one `beacon run`
 * serves. Every case states its expected outcome:
 *   rejected  the database itself refuses the row (type or NOT NULL), so no command ever exists
 *   ignored   not ours: left exactly as inserted (unclaimed), nothing spawned
 *   failed    ours but invalid: claimed and failed with a reason matching `reason`, nothing spawned
 *   completed / timeout  odd but valid: it runs (and the agent sees exactly what was sent)
 * The marking agent appends a line per spawn, so "nothing spawned" is checked, not assumed.
 */

const MACHINE = 'beacon-bad-input';
type Expected = { kind: 'rejected' } | { kind: 'ignored'; status?: string } | { kind: 'failed'; reason: RegExp } | { kind: 'completed' | 'timeout' };
interface Case {
  name: string;
  row: (box: BeaconSandbox) => Record<string, unknown>;
  expected: Expected;
  /** For valid cases: the prompt the agent must receive byte for byte (via @agent echo=). */
  echo?: boolean;
}

const ours = { target_machine_id: MACHINE };
const unicode = 'مرحبا \u202Eevil\u202C 🧪👩‍👩‍👧 e\u0301 \u200B\uFEFF 𝕏 \uD83D\uDE00 ﷽';

const cases: Case[] = [
  // Missing and null fields: the schema's NOT NULL columns reject them before any executor sees them.
  { name: 'null prompt', row: (b) => ({ prompt: null, working_directory: b.work }), expected: { kind: 'rejected' } },
  { name: 'null working_directory', row: () => ({ working_directory: null }), expected: { kind: 'rejected' } },
  { name: 'null workspace_id', row: (b) => ({ workspace_id: null, working_directory: b.work }), expected: { kind: 'rejected' } },
  { name: 'null agent', row: (b) => ({ agent: null, working_directory: b.work }), expected: { kind: 'rejected' } },
  { name: 'NUL byte in the prompt', row: (b) => ({ prompt: 'a\u0000b', working_directory: b.work }), expected: { kind: 'rejected' } },
  // Wrong types.
  { name: 'timeout_seconds as text', row: (b) => ({ working_directory: b.work, timeout_seconds: 'ten' }), expected: { kind: 'rejected' } },
  { name: 'flags as a plain string', row: (b) => ({ working_directory: b.work, flags: 'not-an-array' }), expected: { kind: 'rejected' } },
  { name: 'with_worktree as text', row: (b) => ({ working_directory: b.work, with_worktree: 'maybe' }), expected: { kind: 'rejected' } },
  // Null flags and optional columns are normal in Mentu rows.
  { name: 'null flags', row: (b) => ({ ...ours, working_directory: b.work, flags: null }), expected: { kind: 'completed' } },
  // The null element is dropped; the rest meets the owner's allow-list (the stand-in agent's profile allows none).
  { name: 'flags with a null element', row: (b) => ({ ...ours, working_directory: b.work, flags: [null, '--x'] }), expected: { kind: 'failed', reason: /^Flag "--x" refused by this machine's policy \(agent "claude" accepts no flags from the queue\)/ } },
  { name: 'a flag that loosens permissions', row: (b) => ({ ...ours, working_directory: b.work, flags: ['--dangerously-skip-permissions'] }), expected: { kind: 'failed', reason: /"--dangerously-skip-permissions" refused/ } },
  { name: 'null with_worktree, approval_required, timeout', row: (b) => ({ ...ours, working_directory: b.work, with_worktree: null, approval_required: null, timeout_seconds: null }), expected: { kind: 'completed' } },
  // Working directories.
  { name: 'empty working_directory', row: () => ({ ...ours, working_directory: '' }), expected: { kind: 'failed', reason: /Working directory refused/ } },
  { name: 'relative working_directory', row: () => ({ ...ours, working_directory: 'work' }), expected: { kind: 'failed', reason: /Working directory refused/ } },
  { name: '.. escape', row: (b) => ({ ...ours, working_directory: `${b.work}/../outside` }), expected: { kind: 'failed', reason: /Working directory refused/ } },
  { name: '.. escape, not targeted (another machine may allow it)', row: (b) => ({ working_directory: `${b.work}/../outside` }), expected: { kind: 'ignored' } },
  { name: 'symlink escape', row: (b) => ({ ...ours, working_directory: join(b.work, 'escape-link') }), expected: { kind: 'failed', reason: /Working directory refused/ } },
  { name: 'a file for a directory', row: (b) => ({ ...ours, working_directory: join(b.work, 'a-file') }), expected: { kind: 'failed', reason: /Working directory refused.*director/i } },
  { name: 'nonexistent directory', row: (b) => ({ ...ours, working_directory: join(b.work, 'missing') }), expected: { kind: 'failed', reason: /Working directory refused/ } },
  { name: 'sibling-prefix directory', row: (b) => ({ ...ours, working_directory: `${b.work}-evil` }), expected: { kind: 'failed', reason: /Working directory refused/ } },
  { name: 'shell metacharacters in the directory', row: (b) => ({ ...ours, working_directory: `${b.work}/$(touch pwned);\`touch pwned2\`` }), expected: { kind: 'failed', reason: /Working directory refused/ } },
  { name: 'newline in the directory', row: (b) => ({ ...ours, working_directory: `${b.work}\n/etc` }), expected: { kind: 'failed', reason: /Working directory refused/ } },
  { name: '. segments inside an allowed directory', row: (b) => ({ ...ours, working_directory: `${b.work}/./sub/../sub/` }), expected: { kind: 'completed' } },
  // Agents.
  { name: 'unknown agent', row: (b) => ({ ...ours, working_directory: b.work, agent: 'no-such-agent' }), expected: { kind: 'failed', reason: /Unknown agent "no-such-agent"/ } },
  { name: 'empty agent name', row: (b) => ({ ...ours, working_directory: b.work, agent: '' }), expected: { kind: 'failed', reason: /Unknown agent ""/ } },
  { name: 'agent as a path', row: (b) => ({ ...ours, working_directory: b.work, agent: '../../bin/sh' }), expected: { kind: 'failed', reason: /Unknown agent/ } },
  { name: 'agent named like an Object prototype key', row: (b) => ({ ...ours, working_directory: b.work, agent: 'constructor' }), expected: { kind: 'failed', reason: /Unknown agent "constructor"/ } },
  // Timeouts.
  { name: 'negative timeout', row: (b) => ({ ...ours, working_directory: b.work, timeout_seconds: -5 }), expected: { kind: 'failed', reason: /Invalid timeout_seconds -5/ } },
  { name: 'zero timeout', row: (b) => ({ ...ours, working_directory: b.work, timeout_seconds: 0 }), expected: { kind: 'failed', reason: /Invalid timeout_seconds 0/ } },
  { name: 'absurd timeout (2^31-1 s)', row: (b) => ({ ...ours, working_directory: b.work, timeout_seconds: 2147483647 }), expected: { kind: 'failed', reason: /Invalid timeout_seconds 2147483647/ } },
  { name: 'one-second timeout on a slow agent', row: (b) => ({ ...ours, working_directory: b.work, timeout_seconds: 1, prompt: '@agent sleep=30000' }), expected: { kind: 'timeout' } },
  // Prompts.
  { name: 'odd unicode (RTL override, ZWJ emoji, combining, BOM, astral)', row: (b) => ({ ...ours, working_directory: b.work, prompt: unicode }), expected: { kind: 'completed' }, echo: true },
  { name: 'prompt that looks like a flag', row: (b) => ({ ...ours, working_directory: b.work, prompt: '--dangerously-skip-permissions' }), expected: { kind: 'completed' }, echo: true },
  { name: 'prompt with shell syntax', row: (b) => ({ ...ours, working_directory: b.work, prompt: '$(touch pwned3); `touch pwned4` && rm -rf "$HOME"' }), expected: { kind: 'completed' }, echo: true },
  { name: 'empty prompt', row: (b) => ({ ...ours, working_directory: b.work, prompt: '' }), expected: { kind: 'completed' } },
  { name: '5 MB prompt', row: (b) => ({ ...ours, working_directory: b.work, prompt: 'x'.repeat(5 * 1024 * 1024) }), expected: { kind: 'failed', reason: /Prompt too long: 5242888 bytes/ } },
  // Targeting, types, statuses, workspaces: not ours, left alone.
  { name: 'targeted at another machine', row: (b) => ({ working_directory: b.work, target_machine_id: 'beacon-someone-else' }), expected: { kind: 'ignored' } },
  { name: 'targeted at our id in upper case', row: (b) => ({ working_directory: b.work, target_machine_id: MACHINE.toUpperCase() }), expected: { kind: 'ignored' } },
  { name: 'unknown command_type, not targeted', row: (b) => ({ working_directory: b.work, command_type: 'bug' }), expected: { kind: 'ignored' } },
  { name: 'unknown command_type, targeted at us', row: (b) => ({ ...ours, working_directory: b.work, command_type: 'teleport' }), expected: { kind: 'failed', reason: /command_type "teleport" is not supported/ } },
  { name: 'command_type spawn', row: (b) => ({ ...ours, working_directory: b.work, command_type: 'spawn' }), expected: { kind: 'completed' } },
  { name: 'status in upper case', row: (b) => ({ working_directory: b.work, status: 'PENDING' }), expected: { kind: 'ignored', status: 'PENDING' } },
  { name: 'unknown status', row: (b) => ({ working_directory: b.work, status: 'queued' }), expected: { kind: 'ignored', status: 'queued' } },
  { name: 'already completed', row: (b) => ({ working_directory: b.work, status: 'completed' }), expected: { kind: 'ignored', status: 'completed' } },
  { name: 'another workspace', row: (b) => ({ working_directory: b.work, workspace_id: OTHER_WS }), expected: { kind: 'ignored' } },
];

let gateway: Gateway;
let box: BeaconSandbox;
let run: BeaconRun;
const ids = new Map<number, string>();
const rejections = new Map<number, string>();

const tag = (index: number) => `case-${String(index).padStart(2, '0')}`;
const rowOf = async (id: string) => (await gateway.sql('select * from public.bridge_commands where id = $1', [id])).rows[0]!;
const spawned = (): { head: string; length: number }[] =>
  existsSync(box.spawnMarker) ? readFileSync(box.spawnMarker, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { head: string; length: number }) : [];

beforeAll(async () => {
  gateway = await startGateway();
  box = beaconSandbox(gateway, { machineId: MACHINE, execution: { max_concurrent: 4 } });
  mkdirSync(join(box.root, 'outside'));
  mkdirSync(join(box.work, 'sub'));
  mkdirSync(`${box.work}-evil`);
  writeFileSync(join(box.work, 'a-file'), 'not a directory');
  symlinkSync(join(box.root, 'outside'), join(box.work, 'escape-link'));
  run = startBeacon(box);
  await run.ready;
  for (const [index, c] of cases.entries()) {
    const row = { workspace_id: WS, agent: 'claude', prompt: '@agent lines=1', ...c.row(box) };
    // The tag leads the prompt so the spawn marker can name the case; echo= proves the bytes arrive intact.
    if (typeof row.prompt === 'string') {
      const echo = c.echo ? `@agent echo=${join(box.root, `${tag(index)}.echo`)}\n` : '';
      row.prompt = `${tag(index)}\n${echo}${row.prompt}`;
    }
    const keys = Object.keys(row);
    try {
      const result = await gateway.sql<{ id: string }>(
        `insert into public.bridge_commands (${keys.join(',')}) values (${keys.map((_, i) => `$${i + 1}`).join(',')}) returning id`,
        Object.values(row),
      );
      ids.set(index, result.rows[0]!.id);
    } catch (error) {
      rejections.set(index, (error as Error).message);
    }
  }
}, 120_000);

afterAll(async () => {
  await run?.stop();
  await gateway?.stop();
  box?.cleanup();
});

describe(`bad-input catalogue through bridge_commands (${cases.length} cases)`, () => {
  it('has at least 30 cases', () => expect(cases.length).toBeGreaterThanOrEqual(30));

  it('every case ends as expected, and nothing invalid was spawned', async () => {
    // A valid command after the whole catalogue: the executor still serves (oldest first, so every
    // case before it has been looked at by then).
    const after = (await gateway.sql<{ id: string }>(
      `insert into public.bridge_commands (workspace_id, prompt, working_directory, agent) values ($1, 'after-all\n@agent lines=1', $2, 'claude') returning id`,
      [WS, box.work],
    )).rows[0]!.id;
    await waitFor('the command after the catalogue', async () => (await rowOf(after)).status === 'completed', 60_000, 100).catch(async (error: Error) => {
      const rows = (await gateway.sql<{ prompt: string; status: string; error: string }>(`select left(prompt, 8) as prompt, status, result->>'error_message' as error from public.bridge_commands order by created_at`)).rows;
      throw new Error(`${error.message}\n${rows.map((r) => `${r.prompt.replace(/\n/g, ' ')} ${r.status} ${r.error ?? ''}`).join('\n')}\nexecutor log head:\n${run.stderr().slice(0, 6000)}`);
    });
    const terminal = ['completed', 'failed', 'timeout', 'cancelled'];
    const awaited = [...cases.entries()].filter(([, c]) => c.expected.kind !== 'rejected' && c.expected.kind !== 'ignored').map(([i]) => ids.get(i)).filter(Boolean);
    await waitFor('every case that should end to end', async () => {
      const rows = (await gateway.sql<{ status: string }>('select status from public.bridge_commands where id = any($1::uuid[])', [awaited])).rows;
      return rows.every((r) => terminal.includes(r.status));
    }, 30_000, 200).catch(() => undefined); // the per-case report below says which did not
    const spawns = spawned();
    const problems: string[] = [];
    for (const [index, c] of cases.entries()) {
      const id = ids.get(index);
      const ranTimes = spawns.filter((s) => s.head.startsWith(`${tag(index)}\n`)).length;
      const expected = c.expected;
      if (expected.kind === 'rejected') {
        if (id) problems.push(`${c.name}: expected the database to reject the row, but it was accepted`);
        continue;
      }
      if (!id) {
        problems.push(`${c.name}: rejected by the database (${rejections.get(index)})`);
        continue;
      }
      const row = await rowOf(id);
      const result = (await gateway.sql('select * from public.bridge_results where command_id = $1', [id])).rows;
      if (expected.kind === 'ignored') {
        const want = expected.status ?? 'pending';
        if (row.status !== want || row.claimed_by_machine_id !== null) problems.push(`${c.name}: expected untouched ${want}, got ${row.status} claimed by ${row.claimed_by_machine_id}`);
        if (ranTimes) problems.push(`${c.name}: not ours, yet spawned ${ranTimes}x`);
      } else if (expected.kind === 'failed') {
        const reason = String(result[0]?.error_message ?? '');
        if (row.status !== 'failed') problems.push(`${c.name}: expected failed, got ${row.status} (${reason})`);
        else if (!expected.reason.test(reason)) problems.push(`${c.name}: failed, but the reason ${JSON.stringify(reason.slice(0, 200))} does not match ${expected.reason}`);
        if (ranTimes) problems.push(`${c.name}: invalid, yet spawned ${ranTimes}x`);
        if (row.started_at !== null) problems.push(`${c.name}: invalid, yet started_at is set`);
      } else {
        if (row.status !== expected.kind) problems.push(`${c.name}: expected ${expected.kind}, got ${row.status} (${String(result[0]?.error_message ?? '')})`);
        if (ranTimes !== 1) problems.push(`${c.name}: valid, expected exactly one spawn, got ${ranTimes}`);
        if (c.echo) {
          const echoed = readFileSync(join(box.root, `${tag(index)}.echo`), 'utf8');
          if (echoed !== row.prompt) problems.push(`${c.name}: the agent received a different prompt (${echoed.length} vs ${String(row.prompt).length} chars)`);
        }
      }
    }
    // Shell syntax in a directory or a prompt is never interpreted.
    for (const name of ['pwned', 'pwned2', 'pwned3', 'pwned4']) {
      if (existsSync(join(box.work, name)) || existsSync(join(box.root, name))) problems.push(`a shell ran: ${name} exists`);
    }
    expect(problems).toEqual([]);
    // One spawn per valid case plus the final command: nothing else ever ran.
    const valid = cases.filter((c) => c.expected.kind === 'completed' || c.expected.kind === 'timeout').length;
    expect(spawns.length).toBe(valid + 1);
    expect(run.child.exitCode).toBeNull();
  }, 150_000);
});
