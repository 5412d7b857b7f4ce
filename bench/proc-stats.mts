/** CPU ticks, RSS and wake-ups of another process from /proc (Linux), for the benchmarks' executor figures (and idle-wakeups.test.ts). */
import { readFileSync } from 'node:fs';

const CLOCK_TICKS = 100; // sysconf(_SC_CLK_TCK) on Linux

export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS; // utime + stime
}

export function rssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = /VmRSS:\s+(\d+) kB/.exec(status)?.[1];
  return kb ? Number(kb) * 1024 : 0;
}

/** Samples the RSS of `pid` every `everyMs` until stopped; returns the peak. */
export function peakRssOf(pid: number, everyMs = 50): { stop(): number } {
  let peak = 0;
  const sample = () => {
    try {
      peak = Math.max(peak, rssBytes(pid));
    } catch {
      /* exited */
    }
  };
  sample();
  const timer = setInterval(sample, everyMs);
  return {
    stop: () => {
      clearInterval(timer);
      sample();
      return peak;
    },
  };
}

/** Times the main thread left its wait: voluntary context switches of thread `pid` (each wake of the event loop is one). */
export function wakeups(pid: number): number {
  const status = readFileSync(`/proc/${pid}/task/${pid}/status`, 'utf8');
  // Missing, it would read as no wake-ups at all: say so instead.
  const count = /\nvoluntary_ctxt_switches:\s+(\d+)/.exec(status)?.[1];
  if (count === undefined) throw new Error(`no voluntary_ctxt_switches in /proc/${pid}/task/${pid}/status`);
  return Number(count);
}
