import { completeSignIn } from '../auth/complete-sign-in.js';
import { endSession } from '../auth/gotrue.js';
import { startBrowserSignIn, type BrowserSignIn } from '../auth/sign-in.js';
import { createSessionStore, type SessionStore } from '../auth/session-store.js';
import { workspacesOfSession } from '../auth/workspaces.js';
import { anonKeyOf } from '../config/schema.js';
import type { LoadedConfig } from '../config/load.js';
import type { SignInView, WorkspaceChoice } from '../contract/types.js';
import type { MentuPaths } from '../paths.js';
import type { SecretStore } from '../secrets.js';

/**
 * The sign-in a window offers (Settings → Sign in): the browser sign-in of core/auth, with the URL opened by
 * the shell when it can (the system browser from the app), its progress for the window to follow, the
 * user's workspaces to choose from, and sign-out. The session lands in the same store the running source
 * watches, so the executor takes it up without a restart.
 */

export interface SignInActionsOptions {
  currentConfig(): Promise<LoadedConfig>;
  paths: MentuPaths;
  env: NodeJS.ProcessEnv;
  secrets: SecretStore;
  /** Opens a URL in the system browser (the Electron shell); absent headless, where the page opens it. */
  openExternal?: (url: string) => Promise<void>;
  /** Something a window shows changed (sign-in progress, beacon.yaml). */
  changed(config: LoadedConfig | null, notice: string | null): void;
}

const IDLE: SignInView = { state: 'idle', url: null, opened: false, email: null, error: null };

export function createSignInActions(options: SignInActionsOptions) {
  let view: SignInView = IDLE;
  let flow: BrowserSignIn | null = null;

  const project = async (): Promise<{ loaded: LoadedConfig; url: string; anonKey: string; store: SessionStore }> => {
    const loaded = await options.currentConfig();
    const url = loaded.config.supabase.url;
    const anonKey = anonKeyOf(loaded.config, options.env);
    if (!url) throw new Error('Set the Mentu project URL (Supabase URL) first.');
    if (!anonKey) throw new Error("Set the project's anon key first (it is public: Supabase dashboard → Project Settings → API).");
    const store = createSessionStore({ paths: options.paths, secrets: options.secrets, shareMentuCredentials: loaded.config.supabase.share_mentu_credentials });
    return { loaded, url, anonKey, store };
  };

  const startSignIn = async (): Promise<SignInView> => {
    flow?.cancel();
    const { loaded, url, anonKey, store } = await project();
    const started = await startBrowserSignIn({ url, anonKey });
    flow = started;
    const opened = options.openExternal && /^https?:\/\//.test(started.url) ? await options.openExternal(started.url).then(() => true, () => false) : false;
    view = { state: 'waiting', url: started.url, opened, email: null, error: null };
    options.changed(null, null);
    started.done
      .then(async (session) => {
        const signedIn = await completeSignIn({ loaded, paths: options.paths, env: options.env, url, anonKey, store, session });
        if (flow !== started) return;
        view = { state: 'signed_in', url: null, opened, email: session.email, error: null };
        const next = signedIn.changes.length ? await options.currentConfig().catch(() => null) : null;
        const notice = signedIn.changes.length ? `Signed in as ${session.email ?? 'you'}; ${signedIn.changes.join(', ')}. Restart Beacon to serve the chosen workspaces.` : null;
        options.changed(next, notice);
      })
      .catch((error: unknown) => {
        if (flow !== started) return;
        view = { state: 'failed', url: null, opened, email: null, error: error instanceof Error ? error.message : String(error) };
        options.changed(null, null);
      });
    return view;
  };

  const listWorkspaces = async (): Promise<WorkspaceChoice[]> => {
    const { loaded, url, anonKey, store } = await project();
    const session = await store.read();
    if (!session) throw new Error('Not signed in to Mentu: sign in first.');
    const configured = new Set(loaded.config.supabase.workspace_ids);
    return (await workspacesOfSession(url, anonKey, session)).map((w) => ({ ...w, selected: configured.has(w.id) }));
  };

  const signOut = async (): Promise<void> => {
    const { url, anonKey, store } = await project();
    const session = await store.read().catch(() => null);
    if (session) {
      // Best effort: the server ends the session (its refresh token stops working).
      await endSession({ url, anonKey, timeoutMs: 10_000 }, session.accessToken).catch(() => undefined);
    }
    await store.write(null);
    flow?.cancel();
    flow = null;
    view = IDLE;
    options.changed(null, null);
  };

  return { startSignIn, getSignIn: async () => view, listWorkspaces, signOut, dispose: () => flow?.cancel() };
}
