// `npm start`: Beacon's main job on this machine (scripts/ensure-installed.mjs has installed what was missing).
// On macOS the menu-bar app (Electron); elsewhere, or with BEACON_HEADLESS=1, the headless executor with its
// dashboard (`beacon run --dashboard`). What is missing or older than its sources is built first.
// With no Supabase configured, Beacon serves the embedded local queue (~/.mentu/local.db).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const extra = process.argv.slice(2);
const app = process.platform === 'darwin' && process.env.BEACON_HEADLESS !== '1';

function step(label, args) {
  console.log(`beacon: ${label}…`);
  const result = spawnSync(process.execPath, args, { stdio: 'inherit', env: { ...process.env, NODE_ENV: 'production' } });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

function newest(paths) {
  let time = 0;
  for (const path of paths) {
    if (!existsSync(path)) continue;
    const stat = statSync(path);
    time = Math.max(time, stat.isDirectory() ? newest(readdirSync(path).map((entry) => join(path, entry))) : stat.mtimeMs);
  }
  return time;
}

/** Missing, or older than a source it is built from (after a `git pull`, say). */
const stale = (output, sources) => !existsSync(output) || statSync(output).mtimeMs < newest(sources);

let child;
if (app) {
  if (stale('out/main/index.js', ['src-main', 'src-renderer', 'electron.vite.config.ts', 'package.json'])) {
    step('building the app', ['node_modules/electron-vite/bin/electron-vite.js', 'build']);
  }
  const electron = createRequire(import.meta.url)('electron'); // the binary's path
  child = spawn(electron, ['.', ...extra], { stdio: 'inherit' });
} else {
  if (stale('dist-cli/beacon.cjs', ['src-main', 'scripts/build-cli.mjs', 'package.json'])) step('building the CLI', ['scripts/build-cli.mjs']);
  if (stale('out/renderer/index.html', ['src-renderer'])) {
    step('building the web UI', ['node_modules/vite/bin/vite.js', 'build', '--config', 'src-renderer/vite.config.mts', '--logLevel', 'warn']);
  }
  // The executor gets its own process group and exactly one copy of each stop request: a terminal's Ctrl-C
  // and npm both signal this wrapper (npm also signals the group), and a second SIGINT/SIGTERM means
  // "cancel running commands now" to Beacon, so copies arriving together are folded into one.
  child = spawn(process.execPath, ['dist-cli/beacon.cjs', 'run', '--dashboard', ...extra], { stdio: 'inherit', detached: true });
}

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
