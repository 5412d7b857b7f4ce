import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cli, makeSandbox, readRow, type Sandbox } from '../support/local-sandbox.js';

/**
 * Ids as people type them (point 2 of issue 18): every CLI command that takes an id accepts its first 6+
 * characters, the way the list and the dashboard show it (`#44a8bdc3`); an ambiguous prefix is refused.
 * And `beacon logs` of a command that never started says why (point 7).
 */
let sandbox: Sandbox;
const A = '44a8bdc3-0000-4000-8000-00000000000a';
const B1 = '9bb1c0de-0000-4000-8000-0000000000b1';
const B2 = '9bb1c0de-ffff-4000-8000-0000000000b2';
const C = 'c0ffee00-0000-4000-8000-00000000000c';

function insert(id: string, fields: Record<string, unknown> = {}): void {
  const db = new Database(join(sandbox.home, 'local.db'));
  try {
    const row = { id, prompt: `prompt of ${id}`, working_directory: sandbox.work, agent: 'fake', status: 'pending', created_at: new Date().toISOString(), ...fields };
    const keys = Object.keys(row);
    db.prepare(`INSERT INTO commands (${keys.join(',')}) VALUES (${keys.map((k) => `@${k}`).join(',')})`).run(row);
  } finally {
    db.close();
  }
}

beforeEach(() => {
  sandbox = makeSandbox();
  expect(cli(sandbox, ['list']).status).toBe(0); // creates the queue
  insert(A, { status: 'awaiting_approval', approval_status: 'pending', claimed_by_machine_id: 'beacon-engine-test', started_at: new Date().toISOString() });
  insert(B1);
  insert(B2, { status: 'failed', error_message: "Agent \"fake\" cannot run here: command 'claude' was not found on PATH (/usr/bin:/bin)" });
});
afterEach(() => sandbox.cleanup());

describe('ids by their first characters', () => {
  it('show, logs, approve, reject and cancel take a unique 6+ character prefix', () => {
    const shown = cli(sandbox, ['show', '44a8bdc3', '--json']);
    expect(shown.status, shown.stderr).toBe(0);
    expect(JSON.parse(shown.stdout)).toMatchObject({ id: A });
    expect(cli(sandbox, ['show', '44a8bd']).stdout).toContain(`id:         ${A}`);
    expect(cli(sandbox, ['logs', '44a8bdc3']).status).toBe(0);
    const approved = cli(sandbox, ['approve', '44a8bdc3']);
    expect(approved.status, approved.stderr).toBe(0);
    expect(approved.stdout).toContain(`Approved ${A}`);
    insert(C, { status: 'awaiting_approval', approval_status: 'pending', claimed_by_machine_id: 'beacon-engine-test' });
    expect(cli(sandbox, ['reject', 'c0ffee']).stdout).toContain(`Rejected ${C}`);
    const cancelled = cli(sandbox, ['cancel', '9bb1c0de-0']);
    expect(cancelled.status, cancelled.stderr).toBe(0);
    expect(cancelled.stdout).toBe(`Cancelled ${B1}\n`);
    expect(readRow(sandbox, B1)?.status).toBe('cancelled');
  });

  it('refuses an ambiguous prefix, naming the commands it fits, and changes nothing', () => {
    for (const args of [['show', '9bb1c0de'], ['cancel', '9bb1c0'], ['logs', '9bb1c0de']]) {
      const result = cli(sandbox, args);
      expect(result.status, args.join(' ')).toBe(1);
      expect(result.stderr).toContain('The id prefix');
      expect(result.stderr).toContain('is ambiguous');
      expect(result.stderr).toContain(B1);
      expect(result.stderr).toContain(B2);
      expect(result.stderr).not.toMatch(/\n\s+at /); // no stack
    }
    expect(readRow(sandbox, B1)?.status).toBe('pending');
  });

  it('says what is wrong with a prefix too short or one nothing starts with', () => {
    const short = cli(sandbox, ['show', '44a8b']);
    expect(short.status).toBe(1);
    expect(short.stderr).toContain('give the full id or its first 6 characters or more');
    const none = cli(sandbox, ['cancel', 'ffffffff']);
    expect(none.status).toBe(1);
    expect(none.stderr).toBe('beacon: No command ffffffff: no command id starts with it (beacon list shows the recent ones)\n');
  });
});

describe('beacon logs of a command without output', () => {
  it('a command that never started: says so on stderr with its error; stdout stays empty', () => {
    const result = cli(sandbox, ['logs', B2.slice(0, 8) + B2.slice(8, 10)]);
    expect(result.status).toBe(0);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(`Command ${B2} never started: it ended failed: Agent "fake" cannot run here: command 'claude' was not found on PATH (/usr/bin:/bin).\n`);
  });

  it('a pending command: not started yet, and why it may still wait', () => {
    const result = cli(sandbox, ['logs', B1]);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/has not started yet: it is pending, waiting to be claimed \(beacon status says whether claiming is paused\)/);
  });
});
