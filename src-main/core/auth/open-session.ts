import type { Logger } from '../logger.js';
import type { MentuPaths } from '../paths.js';
import type { SecretStore } from '../secrets.js';
import { MentuSession } from './session.js';
import { createSessionStore } from './session-store.js';

export interface OpenSessionOptions {
  url: string;
  anonKey: string;
  paths: MentuPaths;
  secrets: SecretStore;
  shareMentuCredentials: boolean;
  logger: Logger;
  /** Test hooks: the clock and the most a refresh is made ahead of expiry. */
  now?: () => number;
  refreshMarginMs?: number;
}

/** The Mentu session as config and paths describe it, read and watched (signed out is a state, not an error). */
export async function openSession(options: OpenSessionOptions): Promise<MentuSession> {
  const { url, anonKey, paths, secrets, shareMentuCredentials, logger } = options;
  logger.redact(anonKey);
  const session = new MentuSession({
    auth: { url, anonKey },
    store: createSessionStore({ paths, secrets, shareMentuCredentials }),
    logger,
    now: options.now,
    refreshMarginMs: options.refreshMarginMs,
  });
  await session.start();
  return session;
}
