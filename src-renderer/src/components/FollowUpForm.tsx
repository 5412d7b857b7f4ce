import { useState } from 'react';

interface FollowUpFormProps {
  busy: boolean;
  /** Queues the follow-up; resolves once the request was answered (its outcome is shown as a notice). */
  onSend(prompt: string): Promise<void>;
  onClose(): void;
}

/** A new prompt for a finished command's session: the agent continues it with --resume, in the same directory. */
export function FollowUpForm({ busy, onSend, onClose }: FollowUpFormProps) {
  const [prompt, setPrompt] = useState('');
  const empty = !prompt.trim();
  return (
    <form
      className="follow-up"
      data-testid="follow-up-form"
      onSubmit={(event) => {
        event.preventDefault();
        if (!empty) void onSend(prompt).then(onClose);
      }}
    >
      <label className="small muted" htmlFor="follow-up-prompt">
        Continue this session (same directory, the agent keeps its context)
      </label>
      <textarea id="follow-up-prompt" rows={3} value={prompt} autoFocus onChange={(e) => setPrompt(e.target.value)} data-testid="follow-up-input" />
      <div className="detail-head">
        <button type="submit" disabled={busy || empty} data-testid="follow-up-send">
          Send follow-up
        </button>
        <button type="button" className="link-button" onClick={onClose}>
          Close
        </button>
      </div>
    </form>
  );
}
