import type { PermissionServerCommand } from '../core/run/permission-args.js';

/**
 * The app as Beacon's permission server. The packaged app cannot run scripts with node (its RunAsNode fuse is
 * off), so the claude CLI starts the app's own program with this switch; main.ts sees it before anything else
 * (no window, no single-instance lock) and serves the permission relay on stdin/stdout until the CLI closes it.
 */
export const PERMISSION_SERVER_SWITCH = '--beacon-permission-server';

export function isPermissionServerLaunch(argv: readonly string[]): boolean {
  return argv.includes(PERMISSION_SERVER_SWITCH);
}

/** The app's program (and, unpackaged, the app folder Electron needs), then the switch. */
export function appPermissionServerCommand(execPath: string, appPath: string, packaged: boolean): PermissionServerCommand {
  return { command: execPath, args: packaged ? [PERMISSION_SERVER_SWITCH] : [appPath, PERMISSION_SERVER_SWITCH] };
}
