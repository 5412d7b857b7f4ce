import type { AuthView } from '../../contract/types.js';
import type { Logger } from '../../logger.js';
import { connectSupabase } from './connect.js';
import { ConnectionTracker } from './connection.js';
import type { SupabaseAuth } from './options.js';
import { SourceAuth } from './source-auth.js';

/**
 * The auth view of a configured Supabase project without running a source (`beacon status` and
 * `beacon doctor` when no executor answers): who is signed in or which role the key has, until when,
 * and the configured workspaces as that key sees them. An expired session is renewed first, as the
 * executor would; the session is stopped afterwards.
 */
export async function inspectAuth(options: { url: string; auth: SupabaseAuth; workspaceIds: string[]; logger: Logger }): Promise<AuthView> {
  const { auth } = options;
  const tracker = new ConnectionTracker(() => {});
  const sourceAuth = new SourceAuth({ auth, workspaceIds: options.workspaceIds, logger: options.logger, tracker, onNewToken: () => {} });
  try {
    const { client } = connectSupabase({ url: options.url, tuning: { requestTimeoutMs: 10_000 } }, sourceAuth);
    if (auth.kind === 'session') await auth.session.accessToken();
    await sourceAuth.checkAccess(client);
    // The realtime socket was never opened (its disconnect would hold the process for 10 s).
    return sourceAuth.view();
  } finally {
    sourceAuth.stop();
  }
}
