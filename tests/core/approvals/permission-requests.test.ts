import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createPermissionRequests, type PermissionRequests } from '../../../src-main/core/approvals/permission-requests.js';
import type { PermissionMirror, PermissionSettleResult } from '../../../src-main/core/commands/source.js';
import type { PermissionAnswer, PermissionRequestState } from '../../../src-main/core/contract/permission-request.js';
import { silentLogger } from '../../../src-main/core/logger.js';

/** The live requests: one state machine per request, the first answer wins, unanswered ones are denied, ended runs void. */

let dir: string;
let changes: string[];
let notes: string[];
beforeEach(() => {
  dir = realpathSync(mkdtempSync(join(tmpdir(), 'beacon-requests-')));
  mkdirSync(join(dir, 'work'));
  changes = [];
  notes = [];
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function registry(mirror: PermissionMirror | null = null): PermissionRequests {
  return createPermissionRequests({
    mentuHome: join(dir, 'mentu'), logger: silentLogger, mirror: () => mirror, changed: (id) => changes.push(id), note: (_id, line) => notes.push(line),
  });
}
const run = (requests: PermissionRequests, wait = 600) => requests.openRun({ commandId: 'cmd-1', workspaceId: null, cwd: join(dir, 'work'), denyUnansweredAfterSeconds: wait });
const write = (path: string, content = 'new\n') => ({ toolName: 'Write', input: { file_path: path, content }, toolUseId: 'toolu_1' });

describe('one request', () => {
  it('waits pending with a readable summary and diff, and an allow delivers the input to the CLI', async () => {
    const requests = registry();
    const { ticket } = run(requests);
    writeFileSync(join(dir, 'work', 'a.txt'), 'old\nkeep\n');
    const verdict = requests.ask(ticket, write(join(dir, 'work', 'a.txt'), 'new\nkeep\n'));
    const [view] = requests.list();
    expect(view).toMatchObject({ commandId: 'cmd-1', tool: 'Write', summary: join(dir, 'work', 'a.txt'), state: 'pending', answer: null, toolUseId: 'toolu_1' });
    expect(view!.detail).toContain('-old\n+new\n keep');
    expect(Date.parse(view!.deadlineAt) - Date.parse(view!.askedAt)).toBe(600_000);
    expect(changes).toEqual(['cmd-1']);

    const result = await requests.answer(view!.id.slice(0, 6), { decision: 'allow' }, { via: 'dashboard', by: 'ada' });
    expect(result).toMatchObject({ ok: true, message: `Allowed Write ${join(dir, 'work', 'a.txt')}` });
    await expect(verdict).resolves.toEqual({ behavior: 'allow', updatedInput: { file_path: join(dir, 'work', 'a.txt'), content: 'new\nkeep\n' } });
    expect(requests.list()[0]).toMatchObject({ state: 'allowed', answer: { decision: 'allow', scope: 'once', via: 'dashboard', by: 'ada' } });
    expect(notes.at(-1)).toContain('allowed (the dashboard)');
  });

  it('a denial carries the person\'s words to the model; a later answer is told who was first', async () => {
    const requests = registry();
    const { ticket } = run(requests);
    const verdict = requests.ask(ticket, { toolName: 'Bash', input: { command: 'rm -rf build' }, toolUseId: null });
    const id = requests.list()[0]!.id;
    expect(await requests.answer(id, { decision: 'deny', message: 'not the build folder' }, { via: 'cli', by: 'ada' })).toMatchObject({ ok: true });
    await expect(verdict).resolves.toEqual({ behavior: 'deny', message: 'Denied by the CLI: not the build folder' });
    const late = await requests.answer(id, { decision: 'allow' }, { via: 'tray', by: 'ada' });
    expect(late).toEqual(expect.objectContaining({ ok: false, message: `Request ${id.slice(0, 8)} was already denied (by the CLI)` }));
    expect(requests.list()[0]!.answer!.via).toBe('cli');
  });

  it('is denied when nobody answers in time, and the model is told so', async () => {
    const requests = registry();
    const { ticket, summary } = run(requests, 1);
    const started = Date.now();
    const verdict = await requests.ask(ticket, write(join(dir, 'work', 'b.txt')));
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(verdict).toMatchObject({ behavior: 'deny', message: expect.stringContaining('Nobody answered this permission request in time') as unknown });
    expect(requests.list()[0]).toMatchObject({ state: 'denied', answer: { via: 'no_answer', by: null } });
    expect(summary()).toMatchObject({ asked: 1, allowed: 0, denied: 1, unanswered: 1, denials: [{ tool: 'Write', via: 'no_answer', toolUseId: 'toolu_1' }] });
  });

  it('"allow for this command" lets later uses of the same tool through, recorded; other tools still ask', async () => {
    const requests = registry();
    const { ticket, summary } = run(requests);
    const first = requests.ask(ticket, { toolName: 'Bash', input: { command: 'npm test' }, toolUseId: 'a' });
    await requests.answer(requests.list()[0]!.id, { decision: 'allow', scope: 'command' }, { via: 'tray', by: 'ada' });
    await first;
    await expect(requests.ask(ticket, { toolName: 'Bash', input: { command: 'npm run lint' }, toolUseId: 'b' })).resolves.toMatchObject({ behavior: 'allow' });
    expect(requests.list()[1]).toMatchObject({ state: 'allowed', answer: { via: 'tray', message: 'allowed for the rest of this command by the tray window' } });
    void requests.ask(ticket, write(join(dir, 'work', 'c.txt')));
    expect(requests.list()[2]!.state).toBe('pending');
    expect(summary()).toMatchObject({ asked: 3, allowed: 2, denied: 0 });
    expect(await requests.answer(requests.list()[2]!.id, { decision: 'deny', scope: 'command' }, { via: 'cli', by: null })).toMatchObject({ ok: false, message: 'Only an allow can cover the rest of the command' });
  });

  it('the requests of a run that ends are void; an unknown ticket can ask nothing', async () => {
    const requests = registry();
    const opened = run(requests);
    const verdict = requests.ask(opened.ticket, write(join(dir, 'work', 'd.txt')));
    opened.close('the command ended before anyone answered');
    await expect(verdict).resolves.toEqual({ behavior: 'deny', message: 'Denied: the command ended before anyone answered' });
    expect(requests.list()[0]).toMatchObject({ state: 'void', answer: { via: 'beacon' } });
    await expect(requests.ask(opened.ticket, write(join(dir, 'work', 'e.txt')))).resolves.toMatchObject({ behavior: 'deny', message: expect.stringContaining('does not know this run') as unknown });
    await expect(requests.ask('forged', write(join(dir, 'work', 'e.txt')))).resolves.toMatchObject({ behavior: 'deny' });
    expect(requests.list()).toHaveLength(1);
  });
});

/** A database that keeps the first guarded update, like `update … where status = 'pending'`, after some latency. */
function databaseMirror(latencyMs: number): PermissionMirror & { rows: Map<string, { state: PermissionRequestState; answer: PermissionAnswer | null }>; writes: number } {
  const rows = new Map<string, { state: PermissionRequestState; answer: PermissionAnswer | null }>();
  const mirror = {
    rows,
    writes: 0,
    publish: async (request: { id: string }) => void rows.set(request.id, { state: 'pending', answer: null }),
    settle: async (id: string, state: PermissionRequestState, answer: PermissionAnswer): Promise<PermissionSettleResult> => {
      await delay(latencyMs);
      const row = rows.get(id)!;
      if (row.state !== 'pending') return { outcome: 'lost', state: row.state, answer: row.answer! };
      rows.set(id, { state, answer });
      mirror.writes++;
      return { outcome: 'won' };
    },
    watch: () => {},
    voidLeftovers: async () => 0,
    stop: async () => {},
  };
  return mirror;
}

describe('two answers racing', () => {
  it('through the database: exactly one wins, once, and the other surface is told who was first', async () => {
    const mirror = databaseMirror(30);
    const requests = registry(mirror);
    const { ticket } = run(requests);
    const verdict = requests.ask(ticket, write(join(dir, 'work', 'f.txt')));
    await delay(5);
    const id = requests.list()[0]!.id;
    const [dashboard, cli] = await Promise.all([
      requests.answer(id, { decision: 'allow' }, { via: 'dashboard', by: 'ada' }),
      requests.answer(id, { decision: 'deny' }, { via: 'cli', by: 'ada' }),
    ]);
    expect([dashboard.ok, cli.ok].filter(Boolean)).toHaveLength(1);
    expect(mirror.writes).toBe(1);
    const winner = dashboard.ok ? 'dashboard' : 'cli';
    expect(requests.list()[0]!.answer!.via).toBe(winner);
    expect(mirror.rows.get(id)!.answer!.via).toBe(winner);
    expect((dashboard.ok ? cli : dashboard).message).toMatch(/was already (allowed|denied) \(by the (dashboard|CLI)\)/);
    await expect(verdict).resolves.toMatchObject({ behavior: winner === 'dashboard' ? 'allow' : 'deny' });
  });

  it('a client that wrote to the database first wins over a local answer still on its way', async () => {
    const mirror = databaseMirror(40);
    const requests = registry(mirror);
    const { ticket } = run(requests);
    const verdict = requests.ask(ticket, write(join(dir, 'work', 'g.txt')));
    await delay(5);
    const id = requests.list()[0]!.id;
    // The phone's update commits while the tray's is in flight.
    const phone: PermissionAnswer = { decision: 'deny', scope: 'once', via: 'mentu', by: 'user-9', at: new Date().toISOString(), message: 'not now' };
    mirror.rows.set(id, { state: 'denied', answer: phone });
    const tray = await requests.answer(id, { decision: 'allow' }, { via: 'tray', by: 'ada' });
    requests.applyRemote(id, 'denied', phone); // the realtime event arriving late changes nothing more
    expect(tray).toMatchObject({ ok: false, message: expect.stringContaining('already denied (by Mentu (user user-9))') as unknown });
    await expect(verdict).resolves.toEqual({ behavior: 'deny', message: 'Denied by Mentu (user user-9): not now' });
    expect(mirror.writes).toBe(0);
  });
});
