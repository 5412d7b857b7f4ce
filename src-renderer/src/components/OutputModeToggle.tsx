import type { OutputMode } from '../output/output-mode.js';

interface OutputModeToggleProps {
  mode: OutputMode;
  onChange(mode: OutputMode): void;
}

const MODES: { mode: OutputMode; label: string; title: string }[] = [
  { mode: 'readable', label: 'Readable', title: "Show the agent's JSON events as readable text" },
  { mode: 'raw', label: 'Raw', title: 'Show the output exactly as the agent wrote it' },
];

/** Readable / Raw switch for the terminal: two toggle buttons, reachable with Tab, pressed state announced. */
export function OutputModeToggle({ mode, onChange }: OutputModeToggleProps) {
  return (
    <div className="output-mode" role="group" aria-label="Output format" data-testid="output-mode">
      {MODES.map((option) => (
        <button
          key={option.mode}
          type="button"
          aria-pressed={mode === option.mode}
          title={option.title}
          data-testid={`output-mode-${option.mode}`}
          onClick={() => onChange(option.mode)}
        >
          {option.label}
        </button>
      ))}
    </div>
  );
}
