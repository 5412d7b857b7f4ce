import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * The embedded queue's SQLite file: WAL so readers never block the executor, and a busy timeout so
 * `beacon enqueue` from another terminal waits for a claim transaction instead of failing.
 */
export type LocalDatabase = Database.Database;

const SCHEMA_VERSION = 2;

const MIGRATIONS: Record<number, string> = {
  1: `
    CREATE TABLE IF NOT EXISTS commands (
      id TEXT PRIMARY KEY,
      workspace_id TEXT,
      prompt TEXT NOT NULL,
      working_directory TEXT NOT NULL,
      agent TEXT NOT NULL,
      flags TEXT NOT NULL DEFAULT '[]',
      timeout_seconds REAL,
      target_machine_id TEXT,
      command_type TEXT,
      commitment_id TEXT,
      with_worktree INTEGER NOT NULL DEFAULT 0,
      approval_required INTEGER NOT NULL DEFAULT 0,
      on_approve TEXT,
      approval_status TEXT,
      status TEXT NOT NULL,
      created_at TEXT NOT NULL,
      claimed_at TEXT,
      started_at TEXT,
      completed_at TEXT,
      claimed_by_machine_id TEXT,
      exit_code INTEGER,
      error_message TEXT,
      summary TEXT,
      stdout_tail TEXT,
      stdout_truncated INTEGER NOT NULL DEFAULT 0,
      stderr TEXT,
      stderr_truncated INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX IF NOT EXISTS commands_status_created ON commands (status, created_at);
    CREATE INDEX IF NOT EXISTS commands_claimed_by ON commands (claimed_by_machine_id, status);
  `,
  // Views list the newest commands of a long history without sorting all of it (issue 15, point 4).
  2: `
    CREATE INDEX IF NOT EXISTS commands_created ON commands (created_at);
  `,
};

export function openLocalDatabase(file: string): LocalDatabase {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const db = new Database(file);
  db.pragma('busy_timeout = 5000');
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  migrate(db);
  return db;
}

function migrate(db: LocalDatabase): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current >= SCHEMA_VERSION) return;
  const apply = db.transaction(() => {
    for (let version = current + 1; version <= SCHEMA_VERSION; version++) {
      const sql = MIGRATIONS[version];
      if (sql) db.exec(sql);
    }
    db.pragma(`user_version = ${SCHEMA_VERSION}`);
  });
  apply.immediate();
}
