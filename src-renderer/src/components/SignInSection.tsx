import { useEffect, useState } from 'react';
import type { AuthView, BeaconActions, SettingsView, SignInView, WorkspaceChoice } from '../../../src-main/core/contract/types.js';
import type { UiClient } from '../transport/index.js';
import { errorMessage } from '../format.js';

/**
 * The Mentu account in Settings: who is signed in and until when, "Sign in with GitHub" (the core starts the
 * browser sign-in; the app opens the system browser, a browser page opens a tab), then the choice among the
 * user's workspaces. Everything it shows comes from the Beacon API.
 */

interface Props {
  client: UiClient;
  auth: AuthView | null;
  connected: boolean;
  /** Called after the workspace choice was saved, with the settings the save returned. */
  onSaved(settings: SettingsView, message: string): void;
}

const clock = (iso: string | null): string => (iso ? new Date(iso).toLocaleString() : 'unknown');

/** Both transports offer every action (transport/actions.ts); the optional ones are optional for other clients. */
type SignInClient = UiClient & Required<Pick<BeaconActions, 'startSignIn' | 'getSignIn' | 'listWorkspaces' | 'signOut'>>;

export function SignInSection({ client: uiClient, auth, connected, onSaved }: Props) {
  const client = uiClient as SignInClient;
  const [signIn, setSignIn] = useState<SignInView | null>(null);
  const [workspaces, setWorkspaces] = useState<WorkspaceChoice[] | null>(null);
  const [chosen, setChosen] = useState<Set<string>>(new Set());
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const signedIn = auth?.mode === 'session' && auth.state === 'signed_in' && auth.user !== null;

  // Follow a sign-in in progress until the browser came back.
  useEffect(() => {
    if (signIn?.state !== 'waiting') return;
    const timer = setInterval(() => {
      client.getSignIn().then(setSignIn, (e: unknown) => setError(errorMessage(e)));
    }, 500);
    return () => clearInterval(timer);
  }, [client, signIn?.state]);

  const loadWorkspaces = (): Promise<void> =>
    client.listWorkspaces().then(
      (list) => {
        setWorkspaces(list);
        setChosen(new Set(list.filter((w) => w.selected).map((w) => w.id)));
      },
      (e: unknown) => setError(errorMessage(e)),
    );

  // Once the browser came back: the user's workspaces to choose from.
  useEffect(() => {
    if (signIn?.state === 'signed_in') void loadWorkspaces();
  }, [client, signIn?.state]);

  const start = async (): Promise<void> => {
    setError(null);
    setBusy(true);
    // Opened now, while the click still counts as the user's: a tab opened after an await may be blocked.
    const tab = window.beaconIpc ? null : window.open('about:blank', '_blank');
    try {
      const view = await client.startSignIn();
      setSignIn(view);
      if (view.opened || !view.url) tab?.close();
      else if (tab) {
        tab.opener = null;
        tab.location.href = view.url;
      }
    } catch (e) {
      tab?.close();
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };

  const signOut = async (): Promise<void> => {
    setError(null);
    try {
      await client.signOut();
      setSignIn(null);
      setWorkspaces(null);
    } catch (e) {
      setError(errorMessage(e));
    }
  };

  const saveChoice = async (): Promise<void> => {
    setError(null);
    try {
      onSaved(await client.updateSettings({ workspaceIds: [...chosen] }), 'Workspaces saved. Restart Beacon to serve them.');
    } catch (e) {
      setError(errorMessage(e));
    }
  };

  const toggle = (id: string): void => {
    const next = new Set(chosen);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    setChosen(next);
  };

  return (
    <div className="sign-in" data-testid="sign-in">
      <p className="small" data-testid="sign-in-status">
        {signedIn ? (
          <>
            Signed in as <strong>{auth.user?.email ?? auth.user?.id}</strong> · session renewed automatically (token until {clock(auth.expiresAt)})
          </>
        ) : auth?.mode === 'session' && auth.problem ? (
          <span className="exit-bad">{auth.problem}</span>
        ) : (
          'Sign in as yourself: Beacon then acts with your Mentu permissions (row-level security applies), no project key needed.'
        )}
      </p>
      <div className="dialog-actions">
        <button type="button" onClick={() => void start()} disabled={!connected || busy || signIn?.state === 'waiting'} data-testid="sign-in-button">
          {signedIn ? 'Sign in again' : 'Sign in with GitHub'}
        </button>
        {signedIn && (
          <>
            <button type="button" onClick={() => void loadWorkspaces()} disabled={!connected}>
              Choose workspaces
            </button>
            <button type="button" onClick={() => void signOut()} disabled={!connected}>
              Sign out
            </button>
          </>
        )}
      </div>
      {signIn?.state === 'waiting' && (
        <p className="small" role="status" data-testid="sign-in-waiting">
          {signIn.opened ? 'Finish signing in in your browser…' : 'Finish signing in in the browser tab that opened, or '}
          {!signIn.opened && signIn.url && (
            <a href={signIn.url} target="_blank" rel="noopener noreferrer" data-testid="sign-in-link">
              open the sign-in page
            </a>
          )}
        </p>
      )}
      {signIn?.state === 'failed' && (
        <p className="error-box" role="alert">
          {signIn.error}
        </p>
      )}
      {workspaces && (
        <fieldset data-testid="workspace-choice">
          <legend>Your workspaces</legend>
          {workspaces.length === 0 && <p className="small muted">You are not a member of any workspace yet: ask an owner to add you.</p>}
          {workspaces.map((w) => (
            <label className="check" key={w.id}>
              <input type="checkbox" checked={chosen.has(w.id)} onChange={() => toggle(w.id)} data-workspace-id={w.id} />
              <span>
                {w.name ?? w.id} <span className="small muted">{w.role ? `${w.role} · ` : ''}{w.id}</span>
              </span>
            </label>
          ))}
          {workspaces.length > 0 && (
            <button type="button" className="primary" onClick={() => void saveChoice()} disabled={!connected || chosen.size === 0} data-testid="save-workspaces">
              Use these workspaces
            </button>
          )}
        </fieldset>
      )}
      {error && (
        <p className="error-box" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
