import crypto from 'node:crypto';

export type ApiRole = 'anon' | 'authenticated' | 'service_role';
export const API_ROLES: readonly ApiRole[] = ['anon', 'authenticated', 'service_role'];

export interface JwtClaims {
  role: ApiRole;
  sub?: string;
  exp?: number;
  [key: string]: unknown;
}

const base64url = (input: Buffer | string): string => Buffer.from(input).toString('base64url');

export function signJwt(claims: Record<string, unknown>, secret: string): string {
  const header = base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
  const body = base64url(JSON.stringify(claims));
  const signature = crypto.createHmac('sha256', secret).update(`${header}.${body}`).digest('base64url');
  return `${header}.${body}.${signature}`;
}

/** Why a token is not acceptable; an expired one says when it expired (Realtime's message counts the seconds since). */
export interface JwtError {
  error: string;
  exp?: number;
}

/** Verified claims, or a reason the token is not acceptable (bad signature, expired, unknown role). */
export function verifyJwt(token: string, secret: string, nowSeconds = Date.now() / 1000): JwtClaims | JwtError {
  const parts = token.split('.');
  if (parts.length !== 3) return { error: 'JWT is malformed' };
  const [header, body, signature] = parts as [string, string, string];
  const expected = crypto.createHmac('sha256', secret).update(`${header}.${body}`).digest();
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== expected.length || !crypto.timingSafeEqual(given, expected)) {
    return { error: 'JWT signature is invalid' };
  }
  let claims: Record<string, unknown>;
  try {
    claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as Record<string, unknown>;
  } catch {
    return { error: 'JWT payload is not JSON' };
  }
  if (typeof claims.exp === 'number' && claims.exp < nowSeconds) return { error: 'JWT expired', exp: claims.exp };
  if (!API_ROLES.includes(claims.role as ApiRole)) return { error: `JWT role ${String(claims.role)} is not an API role` };
  return claims as JwtClaims;
}

export const isJwtError = (value: JwtClaims | JwtError): value is JwtError => 'error' in value;
