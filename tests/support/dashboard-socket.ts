import WebSocket from 'ws';
import type { BeaconEvent, BeaconSnapshot } from '../../src-main/core/contract/types.js';

/**
 * A raw client of a running `beacon run --dashboard`: the /api WebSocket the page uses, from Node. Snapshots
 * arrive as events, as the tray window receives them over IPC from the same BeaconClient.
 */
export interface DashboardSocket {
  call<T = unknown>(action: string, args: unknown[]): Promise<T>;
  /** Every snapshot event so far, with the time it arrived (epoch ms). */
  snapshots: { at: number; snapshot: BeaconSnapshot }[];
  /** Resolves with the first snapshot (already received or still to come) that matches. */
  waitForSnapshot(match: (snapshot: BeaconSnapshot) => boolean, timeoutMs?: number): Promise<{ at: number; snapshot: BeaconSnapshot }>;
  close(): void;
}

/** The URL printed by `beacon run --dashboard` (`Dashboard: http://127.0.0.1:<port>/?token=…`). */
export function dashboardUrlIn(stdout: string): string | null {
  return /Dashboard: (http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]+)/.exec(stdout)?.[1] ?? null;
}

export async function connectDashboard(url: string): Promise<DashboardSocket> {
  const page = new URL(url);
  const socket = new WebSocket(`ws://${page.host}/api?token=${page.searchParams.get('token')}`, { headers: { Origin: `http://${page.host}` } });
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  let nextId = 1;
  const pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  const snapshots: { at: number; snapshot: BeaconSnapshot }[] = [];
  let waiters: { match(snapshot: BeaconSnapshot): boolean; resolve(entry: { at: number; snapshot: BeaconSnapshot }): void }[] = [];
  socket.on('message', (data: Buffer) => {
    const message = JSON.parse(data.toString()) as { kind: string; id?: number; ok?: boolean; value?: unknown; error?: string; event?: BeaconEvent };
    if (message.kind === 'result' && message.id !== undefined) {
      const call = pending.get(message.id);
      pending.delete(message.id);
      if (message.ok) call?.resolve(message.value);
      else call?.reject(new Error(message.error));
    } else if (message.kind === 'event' && message.event?.type === 'snapshot') {
      const entry = { at: Date.now(), snapshot: message.event.snapshot };
      snapshots.push(entry);
      const ready = waiters.filter((waiter) => waiter.match(entry.snapshot));
      waiters = waiters.filter((waiter) => !ready.includes(waiter));
      for (const waiter of ready) waiter.resolve(entry);
    }
  });
  const call = <T>(action: string, args: unknown[]): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      socket.send(JSON.stringify({ kind: 'call', id, action, args }));
    });
  // The first call subscribes the socket to events (the server attaches its listener on connect; this makes sure it is live).
  snapshots.push({ at: Date.now(), snapshot: await call<BeaconSnapshot>('getSnapshot', []) });
  return {
    call,
    snapshots,
    waitForSnapshot(match, timeoutMs = 30_000) {
      const already = snapshots.find((entry) => match(entry.snapshot));
      if (already) return Promise.resolve(already);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no matching snapshot within ${timeoutMs} ms`)), timeoutMs);
        waiters.push({ match, resolve: (entry) => (clearTimeout(timer), resolve(entry)) });
      });
    },
    close: () => socket.close(),
  };
}
