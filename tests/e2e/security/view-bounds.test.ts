import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BeaconSnapshot } from '../../../src-main/core/contract/types.js';
import { beaconSandbox, startBeacon, type BeaconRun, type BeaconSandbox } from '../../support/beacon-sandbox.js';
import { waitFor } from '../../support/wait.js';
import Database from 'better-sqlite3';
import { join } from 'node:path';

/**
 * Issue 15, point 4: views were unbounded. One 10 MB prompt made every snapshot 11.8 MB, sent to every
 * client on every change, and replies to a client that does not read were queued without limit. Now a
 * view carries bounded prompts and errors (the full text on demand), and a connection past its bound of
 * queued work is dropped, so the executor's memory stays flat whatever a client does.
 */
let box: BeaconSandbox;
let run: BeaconRun;
let url: string;
const bigPrompt = 'p'.repeat(1024 * 1024);
let bigId: string;

function rssMb(pid: number): number {
  return Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;
}

function connect(): Promise<WebSocket> {
  const { origin, searchParams } = new URL(url);
  const ws = new WebSocket(`${origin.replace('http', 'ws')}/api?token=${searchParams.get('token')}`, { headers: { origin } });
  return new Promise((resolve, reject) => ws.once('open', () => resolve(ws)).once('error', reject));
}

function call<T>(ws: WebSocket, action: string, args: unknown[] = []): Promise<T> {
  const id = Math.floor(Math.random() * 1e9);
  return new Promise((resolve, reject) => {
    const onMessage = (data: WebSocket.RawData) => {
      const message = JSON.parse(data.toString()) as { kind: string; id?: number; ok?: boolean; value?: T; error?: string };
      if (message.kind !== 'result' || message.id !== id) return;
      ws.off('message', onMessage);
      if (message.ok) resolve(message.value as T);
      else reject(new Error(message.error));
    };
    ws.on('message', onMessage);
    ws.send(JSON.stringify({ kind: 'call', id, action, args }));
  });
}

beforeAll(async () => {
  box = beaconSandbox(null, { machineId: 'beacon-view-bounds', source: 'local' });
  // A history another program wrote: one huge prompt and error, and 100 commands with 50 KB prompts.
  run = startBeacon(box, ['--dashboard']);
  await run.ready;
  await waitFor('the dashboard URL', () => /Dashboard: (\S+)/.exec(run.stdout())?.[1], 20_000).then((u) => (url = u));
  const db = new Database(join(box.home, 'local.db'));
  const insert = db.prepare(`INSERT INTO commands (id, prompt, working_directory, agent, flags, status, created_at, completed_at, error_message) VALUES (?, ?, ?, 'claude', '[]', 'failed', ?, ?, ?)`);
  db.transaction(() => {
    for (let i = 0; i < 100; i++) insert.run(randomUUID(), `history ${i} ` + 'h'.repeat(50 * 1024), box.work, new Date(Date.now() - 100_000 + i).toISOString(), new Date().toISOString(), 'e'.repeat(20 * 1024));
    bigId = randomUUID();
    insert.run(bigId, bigPrompt, box.work, new Date().toISOString(), new Date().toISOString(), 'E'.repeat(1024 * 1024));
  })();
  db.close();
}, 60_000);
afterAll(async () => {
  await run?.stop();
  box?.cleanup();
});

describe('bounded views (issue 15, point 4)', () => {
  it('a snapshot carries bounded prompts and errors; the full text comes on demand', async () => {
    const ws = await connect();
    const snapshot = await call<BeaconSnapshot>(ws, 'getSnapshot');
    const big = snapshot.commands.find((c) => c.id === bigId)!;
    expect(big.prompt.length).toBeLessThanOrEqual(4096);
    expect(big.promptTruncated).toBe(true);
    expect(big.errorMessage!.length).toBeLessThanOrEqual(4096);
    expect(JSON.stringify(snapshot).length).toBeLessThan(1024 * 1024);
    const full = await call<{ prompt: string; errorMessage: string }>(ws, 'readCommandText', [bigId]);
    expect(full.prompt).toBe(bigPrompt);
    expect(full.errorMessage.length).toBe(1024 * 1024);
    ws.close();
  });

  it('a client that sends calls and never reads the replies is dropped; the executor stays flat', async () => {
    const pid = run.child.pid!;
    const before = rssMb(pid);
    const ws = await connect();
    const raw = (ws as unknown as { _socket: import('node:net').Socket })._socket;
    raw.pause(); // reads nothing from now on: the executor's replies pile up on its side
    let gone = false;
    ws.on('close', () => (gone = true)).on('error', () => (gone = true));
    for (let i = 0; i < 300; i++) ws.send(JSON.stringify({ kind: 'call', id: i, action: 'getSnapshot', args: [] }));
    let peak = before;
    // Writing is how a client that reads nothing learns that the other side has gone (a reset).
    const dropped = await waitFor('the executor to drop the connection', () => {
      peak = Math.max(peak, rssMb(pid));
      if (!gone && ws.readyState === WebSocket.OPEN) ws.ping();
      return gone;
    }, 30_000, 100).then(() => true, () => false);
    peak = Math.max(peak, rssMb(pid));
    raw.resume();
    expect({ dropped, grewMb: Math.round(peak - before) }).toMatchObject({ dropped: true });
    expect(peak - before).toBeLessThan(100);
  });
});
