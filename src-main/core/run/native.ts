import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';

/**
 * Beacon's one native helper (native/beacon_native.c, built by `npm install` through scripts/postinstall.mjs),
 * for the two things Node cannot do: mark inherited descriptors close-on-exec (node-pty's forkpty returns
 * the pty master inheritable, so on Linux every later agent would hold every earlier agent's terminal), and
 * name the process on the other end of the control socket. Where it is missing Beacon still runs: it says so
 * once, and docs/reliability.md states what then no longer holds.
 */
interface NativeHelper {
  markCloseOnExecFrom(fd: number): void;
  peerPid(fd: number): number;
  pathOf?(fd: number): string | null;
}

export type NativeStatus = { ok: true; path: string } | { ok: false; reason: string };

const FILE = join('native', 'build', 'Release', 'beacon_native.node');

let loaded: { helper: NativeHelper | null; status: NativeStatus } | null = null;

/** The package root: the folder above this module's (src-main/core/run, or dist-cli for the bundle). */
function candidates(): string[] {
  if (process.env.BEACON_NATIVE_HELPER) return [process.env.BEACON_NATIVE_HELPER];
  const here = typeof __dirname === 'string' ? __dirname : process.cwd();
  const roots = [resolve(here, '..'), resolve(here, '..', '..', '..'), process.cwd()];
  return roots.map((root) => join(root, FILE));
}

function load(): { helper: NativeHelper | null; status: NativeStatus } {
  if (loaded) return loaded;
  const found = candidates().find((path) => existsSync(path));
  if (!found) {
    loaded = { helper: null, status: { ok: false, reason: `${FILE} is not built (npm install builds it; it needs a C compiler)` } };
    return loaded;
  }
  try {
    const helper = createRequire(join(dirname(found), 'loader.js'))(found) as NativeHelper;
    loaded = { helper, status: { ok: true, path: found } };
  } catch (error) {
    loaded = { helper: null, status: { ok: false, reason: `${found} cannot be loaded: ${(error as Error).message}` } };
  }
  return loaded;
}

export function nativeHelperStatus(): NativeStatus {
  return load().status;
}

/**
 * Every descriptor of this process from 3 up becomes close-on-exec: called before and after each agent is
 * spawned, so no agent (and nothing else Beacon starts) inherits another agent's terminal or anything
 * Beacon itself inherited. False when the helper is missing.
 */
export function markDescriptorsCloseOnExec(): boolean {
  const helper = load().helper;
  if (!helper) return false;
  helper.markCloseOnExecFrom(3);
  return true;
}

/** The pid of the process on the other end of a connected unix socket's descriptor; null where unknown. */
export function peerProcessId(fd: number): number | null {
  const helper = load().helper;
  if (!helper || !Number.isInteger(fd) || fd < 0) return null;
  const pid = helper.peerPid(fd);
  return pid > 0 ? pid : null;
}

/** Where an open descriptor is now (macOS F_GETPATH through the helper); null where the helper cannot say. */
export function nativePathOf(fd: number): string | null {
  return load().helper?.pathOf?.(fd) ?? null;
}
