import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
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

  it('uses the hardened runtime with an entitlements file that grants what Electron needs', () => {
    expect(config.mac.hardenedRuntime).toBe(true);
    expect(config.mac.notarize).toBe(true);
    for (const file of [config.mac.entitlements, config.mac.entitlementsInherit]) {
      expect(existsSync(file), file).toBe(true);
      const entitlements = plist.parse(readFileSync(file, 'utf8'));
      expect(entitlements).toMatchObject({
        'com.apple.security.cs.allow-jit': true,
        'com.apple.security.cs.allow-unsigned-executable-memory': true,
        'com.apple.security.cs.disable-library-validation': true,
        'com.apple.security.network.client': true,
      });
    }
  });

  it('keeps native modules out of the asar, packs the built app, and uses node-pty prebuilds as shipped', () => {
    expect(config.asarUnpack).toEqual(expect.arrayContaining(['node_modules/node-pty/**', 'node_modules/better-sqlite3/**']));
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
  });
});
