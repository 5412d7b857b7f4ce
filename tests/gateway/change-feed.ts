import pg from 'pg';
import { ident, type Catalog } from './catalog.js';
import type { FaultState } from './faults.js';

/** One committed row change, as the trigger in change-triggers.sql reports it. */
export interface RowChange {
  table: string;
  type: 'INSERT' | 'UPDATE' | 'DELETE';
  commit_timestamp: string;
  record: Record<string, unknown> | null;
  old_record: Record<string, unknown> | null;
}

/**
 * LISTENs on gateway_changes and hands each change, in commit order, to `deliver`.
 * Stalls from the fault state drop or hold changes; held ones are delivered by release().
 */
export class ChangeFeed {
  private listener: pg.Client | null = null;
  private chain: Promise<void> = Promise.resolve();
  private held: RowChange[] = [];

  constructor(
    private readonly connectionString: string,
    private readonly catalog: Catalog,
    private readonly faults: FaultState,
    private readonly deliver: (change: RowChange) => Promise<void>,
    private readonly onError: (error: unknown) => void,
  ) {}

  async start(): Promise<void> {
    this.listener = new pg.Client({ connectionString: this.connectionString });
    this.listener.on('error', this.onError);
    await this.listener.connect();
    this.listener.on('notification', (message) => {
      if (message.channel !== 'gateway_changes' || !message.payload) return;
      const payload = message.payload;
      this.enqueue(async () => {
        const change = await this.complete(JSON.parse(payload) as RowChange & { truncated?: boolean });
        const mode = this.faults.deliveryMode();
        if (mode === 'drop') return;
        if (mode === 'hold') this.held.push(change);
        else await this.deliver(change);
      });
    });
    await this.listener.query('listen gateway_changes');
  }

  release(): void {
    const held = this.held;
    this.held = [];
    for (const change of held) this.enqueue(() => this.deliver(change));
  }

  /** Resolves once every change received so far has been delivered (or dropped). */
  async idle(): Promise<void> {
    let current: Promise<void>;
    do {
      current = this.chain;
      await current;
    } while (current !== this.chain);
  }

  async stop(): Promise<void> {
    await this.listener?.end().catch(() => undefined);
    this.listener = null;
  }

  private enqueue(task: () => Promise<void>): void {
    this.chain = this.chain.then(task).catch(this.onError);
  }

  /** Large rows arrive as their primary key only: read the current row back. */
  private async complete(change: RowChange & { truncated?: boolean }): Promise<RowChange> {
    if (!change.truncated || !change.record || !this.listener) return change;
    const table = await this.catalog.table(change.table);
    if (!table) return change;
    const result = await this.listener.query<{ row: Record<string, unknown> }>(
      `select to_jsonb(t) as row from public.${ident(table.name)} t where t."id"::text = $1`,
      [String(change.record.id)],
    );
    return { ...change, record: result.rows[0]?.row ?? change.record };
  }
}
