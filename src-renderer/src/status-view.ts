import type { BeaconSnapshot } from '../../src-main/core/contract/types.js';
import type { LinkState } from './transport/index.js';

/**
 * What the header says about the executor and the connection, decided without React (tested in Node):
 * the pill never says "Connected" before the executor's first state has arrived, and the subtitle says
 * "paused" (not "active") while claiming is paused.
 */

const LINK_LABELS: Record<LinkState['state'], string> = {
  connecting: 'Connecting',
  connected: 'Connected',
  reconnecting: 'Reconnecting',
  offline: 'Offline',
  auth_failed: 'Auth failed',
};

export interface ConnectionView {
  state: string;
  label: string;
  reason: string | null;
}

/** The page's own link while it is down or the first state is still on its way, else the command source's state. */
export function connectionView(snapshot: BeaconSnapshot | null, link: LinkState): ConnectionView {
  if (link.state !== 'connected') return { state: link.state, label: LINK_LABELS[link.state], reason: link.reason };
  if (!snapshot) return { state: 'connecting', label: 'Connecting', reason: 'Waiting for the first state from the executor.' };
  const source = snapshot.source;
  const sourceName = source.kind === 'local' ? 'local queue' : 'Supabase';
  const writes = source.pendingWrites > 0 ? `${source.pendingWrites} write(s) waiting to be sent` : null;
  return { state: source.connection, label: `${LINK_LABELS[source.connection]} · ${sourceName}`, reason: [source.detail, writes].filter(Boolean).join(' · ') || null };
}

/** The body's placeholder before the first state: the same words as the pill. */
export function waitingView(link: LinkState, loadError: string | null): { title: string; detail: string } {
  if (loadError) return { title: 'Beacon did not answer', detail: loadError };
  if (link.state === 'auth_failed') return { title: 'Not allowed', detail: link.reason ?? 'The dashboard refused this page.' };
  if (link.state === 'connected') return { title: 'Connecting…', detail: 'Waiting for the first state from the executor.' };
  if (link.state === 'offline') return { title: 'Offline', detail: link.reason ?? 'Beacon is not answering.' };
  return { title: link.state === 'reconnecting' ? 'Reconnecting…' : 'Connecting…', detail: link.reason ?? 'Connecting to Beacon.' };
}

/** The subtitle's word for the executor: claiming, paused, standby, starting or stopping. */
export function claimingLabel(snapshot: Pick<BeaconSnapshot, 'role' | 'paused'>): string {
  if (snapshot.role !== 'active') return snapshot.role;
  return snapshot.paused ? 'paused' : 'claiming';
}
