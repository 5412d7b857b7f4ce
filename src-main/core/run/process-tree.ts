import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/**
 * Whether a process belongs to one of the running agents (issue 15, point 7; reused by the permission
 * answers of issue 14): the process itself, one of its ancestors, or its process group or session is an
 * agent's (node-pty makes each agent the leader of its own session and group, and everything it starts
 * inherits both unless it calls setsid). `null` (the process cannot be looked at) counts as an agent: the
 * caller refuses what it cannot attribute.
 */
interface ProcessInfo {
  ppid: number;
  pgid: number;
  sid: number | null;
}

export function isAgentProcess(pid: number | null, agentPids: readonly number[]): boolean {
  if (pid === null || pid <= 0) return true;
  const agents = new Set(agentPids.filter((p) => p > 1));
  if (agents.size === 0) return false;
  let current = pid;
  for (let depth = 0; depth < 256 && current > 1; depth++) {
    if (agents.has(current)) return true;
    const info = processInfo(current);
    if (!info) return depth === 0; // the asker itself vanished: not attributable; an ancestor gone: stop there
    if (agents.has(info.pgid) || (info.sid !== null && agents.has(info.sid))) return true;
    current = info.ppid;
  }
  return false;
}

function processInfo(pid: number): ProcessInfo | null {
  if (process.platform === 'linux') {
    try {
      const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = text.slice(text.lastIndexOf(')') + 2).split(' '); // state ppid pgrp session …
      return { ppid: Number(fields[1]), pgid: Number(fields[2]), sid: Number(fields[3]) };
    } catch {
      return null;
    }
  }
  try {
    const out = execFileSync('/bin/ps', ['-o', 'ppid=,pgid=', '-p', String(pid)], { encoding: 'utf8', timeout: 2000 }).trim();
    const [ppid, pgid] = out.split(/\s+/).map(Number);
    return Number.isFinite(ppid) && Number.isFinite(pgid) ? { ppid: ppid!, pgid: pgid!, sid: null } : null;
  } catch {
    return null;
  }
}
