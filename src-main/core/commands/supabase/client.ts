import { describeError } from '../../logger.js';
import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import WebSocket from 'ws';
import { createKeepAliveFetch } from './keep-alive-fetch.js';

/**
 * The one supabase-js client of a source. Both auth modes use the `accessToken` callback, so REST and
 * Realtime always carry the same, current token (service-role key, or the refreshed user session) and the
 * GoTrue client with its background timers is never created.
 */

export interface ClientOptions {
  url: string;
  /** The key sent as `apikey` (service-role key, or the anon key in session mode). */
  apiKey: string;
  /** The bearer token for REST and Realtime, asked for before every request and heartbeat. */
  accessToken: () => Promise<string>;
  /** Realtime heartbeat; a missed reply closes the socket, which the channel manager then repairs. */
  heartbeatIntervalMs?: number;
  /** A REST request that takes longer than this counts as a network failure (it goes to the outbox). */
  requestTimeoutMs?: number;
  /**
   * A request whose token PostgREST refused (401, a JWT error) is given to this first: a new token means one
   * retry with it, null means the 401 stands (session mode: a refresh before anything else).
   */
  onUnauthorized?: (token: string) => Promise<string | null>;
}

/**
 * A row insert whose JSON the caller already serialized (json-body.ts), answered like supabase-js answers
 * (an HTTP or network failure is `error`, never a throw). For the result row, whose 10 MiB stdout tail
 * supabase-js would stringify whole.
 */
export type InsertJson = (table: string, body: Uint8Array<ArrayBuffer>) => Promise<{ data: null; error: PostgrestFailure | null; status: number }>;

export interface SupabaseConnection {
  client: SupabaseClient;
  insertJson: InsertJson;
}

/** PostgREST's answers for a token it cannot accept (PGRST301 invalid, PGRST302 missing, PGRST303 expired). */
function isTokenRejection(body: string): boolean {
  return /PGRST30[0-9]|jwt/i.test(body);
}

/** One refresh and one retry for a request refused because of its token; every other answer passes through. */
export function retryWhenUnauthorized(fetchImpl: typeof fetch, onUnauthorized: (token: string) => Promise<string | null>): typeof fetch {
  return async (input, init) => {
    const response = await fetchImpl(input, init);
    if (response.status !== 401) return response;
    const headers = new Headers(init?.headers);
    const token = /^Bearer (.+)$/i.exec(headers.get('authorization') ?? '')?.[1];
    const body = await response.text();
    const unchanged = (): Response => new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
    if (!token || !isTokenRejection(body)) return unchanged();
    const next = await onUnauthorized(token).catch(() => null);
    if (!next) return unchanged();
    headers.set('authorization', `Bearer ${next}`);
    return fetchImpl(input, { ...init, headers });
  };
}

export function createSupabaseConnection(options: ClientOptions): SupabaseConnection {
  const keepAlive = createKeepAliveFetch({ timeoutMs: options.requestTimeoutMs ?? 15_000 });
  const fetch = options.onUnauthorized ? retryWhenUnauthorized(keepAlive, options.onUnauthorized) : keepAlive;
  const client = createClient(options.url, options.apiKey, {
    accessToken: options.accessToken,
    auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
    global: { fetch },
    realtime: {
      // Node 20 has no global WebSocket (docs/supabase-wire.md#client).
      transport: WebSocket as unknown as never,
      heartbeatIntervalMs: options.heartbeatIntervalMs ?? 15_000,
      reconnectAfterMs: (tries: number) => Math.min(tries * 1000, 10_000),
    },
  });
  const restUrl = new URL('rest/v1/', options.url.endsWith('/') ? options.url : `${options.url}/`);
  const insertJson: InsertJson = async (table, body) => {
    try {
      const token = await options.accessToken();
      const response = await fetch(new URL(encodeURIComponent(table), restUrl), {
        method: 'POST',
        headers: { apikey: options.apiKey, authorization: `Bearer ${token}`, 'content-type': 'application/json', prefer: 'return=minimal' },
        body,
      });
      if (response.ok) return { data: null, error: null, status: response.status };
      const text = await response.text();
      return { data: null, error: parseFailure(text, response.statusText), status: response.status };
    } catch (error) {
      return { data: null, error: { message: describeError(error) }, status: 0 };
    }
  };
  return { client, insertJson };
}

/** PostgREST's error body ({code, message, …}), or the raw text when it is not JSON. */
function parseFailure(text: string, statusText: string): PostgrestFailure {
  try {
    const parsed = JSON.parse(text) as PostgrestFailure;
    if (parsed && typeof parsed === 'object') return parsed;
  } catch {
    // not JSON: shown as it came
  }
  return { message: text || statusText };
}

/** What a failed supabase-js call means for the caller. */
export type FailureKind = 'network' | 'server' | 'auth' | 'missing_function' | 'conflict' | 'client';

export interface PostgrestFailure {
  code?: string | null;
  message?: string | null;
}

export function classifyFailure(status: number, error: PostgrestFailure): FailureKind {
  const code = error.code ?? '';
  const message = error.message ?? '';
  if (status === 0) return 'network';
  if (status === 401 || code === 'PGRST301' || code === 'PGRST302' || /jwt/i.test(message)) return 'auth';
  if (code === 'PGRST202' || (status === 404 && /function|rpc/i.test(message))) return 'missing_function';
  if (code === '23505') return 'conflict';
  if (status >= 500 || status === 408 || status === 429) return 'server';
  return 'client';
}

/** Network trouble and server errors heal by themselves; a retry cannot fix a malformed request. */
export function isRetryable(kind: FailureKind): boolean {
  return kind === 'network' || kind === 'server' || kind === 'auth';
}

/** An error message safe to show: supabase-js details can carry stack traces; never keys (they are not in them). */
export function describeFailure(status: number, error: PostgrestFailure): string {
  const code = error.code ? ` ${error.code}` : '';
  const text = (error.message ?? 'unknown error').split('\n')[0]?.slice(0, 300) ?? '';
  return status === 0 ? `network error: ${text}` : `HTTP ${status}${code}: ${text}`;
}

export class SupabaseWriteError extends Error {
  constructor(
    readonly kind: FailureKind,
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'SupabaseWriteError';
  }
}

/** Throws a SupabaseWriteError for a failed response; returns the data otherwise. */
export function unwrap<T>(
  what: string,
  response: { data: T | null; error: PostgrestFailure | null; status: number },
): T | null {
  if (response.error) {
    throw new SupabaseWriteError(
      classifyFailure(response.status, response.error),
      response.status,
      `${what}: ${describeFailure(response.status, response.error)}`,
    );
  }
  return response.data;
}
