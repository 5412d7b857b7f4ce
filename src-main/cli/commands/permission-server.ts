import type { Command as Program } from 'commander';
import { realpathSync } from 'node:fs';
import { servePermissionRelay } from '../../core/approvals/permission-relay.js';
import { VERSION } from '../../core/identity.js';
import type { PermissionServerCommand } from '../../core/run/permission-args.js';

/**
 * `beacon permission-server`: Beacon's MCP permission server on stdin/stdout. Not for people: the claude CLI starts
 * it for each run (--mcp-config) and calls it for every tool use the owner's rules do not settle; it asks the
 * running executor, which waits for a person's answer (docs/permissions.md).
 */
export function registerPermissionServer(program: Program): void {
  program
    .command('permission-server', { hidden: true })
    .description("Beacon's permission server for the claude CLI (MCP over stdio; started by the CLI, not by hand)")
    .action(async () => {
      await servePermissionRelay(process.env, VERSION);
    });
}

/** How the agent's CLI starts this program's permission server: the same node, the same bundle. */
export function permissionServerCommand(): PermissionServerCommand {
  const script = process.argv[1] ? realpathSync(process.argv[1]) : '';
  return { command: process.execPath, args: [script, 'permission-server'] };
}
