// SIGNATURES ONLY (owned by the command-engine run pipeline): bodies to be implemented; keep the names.

export type GenesisDecision = { allowed: true; note: string | null } | { allowed: false; reason: string };

/** mentu-compat §8: check `<cwd>/.mentu/genesis.key` for permission `execute` for `actor`. */
export function checkGenesisExecute(_cwd: string, _actor: string): GenesisDecision {
  throw new Error('checkGenesisExecute: not implemented yet');
}
