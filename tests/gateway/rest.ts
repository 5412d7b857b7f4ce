import type http from 'node:http';
import type pg from 'pg';
import { ident, type Catalog, type FunctionInfo, type TableInfo } from './catalog.js';
import { isJwtError, verifyJwt, type JwtClaims } from './jwt.js';
import { asRole } from './role-session.js';
import {
  RestError, SqlBuilder, column, nonNegativeInt, orderClause, parsePrefer, projection, whereClause,
} from './rest-query.js';

/** The PostgREST subset supabase-js 2.x uses (docs/supabase-wire.md#rest). */
export interface RestContext {
  pool: pg.Pool;
  catalog: Catalog;
  jwtSecret: string;
}

interface Reply {
  status: number;
  headers: Record<string, string>;
  body: string;
}

const OBJECT_MEDIA = 'application/vnd.pgrst.object+json';

/** The claims to run as: Authorization's bearer token, else the apikey. 401 without a valid apikey. */
export function authenticate(req: http.IncomingMessage, url: URL, secret: string): JwtClaims {
  const apikey = (req.headers.apikey as string | undefined) ?? url.searchParams.get('apikey');
  if (!apikey) {
    throw new RestError(401, 'PGRST301', 'No API key found in request', null, 'No `apikey` request header or url param was found.');
  }
  if (isJwtError(verifyJwt(apikey, secret))) throw new RestError(401, 'PGRST301', 'Invalid API key', null, 'Double check your Supabase `anon` or `service_role` API key.');
  const bearer = /^Bearer (.+)$/i.exec(req.headers.authorization ?? '')?.[1] ?? apikey;
  const claims = verifyJwt(bearer, secret);
  if (isJwtError(claims)) throw new RestError(401, claims.error === 'JWT expired' ? 'PGRST303' : 'PGRST301', claims.error);
  return claims;
}

export function restErrorFromPg(error: unknown, role: string): RestError {
  if (error instanceof RestError) return error;
  const e = error as { code?: string; message?: string; detail?: string; hint?: string };
  const code = e.code ?? '';
  let status = 500;
  if (code === '23505' || code === '23503' || code === '40001' || code === '40P01') status = 409;
  else if (code === '42501') status = role === 'anon' ? 401 : 403;
  else if (code === '42883' || code === '42P01') status = 404;
  else if (code.startsWith('22') || code.startsWith('23') || code.startsWith('42') || code === 'P0001') status = 400;
  return new RestError(status, code || 'PGRST000', e.message ?? String(error), e.detail ?? null, e.hint ?? null);
}

async function readJson(req: http.IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  if (!text.trim()) return undefined;
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new RestError(400, 'PGRST102', 'Empty or invalid json', (error as Error).message);
  }
}

/** `columns="a","b"` or the keys of the body; every key must be a column (PGRST204 otherwise). */
function payloadColumns(table: TableInfo, rows: Record<string, unknown>[], columnsParam: string | null): string[] {
  const names = columnsParam
    ? columnsParam.split(',').map((name) => name.trim().replace(/^"(.*)"$/, '$1'))
    : Object.keys(rows[0] ?? {});
  for (const row of columnsParam ? [] : rows) {
    for (const key of Object.keys(row)) if (!names.includes(key)) names.push(key);
  }
  for (const name of names) {
    if (!table.columns.has(name)) {
      throw new RestError(400, 'PGRST204', `Could not find the '${name}' column of '${table.name}' in the schema cache`);
    }
  }
  return names;
}

function asRows(body: unknown): Record<string, unknown>[] {
  const rows = Array.isArray(body) ? body : [body];
  if (rows.some((row) => typeof row !== 'object' || row === null || Array.isArray(row))) {
    throw new RestError(400, 'PGRST102', 'All object keys must match', 'The body must be a JSON object or an array of objects');
  }
  return rows as Record<string, unknown>[];
}

/** Wraps a row-producing statement so Postgres itself renders the JSON, as PostgREST does. */
function jsonEnvelope(source: string, proj: string): string {
  return `select coalesce(json_agg(_r), '[]')::text as body, count(*)::int as n from (select ${proj} from ${source}) _r`;
}

interface Shaped { body: string; n: number }

function singleOrAll(shaped: Shaped, wantsObject: boolean): string {
  if (!wantsObject) return shaped.body;
  if (shaped.n !== 1) {
    throw new RestError(406, 'PGRST116', 'JSON object requested, multiple (or no) rows returned', `The result contains ${shaped.n} rows`);
  }
  return JSON.stringify((JSON.parse(shaped.body) as unknown[])[0]);
}

async function tableRequest(
  ctx: RestContext, claims: JwtClaims, req: http.IncomingMessage, url: URL, tableName: string,
): Promise<Reply> {
  const table = await ctx.catalog.table(tableName);
  if (!table) throw new RestError(404, 'PGRST205', `Could not find the table 'public.${tableName}' in the schema cache`);
  const method = req.method ?? 'GET';
  const query = url.searchParams;
  const prefer = parsePrefer(req.headers.prefer as string | undefined);
  const wantsObject = (req.headers.accept ?? '').includes(OBJECT_MEDIA);
  const representation = prefer.get('return') === 'representation';
  const target = `public.${ident(table.name)}`;
  const proj = projection(table, query.get('select'));
  const contentType = wantsObject ? `${OBJECT_MEDIA}; charset=utf-8` : 'application/json; charset=utf-8';

  if (method === 'GET' || method === 'HEAD') {
    const sql = new SqlBuilder();
    const where = whereClause(table, query, sql);
    const limit = nonNegativeInt(query.get('limit'), 'limit');
    const offset = nonNegativeInt(query.get('offset'), 'offset') ?? 0;
    const paging = `${limit === null ? '' : `limit ${sql.param(limit)}`} offset ${sql.param(offset)}`;
    const source = `(select * from ${target} ${where} ${orderClause(table, query.get('order'))} ${paging}) _s`;
    return asRole(ctx.pool, claims, async (client) => {
      const shaped = (await client.query<Shaped>(jsonEnvelope(source, proj), sql.params)).rows[0]!;
      let total = '*';
      if (prefer.get('count') === 'exact') {
        const countSql = new SqlBuilder();
        const countWhere = whereClause(table, query, countSql);
        total = String((await client.query<{ n: number }>(`select count(*)::int as n from ${target} ${countWhere}`, countSql.params)).rows[0]!.n);
      }
      const range = shaped.n === 0 ? `*/${total}` : `${offset}-${offset + shaped.n - 1}/${total}`;
      const body = singleOrAll(shaped, wantsObject);
      return { status: 200, headers: { 'content-type': contentType, 'content-range': range }, body: method === 'HEAD' ? '' : body };
    });
  }

  let statement: string;
  const sql = new SqlBuilder();
  if (method === 'POST') {
    const rows = asRows(await readJson(req));
    const names = payloadColumns(table, rows, query.get('columns'));
    const list = names.map(ident).join(', ');
    let conflict = '';
    const resolution = prefer.get('resolution');
    if (resolution === 'merge-duplicates' || resolution === 'ignore-duplicates') {
      const keys = query.get('on_conflict')?.split(',').map((name) => column(table, name.trim()).name) ?? table.primaryKey;
      const updates = names.filter((name) => !keys.includes(name)).map((name) => `${ident(name)} = excluded.${ident(name)}`);
      conflict = resolution === 'ignore-duplicates' || updates.length === 0
        ? `on conflict (${keys.map(ident).join(', ')}) do nothing`
        : `on conflict (${keys.map(ident).join(', ')}) do update set ${updates.join(', ')}`;
    }
    if (rows.length === 0) statement = `select * from ${target} where false`;
    else if (names.length === 0) statement = `insert into ${target} default values returning *`;
    else {
      const source = `json_populate_recordset(null::${target}, ${sql.param(JSON.stringify(rows))}::json)`;
      statement = `insert into ${target} (${list}) select ${list} from ${source} ${conflict} returning *`;
    }
  } else if (method === 'PATCH') {
    const body = await readJson(req);
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw new RestError(400, 'PGRST102', 'Empty or invalid json', 'PATCH needs a JSON object');
    }
    const names = payloadColumns(table, [body as Record<string, unknown>], query.get('columns'));
    if (names.length === 0) {
      statement = `select * from ${target} where false`;
    } else {
      const values = sql.param(JSON.stringify(body));
      const where = whereClause(table, query, sql);
      const sets = names.map((name) => `${ident(name)} = (select _b.${ident(name)} from json_populate_record(null::${target}, ${values}::json) _b)`);
      statement = `update ${target} set ${sets.join(', ')} ${where} returning *`;
    }
  } else if (method === 'DELETE') {
    statement = `delete from ${target} ${whereClause(table, query, sql)} returning *`;
  } else {
    throw new RestError(405, 'PGRST117', `Unsupported HTTP method: ${method}`);
  }

  return asRole(ctx.pool, claims, async (client) => {
    const shaped = (await client.query<Shaped>(`with _m as (${statement}) ${jsonEnvelope('_m', proj)}`, sql.params)).rows[0]!;
    const headers: Record<string, string> = { 'content-range': shaped.n === 0 ? '*/*' : `0-${shaped.n - 1}/*` };
    const body = representation ? singleOrAll(shaped, wantsObject) : (wantsObject && shaped.n !== 1 ? singleOrAll(shaped, true) : '');
    if (!representation) return { status: method === 'POST' ? 201 : 204, headers, body: '' };
    return { status: method === 'POST' ? 201 : 200, headers: { ...headers, 'content-type': contentType }, body };
  });
}

function pickFunction(candidates: FunctionInfo[], keys: string[]): FunctionInfo | undefined {
  return candidates.find((fn) => {
    const names = fn.args.map((arg) => arg.name);
    return keys.every((key) => names.includes(key)) && fn.args.every((arg) => arg.hasDefault || keys.includes(arg.name));
  });
}

function rpcArgument(value: unknown, sqlType: string): unknown {
  if (value === null || value === undefined) return null;
  if (sqlType === 'json' || sqlType === 'jsonb') return JSON.stringify(value);
  if (sqlType.endsWith('[]') && Array.isArray(value)) return value;
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

async function rpcRequest(ctx: RestContext, claims: JwtClaims, req: http.IncomingMessage, name: string): Promise<Reply> {
  if ((req.method ?? 'GET') !== 'POST') throw new RestError(405, 'PGRST117', 'The test gateway supports rpc over POST only');
  const body = (await readJson(req)) ?? {};
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new RestError(400, 'PGRST102', 'rpc arguments must be a JSON object');
  const args = body as Record<string, unknown>;
  const keys = Object.keys(args);
  const fn = pickFunction(await ctx.catalog.functionsNamed(name), keys);
  if (!fn) {
    throw new RestError(404, 'PGRST202', `Could not find the function public.${name}(${[...keys].sort().join(', ')}) in the schema cache`,
      `Searched for the function public.${name} with parameters ${[...keys].sort().join(', ') || 'none'} or with a single unnamed json/jsonb parameter, but no matches were found in the schema cache.`);
  }
  const sql = new SqlBuilder();
  const call = `public.${ident(fn.name)}(${fn.args
    .filter((arg) => keys.includes(arg.name))
    .map((arg) => `${ident(arg.name)} => cast(${sql.param(rpcArgument(args[arg.name], arg.sqlType))} as ${arg.sqlType})`)
    .join(', ')})`;
  const wantsObject = (req.headers.accept ?? '').includes(OBJECT_MEDIA);
  return asRole<Reply>(ctx.pool, claims, async (client) => {
    if (fn.returnsVoid) {
      await client.query(`select ${call}`, sql.params);
      return { status: 204, headers: {} as Record<string, string>, body: '' };
    }
    if (!fn.returnsSet && !fn.returnsComposite) {
      const row = (await client.query<{ body: string }>(`select to_json(${call})::text as body`, sql.params)).rows[0]!;
      return { status: 200, headers: { 'content-type': 'application/json; charset=utf-8' }, body: row.body ?? 'null' };
    }
    const source = fn.returnsComposite ? `${call} _s` : `${call} as _s(value)`;
    const proj = fn.returnsComposite ? '_s.*' : '_s.value';
    const shaped = (await client.query<Shaped>(
      `select coalesce(json_agg(_r${fn.returnsComposite ? '' : '.value'}), '[]')::text as body, count(*)::int as n from (select ${proj} from ${source}) _r`,
      sql.params,
    )).rows[0]!;
    const single = wantsObject || !fn.returnsSet;
    return { status: 200, headers: { 'content-type': 'application/json; charset=utf-8' }, body: singleOrAll(shaped, single) };
  });
}

/** Answers one /rest/v1/... request; every failure becomes a PostgREST-shaped error body. */
export async function handleRest(ctx: RestContext, req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<void> {
  let role = 'anon';
  let reply: Reply;
  try {
    const claims = authenticate(req, url, ctx.jwtSecret);
    role = claims.role;
    const route = url.pathname.slice('/rest/v1/'.length);
    if (route.startsWith('rpc/')) reply = await rpcRequest(ctx, claims, req, decodeURIComponent(route.slice(4)));
    else reply = await tableRequest(ctx, claims, req, url, decodeURIComponent(route));
  } catch (error) {
    const restError = restErrorFromPg(error, role);
    reply = { status: restError.status, headers: { 'content-type': 'application/json; charset=utf-8' }, body: JSON.stringify(restError.body()) };
  }
  res.writeHead(reply.status, reply.headers);
  res.end(reply.body);
}
