import type { RealtimeChannel, SupabaseClient } from '@supabase/supabase-js';
import type { Logger } from '../../logger.js';
import type { Row } from './mapping.js';

/**
 * One realtime channel per filter value: by default per workspace (INSERT and UPDATE on bridge_commands, filter
 * workspace_id=eq.<id>); the permission requests table binds UPDATE on its own table by machine_id.
 * Realtime is only a wake-up hint: every SUBSCRIBED (first join and each re-join) asks for a catch-up,
 * and a channel that reports CHANNEL_ERROR, TIMED_OUT or CLOSED is removed and recreated with jittered
 * exponential backoff. A workspace never has more than one live channel (docs/supabase-wire.md#channel-lifecycle).
 */

export type ChannelState = 'joining' | 'subscribed' | 'retrying' | 'stopped';

export interface ChannelEvents {
  onSubscribed(value: string): void;
  onChange(type: 'INSERT' | 'UPDATE', row: Row): void;
  /** A channel left the subscribed state; `reason` is shown to the user. */
  onTrouble(value: string, reason: string): void;
}

/** Which table's changes a channel carries, filtered by `column=eq.<value>`. */
export interface ChannelBinding {
  table: string;
  column: string;
  events: ('INSERT' | 'UPDATE')[];
  /** Topic prefix; the value and a generation make each topic unique. */
  topic: string;
}

export const COMMANDS_BINDING: ChannelBinding = { table: 'bridge_commands', column: 'workspace_id', events: ['INSERT', 'UPDATE'], topic: 'beacon-commands' };

export interface ChannelManagerOptions {
  client: SupabaseClient;
  /** One channel per value of the binding's column (the workspace ids for bridge_commands). */
  filterValues: string[];
  /** Default: bridge_commands by workspace_id. */
  binding?: ChannelBinding;
  /** Close the client's realtime socket on stop (default true; false when another manager shares the socket). */
  disconnectOnStop?: boolean;
  events: ChannelEvents;
  logger: Logger;
  /** Run before every join: sets the socket's token to the current one (a session renews it first if it expired). */
  authorize?: () => Promise<void>;
  baseBackoffMs?: number;
  maxBackoffMs?: number;
  random?: () => number;
}

interface Slot {
  value: string;
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
    for (const value of this.options.filterValues) {
      const slot: Slot = { value, state: 'joining', channel: null, generation: 0, failures: 0, retryTimer: null };
      this.slots.set(value, slot);
      this.open(slot);
    }
  }

  states(): Record<string, ChannelState> {
    return Object.fromEntries([...this.slots.values()].map((s) => [s.value, s.state]));
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
    if (this.options.disconnectOnStop !== false) this.options.client.realtime.disconnect();
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
    const binding = this.options.binding ?? COMMANDS_BINDING;
    const filter = `${binding.column}=eq.${slot.value}`;
    const current = () => slot.generation === generation && !this.stopped;
    // Realtime says why it shuts a channel down ("Token has expired 3 seconds ago") in a system message first.
    let shutdownReason: string | null = null;
    // A unique topic per generation: a late reply to the old channel can never be taken for the new one.
    let channel = this.options.client
      .channel(`${binding.topic}-${slot.value}-${generation}`)
      .on('system', {}, (payload: { status?: string; message?: string }) => {
        if (payload?.status === 'error' && payload.message) shutdownReason = payload.message;
      });
    for (const event of binding.events) {
      channel = channel.on('postgres_changes', { event, schema: 'public', table: binding.table, filter }, (payload) => {
        if (current()) this.options.events.onChange(event, payload.new as Row);
      });
    }
    slot.channel = channel;
    slot.state = 'joining';
    channel.subscribe((status, error) => {
      if (!current()) return;
      if (status === 'SUBSCRIBED') {
        slot.state = 'subscribed';
        slot.failures = 0;
        this.options.events.onSubscribed(slot.value);
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
      this.options.logger.info('Realtime channel recreated', { table: (this.options.binding ?? COMMANDS_BINDING).table, filter: slot.value, reason });
      this.open(slot);
    }
  }

  private recreate(slot: Slot, reason: string): void {
    if (this.stopped || slot.state === 'retrying') return;
    slot.state = 'retrying';
    slot.generation++; // silence the old channel's callbacks before removing it
    slot.failures++;
    this.options.logger.warn('Realtime channel lost; recreating it', { table: (this.options.binding ?? COMMANDS_BINDING).table, filter: slot.value, reason, attempt: slot.failures });
    this.options.events.onTrouble(slot.value, reason);
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
