import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openSession } from '../../src-main/core/auth/open-session.js';
import type { MentuSession } from '../../src-main/core/auth/session.js';
import type { SupabaseAuth } from '../../src-main/core/commands/supabase/index.js';
import { silentLogger, type Logger } from '../../src-main/core/logger.js';
import { mentuPaths, type MentuPaths } from '../../src-main/core/paths.js';
import { createHeadlessSecretStore } from '../../src-main/core/secrets.js';
import type { AuthSession, Gateway } from '../gateway/index.js';

/** ~/.mentu/credentials as `mentu login` writes it (cloud.{accessToken, refreshToken, expiresAt ISO, userId, email}). */
export function writeMentuCredentials(home: string, cloud: Record<string, unknown>, mode = 0o600): string {
  mkdirSync(home, { recursive: true, mode: 0o700 });
  const file = join(home, 'credentials');
  writeFileSync(file, JSON.stringify({ cloud }, null, 2), { mode });
  return file;
}

/** The cloud entry mentu writes for a session the gateway issued. */
export function cloudOf(session: AuthSession, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    accessToken: session.access_token,
    refreshToken: session.refresh_token,
    expiresAt: new Date(session.expires_at * 1000).toISOString(),
    userId: session.user.id,
    email: session.user.email,
    ...overrides,
  };
}

/** A session-mode auth for a source under MENTU_HOME `home` (headless secret store, sharing the credentials file). */
export async function sessionAuthFor(
  gateway: Gateway,
  home: string,
  options: { logger?: Logger; refreshMarginMs?: number; now?: () => number } = {},
): Promise<{ auth: SupabaseAuth; session: MentuSession; paths: MentuPaths }> {
  const env = { MENTU_HOME: home } as NodeJS.ProcessEnv;
  const paths = mentuPaths(env);
  const session = await openSession({
    url: gateway.url,
    anonKey: gateway.anonKey,
    paths,
    secrets: createHeadlessSecretStore(paths, {}),
    shareMentuCredentials: true,
    logger: options.logger ?? silentLogger,
    refreshMarginMs: options.refreshMarginMs,
    now: options.now,
  });
  return { auth: { kind: 'session', anonKey: gateway.anonKey, session }, session, paths };
}
