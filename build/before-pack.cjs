/* CommonJS on purpose: electron-builder require()s its hooks. */
/* eslint-disable @typescript-eslint/no-require-imports */
/* global module */
// electron-builder beforePack hook (electron-builder.yml → beforePack).
// node-pty is N-API: its darwin prebuilds load in Electron as shipped, so npmRebuild is off. better-sqlite3
// is not N-API: it must be compiled against Electron's headers for the architecture being packed. Rebuild
// just that module, per architecture, right before its files are copied into the app.
const { join } = require('node:path');

const ARCH_NAMES = { 0: 'ia32', 1: 'x64', 2: 'armv7l', 3: 'arm64', 4: 'universal' };

async function beforePack(context) {
  const arch = ARCH_NAMES[context.arch] ?? String(context.arch);
  const projectDir = context.packager.projectDir;
  const electronVersion = context.packager.config.electronVersion ?? require(join(projectDir, 'node_modules', 'electron', 'package.json')).version;
  const { rebuild } = await import('@electron/rebuild');
  console.log(`  • beforePack: rebuilding better-sqlite3 for Electron ${electronVersion} (${arch})`);
  await rebuild({ buildPath: projectDir, electronVersion, arch, onlyModules: ['better-sqlite3'], force: true });
}

module.exports = beforePack;
module.exports.default = beforePack;
