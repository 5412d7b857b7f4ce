/**
 * Keeps the Mac awake while a command runs (released when none does), and tells the core to rejoin its
 * source after sleep or a network change. Electron's modules come in as small structural ports, so the
 * decisions are tested in Node.
 */
export interface PowerSaveBlockerLike {
  start(type: 'prevent-app-suspension'): number;
  stop(id: number): void;
}
export interface PowerMonitorLike {
  on(event: 'resume', listener: () => void): unknown;
}

export interface PowerKeeper {
  /** Call whenever the number of running commands may have changed. */
  setRunning(count: number): void;
  isBlocking(): boolean;
  dispose(): void;
}

export function createPowerKeeper(blocker: PowerSaveBlockerLike): PowerKeeper {
  let blockerId: number | null = null;
  const release = (): void => {
    if (blockerId !== null) blocker.stop(blockerId);
    blockerId = null;
  };
  return {
    setRunning(count) {
      if (count > 0 && blockerId === null) blockerId = blocker.start('prevent-app-suspension');
      else if (count === 0) release();
    },
    isBlocking: () => blockerId !== null,
    dispose: release,
  };
}

export interface ResubscribeWatchOptions {
  powerMonitor: PowerMonitorLike;
  /** Whether the network looks up, and a fingerprint of the interfaces (changes when the network does). */
  networkState(): { online: boolean; fingerprint: string };
  resubscribe(reason: string): void;
  /** How often the network is looked at (default 5 s). */
  intervalMs?: number;
  setInterval?: (fn: () => void, ms: number) => { unref?: () => void };
  clearInterval?: (handle: unknown) => void;
}

/** After wake from sleep, or when the network changes (and is up), ask the core to resubscribe and catch up. */
export function watchForResubscribe(options: ResubscribeWatchOptions): () => void {
  const every = options.setInterval ?? ((fn, ms) => setInterval(fn, ms));
  const stop = options.clearInterval ?? ((handle) => clearInterval(handle as NodeJS.Timeout));
  options.powerMonitor.on('resume', () => options.resubscribe('wake from sleep'));
  let last = options.networkState();
  const timer = every(() => {
    const now = options.networkState();
    const changed = now.online !== last.online || now.fingerprint !== last.fingerprint;
    last = now;
    if (changed && now.online) options.resubscribe('network change');
  }, options.intervalMs ?? 5000);
  timer.unref?.();
  return () => stop(timer);
}

/** A fingerprint of the machine's external addresses (os.networkInterfaces()). */
export function interfacesFingerprint(interfaces: NodeJS.Dict<{ address: string; internal: boolean }[]>): string {
  return Object.entries(interfaces)
    .flatMap(([name, addresses]) => (addresses ?? []).filter((a) => !a.internal).map((a) => `${name}=${a.address}`))
    .sort()
    .join(',');
}
