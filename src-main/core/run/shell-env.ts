// SIGNATURES ONLY (owned by the command-engine run pipeline): bodies to be implemented; keep the names.

/**
 * The user's login-shell environment, resolved once ($SHELL -ilc, 10 s timeout, cached), so that a
 * Beacon started from Finder finds `claude`. BEACON_LOGIN_SHELL=0 uses this process's environment
 * instead (tests, and services whose unit sets the environment).
 */
export async function loginShellEnvironment(_env: NodeJS.ProcessEnv = process.env): Promise<Record<string, string>> {
  throw new Error('loginShellEnvironment: not implemented yet');
}

export interface AgentEnvExtras {
  commandId: string;
  workspaceId: string | null;
  /** Extra MENTU_* variables (worktree: MENTU_COMMITMENT, MENTU_WORKTREE, MENTU_WORKSPACE). */
  extra?: Record<string, string>;
}

/**
 * The agent's environment: the allowlisted base plus MENTU_BRIDGE_COMMAND_ID, MENTU_WORKSPACE_ID and
 * MENTU_ACTOR. Any Supabase key, token or other secret-looking variable is removed.
 */
export function agentEnvironment(_base: Record<string, string>, _extras: AgentEnvExtras): Record<string, string> {
  throw new Error('agentEnvironment: not implemented yet');
}
