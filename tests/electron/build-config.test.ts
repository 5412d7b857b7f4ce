import { chmodSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const require = createRequire(import.meta.url);
const plist = require('plist') as { parse(xml: string): Record<string, unknown> };

interface TargetEntry {
  target: string;
  arch: string[];
}
const config = parse(readFileSync('electron-builder.yml', 'utf8')) as {
  appId: string;
  files: string[];
  npmRebuild: boolean;
  asarUnpack: string[];
  afterPack: string;
  beforePack: string;
  electronFuses: Record<string, boolean>;
  mac: {
    target: TargetEntry[];
    category: string;
    icon: string;
    hardenedRuntime: boolean;
    entitlements: string;
    entitlementsInherit: string;
    extendInfo: Record<string, unknown>;
    notarize: boolean;
  };
};

const temps: string[] = [];
afterAll(() => temps.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

describe('electron-builder.yml', () => {
  it('is a menu-bar app: LSUIElement true, developer-tools category, an app icon that exists', () => {
    expect(config.appId).toBe('ai.mentu.beacon');
    expect(config.mac.extendInfo.LSUIElement).toBe(true);
    expect(config.mac.category).toBe('public.app-category.developer-tools');
    expect(existsSync(config.mac.icon)).toBe(true);
  });

  it('targets dmg and zip, each for arm64 and x64', () => {
    const targets = Object.fromEntries(config.mac.target.map((entry) => [entry.target, [...entry.arch].sort()]));
    expect(targets).toEqual({ dmg: ['arm64', 'x64'], zip: ['arm64', 'x64'] });
  });

  it('uses the hardened runtime with entitlements reduced to the JIT: no DYLD variables, no unsigned executable memory, library validation on', () => {
    expect(config.mac.hardenedRuntime).toBe(true);
    expect(config.mac.notarize).toBe(true);
    for (const file of [config.mac.entitlements, config.mac.entitlementsInherit]) {
      expect(existsSync(file), file).toBe(true);
      // Exactly this set: adding any entitlement (or dropping the JIT) must be a deliberate change here.
      expect(plist.parse(readFileSync(file, 'utf8'))).toEqual({ 'com.apple.security.cs.allow-jit': true });
    }
  });

  it('declares why it needs the folders macOS protects, disables App Nap, stays a menu-bar app', () => {
    const info = config.mac.extendInfo;
    for (const key of [
      'NSDesktopFolderUsageDescription',
      'NSDocumentsFolderUsageDescription',
      'NSDownloadsFolderUsageDescription',
      'NSFileProviderDomainUsageDescription',
      'NSNetworkVolumesUsageDescription',
      'NSRemovableVolumesUsageDescription',
    ]) {
      expect(info[key], key).toMatch(/^Beacon runs your agents' commands in the folders you allow/);
    }
    expect(info.LSAppNapIsDisabled).toBe(true);
    expect(info.LSUIElement).toBe(true);
  });

  it('sets the Electron fuses, and electron-builder writes exactly these states into an Electron binary', async () => {
    // The states Beacon ships with (docs/packaging.md, "Fuses", says why each).
    expect(await fuseStatesWrittenBy(config.electronFuses)).toEqual(SHIPPED_FUSES);
    expect(config.electronFuses.resetAdHocDarwinSignature).toBe(true);
  });

  it('node-pty ships only its JavaScript and macOS binaries, and only those binaries are unpacked (electron-builder’s own matchers)', () => {
    const { shipped, unpacked } = nodePtyPackaging();
    const darwinBinaries = ['darwin-arm64', 'darwin-x64'].flatMap((p) => [`prebuilds/${p}/pty.node`, `prebuilds/${p}/spawn-helper`]).sort();
    expect(shipped.filter((name) => !name.startsWith('lib/')).sort()).toEqual(['LICENSE', 'README.md', 'package.json', ...darwinBinaries].sort());
    expect(shipped.some((name) => name.startsWith('lib/') && name.endsWith('.js'))).toBe(true);
    expect(unpacked.sort()).toEqual(darwinBinaries);
  });

  it('keeps native modules out of the asar, packs the built app, and uses node-pty prebuilds as shipped', () => {
    expect(config.asarUnpack).toEqual(expect.arrayContaining(['node_modules/node-pty/prebuilds/darwin-*/**', 'node_modules/better-sqlite3/**', '**/*.node']));
    expect(config.files).toEqual(expect.arrayContaining(['out/**', 'package.json']));
    expect(config.npmRebuild).toBe(false);
  });

  it('passes electron-builder’s own schema validation', async () => {
    const { validateConfiguration } = require('app-builder-lib/out/util/config/config') as {
      validateConfiguration(config: unknown, logger: unknown): Promise<void>;
    };
    const { DebugLogger } = require('builder-util') as { DebugLogger: new (enabled: boolean) => unknown };
    await expect(validateConfiguration(structuredClone(config), new DebugLogger(false))).resolves.toBeUndefined();
    // The validator really rejects a wrong key (so passing above means something).
    await expect(validateConfiguration({ ...structuredClone(config), mac: { ...config.mac, LSUIElement: true } }, new DebugLogger(false))).rejects.toThrow();
  });

  it('the afterPack hook exists and makes every darwin spawn-helper executable in the packed app', async () => {
    expect(existsSync(config.afterPack)).toBe(true);
    expect(existsSync(config.beforePack)).toBe(true);
    const hook = require(resolve(config.afterPack)) as ((context: unknown) => Promise<void>) & {
      resourcesDirOf(context: unknown): string;
    };
    const appOutDir = mkdtempSync(join(tmpdir(), 'beacon-afterpack-'));
    temps.push(appOutDir);
    const context = { appOutDir, electronPlatformName: 'darwin', packager: { appInfo: { productFilename: 'Beacon' } } };
    const resources = hook.resourcesDirOf(context);
    expect(resources).toBe(join(appOutDir, 'Beacon.app', 'Contents', 'Resources'));

    // Without spawn-helper in the unpacked asar the hook refuses (asarUnpack would be wrong).
    await expect(hook(context)).rejects.toThrow(/asarUnpack/);

    const helpers = ['darwin-arm64', 'darwin-x64'].map((platform) => {
      const dir = join(resources, 'app.asar.unpacked', 'node_modules', 'node-pty', 'prebuilds', platform);
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'spawn-helper'), 'binary');
      chmodSync(join(dir, 'spawn-helper'), 0o644); // as node-pty 1.1.0 ships it
      return join(dir, 'spawn-helper');
    });
    await hook(context);
    for (const helper of helpers) expect(statSync(helper).mode & 0o777).toBe(0o755);

    // Anything of node-pty unpacked besides its macOS binaries fails the build.
    const stray = join(resources, 'app.asar.unpacked', 'node_modules', 'node-pty', 'prebuilds', 'win32-x64');
    mkdirSync(stray, { recursive: true });
    writeFileSync(join(stray, 'winpty.dll'), 'binary');
    await expect(hook(context)).rejects.toThrow(/node-pty files other than its macOS binaries.*prebuilds\/win32-x64\/winpty\.dll/);
  });
});

/** The fuse states Beacon ships with. */
const SHIPPED_FUSES = {
  RunAsNode: 'off',
  EnableCookieEncryption: 'on',
  EnableNodeOptionsEnvironmentVariable: 'off',
  EnableNodeCliInspectArguments: 'off',
  EnableEmbeddedAsarIntegrityValidation: 'on',
  OnlyLoadAppFromAsar: 'on',
  LoadBrowserProcessSpecificV8Snapshot: 'off',
  GrantFileProtocolExtraPrivileges: 'on',
};

/**
 * What electron-builder writes for `electronFuses`: its own translation (generateFuseConfig), flipped by
 * @electron/fuses into a stand-in Electron binary (the fuse sentinel and a V1 wire of 8 fuses in Electron's
 * defaults), read back. No codesign runs: the stand-in is not inside a .app.
 */
async function fuseStatesWrittenBy(electronFuses: Record<string, boolean>): Promise<Record<string, string>> {
  const { SENTINEL, FuseState } = require('@electron/fuses/dist/constants') as { SENTINEL: string; FuseState: Record<string, number> };
  const { FuseV1Options, flipFuses, getCurrentFuseWire } = require('@electron/fuses') as {
    FuseV1Options: Record<string, number>;
    flipFuses(path: string, config: Record<string, unknown>): Promise<number>;
    getCurrentFuseWire(path: string): Promise<Record<string, unknown>>;
  };
  const dir = mkdtempSync(join(tmpdir(), 'beacon-fuses-'));
  temps.push(dir);
  const binary = join(dir, 'Electron Framework');
  writeFileSync(binary, Buffer.concat([Buffer.from('machine code'), Buffer.from(SENTINEL), Buffer.from([1, 8]), Buffer.from('10110001'), Buffer.from('more')]));
  const { PlatformPackager } = require('app-builder-lib') as {
    PlatformPackager: { prototype: { generateFuseConfig(fuses: unknown): Promise<Record<string, unknown>> } };
  };
  const fuseConfig = await PlatformPackager.prototype.generateFuseConfig.call(null, electronFuses);
  await flipFuses(binary, { ...fuseConfig, resetAdHocDarwinSignature: false });
  const wire = await getCurrentFuseWire(binary);
  const name = (state: unknown) => (state === FuseState.ENABLE ? 'on' : state === FuseState.DISABLE ? 'off' : `unset(${String(state)})`);
  return Object.fromEntries(Object.keys(SHIPPED_FUSES).map((fuse) => [fuse, name(wire[FuseV1Options[fuse]!])]));
}

type Filter = (file: string, stat: ReturnType<typeof lstatSync> & { moduleFullFilePath?: string }) => boolean;

/** node-pty's files that electron-builder would ship and unpack, by its own (internal) matchers. */
function nodePtyPackaging(): { shipped: string[]; unpacked: string[] } {
  const { getNodeModuleFileMatcher, getFileMatchers, FileMatcher } = require('app-builder-lib/out/fileMatcher') as {
    getNodeModuleFileMatcher(appDir: string, dest: string, macro: (s: string) => string, options: object, info: object): { patterns: string[] };
    getFileMatchers(config: object, name: string, dest: string, options: object): { createFilter(): Filter }[];
    FileMatcher: new (from: string, to: string, macro: (s: string) => string, patterns: string[]) => { createFilter(): Filter };
  };
  const appDir = resolve('.');
  const dest = join(tmpdir(), 'beacon-packed', 'app');
  const same = (text: string) => text;
  const ptyDir = join(appDir, 'node_modules', 'node-pty');
  // Dependencies are filtered by the exclusions of `files`, with paths like node_modules/node-pty/lib/index.js.
  const modules = getNodeModuleFileMatcher(appDir, dest, same, {}, { config, projectDir: appDir, debugLogger: { isEnabled: false } });
  const ship = new FileMatcher(ptyDir, join(dest, 'node_modules', 'node-pty'), same, modules.patterns).createFilter();
  const unpack = getFileMatchers(config, 'asarUnpack', dest, { macroExpander: same, customBuildOptions: {}, globalOutDir: join(appDir, 'release'), defaultSrc: appDir })[0]!.createFilter();
  const files = (dir: string): string[] => readdirSync(dir).flatMap((entry) => (statSync(join(dir, entry)).isDirectory() ? files(join(dir, entry)) : [join(dir, entry)]));
  const shipped = files(ptyDir).filter((file) => ship(file, Object.assign(lstatSync(file), { moduleFullFilePath: join('node_modules', 'node-pty', relative(ptyDir, file)) })));
  return {
    shipped: shipped.map((file) => relative(ptyDir, file)),
    unpacked: shipped.filter((file) => unpack(file, lstatSync(file))).map((file) => relative(ptyDir, file)),
  };
}
