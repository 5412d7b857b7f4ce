import type { RunningCommandSummary } from './lifecycle.js';

/**
 * The question asked before quitting cancels running commands. A menu-bar app is usually not the active app,
 * so a dialog without a parent can open behind other windows (and claiming stays paused while nobody sees it):
 * the app is brought forward first, and the dialog is attached to the detached window when that is open.
 */
export interface QuitQuestion {
  type: 'warning';
  buttons: string[];
  defaultId: number;
  cancelId: number;
  message: string;
  detail: string;
}

const CANCEL_AND_QUIT = 0;
const KEEP_RUNNING = 1;

export function quitQuestion(running: RunningCommandSummary[]): QuitQuestion {
  const count = running.length === 1 ? '1 command is' : `${running.length} commands are`;
  const list = running.map((command) => `• ${command.prompt.replace(/\s+/g, ' ').slice(0, 80) || command.id}`).join('\n');
  return {
    type: 'warning',
    buttons: ['Cancel Commands and Quit', 'Keep Running'],
    defaultId: KEEP_RUNNING,
    cancelId: KEEP_RUNNING,
    message: `${count} still running`,
    detail: `Quitting cancels them (their agents are stopped and they are recorded as cancelled).\n\n${list}`,
  };
}

export interface QuitDialogPorts<W> {
  /** app.focus({ steal: true }): make Beacon the active app. */
  bringToFront(): void;
  /** A visible normal window to attach the dialog to, or null (the popover hides on blur: never it). */
  parentWindow(): W | null;
  showMessageBox(parent: W | null, question: QuitQuestion): Promise<{ response: number }>;
}

/** True when the user chose to cancel the commands and quit. */
export async function askToCancelAndQuit<W>(ports: QuitDialogPorts<W>, running: RunningCommandSummary[]): Promise<boolean> {
  ports.bringToFront();
  const { response } = await ports.showMessageBox(ports.parentWindow(), quitQuestion(running));
  return response === CANCEL_AND_QUIT;
}
