import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { SocketSession } from '../../src-main/cli/dashboard/socket-session.js';
import type { BeaconEvent, DashboardServerMessage } from '../../src-main/core/contract/types.js';
import { FakeBeaconClient } from '../renderer/fake-client.js';

/** A reader that stops reading: the session merges output instead of queueing it without bound, and nothing is lost for good. */

type OutputEvent = Extract<BeaconEvent, { type: 'output' }>;

describe('dashboard socket backpressure', () => {
  let wss: WebSocketServer | null = null;
  afterEach(async () => {
    for (const ws of wss?.clients ?? []) ws.terminate();
    await new Promise((resolve) => wss?.close(resolve) ?? resolve(undefined));
  });

  it('coalesces output for a slow reader, which can rebuild the log exactly from events and readOutput', async () => {
    const client = new FakeBeaconClient();
    const command = client.addCommand({ status: 'running' });
    wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    const sessionReady = new Promise<SocketSession>((resolve) => wss!.on('connection', (ws) => resolve(new SocketSession(ws, client))));
    await new Promise((resolve) => wss!.once('listening', resolve));
    const port = (wss.address() as { port: number }).port;
    const reader = new WebSocket(`ws://127.0.0.1:${port}`);
    const received: OutputEvent[] = [];
    reader.on('message', (data) => {
      const message = JSON.parse(data.toString()) as DashboardServerMessage;
      if (message.kind === 'event' && message.event.type === 'output') received.push(message.event);
    });
    await new Promise((resolve) => reader.once('open', resolve));
    const session = await sessionReady;

    reader.pause(); // stops reading from the TCP socket
    const chunk = 'x'.repeat(64 * 1024 - 7);
    const total = 400;
    for (let i = 0; i < total; i++) {
      client.emitOutput(command.id, `${String(i).padStart(5, '0')}:${chunk}\n`);
      if (i % 20 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    const finalOffset = client.command(command.id).outputBytes;
    expect(session.stats.coalescedChunks + session.stats.droppedChunks).toBeGreaterThan(0);
    reader.resume();
    await expect.poll(() => received.at(-1)?.offset, { timeout: 30_000 }).toBe(finalOffset);
    expect(received.length).toBeLessThan(total);

    // Rebuild as the page does: append contiguous events, fill gaps from the log.
    let rebuilt = '';
    let offset = 0;
    let gaps = 0;
    for (const event of received) {
      const start = event.offset - Buffer.byteLength(event.data);
      expect(start, 'events never overlap').toBeGreaterThanOrEqual(offset);
      if (start > offset) {
        gaps++;
        const slice = await client.readOutput(command.id, offset, start - offset);
        rebuilt += slice.data;
      }
      rebuilt += event.data;
      offset = event.offset;
    }
    const whole = await client.readOutput(command.id, 0, 64 * 1024 * 1024);
    expect(rebuilt.length).toBe(whole.data.length);
    expect(rebuilt === whole.data).toBe(true);
    console.log(`backpressure: ${total} chunks → ${received.length} events, ${gaps} gap(s) filled from the log; stats ${JSON.stringify(session.stats)}`);
    reader.close();
  });
});
