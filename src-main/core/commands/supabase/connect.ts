import { createSupabaseConnection, type SupabaseConnection } from './client.js';
import type { SupabaseSourceOptions } from './options.js';
import type { SourceAuth } from './source-auth.js';

/**
 * The source's one client: the key as `apikey`, the service-role key or the session's current token as the
 * bearer of every request and of the realtime socket, and (session mode) one refresh before a request
 * refused as unauthorized is given up.
 */
export function connectSupabase(options: Pick<SupabaseSourceOptions, 'url' | 'tuning'>, auth: SourceAuth): SupabaseConnection {
  const connection = createSupabaseConnection({
    url: options.url,
    apiKey: auth.apiKey,
    accessToken: auth.accessToken,
    onUnauthorized: auth.mode === 'session' ? auth.onUnauthorized : undefined,
    requestTimeoutMs: options.tuning?.requestTimeoutMs,
    heartbeatIntervalMs: options.tuning?.realtimeHeartbeatMs,
  });
  auth.attach(connection.client);
  return connection;
}
