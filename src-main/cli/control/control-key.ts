import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { writeFileAtomic } from '../../core/fs/atomic-write.js';
import type { MentuPaths } from '../../core/paths.js';

/**
 * The control key: a credential for what must not be reachable from an agent (settings changes, approvals,
 * and later the permission answers of issue 14). A new random key per executor start, in
 * $MENTU_HOME/control.key (0600); the CLI reads it and sends it with such calls. It is never in an agent's
 * environment. An agent's own tools can still read files of the same user unless the agent is sandboxed
 * out of ~/.mentu, so the control socket also refuses these calls from an agent's process tree
 * (core/run/process-tree.ts); docs/reliability.md states the boundary.
 */
export async function createControlKey(paths: MentuPaths): Promise<string> {
  const key = randomBytes(32).toString('hex');
  await writeFileAtomic(paths.controlKey, key + '\n', { mode: 0o600 });
  return key;
}

export function readControlKey(paths: MentuPaths): string | null {
  try {
    return readFileSync(paths.controlKey, 'utf8').trim() || null;
  } catch {
    return null;
  }
}

export function controlKeyMatches(expected: string, given: unknown): boolean {
  if (typeof given !== 'string' || given.length !== expected.length) return false;
  return timingSafeEqual(Buffer.from(given), Buffer.from(expected));
}
