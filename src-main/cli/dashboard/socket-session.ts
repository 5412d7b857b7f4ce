import type { WebSocket } from 'ws';
import { dispatchAction } from '../../core/api/dispatch.js';
import type { BeaconClient, BeaconEvent, DashboardServerMessage } from '../../core/contract/types.js';

/**
 * One dashboard WebSocket: calls are validated and dispatched through dispatchAction(); events are forwarded.
 * Backpressure: while the socket's send buffer is above HIGH_WATER, output chunks of a command are merged
 * into one pending chunk (and snapshots into the latest one). Past PENDING_CAP the text is dropped and only
 * the end offset is kept: the client then sees a gap (an output event whose start is past what it has) and
 * replays the missing bytes from the log with readOutput.
 */

export const HIGH_WATER_BYTES = 1024 * 1024;
export const LOW_WATER_BYTES = 256 * 1024;
export const PENDING_CAP_CHARS = 2 * 1024 * 1024;
/**
 * The bound on one connection's queued work (issue 15, point 4): replies and events waiting in its send
 * buffer, and calls being answered. A client past it reads nothing: it is dropped, and the page reconnects
 * and replays what it missed. Without it a client that never read grew the executor without limit.
 */
export const MAX_QUEUED_BYTES = 8 * 1024 * 1024;
export const MAX_CALLS_IN_FLIGHT = 32;
/** An output event larger than this is sent as a gap (empty, at its end offset): the page reads the log. */
export const OUTPUT_EVENT_BUDGET_CHARS = 512 * 1024;
const FLUSH_CHECK_MS = 25;

/** Every session sends the same event: its JSON is made once, not once per client. */
const encodedEvents = new WeakMap<BeaconEvent, string>();
function encodeEvent(event: BeaconEvent): string {
  let text = encodedEvents.get(event);
  if (text === undefined) {
    text = JSON.stringify({ kind: 'event', event } satisfies DashboardServerMessage);
    encodedEvents.set(event, text);
  }
  return text;
}

type OutputEvent = Extract<BeaconEvent, { type: 'output' }>;

interface PendingOutput {
  seq: number;
  offset: number;
  parts: string[];
  chars: number;
  dropped: boolean;
}

export interface SocketSessionStats {
  sentEvents: number;
  coalescedChunks: number;
  droppedChunks: number;
  /** Why the connection was dropped (past its bound), if it was. */
  dropReason: string | null;
}

type OutgoingText = string;

export class SocketSession {
  readonly stats: SocketSessionStats = { sentEvents: 0, coalescedChunks: 0, droppedChunks: 0, dropReason: null };
  private readonly pendingOutput = new Map<string, PendingOutput>();
  private pendingSnapshot: BeaconEvent | null = null;
  private flushTimer: ReturnType<typeof setInterval> | null = null;
  private readonly unsubscribe: () => void;
  private callsInFlight = 0;
  private dropped = false;

  constructor(
    private readonly socket: WebSocket,
    private readonly client: BeaconClient,
  ) {
    this.unsubscribe = client.subscribe((event) => this.forward(event));
    socket.on('message', (data, isBinary) => {
      if (isBinary) return this.socket.close(1003, 'text frames only');
      void this.handleCall(data.toString());
    });
    socket.on('close', () => this.dispose());
    socket.on('error', () => this.dispose());
  }

  private dispose(): void {
    this.unsubscribe();
    if (this.flushTimer) clearInterval(this.flushTimer);
    this.flushTimer = null;
    this.pendingOutput.clear();
    this.pendingSnapshot = null;
  }

  private send(message: DashboardServerMessage | OutgoingText): void {
    if (this.socket.readyState !== this.socket.OPEN || this.dropped) return;
    const text = typeof message === 'string' ? message : JSON.stringify(message);
    if (this.socket.bufferedAmount + text.length > MAX_QUEUED_BYTES) return this.drop('the page is not reading what Beacon sends');
    this.socket.send(text);
  }

  private sendEvent(event: BeaconEvent): void {
    this.stats.sentEvents++;
    this.send(encodeEvent(event));
  }

  /** Past the bound: close at once (terminate, so nothing more is buffered for it) and stop listening. */
  private drop(reason: string): void {
    if (this.dropped) return;
    this.dropped = true;
    this.stats.dropReason = reason;
    this.dispose();
    this.socket.terminate();
  }

  private async handleCall(text: string): Promise<void> {
    let message: unknown;
    try {
      message = JSON.parse(text);
    } catch {
      return this.socket.close(1007, 'messages must be JSON');
    }
    const call = message as { kind?: unknown; id?: unknown; action?: unknown; args?: unknown };
    if (call?.kind !== 'call' || typeof call.id !== 'number' || !Number.isSafeInteger(call.id)) {
      return this.socket.close(1008, 'expected {kind:"call", id, action, args}');
    }
    if (this.callsInFlight >= MAX_CALLS_IN_FLIGHT) return this.drop('too many calls at once');
    this.callsInFlight++;
    try {
      const value = await dispatchAction(this.client, call.action, call.args, { surface: 'dashboard' });
      this.send({ kind: 'result', id: call.id, ok: true, value: value ?? null });
    } catch (error) {
      this.send({ kind: 'result', id: call.id, ok: false, error: error instanceof Error ? error.message : String(error) });
    } finally {
      this.callsInFlight--;
    }
  }

  private congested(): boolean {
    return this.socket.bufferedAmount > HIGH_WATER_BYTES;
  }

  private forward(event: BeaconEvent): void {
    if (event.type === 'output') return this.forwardOutput(event);
    if (event.type === 'snapshot' && (this.congested() || this.flushTimer)) {
      this.pendingSnapshot = event;
      return this.scheduleFlush();
    }
    this.sendEvent(event);
  }

  private forwardOutput(original: OutputEvent): void {
    let event = original;
    if (event.data.length > OUTPUT_EVENT_BUDGET_CHARS) {
      // Over the event budget: sent as a gap at its end offset, the page reads those bytes from the log.
      this.stats.droppedChunks++;
      event = { ...event, data: '' };
    }
    const pending = this.pendingOutput.get(event.commandId);
    if (!pending && !this.congested()) return this.sendEvent(event);
    if (!pending) {
      this.pendingOutput.set(event.commandId, { seq: event.seq, offset: event.offset, parts: [event.data], chars: event.data.length, dropped: false });
      this.stats.coalescedChunks++;
      return this.scheduleFlush();
    }
    pending.seq = event.seq;
    pending.offset = event.offset;
    if (pending.dropped || pending.chars + event.data.length > PENDING_CAP_CHARS) {
      // Keep only where the output ends; the client fills the gap from the log.
      pending.dropped = true;
      pending.parts = [];
      pending.chars = 0;
      this.stats.droppedChunks++;
    } else {
      pending.parts.push(event.data);
      pending.chars += event.data.length;
      this.stats.coalescedChunks++;
    }
  }

  private scheduleFlush(): void {
    if (this.flushTimer) return;
    this.flushTimer = setInterval(() => this.flushIfDrained(), FLUSH_CHECK_MS);
  }

  private flushIfDrained(): void {
    if (this.socket.readyState !== this.socket.OPEN) return this.dispose();
    if (this.socket.bufferedAmount > LOW_WATER_BYTES) return;
    for (const [commandId, pending] of this.pendingOutput) {
      // A dropped stretch is sent as an empty chunk at its end offset: the client notices the gap.
      const data = pending.dropped ? '' : pending.parts.join('');
      this.sendEvent({ type: 'output', commandId, seq: pending.seq, offset: pending.offset, data });
    }
    this.pendingOutput.clear();
    if (this.pendingSnapshot) {
      this.sendEvent(this.pendingSnapshot);
      this.pendingSnapshot = null;
    }
    if (this.flushTimer) clearInterval(this.flushTimer);
    this.flushTimer = null;
  }
}
