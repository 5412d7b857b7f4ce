// `npm start` and `npm test` run this first, so a fresh clone needs no separate install step: when a
// package of package-lock.json is missing from node_modules (or has another version), `npm ci` installs
// exactly the lock; when everything is there, nothing runs. The Electron binary is fetched only on macOS,
// the one platform that runs the menu-bar app (elsewhere the headless executor and the tests need none).
// `--check` only reports what is missing (exit 1), installing nothing.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const checkOnly = process.argv.includes('--check');
const onMac = process.platform === 'darwin';

/** Packages the lock wants that node_modules lacks (optional ones are platform-specific and may be absent). */
function missingPackages() {
  let lock;
  try {
    lock = JSON.parse(readFileSync('package-lock.json', 'utf8'));
  } catch (error) {
    console.error(`beacon: cannot read package-lock.json (${error.message}); run this from the repository root.`);
    process.exit(2);
  }
  const missing = [];
  for (const [path, entry] of Object.entries(lock.packages ?? {})) {
    if (!path.startsWith('node_modules/') || entry.optional || entry.devOptional || entry.link) continue;
    let installed = null;
    try {
      installed = JSON.parse(readFileSync(join(path, 'package.json'), 'utf8')).version;
    } catch {
      // absent
    }
    if (installed !== entry.version) missing.push(installed ? `${path.slice(13)} ${installed} (the lock has ${entry.version})` : path.slice(13));
  }
  return missing;
}

/** On macOS the app needs Electron's binary, which a Linux-style install (or an interrupted one) skips. */
function electronBinaryMissing() {
  return onMac && !existsSync(join('node_modules', 'electron', 'path.txt'));
}

function run(label, command, args, env) {
  console.log(`beacon: ${label}…`);
  const result = spawnSync(command, args, { stdio: 'inherit', env: { ...process.env, ...env } });
  if (result.status !== 0) {
    console.error(`beacon: ${label} failed (${result.error?.message ?? `exit code ${result.status}`}).`);
    process.exit(result.status || 1);
  }
}

const missing = missingPackages();
if (checkOnly) {
  if (missing.length) console.log(`missing or different: ${missing.join(', ')}`);
  if (electronBinaryMissing()) console.log('missing: the Electron binary');
  process.exit(missing.length || electronBinaryMissing() ? 1 : 0);
}
if (missing.length) {
  const shown = missing.length > 5 ? `${missing.slice(0, 5).join(', ')} and ${missing.length - 5} more` : missing.join(', ');
  console.log(`beacon: installing the dependencies first (missing: ${shown})`);
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  run('npm ci', npm, ['ci', '--no-audit', '--no-fund'], onMac ? {} : { ELECTRON_SKIP_BINARY_DOWNLOAD: '1' });
}
if (electronBinaryMissing()) run('fetching Electron', process.execPath, [join('node_modules', 'electron', 'install.js')], {});
