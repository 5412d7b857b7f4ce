import type { BeaconActionName } from '../core/contract/types.js';

/**
 * IPC channel names shared by the main process (ipc.ts) and the sandboxed preload. Types-only imports:
 * the preload bundle must not pull in any package.
 */

export const ACTION_CHANNEL_PREFIX = 'beacon:action:';
export const actionChannel = (name: BeaconActionName): string => `${ACTION_CHANNEL_PREFIX}${name}`;

export const SHELL_CHANNELS = {
  detachWindow: 'beacon:shell:detachWindow',
  openLogsFolder: 'beacon:shell:openLogsFolder',
  openLoginItemsSettings: 'beacon:shell:openLoginItemsSettings',
  moveToApplications: 'beacon:shell:moveToApplications',
} as const;
export type ShellActionName = keyof typeof SHELL_CHANNELS;
export const SHELL_ACTION_NAMES = Object.keys(SHELL_CHANNELS) as ShellActionName[];

/** main → renderer: every BeaconEvent. */
export const EVENT_CHANNEL = 'beacon:event';
/** main → renderer: show this command (a notification was clicked). */
export const OPEN_COMMAND_CHANNEL = 'beacon:open-command';

/** Every reply crosses IPC in this envelope, so the renderer sees our message, not Electron's wrapper. */
export type IpcReply = { ok: true; value: unknown } | { ok: false; error: string };
