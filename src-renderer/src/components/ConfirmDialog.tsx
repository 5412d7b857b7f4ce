import { useEffect, useRef } from 'react';

interface ConfirmDialogProps {
  title: string;
  body: string;
  confirmLabel: string;
  /** Label of the button that closes without acting (default "Keep it"). */
  cancelLabel?: string;
  /** Shown under the body, e.g. the exact shell command a confirmation runs. */
  detail?: React.ReactNode;
  danger?: boolean;
  onConfirm(): void;
  onCancel(): void;
}

/** An in-page modal (<dialog>): focus moves into it, Escape cancels, and the page behind is inert. */
export function ConfirmDialog({ title, body, confirmLabel, cancelLabel = 'Keep it', detail, danger, onConfirm, onCancel }: ConfirmDialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
    return () => dialog?.close();
  }, []);
  return (
    <dialog
      ref={ref}
      className="confirm-dialog"
      aria-labelledby="confirm-title"
      aria-describedby="confirm-body"
      data-testid="confirm-dialog"
      onCancel={(event) => {
        event.preventDefault();
        onCancel();
      }}
    >
      <h2 id="confirm-title">{title}</h2>
      <p id="confirm-body">{body}</p>
      {detail}
      <div className="dialog-actions">
        <button type="button" onClick={onCancel} autoFocus>
          {cancelLabel}
        </button>
        <button type="button" className={danger ? 'danger' : 'primary'} onClick={onConfirm} data-testid="confirm-ok">
          {confirmLabel}
        </button>
      </div>
    </dialog>
  );
}
