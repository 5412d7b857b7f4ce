/* CommonJS on purpose: electron-builder require()s its hooks. */
/* eslint-disable @typescript-eslint/no-require-imports */
/* global module */
// electron-builder afterPack hook (electron-builder.yml → afterPack).
// node-pty 1.1.0 ships prebuilds/darwin-*/spawn-helper without its execute bit; macOS then fails every
// spawn with "posix_spawnp failed". The file sits in app.asar.unpacked (asarUnpack), so fix its mode in
// the packed app before signing. It also checks that only node-pty's macOS binaries were unpacked (the
// files/asarUnpack patterns leave out Windows prebuilds, sources and a local build/).
const { chmodSync, existsSync, readdirSync, statSync } = require('node:fs');
const { join, relative, sep } = require('node:path');

/** chmod 755 every node-pty spawn-helper under a Resources folder; returns the files it fixed. */
function makeSpawnHelpersExecutable(resourcesDir) {
  const prebuilds = join(resourcesDir, 'app.asar.unpacked', 'node_modules', 'node-pty', 'prebuilds');
  if (!existsSync(prebuilds)) return [];
  const fixed = [];
  for (const platform of readdirSync(prebuilds)) {
    const helper = join(prebuilds, platform, 'spawn-helper');
    if (platform.startsWith('darwin-') && existsSync(helper)) {
      chmodSync(helper, 0o755);
      fixed.push(helper);
    }
  }
  return fixed;
}

/** Every file under node-pty in app.asar.unpacked that is not part of a darwin prebuild (should be none). */
function foreignNodePtyFiles(resourcesDir) {
  const root = join(resourcesDir, 'app.asar.unpacked', 'node_modules', 'node-pty');
  if (!existsSync(root)) return [];
  const found = [];
  const walk = (dir) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else found.push(relative(root, path).split(sep).join('/'));
    }
  };
  walk(root);
  return found.filter((file) => !/^prebuilds\/darwin-(arm64|x64)\/[^/]+$/.test(file));
}

/** Where Resources lives in the packed output: Beacon.app/Contents/Resources on macOS. */
function resourcesDirOf(context) {
  const productFilename = context.packager.appInfo.productFilename;
  return context.electronPlatformName === 'darwin' || context.electronPlatformName === 'mas'
    ? join(context.appOutDir, `${productFilename}.app`, 'Contents', 'Resources')
    : join(context.appOutDir, 'resources');
}

async function afterPack(context) {
  const fixed = makeSpawnHelpersExecutable(resourcesDirOf(context));
  if (context.electronPlatformName === 'darwin' && fixed.length === 0) {
    throw new Error('afterPack: no node-pty spawn-helper found in app.asar.unpacked; check asarUnpack in electron-builder.yml');
  }
  for (const file of fixed) console.log(`  • afterPack: made executable ${file}`);
  const foreign = foreignNodePtyFiles(resourcesDirOf(context));
  if (foreign.length) {
    throw new Error(`afterPack: node-pty files other than its macOS binaries were unpacked (${foreign.slice(0, 5).join(', ')}); check files and asarUnpack in electron-builder.yml`);
  }
}

module.exports = afterPack;
module.exports.default = afterPack;
module.exports.makeSpawnHelpersExecutable = makeSpawnHelpersExecutable;
module.exports.resourcesDirOf = resourcesDirOf;
module.exports.foreignNodePtyFiles = foreignNodePtyFiles;
