import { ident, type ColumnInfo, type TableInfo } from './catalog.js';

/** A PostgREST error as the client parses it. */
export class RestError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: string | null = null,
    readonly hint: string | null = null,
  ) {
    super(message);
  }
  body(): Record<string, unknown> {
    return { code: this.code, message: this.message, details: this.details, hint: this.hint };
  }
}

/** Builds a parameterised statement: values go to $n, identifiers only after catalog validation. */
export class SqlBuilder {
  readonly params: unknown[] = [];
  param(value: unknown): string {
    this.params.push(value);
    return `$${this.params.length}`;
  }
}

const RESERVED = new Set(['select', 'order', 'limit', 'offset', 'on_conflict', 'columns']);
const COMPARISONS: Record<string, string> = { eq: '=', neq: '<>', lt: '<', lte: '<=', gt: '>', gte: '>=' };

export function column(table: TableInfo, name: string): ColumnInfo {
  const info = table.columns.get(name);
  if (!info) {
    throw new RestError(400, '42703', `column ${table.name}.${name} does not exist`);
  }
  return info;
}

/** `in.(a,"b,c",d)` → ['a', 'b,c', 'd']; double quotes protect commas, backslash escapes. */
export function parseInList(raw: string): string[] {
  if (!raw.startsWith('(') || !raw.endsWith(')')) throw new RestError(400, 'PGRST100', `"failed to parse filter (in.${raw})"`);
  const inner = raw.slice(1, -1);
  const values: string[] = [];
  let current = '';
  let quoted = false;
  let wasQuoted = false;
  for (let i = 0; i < inner.length; i += 1) {
    const ch = inner[i]!;
    if (quoted) {
      if (ch === '\\' && i + 1 < inner.length) current += inner[++i];
      else if (ch === '"') quoted = false;
      else current += ch;
    } else if (ch === '"') {
      quoted = true;
      wasQuoted = true;
    } else if (ch === ',') {
      values.push(wasQuoted ? current : current.trim());
      current = '';
      wasQuoted = false;
    } else {
      current += ch;
    }
  }
  if (inner.length > 0) values.push(wasQuoted ? current : current.trim());
  return values;
}

function filterCondition(table: TableInfo, name: string, expression: string, sql: SqlBuilder): string {
  const col = column(table, name);
  const target = ident(col.name);
  let negate = false;
  let rest = expression;
  if (rest.startsWith('not.')) {
    negate = true;
    rest = rest.slice(4);
  }
  const dot = rest.indexOf('.');
  if (dot < 0) throw new RestError(400, 'PGRST100', `"failed to parse filter (${expression})"`);
  const operator = rest.slice(0, dot);
  const value = rest.slice(dot + 1);
  let condition: string;
  if (operator in COMPARISONS) {
    condition = `${target} ${COMPARISONS[operator]} cast(${sql.param(value)} as ${col.sqlType})`;
  } else if (operator === 'in') {
    condition = `${target} = any (cast(${sql.param(parseInList(value))} as ${col.sqlType}[]))`;
  } else if (operator === 'is') {
    const literal = { null: 'null', not_null: 'not null', true: 'true', false: 'false', unknown: 'unknown' }[value.toLowerCase()];
    if (!literal) throw new RestError(400, 'PGRST100', `"failed to parse filter (${expression})"`);
    condition = `${target} is ${literal}`;
  } else {
    throw new RestError(400, 'PGRST100', `"failed to parse filter (${expression})"`, `operator ${operator} is not supported by the test gateway`);
  }
  return negate ? `not (${condition})` : condition;
}

/**
 * `or=(a.is.null,b.eq.x)` / `and=(…)`: one flat level of `column.operator.value` terms, as Beacon sends them.
 * Nested groups and quoted values are refused rather than half-understood.
 */
function logicalCondition(table: TableInfo, key: 'or' | 'and', value: string, sql: SqlBuilder): string {
  const inner = /^\((.*)\)$/.exec(value)?.[1];
  if (inner === undefined || /[()"]/.test(inner)) {
    throw new RestError(400, 'PGRST100', `"failed to parse logic tree (${value})"`, `only a flat ${key}=(col.op.value,…) is supported by the test gateway`);
  }
  const terms = inner.split(',').map((term) => {
    const dot = term.indexOf('.');
    if (dot <= 0) throw new RestError(400, 'PGRST100', `"failed to parse logic tree (${value})"`);
    return filterCondition(table, term.slice(0, dot), term.slice(dot + 1), sql);
  });
  return `(${terms.join(key === 'or' ? ' or ' : ' and ')})`;
}

/** WHERE clause from every non-reserved query parameter (`col=op.value`, already percent-decoded). */
export function whereClause(table: TableInfo, query: URLSearchParams, sql: SqlBuilder): string {
  const conditions: string[] = [];
  for (const [key, value] of query) {
    if (RESERVED.has(key)) continue;
    if (key === 'or' || key === 'and') {
      conditions.push(logicalCondition(table, key, value, sql));
      continue;
    }
    conditions.push(filterCondition(table, key, value, sql));
  }
  return conditions.length ? `where ${conditions.join(' and ')}` : '';
}

/** `select=id,status,alias:col` → a projection list; `*` or absent → every column. */
export function projection(table: TableInfo, select: string | null, alias?: string): string {
  const prefix = alias ? `${alias}.` : '';
  const items = (select ?? '*').split(',').map((item) => item.trim()).filter(Boolean);
  if (items.length === 0 || items.includes('*')) {
    if (items.some((item) => item !== '*')) {
      throw new RestError(400, 'PGRST100', 'mixing * with other select items is not supported by the test gateway');
    }
    return `${prefix}*`;
  }
  return items
    .map((item) => {
      if (item.includes('(')) {
        throw new RestError(400, 'PGRST100', `embedded resources (${item}) are not supported by the test gateway`);
      }
      const [label, name] = item.includes(':') ? (item.split(':', 2) as [string, string]) : [item, item];
      const col = column(table, name.trim());
      return `${prefix}${ident(col.name)} as ${ident(label.trim())}`;
    })
    .join(', ');
}

/** `order=created_at.desc.nullslast,id` → ORDER BY. */
export function orderClause(table: TableInfo, order: string | null): string {
  if (!order) return '';
  const terms = order.split(',').map((term) => {
    const [name, ...modifiers] = term.trim().split('.');
    const col = column(table, name ?? '');
    let sql = ident(col.name);
    for (const modifier of modifiers) {
      if (modifier === 'asc') sql += ' asc';
      else if (modifier === 'desc') sql += ' desc';
      else if (modifier === 'nullsfirst') sql += ' nulls first';
      else if (modifier === 'nullslast') sql += ' nulls last';
      else throw new RestError(400, 'PGRST100', `"failed to parse order (${order})"`);
    }
    return sql;
  });
  return `order by ${terms.join(', ')}`;
}

export function nonNegativeInt(raw: string | null, what: string): number | null {
  if (raw === null) return null;
  if (!/^\d+$/.test(raw)) throw new RestError(400, 'PGRST100', `"failed to parse ${what} (${raw})"`);
  return Number(raw);
}

/** Prefer header → its directives ("return=representation, count=exact"). */
export function parsePrefer(header: string | undefined): Map<string, string> {
  const prefer = new Map<string, string>();
  for (const part of (header ?? '').split(',')) {
    const [key, value] = part.trim().split('=', 2);
    if (key) prefer.set(key, value ?? '');
  }
  return prefer;
}
