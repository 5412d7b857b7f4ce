import { DEFAULT_CLAUDE_ALLOWED_FLAGS, isClaudeCommand, type AgentProfile } from '../config/schema.js';
import { ownerPolicy, permissionFlagRefusal } from './permission-policy.js';

export { DEFAULT_CLAUDE_ALLOWED_FLAGS };

/**
 * The owner's policy over the flags a command brings (Mentu's `flags` column, `beacon enqueue --flag`): each
 * option must be on the agent profile's `allowed_flags`, or, when the profile sets none, on the documented
 * default (for claude: DEFAULT_CLAUDE_ALLOWED_FLAGS in config/schema.ts; for any other agent: none). For claude the
 * permission policy comes first (permission-policy.ts): a stricter --permission-mode passes, anything that would
 * loosen the policy is refused even when listed. Decided before any spawn.
 */

/** A profile that runs the Claude Code CLI (by the command's file name). */
export function isClaudeProfile(profile: Pick<AgentProfile, 'command'>): boolean {
  return isClaudeCommand(profile.command);
}

export function allowedFlagsOf(profile: AgentProfile): readonly string[] {
  if (profile.allowed_flags) return profile.allowed_flags;
  return isClaudeProfile(profile) ? DEFAULT_CLAUDE_ALLOWED_FLAGS : [];
}

export type FlagsDecision = { ok: true } | { ok: false; reason: string };

/**
 * Every element that starts with "-" is an option and must be allowed (by its name, before any "="); the others
 * are values of the option before them. `--` is refused outright: Beacon places it itself, right before the prompt.
 */
export function checkCommandFlags(flags: readonly string[], profile: AgentProfile, agentName: string): FlagsDecision {
  if (!flags.length) return { ok: true };
  const policy = ownerPolicy(profile);
  const allowed = new Set(allowedFlagsOf(profile));
  // Judged by the permission policy below (a stricter mode passes), whatever allowed_flags says.
  if (policy) allowed.add('--permission-mode');
  const where = `agents.${agentName}.allowed_flags in beacon.yaml`;
  const refused: string[] = [];
  for (const [index, flag] of flags.entries()) {
    if (flag.includes('\u0000')) return { ok: false, reason: `Flag ${index + 1} contains a NUL byte, which no program can receive as an argument` };
    if (flag === '--') {
      return { ok: false, reason: 'Flags may not contain "--": Beacon puts it before the prompt itself, so the prompt is never read as an option' };
    }
    if (!flag.startsWith('-') || flag === '-') {
      if (index === 0) {
        return { ok: false, reason: `Flags must start with an option, not the value ${JSON.stringify(flag)} (a loose argument would be read as the prompt)` };
      }
      continue;
    }
    const name = flag.includes('=') ? flag.slice(0, flag.indexOf('=')) : flag;
    if (!allowed.has(name) && !refused.includes(name)) refused.push(name);
  }
  // The permission policy: what would loosen it is refused even when listed in allowed_flags.
  const loosening = policy ? permissionFlagRefusal(flags, policy, agentName) : null;
  if (loosening) return { ok: false, reason: loosening };
  if (!refused.length) return { ok: true };
  const list = refused.map((name) => JSON.stringify(name)).join(', ');
  const allowedText = allowed.size ? `allowed for agent "${agentName}": ${[...allowed].join(' ')}` : `agent "${agentName}" accepts no flags from the queue`;
  return {
    ok: false,
    reason: `Flag${refused.length > 1 ? 's' : ''} ${list} refused by this machine's policy (${allowedText}); the owner can allow more under ${where}`,
  };
}
