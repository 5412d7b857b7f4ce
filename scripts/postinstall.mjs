// 1. node-pty 1.1.0 ships darwin spawn-helper without its execute bit; macOS then fails with
//    "posix_spawnp failed". Make every shipped spawn-helper executable (no-op where absent).
// 2. Build Beacon's native helper (native/beacon_native.c: close-on-exec for inherited descriptors, the
//    control socket's peer process). Without a C compiler the install still succeeds: Beacon then warns at
//    run time, and docs/reliability.md says what no longer holds.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';

const prebuilds = join('node_modules', 'node-pty', 'prebuilds');
if (existsSync(prebuilds)) {
  for (const platform of readdirSync(prebuilds)) {
    const helper = join(prebuilds, platform, 'spawn-helper');
    if (existsSync(helper)) chmodSync(helper, 0o755);
  }
}

if (process.platform !== 'win32') buildNativeHelper();

function buildNativeHelper() {
  const gyp = nodeGyp();
  if (!gyp) return console.warn('beacon: node-gyp not found; the native helper (native/) is not built');
  const args = [gyp, 'rebuild', '--directory', 'native'];
  // Headers of the running node, when it has them, spare node-gyp a download (and work offline).
  const prefix = dirname(dirname(process.execPath));
  if (!process.env.npm_config_nodedir && existsSync(join(prefix, 'include', 'node', 'node_api.h'))) args.push(`--nodedir=${prefix}`);
  const result = spawnSync(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  if (result.status !== 0) {
    console.warn(`beacon: the native helper (native/) could not be built; Beacon runs without it (docs/reliability.md).\n${(result.stderr ?? '').split('\n').slice(-8).join('\n')}`);
  }
}

/** npm names its own node-gyp in lifecycle scripts; otherwise the one beside the npm that runs us. */
function nodeGyp() {
  const candidates = [process.env.npm_config_node_gyp];
  if (process.env.npm_execpath) candidates.push(join(dirname(process.env.npm_execpath), '..', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'));
  return candidates.find((path) => path && existsSync(path)) ?? null;
}
