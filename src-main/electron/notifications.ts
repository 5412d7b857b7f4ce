import type { BeaconSnapshot, CommandView } from '../core/contract/types.js';
import type { CommandStatus } from '../core/contract/command.js';

/**
 * Which finished commands deserve a native notification: a command this app saw active that is now
 * completed, failed, timed out or cancelled — once, and not while a Beacon window is in front. Also the
 * moment the sign-in stops working (auth_failed), once per time it happens, window or not: the user must act.
 * Pure, so it is tested without Electron; main.ts shows what this returns.
 */
export interface CommandNotice {
  /** The command to show on click; null for the sign-in notice (click shows the window). */
  commandId: string | null;
  title: string;
  body: string;
}

const FINISHED: Partial<Record<CommandStatus, string>> = {
  completed: 'Command completed',
  failed: 'Command failed',
  timeout: 'Command timed out',
  cancelled: 'Command cancelled',
};
/** Seen working (not merely pending), so a pending command someone cancels does not notify. */
const ACTIVE: CommandStatus[] = ['claimed', 'running', 'awaiting_approval', 'approved'];

export interface NotificationTracker {
  /** Feed every snapshot; returns the notices to show now. */
  update(snapshot: BeaconSnapshot, windowFocused: boolean): CommandNotice[];
}

export function createNotificationTracker(): NotificationTracker {
  /** Last status seen per command: only a transition seen live notifies (not history at start-up). */
  const lastStatus = new Map<string, CommandStatus>();
  /** Permission requests already announced (each notifies once, when first seen waiting). */
  const announced = new Set<string>();
  let lastConnection: BeaconSnapshot['source']['connection'] | null = null;
  return {
    update(snapshot, windowFocused) {
      const notices: CommandNotice[] = [];
      const connection = snapshot.source.connection;
      if (connection === 'auth_failed' && lastConnection !== 'auth_failed') {
        notices.push({ commandId: null, title: 'Beacon needs you to sign in again', body: snapshot.source.detail ?? 'The Mentu sign-in stopped working.' });
      }
      lastConnection = connection;
      const requests = snapshot.permissionRequests ?? [];
      for (const request of requests) {
        if (request.state !== 'pending' || announced.has(request.id)) continue;
        announced.add(request.id);
        // Clicking it opens the window on the command, where the request's banner waits for the answer.
        if (!windowFocused) notices.push({ commandId: request.commandId, title: `Permission requested: ${request.tool}`, body: truncate(request.summary, 160) });
      }
      const live = new Set(requests.map((request) => request.id));
      for (const id of announced) if (!live.has(id)) announced.delete(id);
      for (const command of snapshot.commands) {
        const before = lastStatus.get(command.id);
        lastStatus.set(command.id, command.status);
        const title = FINISHED[command.status];
        if (title && before && ACTIVE.includes(before) && !windowFocused) {
          notices.push({ commandId: command.id, title, body: describe(command) });
        }
      }
      // Forget commands that left the snapshot's window, so the map stays bounded.
      const present = new Set(snapshot.commands.map((command) => command.id));
      for (const id of lastStatus.keys()) if (!present.has(id)) lastStatus.delete(id);
      return notices;
    },
  };
}

function truncate(text: string, max: number): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

function describe(command: CommandView): string {
  const prompt = command.prompt.replace(/\s+/g, ' ').trim();
  const head = prompt.length > 80 ? `${prompt.slice(0, 79)}…` : prompt;
  const detail =
    command.status === 'failed'
      ? (command.errorMessage ?? (command.exitCode !== null ? `exit code ${command.exitCode}` : null))
      : command.status === 'completed' && command.summary?.durationMs
        ? `${Math.round(command.summary.durationMs / 1000)} s${command.summary.costUsd !== null ? `, $${command.summary.costUsd.toFixed(2)}` : ''}`
        : null;
  return detail ? `${head}\n${detail}` : head;
}
