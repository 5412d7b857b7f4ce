import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { chmodSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { beaconSandbox, startBeacon, type BeaconRun, type BeaconSandbox } from '../../support/beacon-sandbox.js';
import { startGateway, type Gateway } from '../../gateway/index.js';
import { WS } from '../../support/source-driver.js';
import { ensureRendererBuilt, openBrowser } from '../../support/browser.js';
import { waitFor } from '../../support/wait.js';

/**
 * Secrets stay with Beacon: a real `beacon run --dashboard` with the Supabase key, a Mentu proxy token
 * and decoy secrets in its environment runs the stand-in agent, which dumps the environment it got.
 * Nothing secret may reach the agent, Beacon's logs, files under MENTU_HOME or the database rows.
 * The dashboard refuses missing tokens and foreign origins; the page has no Node; the control socket
 * and its folder are owner-only (even when the folder was created world-readable).
 */

const secret = (label: string) => `${label}-${randomBytes(18).toString('hex')}`;
const decoys: Record<string, string> = {
  BEACON_MENTU_PROXY_TOKEN: secret('proxy-token'),
  SUPABASE_SERVICE_ROLE_KEY: secret('decoy-service-role'),
  AWS_SECRET_ACCESS_KEY: secret('decoy-aws'),
  GITHUB_TOKEN: secret('decoy-gh'),
  NPM_TOKEN: secret('decoy-npm'),
  STRIPE_SECRET_KEY: secret('decoy-stripe'),
  OPENAI_API_KEY: secret('decoy-openai'),
  DATABASE_URL: `postgres://app:${secret('decoy-dbpass')}@db.example:5432/app`,
  DB_PASSWORD: secret('decoy-dbpassword'),
  SLACK_WEBHOOK_URL: `https://hooks.slack.com/services/T000/B000/${secret('decoy-webhook')}`,
  SENTRY_DSN: `https://${secret('decoy-dsn')}@o1.ingest.sentry.io/1`,
};
const harmless = { BEACON_PROOF_HARMLESS: 'visible-to-the-agent' };

let gateway: Gateway;
let box: BeaconSandbox;
let run: BeaconRun;
let proxy: http.Server;
const proxyRequests: { url: string; auth: string | undefined }[] = [];
let dashboardUrl = '';
let agentEnv: Record<string, string> = {};

beforeAll(async () => {
  ensureRendererBuilt();
  gateway = await startGateway();
  proxy = http.createServer((req, res) => {
    proxyRequests.push({ url: req.url ?? '', auth: req.headers.authorization });
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{"id":"mem_1"}'));
  });
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', () => r()));
  box = beaconSandbox(gateway, {
    machineId: 'beacon-security',
    env: { ...decoys, ...harmless },
    extra: { mentu: { proxy_url: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}` } },
  });
  chmodSync(box.home, 0o755); // Beacon must tighten it, not rely on the test's mkdir
  run = startBeacon(box, ['--dashboard']);
  await run.ready;
  dashboardUrl = await waitFor('the dashboard URL', () => /Dashboard: (\S+)/.exec(run.stdout())?.[1], 15_000);
  const envFile = join(box.root, 'agent-env.json');
  const id = (await gateway.sql<{ id: string }>(
    `insert into public.bridge_commands (workspace_id, prompt, working_directory, agent, commitment_id) values ($1, $2, $3, 'claude', 'cmt_security') returning id`,
    [WS, `@agent env=${envFile} lines=2`, box.work],
  )).rows[0]!.id;
  await waitFor('the command to complete', async () => (await gateway.sql('select status from public.bridge_commands where id = $1', [id])).rows[0]?.status === 'completed', 30_000, 100);
  await waitFor('the result row', async () => (await gateway.sql('select 1 from public.bridge_results where command_id = $1', [id])).rowCount === 1, 15_000, 100);
  agentEnv = JSON.parse(readFileSync(envFile, 'utf8')) as Record<string, string>;
}, 120_000);

afterAll(async () => {
  await run?.stop();
  await new Promise((r) => proxy?.close(r));
  await gateway?.stop();
  box?.cleanup();
});

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}

describe('secrets never leave Beacon', () => {
  it('the agent environment holds no key, token or secret (but ordinary variables pass)', () => {
    expect(agentEnv.BEACON_PROOF_HARMLESS).toBe('visible-to-the-agent');
    expect(agentEnv.PATH).toBeTruthy();
    const dump = JSON.stringify(agentEnv);
    const leaked = Object.entries({ ...decoys, BEACON_SUPABASE_KEY: gateway.serviceRoleKey })
      .filter(([, value]) => dump.includes(value) || dump.includes(value.split('@')[0]!.split(':').pop()!))
      .map(([name]) => name);
    expect(leaked).toEqual([]);
    expect(Object.keys(agentEnv).filter((name) => /KEY|TOKEN|SECRET|PASSWORD/i.test(name))).toEqual([]);
  });

  it("the configured key and the proxy token appear in no log, no file under MENTU_HOME and no database row", async () => {
    const needles = [gateway.serviceRoleKey, decoys.BEACON_MENTU_PROXY_TOKEN!];
    const haystacks: [string, string][] = [['beacon run stderr', run.stderr()], ['beacon run stdout', run.stdout()]];
    const files = filesUnder(box.home);
    expect(files.some((f) => f.endsWith('.log')), 'the command log exists and is searched').toBe(true);
    for (const file of files) haystacks.push([file, readFileSync(file, 'latin1')]);
    for (const table of ['bridge_commands', 'bridge_results', 'bridge_machines', 'spawn_logs']) {
      const rows = (await gateway.sql(`select * from public.${table}`)).rows;
      haystacks.push([table, JSON.stringify(rows)]);
    }
    const hits = haystacks.flatMap(([where, text]) => needles.filter((n) => text.includes(n)).map(() => where));
    expect(hits).toEqual([]);
    expect(run.stderr()).toMatch(/ready: machine beacon-security/);
  });
});

describe('surfaces are owner-only', () => {
  it('the control socket is 0600 and its folder 0700', () => {
    const socket = statSync(join(box.home, 'beacon.sock'));
    expect(socket.isSocket()).toBe(true);
    expect((socket.mode & 0o777).toString(8)).toBe('600');
    expect((statSync(box.home).mode & 0o777).toString(8)).toBe('700');
  });

  const upgrade = (url: string, headers: Record<string, string>) =>
    new Promise<number>((resolve) => {
      const ws = new WebSocket(url, { headers });
      ws.once('open', () => {
        ws.close();
        resolve(101);
      });
      ws.once('unexpected-response', (_req, res) => {
        resolve(res.statusCode ?? 0);
        res.resume();
      });
      ws.once('error', () => resolve(-1));
    });

  it('the dashboard refuses a missing or wrong token and foreign origins; its own origin with the token gets in', async () => {
    const url = new URL(dashboardUrl);
    const token = url.searchParams.get('token')!;
    expect(token.length).toBeGreaterThanOrEqual(40);
    const origin = `http://127.0.0.1:${url.port}`;
    const page = await fetch(`${origin}/`, { redirect: 'manual' });
    expect(page.status).toBe(401);
    expect((await fetch(`${origin}/?token=${token.slice(0, -2)}xx`, { redirect: 'manual' })).status).toBe(401);
    const api = `ws://127.0.0.1:${url.port}/api`;
    expect(await upgrade(api, { Origin: origin })).toBe(401);
    expect(await upgrade(`${api}?token=${token}`, { Origin: 'http://evil.example' })).toBe(403);
    expect(await upgrade(`${api}?token=${token}`, { Origin: 'null' })).toBe(403);
    expect(await upgrade(`${api}?token=${token}`, { Origin: origin })).toBe(101);
  });

  it('the dashboard page has no Node access', async () => {
    const browser = await openBrowser();
    try {
      await browser.page.goto(dashboardUrl);
      await browser.page.locator('[data-testid="connection"][data-state="connected"]').waitFor({ timeout: 20_000 });
      const globals = await browser.page.evaluate(() => {
        const w = globalThis as Record<string, unknown>;
        return { require: typeof w.require, process: typeof w.process, module: typeof w.module, Buffer: typeof w.Buffer };
      });
      expect(globals).toEqual({ require: 'undefined', process: 'undefined', module: 'undefined', Buffer: 'undefined' });
    } finally {
      await browser.close();
    }
  }, 60_000);
});
