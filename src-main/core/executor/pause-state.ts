import { readFileSync } from 'node:fs';
import { jsonText, writeFileAtomicSync } from '../fs/atomic-write.js';

/**
 * The executor's persisted state (paths.state): the pause flag survives restarts, and `beacon pause`
 * writes it directly when no executor runs. Unknown keys written by others are kept.
 */
interface PersistedState {
  paused?: boolean;
  [key: string]: unknown;
}

export function readPaused(file: string): boolean {
  return readState(file).paused === true;
}

export function writePaused(file: string, paused: boolean): void {
  const state = { ...readState(file), paused };
  writeFileAtomicSync(file, jsonText(state), { mode: 0o600, parentMode: 0o700 });
}

function readState(file: string): PersistedState {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return {};
  }
  try {
    const parsed: unknown = JSON.parse(text);
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as PersistedState) : {};
  } catch {
    return {}; // a damaged state file must not stop the executor; the next write repairs it
  }
}
