import { spawn } from 'node:child_process';
import { mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startAskServer } from '../../../src-main/core/approvals/ask-channel.js';
import type { AskInput } from '../../../src-main/core/approvals/permission-requests.js';
import { silentLogger } from '../../../src-main/core/logger.js';
import { CLI } from '../../support/cli.js';

/**
 * `beacon permission-server` as the claude CLI meets it (MCP JSON-RPC over stdio, one object per line), and the
 * ask channel behind it: it hands each call to the executor and returns the verdict, and nothing on the channel
 * can answer.
 */

let dir: string;
let socketPath: string;
let asked: { ticket: string; input: AskInput }[];
let server: { close(): Promise<void> };
beforeEach(async () => {
  dir = realpathSync(mkdtempSync(join(tmpdir(), 'beacon-relay-')));
  socketPath = join(dir, 'permissions.sock');
  asked = [];
  server = await startAskServer({
    socketPath,
    logger: silentLogger,
    ask: async (ticket, input) => {
      asked.push({ ticket, input });
      return input.toolName === 'Write' ? { behavior: 'allow', updatedInput: input.input } : { behavior: 'deny', message: 'Denied by the CLI: no' };
    },
  });
});
afterEach(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

function startRelay(env: Record<string, string>) {
  const child = spawn(process.execPath, [CLI, 'permission-server'], { env: { PATH: process.env.PATH, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
  const replies: Record<string, unknown>[] = [];
  const waiters: (() => void)[] = [];
  createInterface({ input: child.stdout }).on('line', (line) => {
    replies.push(JSON.parse(line) as Record<string, unknown>);
    waiters.splice(0).forEach((wake) => wake());
  });
  const send = (message: Record<string, unknown>): void => void child.stdin.write(`${JSON.stringify(message)}\n`);
  const reply = async (id: number): Promise<Record<string, unknown>> => {
    for (;;) {
      const found = replies.find((r) => r.id === id);
      if (found) return found;
      await new Promise<void>((wake) => waiters.push(wake));
    }
  };
  return { child, send, reply, replies };
}

describe('beacon permission-server (MCP over stdio)', () => {
  it('initializes as the CLI expects, lists one tool, and answers each call with the executor\'s verdict', async () => {
    const relay = startRelay({ BEACON_PERMISSION_SOCKET: socketPath, BEACON_PERMISSION_TICKET: 'ticket-1' });
    relay.send({ jsonrpc: '2.0', id: 0, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'claude-code', version: '2.1.197' } } });
    expect(await relay.reply(0)).toEqual({ jsonrpc: '2.0', id: 0, result: { protocolVersion: '2025-11-25', capabilities: { tools: {} }, serverInfo: { name: 'beacon', version: expect.any(String) as unknown } } });
    relay.send({ jsonrpc: '2.0', method: 'notifications/initialized' });
    relay.send({ jsonrpc: '2.0', id: 1, method: 'tools/list' });
    const list = (await relay.reply(1)).result as { tools: { name: string; inputSchema: { required: string[] } }[] };
    expect(list.tools.map((tool) => tool.name)).toEqual(['permission_prompt']);
    expect(list.tools[0]!.inputSchema.required).toEqual(['tool_name', 'input']);

    relay.send({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'permission_prompt', arguments: { tool_name: 'Write', input: { file_path: '/w/a', content: 'x' }, tool_use_id: 'toolu_9' } } });
    relay.send({ jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: 'permission_prompt', arguments: { tool_name: 'Bash', input: { command: 'ls' } } } });
    const text = async (id: number) => JSON.parse(((await relay.reply(id)).result as { content: { text: string }[] }).content[0]!.text) as unknown;
    expect(await text(2)).toEqual({ behavior: 'allow', updatedInput: { file_path: '/w/a', content: 'x' } });
    expect(await text(3)).toEqual({ behavior: 'deny', message: 'Denied by the CLI: no' });
    expect(asked).toEqual([
      { ticket: 'ticket-1', input: { toolName: 'Write', input: { file_path: '/w/a', content: 'x' }, toolUseId: 'toolu_9' } },
      { ticket: 'ticket-1', input: { toolName: 'Bash', input: { command: 'ls' }, toolUseId: null } },
    ]);
    relay.send({ jsonrpc: '2.0', id: 4, method: 'server/discover' });
    expect(await relay.reply(4)).toMatchObject({ error: { code: -32601 } });
    relay.child.stdin.end();
    await new Promise((resolve) => relay.child.once('exit', resolve));
    expect(relay.child.exitCode).toBe(0);
  });

  it('denies every call when it cannot reach the executor, saying why', async () => {
    const relay = startRelay({ BEACON_PERMISSION_SOCKET: join(dir, 'nobody.sock'), BEACON_PERMISSION_TICKET: 't' });
    relay.send({ jsonrpc: '2.0', id: 7, method: 'tools/call', params: { name: 'permission_prompt', arguments: { tool_name: 'Write', input: {} } } });
    const verdict = JSON.parse(((await relay.reply(7)).result as { content: { text: string }[] }).content[0]!.text) as { behavior: string; message: string };
    expect(verdict.behavior).toBe('deny');
    expect(verdict.message).toMatch(/Beacon is not reachable .*ENOENT.*nobody can answer/);
    relay.child.kill();
  });
});

describe('the ask channel only asks', () => {
  it('refuses anything but a hello and asks: an "answer", an "allow", a settings change', async () => {
    const socket = connect(socketPath);
    const lines: string[] = [];
    createInterface({ input: socket }).on('line', (line) => lines.push(line));
    await new Promise((resolve) => socket.once('connect', resolve));
    const attempts = [
      { kind: 'ask', seq: 1, toolName: 'Write', input: {} }, // before the hello
      { kind: 'hello', ticket: 'ticket-2' },
      { kind: 'answer', requestId: 'x', decision: 'allow' },
      { kind: 'allow', requestId: 'x' },
      { kind: 'call', action: 'updateSettings', args: [{ allowedDirectories: ['/'] }] },
    ];
    for (const attempt of attempts) socket.write(`${JSON.stringify(attempt)}\n`);
    const start = Date.now();
    while (lines.length < 4 && Date.now() - start < 5000) await new Promise((resolve) => setTimeout(resolve, 20));
    socket.destroy();
    expect(lines.map((line) => JSON.parse(line) as { kind: string; message: string })).toEqual(
      Array(4).fill({ kind: 'error', message: expect.stringContaining('this channel only asks') as unknown }),
    );
    expect(asked).toEqual([]);
  });
});
