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
  const processInfo = processLookup();
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

/**
 * Linux: /proc/<pid>/stat per process (cheap). Elsewhere ps(1), run once for the whole table on the first
 * look-up rather than once per ancestor: each run blocks the executor's event loop.
 */
function processLookup(): (pid: number) => ProcessInfo | null {
  if (process.platform === 'linux') return procStat;
  let table: Map<number, ProcessInfo> | null = null;
  return (pid) => (table ??= psTable()).get(pid) ?? null;
}

function procStat(pid: number): ProcessInfo | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' '); // state ppid pgrp session …
    return { ppid: Number(fields[1]), pgid: Number(fields[2]), sid: Number(fields[3]) };
  } catch {
    return null;
  }
}

function psTable(): Map<number, ProcessInfo> {
  const table = new Map<number, ProcessInfo>();
  let out: string;
  try {
    out = execFileSync('/bin/ps', ['-A', '-o', 'pid=,ppid=,pgid='], { encoding: 'utf8', timeout: 2000, maxBuffer: 16 * 1024 * 1024 });
  } catch {
    return table;
  }
  for (const line of out.split('\n')) {
    const [pid, ppid, pgid] = line.trim().split(/\s+/).map(Number);
    if (Number.isFinite(pid) && Number.isFinite(ppid) && Number.isFinite(pgid)) table.set(pid!, { ppid: ppid!, pgid: pgid!, sid: null });
  }
  return table;
}
