import type pg from 'pg';
import type { JwtClaims } from './jwt.js';

/**
 * Runs `work` in one transaction as the JWT's role with its claims visible to auth.uid(), exactly
 * as PostgREST and Realtime do, so RLS policies apply. Rolls back when `work` throws.
 */
export async function asRole<T>(pool: pg.Pool, claims: JwtClaims, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('begin');
    // set_config('role', …, true) is SET LOCAL ROLE, as PostgREST does it, so everything stays parameterised.
    // The role is one of the three API roles (checked in verifyJwt).
    await client.query(
      `select set_config('role', $1, true), set_config('request.jwt.claims', $2, true),
              set_config('request.jwt.claim.sub', $3, true), set_config('request.jwt.claim.role', $1, true)`,
      [claims.role, JSON.stringify(claims), typeof claims.sub === 'string' ? claims.sub : ''],
    );
    const result = await work(client);
    await client.query('commit');
    return result;
  } catch (error) {
    await client.query('rollback').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
