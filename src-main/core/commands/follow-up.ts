import { realpathSync, statSync } from 'node:fs';
import { isTerminal } from './command.js';
import type { Command, NewCommand } from '../contract/command.js';

/**
 * A follow-up continues a finished command's agent session: the new command runs `--resume <session id>` in the
 * same real directory on the same machine (the CLI finds a session only from the directory, and only in the
 * ~/.claude of the machine, that created it). Refused with the reason when that cannot work.
 */
export type FollowUpPlan = { ok: true; command: NewCommand } | { ok: false; reason: string };

export interface FollowUpContext {
  /** This machine's id: the original's directory is checked only when the follow-up will run here. */
  machineId: string;
  /** The local queue runs everything on this machine. */
  sourceKind: 'local' | 'supabase';
}

export function planFollowUp(original: Command, prompt: string, context: FollowUpContext): FollowUpPlan {
  const id = original.id;
  if (!isTerminal(original.status)) {
    return { ok: false, reason: `Command ${id} is still ${original.status}; only a finished command can be followed up` };
  }
  const sessionId = original.summary?.sessionId ?? null;
  if (!sessionId) {
    return { ok: false, reason: `Command ${id} has no session id to resume (it never reached the agent, or its agent does not report sessions)` };
  }
  // The directory the CLI itself reported (its real path) where there is one: a symlinked folder must not count twice.
  const directory = original.summary?.cwd ?? original.workingDirectory;
  const machine = original.claimedByMachineId;
  const runsHere = context.sourceKind === 'local' || machine === null || machine === context.machineId;
  let realDirectory = directory;
  if (runsHere) {
    try {
      realDirectory = realpathSync(directory);
      if (!statSync(realDirectory).isDirectory()) throw new Error('not a directory');
    } catch {
      return { ok: false, reason: `Command ${id} ran in ${directory}, which is gone: its session cannot be resumed anywhere else` };
    }
  }
  return {
    ok: true,
    command: {
      prompt,
      workingDirectory: realDirectory,
      agent: original.agent,
      flags: ['--resume', sessionId],
      timeoutSeconds: original.timeoutSeconds,
      // The session lives in the ~/.claude of the machine that ran it.
      targetMachineId: machine ?? original.targetMachineId,
      workspaceId: original.workspaceId,
      commitmentId: original.commitmentId,
    },
  };
}
