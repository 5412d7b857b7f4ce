import { EventEmitter } from 'node:events';
import type { MentuPaths } from '../paths.js';
import type { SecretStore } from '../secrets.js';
import { readCredentialsFile, writeCredentialsFile, type StoredSession } from './credentials-file.js';
import { decodeClaims } from './key-role.js';
import { watchFileChanges } from '../fs/watch-file.js';

/**
 * Where the Mentu session is kept. Beacon's own copy lives in the secret store (the Keychain in the app, the
 * owner-only beacon-secrets.json headless); with sharing on (the default) it is also the `cloud` entry of
 * ~/.mentu/credentials, so `mentu login` and Beacon's sign-in serve each other. Reading takes the newer of
 * the two; writing updates both; a change made by another process (either file) is noticed by `watch`.
 */

export interface SessionStore {
  /** The current session, or null when signed out. Throws OwnerOnlyFileError for a file Beacon refuses. */
  read(): Promise<StoredSession | null>;
  /** Keeps `session` everywhere it is kept (null: signed out). */
  write(session: StoredSession | null): Promise<void>;
  /** Calls back (debounced) when the session may have changed: another process, or another part of this one. */
  watch(onChange: () => void): () => void;
  /** Where the session is kept, for `beacon doctor` and the sign-in message. */
  describe(): string;
}

export interface SessionStoreOptions {
  paths: MentuPaths;
  secrets: SecretStore;
  /** Also read and write ~/.mentu/credentials (shared with `mentu login`). */
  shareMentuCredentials: boolean;
  /** Backstop poll of the files (fs.watch can miss a rename on some file systems; default: watch-file.ts backstopPollMs). */
  pollMs?: number;
}

/** In-process notices: the sign-in of the API and the session of the source are different objects. */
const written = new EventEmitter();
written.setMaxListeners(0);

const issuedAt = (session: StoredSession): number => decodeClaims(session.accessToken)?.issuedAtMs ?? session.expiresAtMs ?? 0;

/** The newer of two copies of the session (by when its access token was issued). */
export function newerSession(a: StoredSession | null, b: StoredSession | null): StoredSession | null {
  if (!a || !b) return a ?? b;
  if (a.accessToken === b.accessToken) return { ...b, ...Object.fromEntries(Object.entries(a).filter(([, v]) => v !== null)) } as StoredSession;
  return issuedAt(b) > issuedAt(a) ? b : a;
}

function parseOwn(value: string | null): StoredSession | null {
  if (!value) return null;
  try {
    const s = JSON.parse(value) as Partial<StoredSession>;
    if (typeof s.accessToken !== 'string' || !s.accessToken) return null;
    return {
      accessToken: s.accessToken,
      refreshToken: typeof s.refreshToken === 'string' ? s.refreshToken : null,
      expiresAtMs: typeof s.expiresAtMs === 'number' ? s.expiresAtMs : null,
      userId: typeof s.userId === 'string' ? s.userId : null,
      email: typeof s.email === 'string' ? s.email : null,
    };
  } catch {
    return null;
  }
}

export function createSessionStore(options: SessionStoreOptions): SessionStore {
  const { paths, secrets, shareMentuCredentials } = options;
  const watchedFiles = [paths.secrets, ...(shareMentuCredentials ? [paths.credentials] : [])];
  return {
    async read() {
      const own = parseOwn(await secrets.get('mentu_session'));
      const shared = shareMentuCredentials ? readCredentialsFile(paths.credentials) : null;
      return newerSession(own, shared);
    },
    async write(session) {
      if (session) await secrets.set('mentu_session', JSON.stringify(session));
      else await secrets.delete('mentu_session');
      if (shareMentuCredentials) writeCredentialsFile(paths.credentials, session);
      written.emit('write', paths.home);
    },
    watch(onChange) {
      // Another process's write (either file) through the file watch; this process's own writes at once.
      const files = watchFileChanges(watchedFiles, onChange, { settleMs: 50, pollMs: options.pollMs });
      const onWritten = (home: string): void => {
        if (home === paths.home) files.notice();
      };
      written.on('write', onWritten);
      return () => {
        files.stop();
        written.off('write', onWritten);
      };
    },
    describe: () => (shareMentuCredentials ? `${secrets.describe()} and ${paths.credentials} (shared with \`mentu login\`)` : secrets.describe()),
  };
}
