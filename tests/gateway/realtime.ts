import type http from 'node:http';
import type { Duplex } from 'node:stream';
import type pg from 'pg';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { ident, type Catalog, type TableInfo } from './catalog.js';
import type { RowChange } from './change-feed.js';
import { sleep, type FaultState } from './faults.js';
import { isJwtError, verifyJwt, type JwtClaims } from './jwt.js';
import { bindingMatches, parseBindings, type Binding } from './realtime-binding.js';
import { asRole } from './role-session.js';

/** Realtime's @confirm_token_ms_interval. */
const CONFIRM_TOKEN_MS = 5 * 60_000;

/**
 * Phoenix frame, vsn 2.0.0: [join_ref, ref, topic, event, payload]. Clients that connect with vsn=1.0.0
 * (earlier supabase-js, the Bridge's included) send and receive the same as a JSON object
 * {join_ref, ref, topic, event, payload}; frames are kept as arrays inside and converted at the edge.
 */
type Frame = [string | null, string | null, string, string, Record<string, unknown>];
type WireFormat = 'array' | 'object';

interface Channel {
  topic: string;
  joinRef: string | null;
  bindings: Binding[];
  claims: JwtClaims;
  /** Fires when the channel's token expires: Realtime then shuts the channel down (confirm_token). */
  expiry: NodeJS.Timeout | null;
}

interface Client {
  ws: WebSocket;
  /** How this client writes frames: from its vsn (1.0.0: objects), and again from each frame it sends. */
  format: WireFormat;
  claims: JwtClaims;
  channels: Map<string, Channel>;
  /** Inbound frames and outbound deliveries run in order, each after the injected latency. */
  chain: Promise<void>;
}

export interface RealtimeStats {
  joins: number;
  eventsDelivered: number;
}

/** The Supabase Realtime subset: postgres_changes over Phoenix channels, with RLS per subscriber. */
export class RealtimeServer {
  readonly stats: RealtimeStats = { joins: 0, eventsDelivered: 0 };
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly clients = new Set<Client>();

  constructor(
    private readonly pool: pg.Pool,
    private readonly catalog: Catalog,
    private readonly faults: FaultState,
    private readonly jwtSecret: string,
  ) {}

  get openSockets(): number {
    return this.clients.size;
  }

  handleUpgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer, url: URL): void {
    const claims = verifyJwt(url.searchParams.get('apikey') ?? '', this.jwtSecret);
    if (isJwtError(claims)) {
      socket.end('HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\nInvalid API key');
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      const format: WireFormat = url.searchParams.get('vsn') === '1.0.0' ? 'object' : 'array';
      const client: Client = { ws, format, claims, channels: new Map(), chain: Promise.resolve() };
      this.clients.add(client);
      ws.on('message', (data) => this.inOrder(client, () => this.onFrame(client, data)));
      const gone = () => {
        this.clients.delete(client);
        for (const channel of client.channels.values()) this.forget(client, channel);
      };
      ws.on('close', gone);
      ws.on('error', gone);
    });
  }

  dropAll(): void {
    for (const client of this.clients) {
      client.ws.terminate();
      for (const channel of client.channels.values()) this.forget(client, channel);
    }
    this.clients.clear();
  }

  private forget(client: Client, channel: Channel): void {
    if (channel.expiry) clearTimeout(channel.expiry);
    channel.expiry = null;
    if (client.channels.get(channel.topic) === channel) client.channels.delete(channel.topic);
  }

  /**
   * Realtime's confirm_token: when the channel's token expires it pushes a system error ("Token has expired
   * N seconds ago") and stops the channel, which the client sees as phx_close. A new token sent with an
   * access_token message moves the deadline.
   */
  private armExpiry(client: Client, channel: Channel): void {
    if (channel.expiry) clearTimeout(channel.expiry);
    channel.expiry = null;
    const exp = channel.claims.exp;
    if (typeof exp !== 'number') return;
    // Like confirm_token: checked at the expiry, or in 5 minutes if that is sooner, then again.
    const delay = Math.min(Math.max(0, exp * 1000 - Date.now()), CONFIRM_TOKEN_MS);
    channel.expiry = setTimeout(() => {
      channel.expiry = null;
      if (client.channels.get(channel.topic) !== channel) return;
      if (exp * 1000 > Date.now()) this.armExpiry(client, channel);
      else this.shutdown(client, channel, expiredMessage(exp));
    }, delay);
    channel.expiry.unref();
  }

  /** RealtimeChannel.shutdown_response: a system error with the reason, then the channel closes. */
  private shutdown(client: Client, channel: Channel, message: string): void {
    this.forget(client, channel);
    const name = channel.topic.replace(/^realtime:/, '');
    this.send(client, [channel.joinRef, null, channel.topic, 'system', { extension: 'system', status: 'error', message, channel: name }]);
    this.send(client, [channel.joinRef, channel.joinRef, channel.topic, 'phx_close', {}]);
  }

  close(): void {
    this.dropAll();
    this.wss.close();
  }

  /** Pushes a committed change to every channel with a matching binding whose role may see the row. */
  async deliver(change: RowChange): Promise<void> {
    const table = await this.catalog.table(change.table);
    if (!table) return;
    const visibility = new Map<string, Promise<boolean>>();
    for (const client of this.clients) {
      for (const channel of client.channels.values()) {
        const ids = channel.bindings.filter((binding) => bindingMatches(binding, change)).map((binding) => binding.id);
        if (ids.length === 0) continue;
        const key = JSON.stringify([channel.claims.role, channel.claims.sub ?? null]);
        if (!visibility.has(key)) visibility.set(key, this.canSee(channel.claims, table, change));
        if (!(await visibility.get(key))) continue;
        const frame: Frame = [channel.joinRef, null, channel.topic, 'postgres_changes', { ids, data: this.changeData(table, change) }];
        this.inOrder(client, async () => {
          if (client.channels.get(channel.topic) !== channel) return;
          this.send(client, frame);
          this.stats.eventsDelivered += 1;
        });
      }
    }
  }

  private changeData(table: TableInfo, change: RowChange): Record<string, unknown> {
    const data: Record<string, unknown> = {
      schema: 'public',
      table: change.table,
      commit_timestamp: change.commit_timestamp,
      type: change.type,
      columns: [...table.columns.values()].map((col) => ({ name: col.name, type: col.udtName })),
      errors: null,
    };
    if (change.type !== 'DELETE') data.record = change.record ?? {};
    if (change.type !== 'INSERT') {
      const old = change.old_record ?? {};
      // Without REPLICA IDENTITY FULL, Postgres logical replication only carries the key of the old row.
      data.old_record = table.replicaIdentityFull
        ? old
        : Object.fromEntries(table.primaryKey.filter((key) => key in old).map((key) => [key, old[key]]));
    }
    return data;
  }

  /** RLS as Realtime applies it: the subscriber's role must be able to SELECT the (current) row. */
  private async canSee(claims: JwtClaims, table: TableInfo, change: RowChange): Promise<boolean> {
    if (claims.role === 'service_role') return true;
    const row = change.type === 'DELETE' ? change.old_record : change.record;
    const keys = table.primaryKey.filter((key) => row && key in row);
    if (change.type === 'DELETE' || !row || keys.length === 0) return change.type === 'DELETE';
    const where = keys.map((key, index) => `t.${ident(key)}::text = $${index + 1}`).join(' and ');
    try {
      return await asRole(this.pool, claims, async (client) =>
        (await client.query(`select 1 from public.${ident(table.name)} t where ${where}`, keys.map((key) => String(row[key])))).rowCount === 1);
    } catch {
      return false;
    }
  }

  private inOrder(client: Client, task: () => Promise<void>): void {
    client.chain = client.chain
      .then(async () => {
        if (this.faults.latencyMs > 0) await sleep(this.faults.latencyMs);
        await task();
      })
      .catch(() => undefined);
  }

  private send(client: Client, frame: Frame): void {
    if (client.ws.readyState !== client.ws.OPEN) return;
    const [join_ref, ref, topic, event, payload] = frame;
    client.ws.send(JSON.stringify(client.format === 'object' ? { join_ref, ref, topic, event, payload } : frame));
  }

  private reply(client: Client, frame: Frame, status: 'ok' | 'error', response: Record<string, unknown>): void {
    this.send(client, [frame[0], frame[1], frame[2], 'phx_reply', { status, response }]);
  }

  private async onFrame(client: Client, data: RawData): Promise<void> {
    let frame: Frame;
    try {
      const parsed = JSON.parse(data.toString()) as unknown;
      if (Array.isArray(parsed) && parsed.length === 5) {
        frame = parsed as Frame;
        client.format = 'array';
      } else if (parsed && typeof parsed === 'object' && typeof (parsed as { topic?: unknown }).topic === 'string') {
        const o = parsed as { join_ref?: string | null; ref?: string | null; topic: string; event: string; payload?: Record<string, unknown> };
        frame = [o.join_ref ?? null, o.ref ?? null, o.topic, o.event, o.payload ?? {}];
        client.format = 'object';
      } else {
        return;
      }
    } catch {
      return;
    }
    const [, , topic, event, payload] = frame;
    if (topic === 'phoenix') {
      if (event === 'heartbeat') this.reply(client, frame, 'ok', {});
      return;
    }
    switch (event) {
      case 'phx_join':
        return this.join(client, frame, payload);
      case 'access_token':
        return this.updateToken(client, frame, payload);
      case 'phx_leave': {
        const channel = client.channels.get(topic);
        if (channel) this.forget(client, channel);
        this.reply(client, frame, 'ok', {});
        return;
      }
      default:
        // broadcast / presence are accepted and ignored: Beacon only uses postgres_changes.
        if (frame[1] !== null) this.reply(client, frame, 'ok', {});
    }
  }

  private async join(client: Client, frame: Frame, payload: Record<string, unknown>): Promise<void> {
    const topic = frame[2];
    const previous = client.channels.get(topic);
    if (previous) this.forget(client, previous);
    if (this.faults.joinsRefused) {
      this.reply(client, frame, 'error', { reason: 'test gateway: joins are refused (fault injection)' });
      return;
    }
    const token = typeof payload.access_token === 'string' ? payload.access_token : null;
    const claims = token ? verifyJwt(token, this.jwtSecret) : client.claims;
    if (isJwtError(claims)) {
      const reason = claims.exp !== undefined ? `InvalidJWTToken: ${expiredMessage(claims.exp)}` : `Invalid JWT: ${claims.error}`;
      this.reply(client, frame, 'error', { reason });
      return;
    }
    const config = (payload.config ?? {}) as { postgres_changes?: unknown };
    let bindings: Binding[];
    try {
      await this.catalog.reload();
      bindings = parseBindings(config.postgres_changes, (table) => this.catalog.tables.has(table));
    } catch (error) {
      this.reply(client, frame, 'error', { reason: (error as Error).message });
      return;
    }
    const channel: Channel = { topic, joinRef: frame[0], bindings, claims, expiry: null };
    client.channels.set(topic, channel);
    this.armExpiry(client, channel);
    this.stats.joins += 1;
    const echoed = bindings.map(({ id, event, schema, table, filter }) => ({ id, event, schema, table, ...(filter === undefined ? {} : { filter }) }));
    this.reply(client, frame, 'ok', { postgres_changes: echoed });
    this.send(client, [frame[0], null, topic, 'presence_state', {}]);
    if (bindings.length > 0) {
      this.send(client, [frame[0], null, topic, 'system', {
        channel: topic.replace(/^realtime:/, ''), extension: 'postgres_changes', message: 'Subscribed to PostgreSQL', status: 'ok',
      }]);
    }
  }

  private updateToken(client: Client, frame: Frame, payload: Record<string, unknown>): void {
    const channel = client.channels.get(frame[2]);
    const claims = verifyJwt(String(payload.access_token ?? ''), this.jwtSecret);
    if (isJwtError(claims)) {
      // Realtime shuts the channel down on a token it cannot accept (system error, then phx_close).
      if (channel) this.shutdown(client, channel, claims.exp !== undefined ? expiredMessage(claims.exp) : `Invalid JWT: ${claims.error}`);
      return;
    }
    client.claims = claims;
    if (channel) {
      channel.claims = claims;
      this.armExpiry(client, channel);
    }
  }
}

/** Realtime's wording (ChannelsAuthorization.authorize_conn). */
function expiredMessage(exp: number): string {
  return `Token has expired ${Math.max(0, Math.floor(Date.now() / 1000) - exp)} seconds ago`;
}
