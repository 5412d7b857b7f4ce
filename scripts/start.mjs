// `npm start`: Beacon's main job on this machine, headless, with its dashboard.
// Builds what is missing (the CLI bundle and the web UI), then runs `beacon run --dashboard`.
// With no Supabase configured, Beacon serves the embedded local queue (~/.mentu/local.db).
import { existsSync } from 'node:fs';
import { spawnSync, spawn } from 'node:child_process';

function step(label, args) {
  console.log(`beacon: ${label}…`);
  const result = spawnSync(process.execPath, args, { stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

if (!existsSync('dist-cli/beacon.cjs')) step('building the CLI', ['scripts/build-cli.mjs']);
if (!existsSync('out/renderer/index.html')) {
  step('building the web UI', ['node_modules/vite/bin/vite.js', 'build', '--config', 'src-renderer/vite.config.ts', '--logLevel', 'warn']);
}

const extra = process.argv.slice(2);
// The executor gets its own process group and exactly one copy of each stop request: a terminal's Ctrl-C
// and npm both signal this wrapper (npm also signals the group), and a second SIGINT/SIGTERM means
// "cancel running commands now" to Beacon, so copies arriving together are folded into one.
const child = spawn(process.execPath, ['dist-cli/beacon.cjs', 'run', '--dashboard', ...extra], { stdio: 'inherit', detached: true });
const lastForwarded = new Map();
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    const now = Date.now();
    if (now - (lastForwarded.get(signal) ?? 0) < 500) return;
    lastForwarded.set(signal, now);
    child.kill(signal);
  });
}
process.on('exit', () => {
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
});
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
