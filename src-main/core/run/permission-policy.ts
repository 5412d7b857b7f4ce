import {
  DEFAULT_CLAUDE_PERMISSIONS,
  isClaudeCommand,
  optionValue,
  PERMISSION_MODES,
  permissionModeInArgs,
  type AgentProfile,
  type PermissionMode,
  type PermissionsConfig,
} from '../config/schema.js';

/**
 * The owner's permission policy for a claude agent (beacon.yaml agents.<name>.permissions) and what a queued
 * command may do to it: ask for a stricter mode or deny more tools, never loosen it. Pure: decided before any spawn.
 */
export interface PermissionPolicy {
  mode: PermissionMode;
  allow: readonly string[];
  deny: readonly string[];
  denyUnansweredAfterSeconds: number;
  sandbox: PermissionsConfig['sandbox'];
  /** Where the mode came from: permissions.mode, an older profile's args, the default, or the command (stricter). */
  modeFrom: 'permissions' | 'args' | 'default' | 'command';
}

/** Flags a command can never bring: each would loosen the policy or take answering away from Beacon. */
export const LOOSENING_FLAGS: readonly string[] = [
  '--dangerously-skip-permissions',
  '--allow-dangerously-skip-permissions',
  '--permission-prompt-tool',
  '--allowedTools',
  '--allowed-tools',
  '--settings',
];

/** The owner's policy; null for an agent that is not the claude CLI. */
export function ownerPolicy(profile: AgentProfile): PermissionPolicy | null {
  if (!isClaudeCommand(profile.command)) return null;
  const configured = profile.permissions;
  const base = configured ?? DEFAULT_CLAUDE_PERMISSIONS;
  const fromArgs = permissionModeInArgs(profile.args);
  const argsMode = fromArgs && isPermissionMode(fromArgs) ? fromArgs : null;
  const mode = configured?.mode ?? argsMode ?? 'default';
  return {
    mode,
    allow: base.allow,
    deny: base.deny,
    denyUnansweredAfterSeconds: base.deny_unanswered_after_seconds,
    sandbox: base.sandbox,
    modeFrom: configured?.mode ? 'permissions' : argsMode ? 'args' : 'default',
  };
}

export function isPermissionMode(value: string): value is PermissionMode {
  return (PERMISSION_MODES as readonly string[]).includes(value);
}

/** True when `requested` lets through no more than `owner` does (plan ⊂ default ⊂ acceptEdits ⊂ bypassPermissions). */
export function isAtLeastAsStrict(requested: PermissionMode, owner: PermissionMode): boolean {
  return PERMISSION_MODES.indexOf(requested) <= PERMISSION_MODES.indexOf(owner);
}

/** Why a command's flags would loosen the policy, or null. `--permission-mode` is judged by its value. */
export function permissionFlagRefusal(flags: readonly string[], policy: PermissionPolicy, agentName: string): string | null {
  const where = `agents.${agentName}.permissions in beacon.yaml`;
  for (const flag of flags) {
    const name = flag.includes('=') ? flag.slice(0, flag.indexOf('=')) : flag;
    if (LOOSENING_FLAGS.includes(name)) {
      return `Flag ${JSON.stringify(name)} refused: it would loosen this machine's permission policy (${where}); ` +
        'a command may only ask for a stricter one (--permission-mode plan, --disallowedTools)';
    }
  }
  const requested = optionValue(flags, '--permission-mode');
  if (requested === null) return flags.includes('--permission-mode') ? 'Flag "--permission-mode" needs a value' : null;
  if (!isPermissionMode(requested)) return `Flag "--permission-mode ${requested}" refused: expected one of ${PERMISSION_MODES.join(', ')}`;
  if (!isAtLeastAsStrict(requested, policy.mode)) {
    return `Flag "--permission-mode ${requested}" refused: this machine's policy is ${policy.mode} (${where}), ` +
      'and a command may only ask for a stricter mode';
  }
  return null;
}

/** The policy a command runs under: the owner's, made stricter by the command's --permission-mode if it asks. */
export function commandPolicy(policy: PermissionPolicy, flags: readonly string[]): PermissionPolicy {
  const requested = optionValue(flags, '--permission-mode');
  if (requested === null || !isPermissionMode(requested) || requested === policy.mode) return policy;
  return isAtLeastAsStrict(requested, policy.mode) ? { ...policy, mode: requested, modeFrom: 'command' } : policy;
}

/** args or flags without the permission-mode options Beacon sets itself (`--permission-mode X`, `--dangerously-skip-permissions`). */
export function withoutModeOptions(list: readonly string[]): string[] {
  const out: string[] = [];
  for (let index = 0; index < list.length; index++) {
    const arg = list[index] as string;
    if (arg === '--') {
      out.push(...list.slice(index));
      break;
    }
    if (arg === '--permission-mode') {
      index++; // its value
      continue;
    }
    if (arg.startsWith('--permission-mode=') || arg === '--dangerously-skip-permissions') continue;
    out.push(arg);
  }
  return out;
}
