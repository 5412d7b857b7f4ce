import type { BeaconActionName, BeaconEvent, DashboardClientMessage, DashboardServerMessage } from '../../../src-main/core/contract/types.js';
import { actionsOver } from './actions.js';
import type { LinkState, LinkStateName, UiClient } from './link.js';

/**
 * The dashboard transport: a WebSocket to ws://<this host>/api. The token travels in the HttpOnly cookie the
 * server set when the printed URL was opened, so this code never sees it. On a drop it reconnects with
 * backoff; views resync (replay output from the log) when the link generation changes.
 */

const CALL_TIMEOUT_MS = 30_000;
const BACKOFF_MS = [250, 500, 1000, 2000, 4000];

interface PendingCall {
  resolve(value: unknown): void;
  reject(error: Error): void;
  timer: ReturnType<typeof setTimeout>;
}

export function createSocketClient(location: Pick<Location, 'host' | 'origin'> = window.location): UiClient {
  let socket: WebSocket | null = null;
  let nextId = 1;
  let attempt = 0;
  let everConnected = false;
  let retryTimer: ReturnType<typeof setTimeout> | null = null;
  let link: LinkState = { state: 'connecting', reason: null, generation: 0 };
  const pending = new Map<number, PendingCall>();
  const eventListeners = new Set<(event: BeaconEvent) => void>();
  const linkListeners = new Set<(state: LinkState) => void>();

  function setLink(state: LinkStateName, reason: string | null): void {
    const generation = state === 'connected' ? link.generation + 1 : link.generation;
    link = { state, reason, generation };
    for (const listener of linkListeners) listener(link);
  }

  function failPending(reason: string): void {
    for (const [id, call] of pending) {
      clearTimeout(call.timer);
      call.reject(new Error(reason));
      pending.delete(id);
    }
  }

  /** After a refused or failed connection, ask plain HTTP why: a 401/403 means the token, no answer means offline. */
  async function diagnose(): Promise<{ state: LinkStateName; reason: string }> {
    try {
      const response = await fetch(`${location.origin}/api/health`, { cache: 'no-store', credentials: 'same-origin' });
      if (response.status === 401 || response.status === 403) {
        return { state: 'auth_failed', reason: (await response.text()).trim() || 'The dashboard refused this page.' };
      }
      return { state: 'reconnecting', reason: 'The connection to Beacon dropped; reconnecting.' };
    } catch {
      return { state: 'offline', reason: `Beacon is not answering at ${location.host}. Is \`beacon run --dashboard\` still running?` };
    }
  }

  function scheduleRetry(): void {
    if (retryTimer) return;
    const delay = BACKOFF_MS[Math.min(attempt, BACKOFF_MS.length - 1)]!;
    attempt++;
    retryTimer = setTimeout(() => {
      retryTimer = null;
      connect();
    }, delay);
  }

  function connect(): void {
    if (socket && (socket.readyState === WebSocket.OPEN || socket.readyState === WebSocket.CONNECTING)) return;
    const ws = new WebSocket(`ws://${location.host}/api`);
    socket = ws;
    ws.onopen = () => {
      attempt = 0;
      everConnected = true;
      setLink('connected', null);
    };
    ws.onmessage = (message) => {
      if (typeof message.data !== 'string') return;
      let parsed: DashboardServerMessage;
      try {
        parsed = JSON.parse(message.data) as DashboardServerMessage;
      } catch {
        return;
      }
      if (parsed.kind === 'event') {
        for (const listener of eventListeners) listener(parsed.event);
        return;
      }
      const call = pending.get(parsed.id);
      if (!call) return;
      pending.delete(parsed.id);
      clearTimeout(call.timer);
      if (parsed.ok) call.resolve(parsed.value);
      else call.reject(new Error(parsed.error));
    };
    ws.onclose = () => {
      if (socket !== ws) return;
      socket = null;
      failPending('The connection to Beacon dropped before it answered.');
      setLink(everConnected ? 'reconnecting' : 'connecting', 'Connecting to Beacon…');
      void diagnose().then(({ state, reason }) => {
        if (socket) return;
        setLink(state, reason);
        // A wrong token will not fix itself: wait for the user to press Retry (or reload with the new URL).
        if (state !== 'auth_failed') scheduleRetry();
      });
    };
  }

  function call<T>(action: BeaconActionName, ...args: unknown[]): Promise<T> {
    const ws = socket;
    if (!ws || ws.readyState !== WebSocket.OPEN) {
      return Promise.reject(new Error(link.reason ?? 'Not connected to Beacon yet.'));
    }
    const id = nextId++;
    const message: DashboardClientMessage = { kind: 'call', id, action, args };
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(new Error(`Beacon did not answer ${action} within ${CALL_TIMEOUT_MS / 1000} s.`));
      }, CALL_TIMEOUT_MS);
      pending.set(id, { resolve: resolve as (value: unknown) => void, reject, timer });
      ws.send(JSON.stringify(message));
    });
  }

  connect();

  return {
    transport: 'websocket',
    shell: null,
    link: () => link,
    onLink(listener) {
      linkListeners.add(listener);
      return () => linkListeners.delete(listener);
    },
    reconnect() {
      if (retryTimer) clearTimeout(retryTimer);
      retryTimer = null;
      attempt = 0;
      setLink(everConnected ? 'reconnecting' : 'connecting', 'Connecting to Beacon…');
      connect();
    },
    subscribe(listener) {
      eventListeners.add(listener);
      return () => eventListeners.delete(listener);
    },
    ...actionsOver(call),
  };
}
