/**
 * The shutdown grace period: wait for running commands to end on their own, at most `ms`; a later
 * shorten() (a second SIGTERM/SIGINT, or a quit that cannot wait) ends the wait sooner, never later.
 */
export interface GracePeriod {
  wait(runs: Promise<void>[], ms: number): Promise<void>;
  shorten(ms: number): void;
}

export function createGracePeriod(): GracePeriod {
  let current: { endsAt: number; timer: NodeJS.Timeout; end: () => void } | null = null;
  let pendingLimit: number | null = null;

  return {
    wait: (runs, ms) =>
      new Promise<void>((resolve) => {
        const limit = pendingLimit !== null ? Math.min(ms, Math.max(0, pendingLimit - Date.now())) : ms;
        current = { endsAt: Date.now() + limit, timer: setTimeout(resolve, limit), end: resolve };
        void Promise.all(runs).then(() => resolve());
      }).finally(() => {
        if (current) clearTimeout(current.timer);
        current = null;
      }),
    shorten: (ms) => {
      const endsAt = Date.now() + ms;
      if (!current) {
        // Asked before the wait began: remember the limit for it.
        pendingLimit = pendingLimit === null ? endsAt : Math.min(pendingLimit, endsAt);
        return;
      }
      if (endsAt >= current.endsAt) return;
      clearTimeout(current.timer);
      current = { endsAt, timer: setTimeout(current.end, ms), end: current.end };
    },
  };
}
