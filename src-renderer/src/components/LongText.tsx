import { useState } from 'react';

/** Text that may be very long (an error naming a PATH, a stack of reasons): wraps anywhere, and above a few lines shows its start with "Show all". */
const CLAMP_CHARS = 280;

export function LongText({ text, className, testId }: { text: string; className?: string; testId?: string }) {
  const [open, setOpen] = useState(false);
  const long = text.length > CLAMP_CHARS;
  return (
    <div className={`long-text ${className ?? ''} ${long && !open ? 'clamped' : ''}`} role="alert" data-testid={testId}>
      <span className="long-text-body">{text}</span>
      {long && (
        <button type="button" className="link-button" onClick={() => setOpen(!open)} aria-expanded={open}>
          {open ? 'Show less' : 'Show all'}
        </button>
      )}
    </div>
  );
}
