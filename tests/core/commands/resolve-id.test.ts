import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLocalSource, type LocalCommandSource } from '../../../src-main/core/commands/local/index.js';
import { resolveCommandId } from '../../../src-main/core/commands/resolve-id.js';

/** Ids typed by a person (full, or 6+ first characters as the UIs show them) against the real local queue. */
let dir: string;
let source: LocalCommandSource;

const IDS = ['44a8bdc3-0000-4000-8000-000000000001', '44a8bdff-0000-4000-8000-000000000002', '44a8bdff-1111-4000-8000-000000000003', 'cmd_x1', 'cmd%x1'];

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'beacon-resolve-'));
  source = createLocalSource({ file: join(dir, 'local.db'), machineId: 'beacon-a', defaultAgent: 'claude' });
  await source.enqueue({ prompt: 'create the schema', workingDirectory: '/tmp' });
  // Rows with chosen ids, as another producer could write them.
  const db = new Database(join(dir, 'local.db'));
  for (const [i, id] of IDS.entries()) {
    db.prepare(`INSERT INTO commands (id, prompt, working_directory, agent, status, created_at) VALUES (?, 'p', '/tmp', 'claude', 'pending', ?)`).run(id, new Date(Date.now() + i).toISOString());
  }
  db.close();
});
afterEach(async () => {
  await source.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('resolveCommandId over the local queue', () => {
  it('takes a full id as it is', async () => {
    expect(await resolveCommandId(source, IDS[0]!)).toMatchObject({ ok: true, id: IDS[0], command: { id: IDS[0] } });
    expect(await resolveCommandId(source, ` ${IDS[1]!} `)).toMatchObject({ ok: true, id: IDS[1], command: { id: IDS[1] } });
  });

  it('takes a unique prefix of 6 characters or more: the 8 the list shows, or 6', async () => {
    expect(await resolveCommandId(source, '44a8bdc3')).toMatchObject({ ok: true, id: IDS[0], command: { id: IDS[0] } });
    expect(await resolveCommandId(source, '44a8bdc')).toMatchObject({ ok: true, id: IDS[0], command: { id: IDS[0] } });
    expect(await resolveCommandId(source, '44a8bdff-1')).toMatchObject({ ok: true, id: IDS[2], command: { id: IDS[2] } });
  });

  it('refuses an ambiguous prefix, naming the candidates', async () => {
    const result = await resolveCommandId(source, '44a8bdff');
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.reason).toContain('ambiguous');
    expect(result.reason).toContain(IDS[1]);
    expect(result.reason).toContain(IDS[2]);
    expect(result.reason).not.toContain(IDS[0]);
    const wider = await resolveCommandId(source, '44a8bd');
    expect(!wider.ok && wider.reason).toMatch(/ambiguous.*44a8bdc3/);
  });

  it('refuses a prefix shorter than 6 characters, and one nothing starts with', async () => {
    const short = await resolveCommandId(source, '44a8b');
    expect(!short.ok && short.reason).toMatch(/first 6 characters/);
    const none = await resolveCommandId(source, 'ffffffff');
    expect(!none.ok && none.reason).toMatch(/No command ffffffff: no command id starts with it/);
  });

  it('reads "_" literally (no LIKE wildcard), and refuses text that cannot be an id', async () => {
    expect(await resolveCommandId(source, 'cmd_x1')).toMatchObject({ ok: true, id: 'cmd_x1', command: { id: 'cmd_x1' } });
    const wild = await resolveCommandId(source, 'cmd_x');
    expect(wild.ok).toBe(false);
    expect(await source.findIdsByPrefix('cmd_x', 10)).toEqual(['cmd_x1']);
    const odd = await resolveCommandId(source, '../etc/passwd');
    expect(!odd.ok && odd.reason).toMatch(/is not a command id/);
  });
});
