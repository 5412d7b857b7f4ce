import type { Logger } from '../core/logger.js';
import type { Lifecycle } from './lifecycle.js';

/**
 * How the ways of quitting reach the lifecycle, with Electron's objects as small ports (tested in Node).
 *
 * macOS posts "will power off" for log out, restart and shut down; Electron emits powerMonitor 'shutdown'.
 * Calling preventDefault there tells Electron the app quits on its own, so the system's terminate request is
 * not turned into a cancellable before-quit (a cancelled one makes macOS report that Beacon interrupted the log
 * out). Beacon then runs the shutdown sequence: no dialog, done within a few seconds, app.exit.
 *
 * Every other quit (Cmd+Q, the app menu, the tray's Quit) arrives as before-quit: it is held while the quit
 * sequence runs (the sequence ends in app.exit, which does not come back here), and let through once stopped.
 */
export interface PreventableEvent {
  preventDefault(): void;
}
export interface QuitEventSources {
  app: { on(event: 'before-quit', listener: (event: PreventableEvent) => void): unknown };
  powerMonitor: { on(event: 'shutdown', listener: (event: PreventableEvent) => void): unknown };
}

export function routeQuitEvents(sources: QuitEventSources, lifecycle: Pick<Lifecycle, 'phase' | 'requestQuit' | 'requestShutdown' | 'shuttingDown'>, logger: Logger): void {
  const report = (what: string) => (error: unknown) => logger.error(`${what} failed`, { error });
  sources.powerMonitor.on('shutdown', (event) => {
    event.preventDefault();
    lifecycle.requestShutdown().catch(report('the shutdown sequence'));
  });
  sources.app.on('before-quit', (event) => {
    if (lifecycle.phase().name === 'stopped') return;
    event.preventDefault();
    if (!lifecycle.shuttingDown()) lifecycle.requestQuit().catch(report('the quit sequence'));
  });
}
