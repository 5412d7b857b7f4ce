import { useEffect, useState, type FormEvent } from 'react';
import type { EnqueueOptions, EnqueueRequest } from '../../../src-main/core/contract/types.js';
import type { UiClient } from '../transport/index.js';
import { errorMessage } from '../format.js';

interface NewCommandFormProps {
  client: UiClient;
  connected: boolean;
  onQueued(commandId: string, message: string): void;
  onClose(): void;
}

interface Draft {
  prompt: string;
  directory: string;
  agent: string;
  timeoutMinutes: string;
  target: string;
}

/**
 * Queue a command from the window. The core checks it exactly as `beacon enqueue` does (directory inside
 * the allowed folders, known agent, timeout) and says why when it refuses; nothing is queued then.
 */
export function NewCommandForm({ client, connected, onQueued, onClose }: NewCommandFormProps) {
  const [options, setOptions] = useState<EnqueueOptions | null>(null);
  const [draft, setDraft] = useState<Draft | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [sending, setSending] = useState(false);

  useEffect(() => {
    if (!connected || !client.getEnqueueOptions) return;
    let current = true;
    client.getEnqueueOptions().then(
      (value) => {
        if (!current) return;
        setOptions(value);
        setDraft(
          (previous) =>
            previous ?? { prompt: '', directory: value.recentDirectories[0] ?? value.allowedDirectories[0] ?? '', agent: value.defaultAgent, timeoutMinutes: '', target: '' },
        );
      },
      (e: unknown) => current && setError(`Could not load the choices: ${errorMessage(e)}`),
    );
    return () => {
      current = false;
    };
  }, [client, connected]);

  if (!options || !draft) {
    return (
      <section className="new-command" aria-label="New command" data-testid="new-command-form">
        <div className={error ? 'error-box' : 'empty-state'} role={error ? 'alert' : undefined}>
          {error ?? 'Loading…'}
        </div>
      </section>
    );
  }

  const update = (change: Partial<Draft>) => {
    setError(null);
    setDraft({ ...draft, ...change });
  };
  const folders = [...new Set([...options.recentDirectories, ...options.allowedDirectories])];
  const others = options.machines.filter((machine) => !machine.self);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const minutes = draft.timeoutMinutes.trim() ? Number(draft.timeoutMinutes) : null;
    if (minutes !== null && (!Number.isFinite(minutes) || minutes <= 0)) {
      setError('The timeout is a number of minutes above 0 (leave it empty for the default).');
      return;
    }
    const request: EnqueueRequest = {
      prompt: draft.prompt,
      workingDirectory: draft.directory.trim(),
      agent: draft.agent,
      timeoutSeconds: minutes === null ? null : Math.round(minutes * 60),
      targetMachineId: draft.target || null,
    };
    setSending(true);
    try {
      const result = await client.enqueue!(request);
      if (!result.ok || !result.commandId) setError(result.message);
      else onQueued(result.commandId, result.message);
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setSending(false);
    }
  };

  return (
    <form className="new-command" onSubmit={submit} aria-label="New command" data-testid="new-command-form">
      <div className="new-command-head">
        <h2>New command</h2>
        <button type="button" className="link-button" onClick={onClose} aria-label="Close the new command form">
          Close
        </button>
      </div>
      <label className="row">
        <span>Prompt</span>
        <textarea
          rows={4}
          required
          value={draft.prompt}
          placeholder="What should the agent do?"
          onChange={(e) => update({ prompt: e.target.value })}
          data-testid="new-command-prompt"
        />
      </label>
      <label className="row">
        <span>Directory</span>
        <input
          type="text"
          list="new-command-directories"
          spellCheck={false}
          value={draft.directory}
          onChange={(e) => update({ directory: e.target.value })}
          data-testid="new-command-directory"
        />
        <datalist id="new-command-directories">
          {folders.map((folder) => (
            <option key={folder} value={folder} />
          ))}
        </datalist>
        <span className="small muted hint">
          Inside {options.allowedDirectories.length ? options.allowedDirectories.join(', ') : 'no folder yet (Settings → Allowed directories)'}
        </span>
      </label>
      <div className="row-pair">
        <label className="row">
          <span>Agent</span>
          <select value={draft.agent} onChange={(e) => update({ agent: e.target.value })} data-testid="new-command-agent">
            {options.agents.map((agent) => (
              <option key={agent} value={agent}>
                {agent}
              </option>
            ))}
          </select>
        </label>
        <label className="row">
          <span>Timeout (minutes)</span>
          <input
            type="number"
            min={1}
            step="any"
            inputMode="decimal"
            value={draft.timeoutMinutes}
            placeholder={`${Math.round(options.defaultTimeoutSeconds / 60)} (default)`}
            onChange={(e) => update({ timeoutMinutes: e.target.value })}
            data-testid="new-command-timeout"
          />
        </label>
      </div>
      {options.sourceKind === 'supabase' && (
        <label className="row">
          <span>Machine</span>
          <select value={draft.target} onChange={(e) => update({ target: e.target.value })} data-testid="new-command-target">
            <option value="">Any machine of the workspace</option>
            <option value={options.machineId}>This machine ({options.machineId})</option>
            {others.map((machine) => (
              <option key={machine.id} value={machine.id}>
                {machine.name === machine.id ? machine.id : `${machine.name} (${machine.id})`}
              </option>
            ))}
          </select>
        </label>
      )}
      {error && (
        <p className="error-box long-text" role="alert" data-testid="new-command-error">
          {error}
        </p>
      )}
      <div className="dialog-actions">
        <button type="button" onClick={onClose}>
          Cancel
        </button>
        <button type="submit" className="primary" disabled={sending || !connected || !draft.prompt.trim() || !draft.directory.trim()} data-testid="new-command-submit">
          {sending ? 'Queueing…' : 'Queue command'}
        </button>
      </div>
    </form>
  );
}
