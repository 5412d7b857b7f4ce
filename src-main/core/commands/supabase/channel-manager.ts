import type { RealtimeChannel, SupabaseClient } from '@supabase/supabase-js';
import type { Logger } from '../../logger.js';
import type { Row } from './mapping.js';

/**
 * One realtime channel per workspace (INSERT and UPDATE on bridge_commands, filter workspace_id=eq.<id>).
 * Realtime is only a wake-up hint: every SUBSCRIBED (first join and each re-join) asks for a catch-up,
 * and a channel that reports CHANNEL_ERROR, TIMED_OUT or CLOSED is removed and recreated with jittered
 * exponential backoff. A workspace never has more than one live channel (docs/supabase-wire.md#channel-lifecycle).
 */

export type ChannelState = 'joining' | 'subscribed' | 'retrying' | 'stopped';

export interface ChannelEvents {
  onSubscribed(workspaceId: string): void;
  onChange(type: 'INSERT' | 'UPDATE', row: Row): void;
  /** A channel left the subscribed state; `reason` is shown to the user. */
  onTrouble(workspaceId: string, reason: string): void;
}

export interface ChannelManagerOptions {
  client: SupabaseClient;
  workspaceIds: string[];
  events: ChannelEvents;
  logger: Logger;
  /** Run before every join: sets the socket's token to the current one (a session renews it first if it expired). */
  authorize?: () => Promise<void>;
  baseBackoffMs?: number;
  maxBackoffMs?: number;
  random?: () => number;
}

interface Slot {
  workspaceId: string;
  state: ChannelState;
  channel: RealtimeChannel | null;
  /** Bumped on every recreation so callbacks of a removed channel are ignored. */
  generation: number;
  failures: number;
  retryTimer: NodeJS.Timeout | null;
}

export class ChannelManager {
  private readonly slots = new Map<string, Slot>();
  private stopped = false;

  constructor(private readonly options: ChannelManagerOptions) {}

  start(): void {
    for (const workspaceId of this.options.workspaceIds) {
      const slot: Slot = { workspaceId, state: 'joining', channel: null, generation: 0, failures: 0, retryTimer: null };
      this.slots.set(workspaceId, slot);
      this.open(slot);
    }
  }

  states(): Record<string, ChannelState> {
    return Object.fromEntries([...this.slots.values()].map((s) => [s.workspaceId, s.state]));
  }

  allSubscribed(): boolean {
    return [...this.slots.values()].every((s) => s.state === 'subscribed');
  }

  async stop(): Promise<void> {
    this.stopped = true;
    const removals: Promise<unknown>[] = [];
    for (const slot of this.slots.values()) {
      slot.state = 'stopped';
      slot.generation++;
      if (slot.retryTimer) clearTimeout(slot.retryTimer);
      if (slot.channel) removals.push(this.options.client.removeChannel(slot.channel).catch(() => undefined));
      slot.channel = null;
    }
    await Promise.race([Promise.all(removals), new Promise((resolve) => setTimeout(resolve, 2000).unref())]);
    this.options.client.realtime.disconnect();
  }

  private open(slot: Slot): void {
    if (this.stopped) return;
    const generation = ++slot.generation;
    const authorize = this.options.authorize;
    if (!authorize) return this.join(slot, generation);
    authorize().then(
      () => this.join(slot, generation),
      (error: unknown) => {
        this.options.logger.warn('Realtime token could not be set before a join', { error });
        this.join(slot, generation);
      },
    );
  }

  private join(slot: Slot, generation: number): void {
    if (this.stopped || slot.generation !== generation) return;
    const filter = `workspace_id=eq.${slot.workspaceId}`;
    const current = () => slot.generation === generation && !this.stopped;
    // Realtime says why it shuts a channel down ("Token has expired 3 seconds ago") in a system message first.
    let shutdownReason: string | null = null;
    // A unique topic per generation: a late reply to the old channel can never be taken for the new one.
    const channel = this.options.client
      .channel(`beacon-commands-${slot.workspaceId}-${generation}`)
      .on('system', {}, (payload: { status?: string; message?: string }) => {
        if (payload?.status === 'error' && payload.message) shutdownReason = payload.message;
      })
      .on('postgres_changes', { event: 'INSERT', schema: 'public', table: 'bridge_commands', filter }, (payload) => {
        if (current()) this.options.events.onChange('INSERT', payload.new as Row);
      })
      .on('postgres_changes', { event: 'UPDATE', schema: 'public', table: 'bridge_commands', filter }, (payload) => {
        if (current()) this.options.events.onChange('UPDATE', payload.new as Row);
      });
    slot.channel = channel;
    slot.state = 'joining';
    channel.subscribe((status, error) => {
      if (!current()) return;
      if (status === 'SUBSCRIBED') {
        slot.state = 'subscribed';
        slot.failures = 0;
        this.options.events.onSubscribed(slot.workspaceId);
        return;
      }
      const why = error?.message ?? shutdownReason;
      const reason = `realtime ${status}${why ? `: ${why}` : ''}`;
      this.recreate(slot, reason);
    });
  }

  /** Recreate every channel now (wake from sleep: the old socket may be silently dead). */
  restartAll(reason: string): void {
    for (const slot of this.slots.values()) {
      if (slot.retryTimer) clearTimeout(slot.retryTimer);
      slot.retryTimer = null;
      slot.state = 'joining';
      slot.failures = 0;
      const old = slot.channel;
      slot.generation++;
      slot.channel = null;
      if (old) void this.options.client.removeChannel(old).catch(() => undefined);
      this.options.logger.info('Realtime channel recreated', { workspaceId: slot.workspaceId, reason });
      this.open(slot);
    }
  }

  private recreate(slot: Slot, reason: string): void {
    if (this.stopped || slot.state === 'retrying') return;
    slot.state = 'retrying';
    slot.generation++; // silence the old channel's callbacks before removing it
    slot.failures++;
    this.options.logger.warn('Realtime channel lost; recreating it', { workspaceId: slot.workspaceId, reason, attempt: slot.failures });
    this.options.events.onTrouble(slot.workspaceId, reason);
    const old = slot.channel;
    slot.channel = null;
    if (old) void this.options.client.removeChannel(old).catch(() => undefined);
    const base = this.options.baseBackoffMs ?? 1000;
    const max = this.options.maxBackoffMs ?? 30_000;
    const exp = Math.min(max, base * 2 ** (slot.failures - 1));
    const delay = Math.round(exp / 2 + (this.options.random ?? Math.random)() * (exp / 2));
    slot.retryTimer = setTimeout(() => {
      slot.retryTimer = null;
      this.open(slot);
    }, delay);
    slot.retryTimer.unref();
  }
}
