/**
 * Reproduces the lost-tail race under CPU load (src-main/core/run/pty-drain.ts): runs the stand-in agent
 * (70 KB of output, then its stream-json result line) through the real pty runner while busy processes
 * load every core, and counts runs whose log lacks the result line. Before the drain hold, about 1 run in
 * 10–25 lost its last 10–14 KB on a 2-core machine; exits 1 if any run loses output.
 *   npx tsx scripts/pty-tail-stress.mts [--runs 80] [--busy 3]
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { buildInvocation } from '../src-main/core/run/agents.js';
import { createPtyRunner } from '../src-main/core/run/pty-runner.js';

const arg = (name: string, fallback: number): number => {
  const index = process.argv.indexOf(`--${name}`);
  return index > 0 ? Number(process.argv[index + 1]) : fallback;
};
const runs = arg('runs', 80);
const busy = arg('busy', 3);
const agentScript = resolve(import.meta.dirname, '..', 'tests', 'support', 'fake-agent.mjs');
const root = mkdtempSync(join(tmpdir(), 'beacon-pty-stress-'));
const work = join(root, 'work');
mkdirSync(work);
const loaders = Array.from({ length: busy }, () => spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' }));
const runner = createPtyRunner({ killStepMs: 300, resultGraceMs: 500 });
const profile = { command: process.execPath, args: [agentScript, '-p', '{prompt}'], output: 'stream-json' as const };
let lost = 0;
try {
  for (let i = 0; i < runs; i++) {
    const logPath = join(root, `run-${i}.log`);
    const invocation = buildInvocation(process.execPath, profile, '@agent bytes=70000 chunk=4096', []);
    const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: root, LANG: 'C.UTF-8' };
    await runner.start({ commandId: `stress-${i}`, invocation, cwd: work, env, timeoutMs: 30_000, logPath, maxOutputBytes: 1 << 20, outputFormat: 'stream-json' }, {}).result;
    const log = readFileSync(logPath, 'utf8');
    if (!log.includes('"type":"result"')) {
      lost++;
      console.log(`run ${i}: the log ends after ${log.length} bytes without the result line`);
    }
  }
} finally {
  for (const loader of loaders) loader.kill('SIGKILL');
  rmSync(root, { recursive: true, force: true });
}
console.log(`${runs} runs under ${busy} busy processes: ${lost} lost their tail`);
process.exit(lost === 0 ? 0 : 1);
