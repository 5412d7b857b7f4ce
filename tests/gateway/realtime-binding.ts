import crypto from 'node:crypto';
import { parseInList } from './rest-query.js';
import type { RowChange } from './change-feed.js';

/** One postgres_changes binding from a phx_join, with the id the server assigned to it. */
export interface Binding {
  id: number;
  event: string;
  schema: string;
  table: string;
  filter?: string;
  test: (row: Record<string, unknown>) => boolean;
}

const EVENTS = new Set(['*', 'INSERT', 'UPDATE', 'DELETE']);

/** Stable id per binding (the real server uses :erlang.phash2 of it); 31 bits keeps it a safe positive int. */
export function bindingId(spec: { event: string; schema: string; table: string; filter?: string }): number {
  const text = JSON.stringify([spec.event, spec.schema, spec.table, spec.filter ?? null]);
  return crypto.createHash('sha1').update(text).digest().readUInt32BE(0) & 0x7fffffff;
}

function compare(a: unknown, b: string): number {
  const x = Number(a);
  const y = Number(b);
  if (typeof a !== 'string' && Number.isFinite(x) && Number.isFinite(y)) return x - y;
  return String(a) < b ? -1 : String(a) > b ? 1 : 0;
}

/** `column=op.value` with eq/neq/lt/lte/gt/gte/in, as Realtime accepts; throws on anything else. */
export function parseFilter(filter: string): (row: Record<string, unknown>) => boolean {
  const match = /^([^=]+)=(eq|neq|lt|lte|gt|gte|in)\.(.*)$/s.exec(filter);
  if (!match) throw new Error(`invalid filter: ${filter}`);
  const [, columnName, op, value] = match as unknown as [string, string, string, string];
  const present = (row: Record<string, unknown>) => row[columnName] !== null && row[columnName] !== undefined;
  switch (op) {
    case 'eq': return (row) => present(row) && String(row[columnName]) === value;
    case 'neq': return (row) => present(row) && String(row[columnName]) !== value;
    case 'lt': return (row) => present(row) && compare(row[columnName], value) < 0;
    case 'lte': return (row) => present(row) && compare(row[columnName], value) <= 0;
    case 'gt': return (row) => present(row) && compare(row[columnName], value) > 0;
    case 'gte': return (row) => present(row) && compare(row[columnName], value) >= 0;
    default: {
      const values = parseInList(value);
      return (row) => present(row) && values.includes(String(row[columnName]));
    }
  }
}

/** Validates the join's postgres_changes config; `tableExists` guards against unknown tables. */
export function parseBindings(raw: unknown, tableExists: (table: string) => boolean): Binding[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) throw new Error('postgres_changes must be an array');
  return raw.map((item: { event?: unknown; schema?: unknown; table?: unknown; filter?: unknown }) => {
    const event = String(item.event ?? '*');
    const schema = String(item.schema ?? 'public');
    const table = String(item.table ?? '*');
    const filter = item.filter === undefined || item.filter === null ? undefined : String(item.filter);
    if (!EVENTS.has(event)) throw new Error(`unknown event ${event}`);
    if (schema !== 'public' && schema !== '*') throw new Error(`schema ${schema} is not exposed by the test gateway`);
    if (table !== '*' && !tableExists(table)) throw new Error(`Unable to subscribe to changes with given parameters: table ${table} is not in the publication`);
    const test = filter ? parseFilter(filter) : () => true;
    const spec = { event, schema, table, ...(filter === undefined ? {} : { filter }) };
    return { ...spec, id: bindingId(spec), test };
  });
}

export function bindingMatches(binding: Binding, change: RowChange): boolean {
  if (binding.event !== '*' && binding.event !== change.type) return false;
  if (binding.table !== '*' && binding.table !== change.table) return false;
  const row = change.type === 'DELETE' ? change.old_record : change.record;
  return binding.test(row ?? {});
}
