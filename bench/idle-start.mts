/**
 * Idle and start (issue 7, benchmark 4): time from spawning `beacon run` (Supabase source against the
 * gateway) to ready, i.e. the "ready:" line (lock held) and the realtime join (subscribed), against a
 * bare `node -e` start in the same run; then CPU and RSS of the idle executor over a window, beside a
 * bare idle node process sampled over the same window.
 *   npx tsx bench/idle-start.mts [--rounds 5] [--idle 60]   (BENCH_IDLE=10 for a quick run)
 */
import { spawn } from 'node:child_process';
import { beaconSandbox, startBeacon } from '../tests/support/beacon-sandbox.js';
import { startGateway } from '../tests/gateway/index.js';
import { cpuSeconds, rssBytes } from './proc-stats.mjs';
import { distribution, numberArg, report, sleep } from './lib.mjs';

const rounds = numberArg('rounds', 5);
const idleSeconds = numberArg('idle', 60);

function bareStart(): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, ['-e', 'process.stdout.write("ready\\n")'], { stdio: ['ignore', 'pipe', 'inherit'] });
    child.stdout.once('data', () => resolve(performance.now() - t0));
    child.once('error', reject);
  });
}

console.log(`idle and start: ${rounds} start rounds, ${idleSeconds} s idle window, node ${process.version}`);
const gateway = await startGateway();
const bare: number[] = [];
const ready: number[] = [];
const subscribed: number[] = [];
try {
  for (let i = 0; i < rounds; i++) {
    bare.push(await bareStart());
    // The shipped defaults (the test sandbox polls every 2 s): idle cost is what a user's machine pays.
    const box = beaconSandbox(gateway, { machineId: `beacon-bench-start-${i}`, supabase: { poll_seconds: 30, heartbeat_seconds: 60 } });
    const joinsBefore = gateway.stats.joins;
    const t0 = performance.now();
    const run = startBeacon(box);
    await run.ready;
    ready.push(performance.now() - t0);
    while (gateway.stats.joins === joinsBefore) await sleep(2);
    subscribed.push(performance.now() - t0);
    if (i < rounds - 1) {
      await run.stop();
      box.cleanup();
      continue;
    }
    // The last one stays up for the idle window, beside a bare idle node.
    await sleep(2000);
    const idleBare = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    await sleep(500);
    const pid = run.child.pid!;
    const cpu0 = cpuSeconds(pid);
    const bareCpu0 = cpuSeconds(idleBare.pid!);
    let peak = 0;
    let barePeak = 0;
    const started = performance.now();
    while (performance.now() - started < idleSeconds * 1000) {
      peak = Math.max(peak, rssBytes(pid));
      barePeak = Math.max(barePeak, rssBytes(idleBare.pid!));
      await sleep(500);
    }
    const window = (performance.now() - started) / 1000;
    const cpuPercent = ((cpuSeconds(pid) - cpu0) / window) * 100;
    const bareCpuPercent = ((cpuSeconds(idleBare.pid!) - bareCpu0) / window) * 100;
    idleBare.kill('SIGKILL');
    await run.stop();
    box.cleanup();
    const b = distribution(bare);
    const r = distribution(ready);
    const s = distribution(subscribed);
    console.log(`bare node -e start p50 ${b.p50.toFixed(0)} ms; beacon run → ready p50 ${r.p50.toFixed(0)} ms; → subscribed p50 ${s.p50.toFixed(0)} ms`);
    report('idle-start', [
      { name: 'bare `node -e` start p50', value: b.p50, unit: 'ms' },
      { name: '`beacon run` → ready (lock held) p50', value: r.p50, unit: 'ms', floor: b.p50, ratio: r.p50 / b.p50 },
      { name: '`beacon run` → subscribed (realtime joined) p50', value: s.p50, unit: 'ms', floor: b.p50, ratio: s.p50 / b.p50 },
      { name: `idle CPU over ${window.toFixed(0)} s`, value: cpuPercent, unit: '%', floor: bareCpuPercent, ratio: bareCpuPercent > 0 ? cpuPercent / bareCpuPercent : undefined, target: '< 1 %', met: cpuPercent < 1 },
      { name: 'idle peak RSS', value: peak / 1024 / 1024, unit: 'MB', floor: barePeak / 1024 / 1024, ratio: peak / barePeak },
    ], ['CPU from /proc/<pid>/stat utime+stime (10 ms ticks); the floor is an idle `node -e setInterval` over the same window']);
  }
} finally {
  await gateway.stop();
}
process.exit(0);
