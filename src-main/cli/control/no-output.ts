import type { Command } from '../../core/contract/command.js';

/**
 * Why `beacon logs` has nothing to print: a command that never started has no log, and its status and
 * error say why (refused before the spawn, cancelled while pending, still waiting to be claimed).
 */
export function explainNoOutput(command: Command): string {
  const error = command.errorMessage ? `: ${command.errorMessage}` : '';
  switch (command.status) {
    case 'pending':
      return `Command ${command.id} has not started yet: it is pending, waiting to be claimed (beacon status says whether claiming is paused).`;
    case 'claimed':
      return `Command ${command.id} has not started yet: ${command.claimedByMachineId ?? 'an executor'} claimed it and is about to start it.`;
    case 'failed':
    case 'timeout':
    case 'cancelled':
      if (!command.startedAt) return `Command ${command.id} never started: it ended ${command.status}${error || ' (no reason was recorded)'}.`;
      return `Command ${command.id} printed nothing; it ended ${command.status}${error}.`;
    default:
      return `Command ${command.id} has printed nothing so far (${command.status}${error}).`;
  }
}
