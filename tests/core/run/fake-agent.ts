import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { expect } from 'vitest';
import type { AgentProfile } from '../../../src-main/core/config/schema.js';
import { buildInvocation } from '../../../src-main/core/run/agents.js';
import type { AgentInvocation } from '../../../src-main/core/run/runner.js';

/** Helpers shared by the run-pipeline tests: the stand-in agent as a profile, and exit checks. */
export const FAKE_AGENT = resolve(import.meta.dirname, '..', '..', 'support', 'fake-agent.mjs');

export const fakeProfile: AgentProfile = { command: process.execPath, args: [FAKE_AGENT, '-p', '{prompt}'], output: 'stream-json' };

export function fakeInvocation(prompt: string): AgentInvocation {
  return buildInvocation(process.execPath, fakeProfile, prompt, []);
}

/** The environment the agent gets in tests: this process's PATH, nothing secret. */
export function testAgentEnv(home: string): Record<string, string> {
  return { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, MENTU_HOME: join(home, '.mentu'), LANG: 'C.UTF-8' };
}

/**
 * Gone means kill(pid, 0) fails with ESRCH, or the process is a zombie: it has exited and only waits to
 * be reaped by PID 1, which in some containers never reaps orphans.
 */
export function isGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return true; // vanished between the two checks
  }
}

export function expectGone(pid: number, what: string): void {
  expect(isGone(pid), `${what} (pid ${pid}) is still running`).toBe(true);
}
