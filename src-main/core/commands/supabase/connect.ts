import { createSupabaseConnection, type SupabaseConnection } from './client.js';
import { SessionExpiredError, SessionTokens } from './credentials.js';
import type { SupabaseSourceOptions } from './options.js';

/**
 * The client for one of the two auth modes: the service-role key as it is, or the `mentu login` session
 * whose token is refreshed before expiry. Every token is registered with the logger for redaction.
 */
export function connectSupabase(
  options: Pick<SupabaseSourceOptions, 'url' | 'auth' | 'logger' | 'tuning'>,
  onAuthFailed: (message: string) => void,
): SupabaseConnection & { session: SessionTokens | null } {
  const { url, auth, logger } = options;
  let accessToken: () => Promise<string>;
  let session: SessionTokens | null = null;
  if (auth.kind === 'service_role') {
    logger.redact(auth.key);
    accessToken = () => Promise.resolve(auth.key);
  } else {
    logger.redact(auth.anonKey);
    const tokens = new SessionTokens({ url, anonKey: auth.anonKey, credentialsPath: auth.credentialsPath, onToken: (t) => logger.redact(t) });
    session = tokens;
    accessToken = () =>
      tokens.accessToken().catch((error: unknown) => {
        if (error instanceof SessionExpiredError) onAuthFailed(error.message);
        throw error;
      });
  }
  const { client, insertJson } = createSupabaseConnection({
    url,
    apiKey: auth.kind === 'service_role' ? auth.key : auth.anonKey,
    accessToken,
    requestTimeoutMs: options.tuning?.requestTimeoutMs,
    heartbeatIntervalMs: options.tuning?.realtimeHeartbeatMs,
  });
  return { client, insertJson, session };
}
