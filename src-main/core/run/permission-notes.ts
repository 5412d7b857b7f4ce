import type { BeaconConfig } from '../config/schema.js';
import { ownerPolicy } from './permission-policy.js';
import { sandboxSupport, type SandboxSupport } from './sandbox.js';

/**
 * What the owner must know about the permission policy of each claude agent, for `beacon doctor`, the executor's
 * start, the tray and the window: a bypassPermissions agent (nothing is asked: loudly), a sandbox that cannot run
 * (the agent's Bash can then reach ~/.mentu and the user's files), and bypass as root, which the CLI refuses unless
 * IS_SANDBOX=1 is in its environment (Beacon never sets it for the owner).
 */
export interface PermissionNote {
  agent: string;
  level: 'warning' | 'problem';
  detail: string;
  fix: string;
}

export interface PermissionNoteContext {
  configPath: string;
  agentEnv: Record<string, string>;
  sandbox: SandboxSupport;
  /** The effective user id (0: root); null where there is none. */
  uid: number | null;
}

export function permissionNotes(config: BeaconConfig, context: PermissionNoteContext): PermissionNote[] {
  const notes: PermissionNote[] = [];
  for (const [agent, profile] of Object.entries(config.agents)) {
    const policy = ownerPolicy(profile);
    if (!policy) continue;
    const key = `agents.${agent}.permissions`;
    if (policy.mode === 'bypassPermissions') {
      notes.push({
        agent,
        level: 'warning',
        detail: `Agent "${agent}" runs with bypassPermissions: NOTHING IS ASKED. It may do anything you can on this machine (delete files, push code, read secrets)${policy.modeFrom === 'args' ? ' (set by --dangerously-skip-permissions or --permission-mode in its args)' : ''}.`,
        fix: `Set ${key}.mode to default (or acceptEdits) in ${context.configPath}.`,
      });
      if (context.uid === 0 && context.agentEnv.IS_SANDBOX !== '1') {
        notes.push({
          agent,
          level: 'problem',
          detail: `Agent "${agent}" asks for bypassPermissions, and Beacon runs as root: the claude CLI refuses that mode as root unless IS_SANDBOX=1 is in its environment, so every run fails. Beacon does not set IS_SANDBOX for you.`,
          fix: `Use ${key}.mode default, or run Beacon as an ordinary user (set IS_SANDBOX=1 yourself only inside a throwaway container).`,
        });
      }
    }
    if (policy.sandbox === 'on' && !context.sandbox.available) {
      notes.push({
        agent,
        level: 'problem',
        detail: `${key}.sandbox is on, but the CLI's sandbox cannot run here (${context.sandbox.detail}): every run of "${agent}" stops at the start.`,
        fix: `Install what is missing, or set ${key}.sandbox to auto in ${context.configPath}.`,
      });
    } else if (policy.sandbox === 'auto' && !context.sandbox.available && policy.mode !== 'plan') {
      notes.push({
        agent,
        level: 'warning',
        detail: `The CLI's sandbox is off for "${agent}" (${context.sandbox.detail}): a Bash command a person allows can read and change your files, ~/.mentu included, and reach the network.`,
        fix: process.platform === 'linux' ? 'apt-get install bubblewrap socat (or your distribution\'s packages), then restart Beacon.' : 'See docs/permissions.md (the sandbox).',
      });
    } else if (policy.sandbox === 'off' && policy.mode !== 'plan') {
      notes.push({
        agent,
        level: 'warning',
        detail: `${key}.sandbox is off: a Bash command a person allows can read and change your files, ~/.mentu included, and reach the network.`,
        fix: `Set ${key}.sandbox to auto in ${context.configPath}.`,
      });
    }
  }
  return notes;
}

/** The notes for this process (its user, the agent's PATH), as one line each: what the executor shows and logs. */
export function policyWarnings(config: BeaconConfig, configPath: string, agentEnv: Record<string, string>): string[] {
  const uid = typeof process.getuid === 'function' ? process.getuid() : null;
  return permissionNotes(config, { configPath, agentEnv, sandbox: sandboxSupport(agentEnv), uid }).map((note) => `${note.detail} ${note.fix}`);
}
