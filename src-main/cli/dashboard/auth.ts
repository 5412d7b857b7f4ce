import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/**
 * The dashboard's access rules. The printed URL carries a random 32-byte token as ?token=; the first
 * request trades it for an HttpOnly, SameSite=Strict cookie (named after the port, because cookies do not
 * separate ports) and is redirected to a URL without it, so the token never stays in the address bar,
 * history or a Referer. Every later request (assets, the /api WebSocket) must carry the cookie, or the
 * token as ?token= (raw clients). The Host must name 127.0.0.1:<port> (a DNS-rebinding page cannot reach
 * us), and the WebSocket upgrade additionally needs Origin http://127.0.0.1:<port>.
 */

export function newDashboardToken(): string {
  return randomBytes(32).toString('base64url');
}

export function cookieName(port: number): string {
  return `beacon_dashboard_${port}`;
}

export function sessionCookie(port: number, token: string): string {
  return `${cookieName(port)}=${token}; HttpOnly; SameSite=Strict; Path=/`;
}

function sameSecret(candidate: string | undefined | null, token: string): boolean {
  if (!candidate) return false;
  const a = Buffer.from(candidate);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

function cookieValue(header: string | undefined, name: string): string | null {
  if (!header) return null;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return null;
}

export type AccessVerdict =
  | { allowed: true; via: 'cookie' | 'query' }
  | { allowed: false; status: 401 | 403; reason: string };

export interface AccessRules {
  port: number;
  token: string;
}

export function ownOrigin(port: number): string {
  return `http://127.0.0.1:${port}`;
}

/** Checks Host and token for any request (plain HTTP or WebSocket upgrade). */
export function checkRequest(req: IncomingMessage, url: URL, rules: AccessRules): AccessVerdict {
  if (req.headers.host !== `127.0.0.1:${rules.port}`) {
    return { allowed: false, status: 403, reason: `Open the dashboard at ${ownOrigin(rules.port)} (the Host header did not match).` };
  }
  if (sameSecret(cookieValue(req.headers.cookie, cookieName(rules.port)), rules.token)) return { allowed: true, via: 'cookie' };
  if (sameSecret(url.searchParams.get('token'), rules.token)) return { allowed: true, via: 'query' };
  return {
    allowed: false,
    status: 401,
    reason: 'The dashboard token is missing or wrong. Open the URL that `beacon run --dashboard` printed (it carries the token).',
  };
}

/** The WebSocket upgrade: the token plus an Origin equal to the dashboard's own (no other page may connect). */
export function checkUpgrade(req: IncomingMessage, url: URL, rules: AccessRules): AccessVerdict {
  const verdict = checkRequest(req, url, rules);
  if (!verdict.allowed) return verdict;
  if (req.headers.origin !== ownOrigin(rules.port)) {
    return { allowed: false, status: 403, reason: `WebSocket connections are accepted only from ${ownOrigin(rules.port)}.` };
  }
  return verdict;
}
