/**
 * Idle and start (issue 7, benchmark 4; issue 15, point 10): time from spawning `beacon run` (Supabase
 * source against the gateway) to ready, i.e. the "ready:" line (lock held) and the realtime join
 * (subscribed), against a bare `node -e` start in the same run; then CPU, RSS and wake-ups per second of the
 * idle executor over a window (Supabase, then the local queue), beside a bare idle node process (one 1 s
 * timer) sampled over the same window. Wake-ups: the main thread's voluntary context switches.
 *   npx tsx bench/idle-start.mts [--rounds 5] [--idle 60]   (BENCH_IDLE=10 for a quick run)
 */
import { spawn } from 'node:child_process';
import { beaconSandbox, startBeacon, type BeaconRun } from '../tests/support/beacon-sandbox.js';
import { startGateway } from '../tests/gateway/index.js';
import { cpuSeconds, rssBytes, wakeups } from './proc-stats.mjs';
import { distribution, numberArg, report, sleep } from './lib.mjs';

const rounds = numberArg('rounds', 5);
const idleSeconds = numberArg('idle', 60);
const SETTLE_SECONDS = 30;

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
    // The last one stays up for the idle window, beside a bare idle node; then a local-queue executor.
    const supabaseIdle = await idleWindow(run);
    await run.stop();
    box.cleanup();
    const localBox = beaconSandbox(null, { machineId: 'beacon-bench-idle-local', source: 'local' });
    const local = startBeacon(localBox);
    await local.ready;
    const localIdle = await idleWindow(local);
    await local.stop();
    localBox.cleanup();
    const b = distribution(bare);
    const r = distribution(ready);
    const s = distribution(subscribed);
    console.log(`bare node -e start p50 ${b.p50.toFixed(0)} ms; beacon run → ready p50 ${r.p50.toFixed(0)} ms; → subscribed p50 ${s.p50.toFixed(0)} ms`);
    report('idle-start', [
      { name: 'bare `node -e` start p50', value: b.p50, unit: 'ms' },
      { name: '`beacon run` → ready (lock held) p50', value: r.p50, unit: 'ms', floor: b.p50, ratio: r.p50 / b.p50 },
      { name: '`beacon run` → subscribed (realtime joined) p50', value: s.p50, unit: 'ms', floor: b.p50, ratio: s.p50 / b.p50 },
      ...idleFigures('supabase', supabaseIdle),
      ...idleFigures('local queue', localIdle),
    ], [
      'CPU from /proc/<pid>/stat utime+stime (10 ms ticks); wake-ups: voluntary context switches of the main thread; the floor is an idle `node -e setInterval(…, 1000)` over the same window',
      `the window starts ${SETTLE_SECONDS} s after ready, when V8's memory reducer has done its one start-up clean-up (it runs 8 to 20 s after start)`,
    ]);
  }
} finally {
  await gateway.stop();
}
process.exit(0);

interface IdleFigures {
  seconds: number;
  cpu: number;
  bareCpu: number;
  wakeups: number;
  bareWakeups: number;
  peak: number;
  barePeak: number;
}

/** CPU, wake-ups and peak RSS of an idle executor beside a bare idle node, over the same window. */
async function idleWindow(run: BeaconRun): Promise<IdleFigures> {
  // V8's memory reducer runs once, 8 to 20 s after start (later with the Supabase source's larger start-up heap):
  // a one-off clean-up of start-up garbage, not what an idle laptop pays each minute.
  await sleep(SETTLE_SECONDS * 1000);
  const idleBare = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  await sleep(500);
  const pid = run.child.pid!;
  const cpu0 = cpuSeconds(pid);
  const bareCpu0 = cpuSeconds(idleBare.pid!);
  const wake0 = wakeups(pid);
  const bareWake0 = wakeups(idleBare.pid!);
  let peak = 0;
  let barePeak = 0;
  const started = performance.now();
  while (performance.now() - started < idleSeconds * 1000) {
    peak = Math.max(peak, rssBytes(pid));
    barePeak = Math.max(barePeak, rssBytes(idleBare.pid!));
    await sleep(500);
  }
  const seconds = (performance.now() - started) / 1000;
  const figures = {
    seconds,
    cpu: ((cpuSeconds(pid) - cpu0) / seconds) * 100,
    bareCpu: ((cpuSeconds(idleBare.pid!) - bareCpu0) / seconds) * 100,
    wakeups: (wakeups(pid) - wake0) / seconds,
    bareWakeups: (wakeups(idleBare.pid!) - bareWake0) / seconds,
    peak,
    barePeak,
  };
  idleBare.kill('SIGKILL');
  return figures;
}

function idleFigures(label: string, f: IdleFigures) {
  const cpuRatio = f.bareCpu > 0 ? f.cpu / f.bareCpu : undefined;
  return [
    { name: `${label}: idle wake-ups per second over ${f.seconds.toFixed(0)} s`, value: f.wakeups, unit: '/s', floor: f.bareWakeups, ratio: f.bareWakeups > 0 ? f.wakeups / f.bareWakeups : undefined, target: '≤ 1/s', met: f.wakeups <= 1 },
    { name: `${label}: idle CPU`, value: f.cpu, unit: '%', floor: f.bareCpu, ratio: cpuRatio, target: '≤ 2× floor (or < 0.05 %)', met: f.cpu < 0.05 || (cpuRatio !== undefined && cpuRatio <= 2) },
    { name: `${label}: idle peak RSS`, value: f.peak / 1024 / 1024, unit: 'MB', floor: f.barePeak / 1024 / 1024, ratio: f.peak / f.barePeak },
  ];
}
