import { ApiRequestError, dispatchAction } from '../core/api/dispatch.js';
import { BEACON_ACTION_NAMES, type BeaconActions } from '../core/contract/types.js';
import type { Logger } from '../core/logger.js';
import { actionChannel, SHELL_CHANNELS, type IpcReply, type ShellActionName } from './ipc-channels.js';

/**
 * The main-process side of the preload bridge. Every handler first checks that the request comes from
 * our own window showing our own renderer, then validates the arguments with the dispatcher every
 * transport shares. Nothing reaches the core otherwise.
 */

/** The parts of an IpcMainInvokeEvent the checks read (a structural subset, so tests need no Electron). */
export interface IpcSenderEvent {
  sender: { id: number };
  senderFrame: { url: string } | null;
}

/** The parts of ipcMain used here. */
export interface IpcMainLike {
  handle(channel: string, listener: (event: IpcSenderEvent, ...args: unknown[]) => Promise<IpcReply>): void;
  removeHandler(channel: string): void;
}

export interface SenderTrust {
  /** The URL our renderer is loaded from (file:// …/out/renderer/index.html, or the dev server). */
  rendererUrl: string;
  /** Ids of the webContents of our own windows, right now. */
  ownWebContentsIds(): Iterable<number>;
}

/** Our renderer: same file for file:// URLs (query and hash ignored), same origin for http(s). */
export function isOurRendererUrl(url: string | null | undefined, rendererUrl: string): boolean {
  if (!url) return false;
  let candidate: URL;
  let ours: URL;
  try {
    candidate = new URL(url);
    ours = new URL(rendererUrl);
  } catch {
    return false;
  }
  if (ours.protocol === 'file:') return candidate.protocol === 'file:' && candidate.host === ours.host && candidate.pathname === ours.pathname;
  return candidate.origin === ours.origin;
}

export function senderProblem(event: IpcSenderEvent, trust: SenderTrust): string | null {
  if (![...trust.ownWebContentsIds()].includes(event.sender.id)) return 'the request did not come from a Beacon window';
  if (!isOurRendererUrl(event.senderFrame?.url, trust.rendererUrl)) return 'the request came from a page that is not Beacon';
  return null;
}

export interface ShellActions {
  detachWindow(): Promise<void>;
  openLogsFolder(): Promise<void>;
  /** System Settings → General → Login Items (to approve launch at login). */
  openLoginItemsSettings(): Promise<void>;
  /** Move the app to /Applications (macOS relaunches it from there). */
  moveToApplications(): Promise<void>;
}

export interface IpcHandlerOptions {
  ipcMain: IpcMainLike;
  actions: BeaconActions;
  shell: ShellActions;
  trust: SenderTrust;
  logger: Logger;
}

/** Register one handler per Beacon action plus the shell actions; returns the channels (and a way to remove them). */
export function registerIpcHandlers(options: IpcHandlerOptions): { channels: string[]; dispose(): void } {
  const { ipcMain, actions, shell, trust, logger } = options;
  const channels: string[] = [];

  const guarded = (channel: string, run: (args: unknown) => Promise<unknown>): void => {
    ipcMain.handle(channel, async (event, args) => {
      const problem = senderProblem(event, trust);
      if (problem) {
        logger.warn('refused an IPC request', { channel, problem, url: event.senderFrame?.url ?? null });
        return { ok: false, error: `Refused: ${problem}` };
      }
      try {
        return { ok: true, value: await run(args) };
      } catch (error) {
        if (!(error instanceof ApiRequestError)) logger.error('IPC action failed', { channel, error });
        return { ok: false, error: error instanceof Error ? error.message : String(error) };
      }
    });
    channels.push(channel);
  };

  for (const name of BEACON_ACTION_NAMES) {
    guarded(actionChannel(name), (args) => dispatchAction(actions, name, args, { surface: 'tray' }));
  }
  for (const [name, channel] of Object.entries(SHELL_CHANNELS) as [ShellActionName, string][]) {
    guarded(channel, async (args) => {
      if (args !== undefined && !(Array.isArray(args) && args.length === 0)) {
        throw new ApiRequestError('bad_arguments', `Invalid arguments for ${name}: expected none`);
      }
      await shell[name]();
      return null;
    });
  }
  return {
    channels,
    dispose: () => channels.forEach((channel) => ipcMain.removeHandler(channel)),
  };
}
