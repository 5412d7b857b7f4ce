import { hostname as osHostname } from 'node:os';

/**
 * The one actor string every executor write names (one executor per machine, docs/architecture.md). Genesis checks, MENTU_ACTOR
 * for agents and ledger captures all use this constant; nothing else spells it.
 */
export const ACTOR = 'agent:executor' as const;

/** Beacon's version, injected at build time; falls back to the package version under tests. */
declare const __BEACON_VERSION__: string | undefined;
export const VERSION: string =
  typeof __BEACON_VERSION__ === 'string' ? __BEACON_VERSION__ : (process.env.BEACON_VERSION ?? '0.1.0');

/** The machine's hostname; BEACON_HOSTNAME overrides it so tests can simulate a renamed machine. */
export function currentHostname(env: NodeJS.ProcessEnv = process.env): string {
  return env.BEACON_HOSTNAME?.trim() || osHostname();
}

/** `beacon-{hostname}`: lower-case, `.local` dropped, characters outside [a-z0-9-] become '-'. */
export function machineIdForHostname(hostname: string): string {
  const base = hostname.trim().toLowerCase().replace(/\.local$/, '');
  const cleaned = base.replace(/[^a-z0-9-]/g, '-');
  return `beacon-${cleaned || 'unknown'}`;
}
