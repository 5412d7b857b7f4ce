/**
 * What to do when a process of the app's own goes away. A window whose renderer crashed or was killed shows
 * nothing: Beacon replaces it with a fresh one (so the popover is never left blank), unless renderers keep
 * dying, in which case the window is dropped and made again at the user's next click rather than in a loop.
 * GPU and utility processes are Chromium's to restart; they are logged so a crash leaves a trace.
 */

/** Electron's RenderProcessGoneDetails / Details of 'child-process-gone', as far as they are read here. */
export interface ProcessGoneDetails {
  reason: string;
  exitCode: number;
  /** child-process-gone only: 'GPU', 'Utility', … */
  type?: string;
  serviceName?: string;
  name?: string;
}

export type RendererGoneDecision =
  | { action: 'ignore' }
  | { action: 'recreate'; message: string }
  /** Drop the window; it is created again when the user next opens Beacon. */
  | { action: 'wait-for-user'; message: string };

export interface RendererCrashPolicyOptions {
  /** Recreations allowed within `windowMs` before waiting for the user (default 3 in 60 s). */
  limit?: number;
  windowMs?: number;
  now?: () => number;
}

export interface RendererCrashPolicy {
  decide(window: string, details: ProcessGoneDetails): RendererGoneDecision;
}

export function createRendererCrashPolicy(options: RendererCrashPolicyOptions = {}): RendererCrashPolicy {
  const limit = options.limit ?? 3;
  const windowMs = options.windowMs ?? 60_000;
  const now = options.now ?? Date.now;
  let recent: number[] = [];
  return {
    decide(window, details) {
      // A renderer ends cleanly when its window closes: nothing went wrong.
      if (details.reason === 'clean-exit') return { action: 'ignore' };
      const at = now();
      recent = recent.filter((time) => at - time < windowMs);
      recent.push(at);
      const what = `The ${window} window's renderer is gone (${details.reason}, exit code ${details.exitCode})`;
      if (recent.length > limit) {
        return { action: 'wait-for-user', message: `${what}, ${recent.length} times within ${Math.round(windowMs / 1000)} s; it is opened again at the next click on the tray icon` };
      }
      return { action: 'recreate', message: `${what}; opening a new one` };
    },
  };
}

/** A log line for app.on('child-process-gone'); null for a process that simply finished. */
export function describeChildProcessGone(details: ProcessGoneDetails): { level: 'warn' | 'error'; message: string } | null {
  if (details.reason === 'clean-exit') return null;
  const name = [details.type ?? 'child', details.serviceName || details.name].filter(Boolean).join(' ');
  const level = details.reason === 'killed' ? 'warn' : 'error';
  return { level, message: `${name} process gone: ${details.reason} (exit code ${details.exitCode})` };
}
