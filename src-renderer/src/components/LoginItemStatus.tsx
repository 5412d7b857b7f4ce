import { useState } from 'react';
import type { LaunchAtLoginView } from '../../../src-main/core/contract/types.js';
import type { UiClient } from '../transport/index.js';
import { errorMessage } from '../format.js';

/**
 * What macOS says about the login item, under the Launch at login checkbox: waiting for approval, not found,
 * or an app outside /Applications, with the action that fixes it (only in the app: the dashboard has no shell).
 */
export function LoginItemStatus({ view, shell }: { view: LaunchAtLoginView; shell: UiClient['shell'] }) {
  const [problem, setProblem] = useState<string | null>(null);
  if (!view.detail) return null;
  const run = (action: (() => Promise<void>) | undefined) => () => {
    setProblem(null);
    action?.().catch((error: unknown) => setProblem(errorMessage(error)));
  };
  return (
    <div className="small" data-testid="login-item-status">
      <p className="muted">{view.detail}</p>
      {shell?.openLoginItemsSettings && view.offerLoginItemsSettings && (
        <button type="button" onClick={run(shell.openLoginItemsSettings)}>
          Open Login Items Settings…
        </button>
      )}
      {shell?.moveToApplications && view.offerMoveToApplications && (
        <button type="button" onClick={run(shell.moveToApplications)}>
          Move to Applications…
        </button>
      )}
      {problem && (
        <p className="error-box" role="alert">
          {problem}
        </p>
      )}
    </div>
  );
}
