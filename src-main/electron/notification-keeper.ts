import type { CommandNotice } from './notifications.js';

/**
 * Holds each shown notification until it is clicked or closed. Electron's Notification is a JS object: once
 * nothing refers to it, it can be garbage-collected and its click handler with it, so a click from
 * Notification Center would do nothing. A click opens the command the notification is about.
 */
export interface NotificationLike {
  on(event: 'click' | 'close' | 'failed', listener: (...args: unknown[]) => void): unknown;
  show(): void;
}

export interface NotificationKeeperOptions<N extends NotificationLike> {
  create(notice: CommandNotice): N;
  /** Show Beacon with this command open (null: a notice about no command, e.g. the sign-in). */
  open(commandId: string | null): void;
  onFailed?(notice: CommandNotice, error: unknown): void;
  /** Notifications held at most (the oldest is let go first; macOS keeps far fewer on screen). */
  max?: number;
}

export interface NotificationKeeper {
  show(notice: CommandNotice): void;
  /** How many are held now. */
  held(): number;
}

export function createNotificationKeeper<N extends NotificationLike>(options: NotificationKeeperOptions<N>): NotificationKeeper {
  const max = options.max ?? 50;
  const held = new Set<N>();
  return {
    show(notice) {
      const notification = options.create(notice);
      held.add(notification);
      notification.on('click', () => {
        held.delete(notification);
        options.open(notice.commandId);
      });
      notification.on('close', () => void held.delete(notification));
      notification.on('failed', (_event, error) => {
        held.delete(notification);
        options.onFailed?.(notice, error);
      });
      while (held.size > max) held.delete(held.values().next().value as N);
      notification.show();
    },
    held: () => held.size,
  };
}
