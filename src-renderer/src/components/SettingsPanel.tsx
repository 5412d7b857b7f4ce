import { useEffect, useState, type FormEvent } from 'react';
import type { AuthView, SettingsPatch, SettingsView } from '../../../src-main/core/contract/types.js';
import type { UiClient } from '../transport/index.js';
import { errorMessage } from '../format.js';
import { LoginItemStatus } from './LoginItemStatus.js';
import { SignInSection } from './SignInSection.js';

const lines = (text: string): string[] =>
  text
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);

interface Draft {
  commandSource: 'local' | 'supabase';
  supabaseUrl: string;
  workspaceIds: string;
  supabaseKey: string;
  auth: NonNullable<SettingsView['auth']>;
  anonKey: string;
  allowedDirectories: string;
  agentCommand: string;
  launchAtLogin: boolean;
}

function draftOf(settings: SettingsView): Draft {
  return {
    commandSource: settings.commandSource,
    supabaseUrl: settings.supabaseUrl ?? '',
    workspaceIds: settings.workspaceIds.join('\n'),
    supabaseKey: '',
    auth: settings.auth ?? 'auto',
    anonKey: settings.anonKey ?? '',
    allowedDirectories: settings.allowedDirectories.join('\n'),
    agentCommand: settings.agentCommand,
    launchAtLogin: settings.launchAtLogin.enabled,
  };
}

/** Only what changed is sent; the key is sent when typed and then forgotten by the page. */
function patchOf(draft: Draft, settings: SettingsView): SettingsPatch {
  const patch: SettingsPatch = {};
  if (draft.commandSource !== settings.commandSource) patch.commandSource = draft.commandSource;
  const url = draft.supabaseUrl.trim() || null;
  if (url !== settings.supabaseUrl) patch.supabaseUrl = url;
  const workspaces = lines(draft.workspaceIds);
  if (workspaces.join('\n') !== settings.workspaceIds.join('\n')) patch.workspaceIds = workspaces;
  if (draft.supabaseKey.trim()) patch.supabaseKey = draft.supabaseKey.trim();
  if (settings.auth !== undefined && draft.auth !== settings.auth) patch.auth = draft.auth;
  const anonKey = draft.anonKey.trim() || null;
  if (settings.anonKey !== undefined && anonKey !== settings.anonKey) patch.anonKey = anonKey;
  const dirs = lines(draft.allowedDirectories);
  if (dirs.join('\n') !== settings.allowedDirectories.join('\n')) patch.allowedDirectories = dirs;
  if (draft.agentCommand.trim() && draft.agentCommand.trim() !== settings.agentCommand) patch.agentCommand = draft.agentCommand.trim();
  if (settings.launchAtLogin.supported && draft.launchAtLogin !== settings.launchAtLogin.enabled) patch.launchAtLogin = draft.launchAtLogin;
  return patch;
}

export function SettingsPanel({ client, connected, auth = null }: { client: UiClient; connected: boolean; auth?: AuthView | null }) {
  const [settings, setSettings] = useState<SettingsView | null>(null);
  const [draft, setDraft] = useState<Draft | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);

  useEffect(() => {
    if (!connected) return;
    let current = true;
    client.getSettings().then(
      (value) => {
        if (!current) return;
        setSettings(value);
        setDraft(draftOf(value));
        setError(null);
      },
      (e: unknown) => current && setError(`Could not load the settings: ${errorMessage(e)}`),
    );
    return () => {
      current = false;
    };
  }, [client, connected]);

  if (!settings || !draft) {
    return (
      <div className={error ? 'error-box' : 'empty-state'} role={error ? 'alert' : undefined}>
        {error ?? 'Loading settings…'}
      </div>
    );
  }

  const show = (next: SettingsView, message: string): void => {
    setSettings(next);
    setDraft(draftOf(next));
    setSaved(message);
  };

  const update = (change: Partial<Draft>) => {
    setSaved(null);
    setDraft({ ...draft, ...change });
  };
  const patch = patchOf(draft, settings);
  // A person's account (the Mac default) or a project key (servers): only the fields of the one in use.
  const usesSession = draft.auth === 'session' || (draft.auth === 'auto' && settings.effectiveAuth === 'session');
  const dirty = Object.keys(patch).length > 0;

  const save = async (event: FormEvent) => {
    event.preventDefault();
    setSaving(true);
    setError(null);
    try {
      show(await client.updateSettings(patch), 'Saved.');
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setSaving(false);
    }
  };

  return (
    <form className="settings" onSubmit={save} aria-label="Settings" data-testid="settings-form">
      <p className="small muted">
        Stored in <code>{settings.configPath}</code>.
      </p>
      <label className="row">
        <span>Command source</span>
        <select value={draft.commandSource} onChange={(e) => update({ commandSource: e.target.value as Draft['commandSource'] })}>
          <option value="local">Local queue (this machine only)</option>
          <option value="supabase">Mentu (Supabase)</option>
        </select>
      </label>
      <fieldset>
        <legend>Supabase {draft.commandSource !== 'supabase' && <span className="small muted">(used when the command source is Mentu)</span>}</legend>
        <label className="row">
          <span>Project URL</span>
          <input type="url" value={draft.supabaseUrl} placeholder="https://xyz.supabase.co" onChange={(e) => update({ supabaseUrl: e.target.value })} />
        </label>
        <label className="row">
          <span>Sign in with</span>
          <select value={draft.auth} onChange={(e) => update({ auth: e.target.value as Draft['auth'] })} data-testid="auth-mode">
            <option value="session">Your Mentu account (recommended on a Mac)</option>
            <option value="service_role">A service-role key (servers)</option>
            <option value="auto">Automatic (account on a Mac, key elsewhere){settings.effectiveAuth ? ` — here: ${settings.effectiveAuth === 'session' ? 'account' : 'key'}` : ''}</option>
          </select>
        </label>
        <label className="row">
          <span>Anon key (public)</span>
          <input type="text" spellCheck={false} value={draft.anonKey} placeholder="The project's anon / publishable key" onChange={(e) => update({ anonKey: e.target.value })} />
        </label>
        {usesSession && <SignInSection client={client} auth={auth} connected={connected} onSaved={show} />}
        <label className="row">
          <span>Workspace ids (one per line)</span>
          <textarea rows={2} value={draft.workspaceIds} onChange={(e) => update({ workspaceIds: e.target.value })} />
        </label>
        {!usesSession && (
        <label className="row">
          <span>
            Service key{' '}
            <span className={`tag ${settings.supabaseKeyStored ? '' : 'tag-warn'}`} data-testid="key-status">
              {settings.supabaseKeyStored ? 'stored' : 'not stored'}
            </span>
          </span>
          <input
            type="password"
            autoComplete="off"
            spellCheck={false}
            value={draft.supabaseKey}
            placeholder={settings.supabaseKeyStored ? 'Type a new key to replace the stored one' : 'Paste the key; it is never shown again'}
            onChange={(e) => update({ supabaseKey: e.target.value })}
          />
        </label>
        )}
      </fieldset>
      <label className="row">
        <span>Allowed directories (one per line)</span>
        <textarea rows={3} value={draft.allowedDirectories} onChange={(e) => update({ allowedDirectories: e.target.value })} />
      </label>
      <label className="row">
        <span>Agent command ({settings.agentName})</span>
        <input type="text" value={draft.agentCommand} onChange={(e) => update({ agentCommand: e.target.value })} />
      </label>
      <p className="small" data-testid="agent-status">
        {settings.agentProblem ? (
          <span className="exit-bad">{settings.agentProblem}</span>
        ) : (
          <>
            Found at <code>{settings.agentResolvedPath ?? '?'}</code>
            {settings.agentVersion ? ` · ${settings.agentVersion}` : ''}
          </>
        )}
      </p>
      <label className="check">
        <input
          type="checkbox"
          checked={draft.launchAtLogin}
          disabled={!settings.launchAtLogin.supported}
          onChange={(e) => update({ launchAtLogin: e.target.checked })}
        />
        <span>
          Launch at login
          {!settings.launchAtLogin.supported && <span className="small muted"> (not available here{settings.launchAtLogin.status ? `: ${settings.launchAtLogin.status}` : ''})</span>}
        </span>
      </label>
      <LoginItemStatus view={settings.launchAtLogin} shell={client.shell} />
      {error && (
        <p className="error-box" role="alert">
          {error}
        </p>
      )}
      <div className="dialog-actions">
        <span className="small muted" role="status">
          {saved}
        </span>
        <button type="button" disabled={!dirty || saving} onClick={() => setDraft(draftOf(settings))}>
          Revert
        </button>
        <button type="submit" className="primary" disabled={!dirty || saving || !connected}>
          {saving ? 'Saving…' : 'Save'}
        </button>
      </div>
    </form>
  );
}
