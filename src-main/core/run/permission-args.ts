import { realpathSync } from 'node:fs';
import type { AgentProfile } from '../config/schema.js';
import { commandPolicy, ownerPolicy, withoutModeOptions, type PermissionPolicy } from './permission-policy.js';
import type { SandboxSupport } from './sandbox.js';

/**
 * The options that put a claude run under the owner's permission policy: its mode, its rules plus Beacon's own
 * (the agent's file tools may not read or change MENTU_HOME), the CLI's sandbox for Bash, and Beacon's permission
 * server as the CLI's --permission-prompt-tool, so every tool use the rules do not settle is asked of a person.
 */

/** The MCP server name and tool the CLI calls: --permission-prompt-tool mcp__beacon__permission_prompt. */
export const PERMISSION_SERVER_NAME = 'beacon';
export const PERMISSION_TOOL_NAME = 'permission_prompt';
export const PERMISSION_PROMPT_TOOL = `mcp__${PERMISSION_SERVER_NAME}__${PERMISSION_TOOL_NAME}`;

/** How the CLI starts Beacon's permission server: this Beacon's own program with the `permission-server` subcommand. */
export interface PermissionServerCommand {
  command: string;
  args: string[];
}

export interface PermissionArgsContext {
  /** MENTU_HOME: the agent's file tools and its sandboxed Bash may neither read nor change it. */
  mentuHome: string;
  /** null: no permission server (a shell that cannot start one); the CLI then refuses what would be asked. */
  server: PermissionServerCommand | null;
  /** Variables of the server's process: where to ask and the run's ticket. */
  serverEnv: Record<string, string>;
  sandbox: SandboxSupport;
}

export interface PermissionInvocation {
  /** The profile without the permission options Beacon now sets itself. */
  profile: AgentProfile;
  /** The command's flags without --permission-mode (its stricter wish is in `policy`). */
  flags: string[];
  /** Beacon's own options, placed after the profile's and before the command's. */
  args: string[];
  policy: PermissionPolicy;
  sandboxed: boolean;
  /** Requests the rules do not settle reach Beacon (false in plan and bypassPermissions, or without a server). */
  asks: boolean;
  /** Why the sandbox is off where the owner asked for auto, or null. */
  sandboxNote: string | null;
}

/** null for an agent that is not the claude CLI: it gets exactly its profile and flags. */
export function permissionInvocation(profile: AgentProfile, flags: readonly string[], context: PermissionArgsContext): PermissionInvocation | null {
  const owner = ownerPolicy(profile);
  if (!owner) return null;
  const policy = commandPolicy(owner, flags);
  const sandboxed = policy.sandbox === 'on' || (policy.sandbox === 'auto' && context.sandbox.available);
  const sandboxNote = policy.sandbox === 'auto' && !context.sandbox.available ? `the CLI's sandbox is off: ${context.sandbox.detail}` : null;
  // plan runs nothing (the CLI refuses every change on its own); bypassPermissions asks nothing.
  const asks = !!context.server && (policy.mode === 'default' || policy.mode === 'acceptEdits');
  const args = ['--permission-mode', policy.mode, '--settings', JSON.stringify(claudeSettings(policy, context.mentuHome, sandboxed))];
  if (asks && context.server) {
    const server = {
      type: 'stdio',
      command: context.server.command,
      args: context.server.args,
      env: context.serverEnv,
      // The CLI's own limit on one call: longer than Beacon's wait, so Beacon's answer (or its denial) always comes first.
      timeout: (policy.denyUnansweredAfterSeconds + 60) * 1000,
    };
    args.push('--mcp-config', JSON.stringify({ mcpServers: { [PERMISSION_SERVER_NAME]: server } }), '--permission-prompt-tool', PERMISSION_PROMPT_TOOL);
  }
  return {
    profile: { ...profile, args: withoutModeOptions(profile.args) },
    flags: withoutModeOptions(flags),
    args,
    policy,
    sandboxed,
    asks,
    sandboxNote,
  };
}

/** The --settings JSON: the owner's rules, Beacon's own deny rules, and the sandbox when it is on. */
export function claudeSettings(policy: PermissionPolicy, mentuHome: string, sandboxed: boolean): Record<string, unknown> {
  const homes = [...new Set([mentuHome, realOrSame(mentuHome)])];
  // "//abs/path" is the CLI's syntax for an absolute path; Edit rules cover every tool that writes files.
  const own = homes.flatMap((home) => [`Read(/${home}/**)`, `Edit(/${home}/**)`]);
  const settings: Record<string, unknown> = { permissions: { allow: [...policy.allow], deny: [...policy.deny, ...own] } };
  if (sandboxed) {
    settings.sandbox = {
      enabled: true,
      // Required, not best effort: with `on`, or once `auto` found it can run, a CLI that cannot start it stops.
      failIfUnavailable: true,
      // A sandboxed Bash is still asked: the person sees every command (the sandbox is a second wall, not the first).
      autoAllowBashIfSandboxed: false,
      // The model cannot ask to leave the sandbox for one command.
      allowUnsandboxedCommands: false,
      filesystem: { denyRead: homes, denyWrite: homes },
    };
  }
  return settings;
}

function realOrSame(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}
