import type { BeaconSnapshot } from './types.js';

/**
 * The two things a person should know after editing beacon.yaml, in the same words in the tray, the
 * window and the dashboard: settings that wait for a restart, and an edit that could not be applied.
 */
export interface ConfigNotices {
  restart: string | null;
  invalid: string | null;
}

/** No snapshot yet (the window before the first state, the tray at start): nothing to say. */
export function configNotices(snapshot: Pick<BeaconSnapshot, 'restartNeeded' | 'configError'> | null): ConfigNotices {
  const waiting = snapshot?.restartNeeded ?? [];
  return {
    restart: waiting.length ? `Restart Beacon to use the new ${waiting.join(', ')} (changed in beacon.yaml; it runs with the old value until then).` : null,
    invalid: snapshot?.configError ? `Your last edit of beacon.yaml was not applied: ${snapshot.configError}` : null,
  };
}
