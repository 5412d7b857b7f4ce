import { describeError } from '../../logger.js';
import http from 'node:http';
import https from 'node:https';
import { promisify } from 'node:util';
import zlib from 'node:zlib';

const gunzip = promisify(zlib.gunzip);
const inflate = promisify(zlib.inflate);
const brotliDecompress = promisify(zlib.brotliDecompress);

/**
 * The fetch supabase-js uses for REST: node:http(s) over keep-alive agents. Why not the global fetch:
 * in Node 20 it costs about a millisecond of its own per small request, which was most of the time from
 * a realtime INSERT to the claim reaching the database (bench/pickup.mts). Anything this does not speak
 * (a Request object, a streamed or form body) is handed to the global fetch unchanged.
 *
 * It keeps fetch's contract where supabase-js relies on it: a network failure or abort rejects (with a
 * TypeError "fetch failed", or the signal's reason), any HTTP status resolves, compressed bodies are decoded.
 */
export interface KeepAliveFetchOptions {
  /** A request not answered within this rejects as a network failure (a timer of its own: no AbortSignal per request). */
  timeoutMs: number;
  /** Idle sockets are closed after this, below the usual 5 s server keep-alive, so a reused one is rarely dead. */
  idleSocketMs?: number;
}

export function createKeepAliveFetch(options: KeepAliveFetchOptions): typeof fetch {
  const agentOptions = { keepAlive: true, timeout: options.idleSocketMs ?? 4000 };
  const agents = { 'http:': new http.Agent(agentOptions), 'https:': new https.Agent(agentOptions) };

  return (input, init) => {
    const url = typeof input === 'string' ? new URL(input) : input instanceof URL ? input : null;
    const body = init?.body;
    const plainBody = body == null || typeof body === 'string' || body instanceof Uint8Array;
    if (!url || !plainBody || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
      const timeout = AbortSignal.timeout(options.timeoutMs);
      return fetch(input, { ...init, signal: init?.signal ? AbortSignal.any([init.signal, timeout]) : timeout }).catch((error: unknown) => {
        throw error instanceof TypeError && error.cause !== undefined ? fetchFailed(error.cause) : error;
      });
    }
    return request(url, init ?? {}, body ?? null, agents[url.protocol], options.timeoutMs);
  };
}

function request(url: URL, init: RequestInit, body: string | Uint8Array | null, agent: http.Agent, timeoutMs: number): Promise<Response> {
  const signal = init.signal ?? null;
  if (signal?.aborted) return Promise.reject(signal.reason);
  const headers: Record<string, string> = {};
  new Headers(init.headers ?? undefined).forEach((value, name) => (headers[name] = value));
  // A string body is written as it is: no second copy of a large result row as a Buffer.
  if (body !== null) headers['content-length'] = String(typeof body === 'string' ? Buffer.byteLength(body, 'utf8') : body.byteLength);
  headers['accept-encoding'] ??= 'gzip, deflate, br';

  return new Promise<Response>((resolve, reject) => {
    const transport = url.protocol === 'https:' ? https : http;
    const req = transport.request(url, { method: init.method ?? 'GET', headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', (error) => fail(error));
      // The connection closed before the body ended: a network failure, as fetch reports it.
      res.on('close', () => res.complete || fail(new Error('the response was cut off')));
      res.on('end', () => {
        settle();
        toResponse(res, Buffer.concat(chunks), init.method ?? 'GET').then(resolve, (error: unknown) => reject(fetchFailed(error)));
      });
    });
    const timer = setTimeout(() => {
      const error = new DOMException(`The request took longer than ${timeoutMs} ms`, 'TimeoutError');
      req.destroy(error);
      reject(fetchFailed(error));
    }, timeoutMs);
    const settle = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    };
    const fail = (error: unknown): void => {
      settle();
      reject(signal?.aborted ? signal.reason : fetchFailed(error));
    };
    const onAbort = (): void => {
      settle();
      req.destroy();
      reject(signal!.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    req.on('error', fail);
    if (body === null) req.end();
    else req.end(body);
  });
}

/**
 * A network failure as fetch reports it (a TypeError), but with its cause in the message: supabase-js
 * shows only `name: message`, and "fetch failed" alone hid a timeout (issue 15, point 8).
 */
function fetchFailed(cause: unknown): TypeError {
  return new TypeError(`fetch failed: ${describeError(cause)}`, { cause });
}

async function toResponse(res: http.IncomingMessage, raw: Buffer, method: string): Promise<Response> {
  const status = res.statusCode ?? 0;
  const headers = new Headers();
  for (const [name, value] of Object.entries(res.headers)) {
    if (Array.isArray(value)) for (const item of value) headers.append(name, item);
    else if (value !== undefined) headers.set(name, value);
  }
  const encoding = (res.headers['content-encoding'] ?? '').trim().toLowerCase();
  const decoded = await decode(raw, encoding);
  if (decoded !== raw) {
    headers.delete('content-encoding');
    headers.delete('content-length');
  }
  // A null-body status cannot carry a body in a Response.
  const noBody = status === 204 || status === 205 || status === 304 || method.toUpperCase() === 'HEAD';
  // A Buffer from the socket is backed by a plain ArrayBuffer, which is what BodyInit asks for.
  return new Response(noBody ? null : (decoded as Uint8Array<ArrayBuffer>), { status, statusText: res.statusMessage ?? '', headers });
}

/** Off the event loop (zlib's thread pool): a listing of large prompts can be megabytes. */
async function decode(raw: Buffer, encoding: string): Promise<Buffer> {
  if (raw.byteLength === 0) return raw;
  if (encoding === 'gzip' || encoding === 'x-gzip') return gunzip(raw);
  if (encoding === 'deflate') return inflate(raw);
  if (encoding === 'br') return brotliDecompress(raw);
  return raw;
}
