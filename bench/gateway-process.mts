/**
 * The test gateway in a process of its own, for latency benchmarks: the executor and the floor's bare
 * client each live in another process, so neither shares an event loop with the server (in one process
 * the floor's own event handling delayed the server's answer to the executor's claim).
 *   startGatewayProcess() spawns this file with --serve; the child prints one JSON line and serves until
 *   its stdin closes.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { startGateway, type Gateway } from '../tests/gateway/index.js';

export type RemoteGateway = Pick<Gateway, 'url' | 'serviceRoleKey' | 'connectionString' | 'sql' | 'stop'>;

interface Endpoint {
  url: string;
  serviceRoleKey: string;
  connectionString: string;
}

export async function startGatewayProcess(): Promise<RemoteGateway> {
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--serve'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = new Promise<never>((_, reject) => child.once('exit', (code) => reject(new Error(`the gateway process exited (${code}) before it was ready`))));
  const firstLine = new Promise<string>((resolve) => createInterface({ input: child.stdout! }).once('line', resolve));
  const endpoint = JSON.parse(await Promise.race([firstLine, exited])) as Endpoint;
  exited.catch(() => undefined);
  const pool = new pg.Pool({ connectionString: endpoint.connectionString, max: 2 });
  return {
    ...endpoint,
    sql: (text, params) => pool.query(text, params),
    stop: async () => {
      await pool.end();
      const gone = new Promise((resolve) => child.once('exit', resolve));
      child.stdin!.end();
      await gone;
    },
  };
}

if (process.argv[2] === '--serve') {
  const gateway = await startGateway();
  const endpoint: Endpoint = { url: gateway.url, serviceRoleKey: gateway.serviceRoleKey, connectionString: gateway.connectionString };
  process.stdout.write(JSON.stringify(endpoint) + '\n');
  process.stdin.resume();
  process.stdin.once('end', () => void gateway.stop().then(() => process.exit(0)));
}
