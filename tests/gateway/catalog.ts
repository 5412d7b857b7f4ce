import type pg from 'pg';

/** The slice of the database schema PostgREST keeps in its "schema cache". Only public is exposed. */
export interface ColumnInfo {
  name: string;
  /** SQL type usable in a cast, e.g. "uuid", "text[]", "timestamp with time zone". Comes from the catalog, never from input. */
  sqlType: string;
  /** Realtime's column type name (udt_name): "uuid", "_text", "jsonb", "timestamptz". */
  udtName: string;
}

export interface TableInfo {
  name: string;
  columns: Map<string, ColumnInfo>;
  primaryKey: string[];
  replicaIdentityFull: boolean;
}

export interface FunctionInfo {
  name: string;
  args: { name: string; sqlType: string; hasDefault: boolean }[];
  returnsSet: boolean;
  returnsComposite: boolean;
  returnsVoid: boolean;
}

export class Catalog {
  tables = new Map<string, TableInfo>();
  functions = new Map<string, FunctionInfo[]>();
  private stale = true;

  constructor(private readonly pool: pg.Pool) {}

  markStale(): void {
    this.stale = true;
  }

  async table(name: string): Promise<TableInfo | undefined> {
    if (this.stale || !this.tables.has(name)) await this.reload();
    return this.tables.get(name);
  }

  async functionsNamed(name: string): Promise<FunctionInfo[]> {
    if (this.stale || !this.functions.has(name)) await this.reload();
    return this.functions.get(name) ?? [];
  }

  async reload(): Promise<void> {
    this.stale = false;
    const columns = await this.pool.query<{ table_name: string; column_name: string; sql_type: string; udt_name: string; replident: string }>(`
      select c.relname as table_name, a.attname as column_name,
             format_type(a.atttypid, a.atttypmod) as sql_type, t.typname as udt_name,
             c.relreplident::text as replident
        from pg_attribute a
        join pg_class c on c.oid = a.attrelid
        join pg_namespace n on n.oid = c.relnamespace
        join pg_type t on t.oid = a.atttypid
       where n.nspname = 'public' and c.relkind in ('r', 'v', 'p') and a.attnum > 0 and not a.attisdropped
       order by c.relname, a.attnum`);
    const keys = await this.pool.query<{ table_name: string; column_name: string }>(`
      select c.relname as table_name, a.attname as column_name
        from pg_index i
        join pg_class c on c.oid = i.indrelid
        join pg_namespace n on n.oid = c.relnamespace
        join pg_attribute a on a.attrelid = c.oid and a.attnum = any (i.indkey)
       where n.nspname = 'public' and i.indisprimary
       order by c.relname, array_position(i.indkey::int2[], a.attnum)`);
    const tables = new Map<string, TableInfo>();
    for (const row of columns.rows) {
      let table = tables.get(row.table_name);
      if (!table) {
        table = { name: row.table_name, columns: new Map(), primaryKey: [], replicaIdentityFull: row.replident === 'f' };
        tables.set(row.table_name, table);
      }
      table.columns.set(row.column_name, { name: row.column_name, sqlType: row.sql_type, udtName: row.udt_name });
    }
    for (const row of keys.rows) tables.get(row.table_name)?.primaryKey.push(row.column_name);

    const procs = await this.pool.query<{
      name: string; arg_names: string[] | null; arg_types: string[]; n_defaults: number;
      returns_set: boolean; returns_composite: boolean; returns_void: boolean;
    }>(`
      select p.proname as name, p.proargnames as arg_names,
             array(select format_type(t, null) from unnest(p.proargtypes::oid[]) as t) as arg_types,
             p.pronargdefaults as n_defaults, p.proretset as returns_set,
             rt.typtype = 'c' as returns_composite, p.prorettype = 'void'::regtype as returns_void
        from pg_proc p
        join pg_namespace n on n.oid = p.pronamespace
        join pg_type rt on rt.oid = p.prorettype
       where n.nspname = 'public' and p.prokind = 'f'`);
    const functions = new Map<string, FunctionInfo[]>();
    for (const row of procs.rows) {
      const count = row.arg_types.length;
      const info: FunctionInfo = {
        name: row.name,
        args: row.arg_types.map((sqlType, index) => ({
          name: row.arg_names?.[index] ?? '',
          sqlType,
          hasDefault: index >= count - row.n_defaults,
        })),
        returnsSet: row.returns_set,
        returnsComposite: row.returns_composite,
        returnsVoid: row.returns_void,
      };
      functions.set(row.name, [...(functions.get(row.name) ?? []), info]);
    }
    this.tables = tables;
    this.functions = functions;
  }
}

/** Double-quotes an identifier that has already been validated against the catalog. */
export const ident = (name: string): string => `"${name.replace(/"/g, '""')}"`;
