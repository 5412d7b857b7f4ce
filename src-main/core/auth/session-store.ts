import { EventEmitter } from 'node:events';
import { statSync, watch, type FSWatcher } from 'node:fs';
import { basename } from 'node:path';
import type { MentuPaths } from '../paths.js';
import type { SecretStore } from '../secrets.js';
import { readCredentialsFile, writeCredentialsFile, type StoredSession } from './credentials-file.js';
import { decodeClaims } from './key-role.js';
import { backstopPollMs } from '../fs/watch-file.js';

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
  /** Backstop poll of the files' modification times (fs.watch can miss a rename on some file systems; default: backstopPollMs). */
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
      let timer: NodeJS.Timeout | null = null;
      const changed = (): void => {
        if (timer) return;
        timer = setTimeout(() => {
          timer = null;
          onChange();
        }, 50);
        timer.unref();
      };
      const names = new Set(watchedFiles.map((file) => basename(file)));
      let watcher: FSWatcher | null = null;
      try {
        watcher = watch(paths.home, { persistent: false }, (_event, name) => {
          if (!name || names.has(String(name))) changed();
        });
        watcher.on('error', () => undefined);
      } catch {
        // No MENTU_HOME yet, or no watch support: the poll below still notices.
      }
      const stamp = (): string => watchedFiles.map((file) => { try { const s = statSync(file); return `${s.mtimeMs}:${s.size}:${s.mode}`; } catch { return '-'; } }).join('|');
      let last = stamp();
      const poll = setInterval(() => {
        const now = stamp();
        if (now !== last) {
          last = now;
          changed();
        }
      }, backstopPollMs(watcher !== null, options.pollMs));
      poll.unref();
      const onWritten = (home: string): void => {
        if (home === paths.home) changed();
      };
      written.on('write', onWritten);
      return () => {
        watcher?.close();
        clearInterval(poll);
        if (timer) clearTimeout(timer);
        written.off('write', onWritten);
      };
    },
    describe: () => (shareMentuCredentials ? `${secrets.describe()} and ${paths.credentials} (shared with \`mentu login\`)` : secrets.describe()),
  };
}
