import type { AgentProfile } from '../config/schema.js';
import type { AgentInvocation } from './runner.js';

// SIGNATURES ONLY (owned by the command-engine run pipeline): bodies to be implemented; keep the names.

export type AgentResolution = { ok: true; path: string } | { ok: false; reason: string };

/** An absolute `command` is used as is (must be executable); a bare name is looked up on env.PATH. */
export function resolveAgentCommand(_profile: AgentProfile, _env: Record<string, string>): AgentResolution {
  throw new Error('resolveAgentCommand: not implemented yet');
}

/** argv from the profile: "{prompt}" becomes exactly one element; the command's flags are appended. */
export function buildInvocation(_resolvedPath: string, _profile: AgentProfile, _prompt: string, _flags: string[]): AgentInvocation {
  throw new Error('buildInvocation: not implemented yet');
}
