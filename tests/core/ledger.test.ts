import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { CommandOutcome } from '../../src-main/core/contract/command.js';
import { emptyRunSummary } from '../../src-main/core/contract/run-summary.js';
import { createLogger } from '../../src-main/core/logger.js';
import { createLedgerClient, ledgerClientFromConfig, type LedgerTask } from '../../src-main/core/ledger.js';
import { mentuPaths } from '../../src-main/core/paths.js';
import { createHeadlessSecretStore } from '../../src-main/core/secrets.js';

const TOKEN = 'proxy-token-0123456789abcdef';

interface Received {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: unknown;
}

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(
    servers.splice(0).map((s) => {
      s.closeAllConnections();
      return new Promise((r) => s.close(r));
    }),
  );
});

async function proxy(answer: (req: Received, res: ServerResponse) => void): Promise<{ url: string; received: Received[] }> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString()));
    req.on('end', () => {
      const entry = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: JSON.parse(raw) as unknown };
      received.push(entry);
      answer(entry, res);
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received };
}

function capturingLogger() {
  const lines: string[] = [];
  return { lines, logger: createLogger({ level: 'debug', write: (l) => lines.push(l) }) };
}

const task: LedgerTask = { agent: 'claude', prompt: 'Fix the failing test in ' + 'x'.repeat(150), workingDirectory: '/srv/repo' };

function outcome(partial: Partial<CommandOutcome>): CommandOutcome {
  return {
    status: 'completed',
    exitCode: 0,
    errorMessage: null,
    summary: null,
    stdoutTail: '',
    stdoutTruncated: false,
    stderr: '',
    stderrTruncated: false,
    startedAt: '2026-01-01T10:00:00.000Z',
    completedAt: '2026-01-01T10:00:12.500Z',
    ...partial,
  };
}

describe('ledger captures through the Mentu proxy', () => {
  it('posts the task on claim and the evidence on finish, with the token header', async () => {
    let n = 0;
    const { url, received } = await proxy((_req, res) => {
      n += 1;
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ id: `mem_task000${n}`, op: 'capture', ts: 'x', actor: 'agent:executor', payload: {} }));
    });
    const { lines, logger } = capturingLogger();
    const ledger = createLedgerClient({ proxyUrl: `${url}/`, token: TOKEN, machineName: 'Test Mac', logger });
    expect(ledger.enabled).toBe(true);

    const ref = await ledger.captureTask(task);
    expect(ref).toBe('mem_task0001');
    const summary = { ...emptyRunSummary(), resultText: 'All tests pass now. ' + 'y'.repeat(600) };
    const evidenceId = await ledger.captureEvidence(task, outcome({ summary, stdoutTail: 'raw' }), ref);
    expect(evidenceId).toBe('mem_task0002');

    expect(received).toHaveLength(2);
    for (const r of received) {
      expect(r.method).toBe('POST');
      expect(r.url).toBe('/ops');
      expect(r.headers['x-proxy-token']).toBe(TOKEN);
      expect(r.headers['content-type']).toBe('application/json');
    }
    expect(received[0]!.body).toEqual({
      op: 'capture',
      kind: 'task',
      body: `Beacon Task [claude]: ${task.prompt}\n\nDirectory: /srv/repo\nMachine: Test Mac`,
    });
    const evidence = received[1]!.body as { op: string; kind: string; body: string };
    expect(evidence.op).toBe('capture');
    expect(evidence.kind).toBe('evidence');
    expect(evidence.body.startsWith('Beacon Result [claude]: SUCCESS (exit 0)\n\nTask: Fix the failing test in ')).toBe(true);
    expect(evidence.body).toContain(`Task: ${task.prompt.slice(0, 100)}...\n`);
    expect(evidence.body).toContain('Duration: 12.5s');
    expect(evidence.body).toContain(`Output:\nAll tests pass now. ${'y'.repeat(480)}...`);
    expect(evidence.body.endsWith('\n\nTask ref: mem_task0001')).toBe(true);
    expect(lines.join('\n')).not.toContain(TOKEN);
  });

  it('reports a failure with its status, exit code and a bounded error', async () => {
    const { url, received } = await proxy((_req, res) => {
      res.writeHead(201, { 'Content-Type': 'application/json' });
      res.end('{"id":"mem_e1"}');
    });
    const ledger = createLedgerClient({ proxyUrl: url, token: TOKEN, machineName: 'm' });
    await ledger.captureEvidence(task, outcome({ status: 'timeout', exitCode: null, errorMessage: 'E'.repeat(300) }), null);
    const body = (received[0]!.body as { body: string }).body;
    expect(body).toContain('Beacon Result [claude]: TIMEOUT (exit none)');
    expect(body).toContain(`Error: ${'E'.repeat(200)}...`);
    expect(body).not.toContain('Task ref');
  });

  it('logs and swallows a proxy that answers 500 (the command is unaffected)', async () => {
    const { url, received } = await proxy((_req, res) => {
      res.writeHead(500);
      res.end('internal error');
    });
    const { lines, logger } = capturingLogger();
    const ledger = createLedgerClient({ proxyUrl: url, token: TOKEN, machineName: 'm', logger });
    await expect(ledger.captureTask(task)).resolves.toBeNull();
    await expect(ledger.captureEvidence(task, outcome({}), null)).resolves.toBeNull();
    expect(received).toHaveLength(2);
    const log = lines.join('\n');
    expect(log).toContain('ledger task capture refused by the Mentu proxy: HTTP 500');
    expect(log).toContain('ledger evidence capture refused by the Mentu proxy: HTTP 500');
    expect(log).not.toContain(TOKEN);
  });

  it('logs a refused token with a hint, and an unreachable or silent proxy, without throwing', async () => {
    const { url } = await proxy((req, res) => {
      if (req.headers['x-proxy-token'] === 'wrong-token-xyz') {
        res.writeHead(401);
        res.end('Invalid or missing X-Proxy-Token');
      }
      // any other request is never answered
    });
    const { lines, logger } = capturingLogger();
    const refused = createLedgerClient({ proxyUrl: url, token: 'wrong-token-xyz', machineName: 'm', logger });
    expect(await refused.captureTask(task)).toBeNull();
    const silent = createLedgerClient({ proxyUrl: url, token: TOKEN, machineName: 'm', logger, timeoutMs: 200 });
    expect(await silent.captureTask(task)).toBeNull();
    const closed = createLedgerClient({ proxyUrl: 'http://127.0.0.1:9', token: TOKEN, machineName: 'm', logger });
    expect(await closed.captureTask(task)).toBeNull();
    const log = lines.join('\n');
    expect(log).toContain('HTTP 401 (check the mentu_proxy_token secret)');
    expect(log).toContain('no answer within 200 ms');
    expect(log).toMatch(/ledger task capture failed: .*fetch failed/);
    expect(log).not.toContain(TOKEN);
    expect(log).not.toContain('wrong-token-xyz');
  });

  it('does nothing without a proxy url or a token', async () => {
    let called = 0;
    const fakeFetch = (() => {
      called += 1;
      return Promise.reject(new Error('must not be called'));
    }) as typeof fetch;
    for (const ledger of [
      createLedgerClient({ proxyUrl: null, token: TOKEN, machineName: 'm', fetch: fakeFetch }),
      createLedgerClient({ proxyUrl: 'http://127.0.0.1:9', token: null, machineName: 'm', fetch: fakeFetch }),
    ]) {
      expect(ledger.enabled).toBe(false);
      expect(await ledger.captureTask(task)).toBeNull();
    }
    expect(called).toBe(0);
  });
});

describe('the ledger client of a config', () => {
  it('takes the token from the secret store and is off without one', async () => {
    const home = mkdtempSync(join(tmpdir(), 'beacon-parity-ledger-'));
    try {
      const { url, received } = await proxy((_req, res) => {
        res.writeHead(200);
        res.end('{"id":"mem_cfg"}');
      });
      const paths = mentuPaths({ MENTU_HOME: home });
      const store = createHeadlessSecretStore(paths, {});
      const config = { mentu: { proxy_url: url } };
      const off = await ledgerClientFromConfig(config, store, { machineName: 'm' });
      expect(off.enabled).toBe(false);
      await store.set('mentu_proxy_token', TOKEN);
      const on = await ledgerClientFromConfig(config, store, { machineName: 'm' });
      expect(await on.captureTask(task)).toBe('mem_cfg');
      expect(received[0]!.headers['x-proxy-token']).toBe(TOKEN);
      expect((await ledgerClientFromConfig({ mentu: { proxy_url: null } }, store, { machineName: 'm' })).enabled).toBe(false);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });
});
