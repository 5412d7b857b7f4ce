import { readdirSync, readFileSync } from 'node:fs';

/**
 * Stopping must stop: the whole process group gets SIGINT, then SIGTERM, then SIGKILL, each step
 * waiting `stepMs` for the group to disappear, and the exit is verified by polling
 * process.kill(-pgid, 0) until ESRCH. A zombie counts as gone: it runs nothing and only waits for
 * its parent (or PID 1, which in some containers never reaps) to collect it, so on Linux members
 * that are all zombies are read from /proc and treated as exited.
 */
export interface KillLadderOptions {
  /** Wait after SIGINT and after SIGTERM (default 2000 ms). */
  stepMs?: number;
  /** How often the group is probed (default 25 ms). */
  pollMs?: number;
  /** How long to wait after SIGKILL before giving up (default 10 s; only a process stuck in the kernel survives it). */
  killWaitMs?: number;
  /** Injected for tests. */
  sleep?: (ms: number) => Promise<void>;
  isGroupAlive?: (pgid: number) => boolean;
  signalGroup?: (pgid: number, signal: NodeJS.Signals) => void;
}

export interface KillLadderResult {
  /** True when no process of the group survives. */
  gone: boolean;
  /** The last signal that had to be sent (null: the group was already gone). */
  lastSignal: NodeJS.Signals | null;
}

const LADDER: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGKILL'];

export async function killProcessGroup(pgid: number, options: KillLadderOptions = {}): Promise<KillLadderResult> {
  const stepMs = options.stepMs ?? 2000;
  const pollMs = options.pollMs ?? 25;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const alive = options.isGroupAlive ?? isProcessGroupAlive;
  const signal = options.signalGroup ?? signalProcessGroup;
  let lastSignal: NodeJS.Signals | null = null;
  for (const sig of LADDER) {
    if (!alive(pgid)) return { gone: true, lastSignal };
    signal(pgid, sig);
    lastSignal = sig;
    const waitMs = sig === 'SIGKILL' ? (options.killWaitMs ?? 10_000) : stepMs;
    for (let waited = 0; waited < waitMs; waited += pollMs) {
      await sleep(pollMs);
      if (!alive(pgid)) return { gone: true, lastSignal };
    }
  }
  return { gone: !alive(pgid), lastSignal };
}

export function signalProcessGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

/** Whether any live (non-zombie) process is left in the group. */
export function isProcessGroupAlive(pgid: number): boolean {
  if (!probe(-pgid)) return false;
  const members = linuxGroupMembers(pgid);
  return members === null ? true : members.some((m) => m.state !== 'Z' && m.state !== 'X');
}

/** Whether a process is still running (a zombie is not). */
export function isProcessAlive(pid: number): boolean {
  if (!probe(pid)) return false;
  const state = linuxProcessState(pid);
  return state === null || (state !== 'Z' && state !== 'X');
}

function probe(target: number): boolean {
  try {
    process.kill(target, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== 'ESRCH'; // EPERM: it exists, just not ours
  }
}

interface ProcStat {
  pid: number;
  state: string;
  pgrp: number;
}

/** `/proc/<pid>/stat`: "pid (comm) state ppid pgrp …"; comm may hold spaces and parentheses. */
function readProcStat(pid: number): ProcStat | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { pid, state: fields[0] ?? '?', pgrp: Number(fields[2]) };
  } catch {
    return null;
  }
}

function linuxProcessState(pid: number): string | null {
  if (process.platform !== 'linux') return null;
  return readProcStat(pid)?.state ?? null;
}

function linuxGroupMembers(pgid: number): ProcStat[] | null {
  if (process.platform !== 'linux') return null;
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return null;
  }
  const members: ProcStat[] = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readProcStat(Number(entry));
    if (stat && stat.pgrp === pgid) members.push(stat);
  }
  return members;
}
