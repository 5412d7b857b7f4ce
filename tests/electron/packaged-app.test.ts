import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { findPackagedApp } from './packaged-app.js';

/**
 * The built Beacon.app itself (release/…/Beacon.app from `npm run dist:mac`): the fuses in its Electron binary,
 * its Info.plist, its entitlements when signed, node-pty's unpacked files, and the packaged binary started
 * with the usual code-injection routes (ELECTRON_RUN_AS_NODE, NODE_OPTIONS, --inspect), which must all be
 * ignored. Runs where the packaged app exists (the macOS workflow); elsewhere it skips and says why.
 */
const require = createRequire(import.meta.url);
const plist = require('plist') as { parse(xml: string): Record<string, unknown> };
const packaged = findPackagedApp();
const skipReason = packaged.reason ?? null;
const temp = mkdtempSync(join(tmpdir(), 'beacon-packaged-'));
const children: ChildProcess[] = [];

describe('the packaged Beacon.app', () => {
  beforeAll(() => {
    // The macOS workflow sets BEACON_E2E_REQUIRED=1: there a missing app or binary is a failure, not a skip.
    if (skipReason && process.env.BEACON_E2E_REQUIRED === '1') throw new Error(`Packaged-app checks cannot run: ${skipReason}`);
    if (skipReason) console.log(`Packaged-app checks skipped: ${skipReason}`);
  });
  afterAll(() => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    rmSync(temp, { recursive: true, force: true });
  });

  it('its Electron binary carries the fuses electron-builder.yml sets', async (ctx) => {
    if (skipReason) return ctx.skip(skipReason);
    const { getCurrentFuseWire, FuseV1Options } = require('@electron/fuses') as { getCurrentFuseWire(app: string): Promise<Record<string, unknown>>; FuseV1Options: Record<string, number> };
    const wire = await getCurrentFuseWire(packaged.path!);
    const on = (name: string) => wire[FuseV1Options[name]!] === 49; // '1'
    expect({
      RunAsNode: on('RunAsNode'),
      EnableCookieEncryption: on('EnableCookieEncryption'),
      EnableNodeOptionsEnvironmentVariable: on('EnableNodeOptionsEnvironmentVariable'),
      EnableNodeCliInspectArguments: on('EnableNodeCliInspectArguments'),
      EnableEmbeddedAsarIntegrityValidation: on('EnableEmbeddedAsarIntegrityValidation'),
      OnlyLoadAppFromAsar: on('OnlyLoadAppFromAsar'),
      GrantFileProtocolExtraPrivileges: on('GrantFileProtocolExtraPrivileges'),
    }).toEqual({
      RunAsNode: false,
      EnableCookieEncryption: true,
      EnableNodeOptionsEnvironmentVariable: false,
      EnableNodeCliInspectArguments: false,
      EnableEmbeddedAsarIntegrityValidation: true,
      OnlyLoadAppFromAsar: true,
      GrantFileProtocolExtraPrivileges: true,
    });
  });

  it('Info.plist: a menu-bar app without App Nap, the folder usage strings, the asar integrity hash', (ctx) => {
    if (skipReason) return ctx.skip(skipReason);
    const info = plist.parse(readFileSync(join(packaged.path!, 'Contents', 'Info.plist'), 'utf8'));
    expect(info).toMatchObject({ CFBundleIdentifier: 'ai.mentu.beacon', LSUIElement: true, LSAppNapIsDisabled: true });
    for (const key of ['NSDesktopFolderUsageDescription', 'NSDocumentsFolderUsageDescription', 'NSDownloadsFolderUsageDescription', 'NSFileProviderDomainUsageDescription']) {
      expect(info[key], key).toMatch(/^Beacon runs your agents' commands/);
    }
    expect(info.ElectronAsarIntegrity).toMatchObject({ 'Resources/app.asar': { algorithm: 'SHA256', hash: expect.stringMatching(/^[0-9a-f]{64}$/) } });
  });

  it('node-pty: only its macOS binaries are unpacked, spawn-helper executable', (ctx) => {
    if (skipReason) return ctx.skip(skipReason);
    const root = join(packaged.path!, 'Contents', 'Resources', 'app.asar.unpacked', 'node_modules', 'node-pty');
    const files = (dir: string): string[] => readdirSync(dir).flatMap((name) => (statSync(join(dir, name)).isDirectory() ? files(join(dir, name)) : [join(dir, name)]));
    const unpacked = files(root).map((file) => relative(root, file));
    expect(unpacked.every((file) => /^prebuilds\/darwin-(arm64|x64)\/(pty\.node|spawn-helper)$/.test(file)), unpacked.join(', ')).toBe(true);
    const helper = join(root, 'prebuilds', `darwin-${process.arch}`, 'spawn-helper');
    expect(statSync(helper).mode & 0o111).not.toBe(0);
  });

  it('when signed with a Developer ID: the entitlements are the JIT only', (ctx) => {
    if (skipReason) return ctx.skip(skipReason);
    const signature = spawnText('codesign', ['-dv', packaged.path!]);
    if (!/TeamIdentifier=[A-Z0-9]{10}/.test(signature)) return ctx.skip('the app is not signed with a Developer ID (an unsigned CI build); entitlements apply only to signed builds');
    const xml = spawnText('codesign', ['-d', '--entitlements', '-', '--xml', packaged.path!]);
    expect(plist.parse(xml.slice(xml.indexOf('<?xml')))).toEqual({ 'com.apple.security.cs.allow-jit': true });
  });

  it('the packaged binary starts as Beacon and ignores ELECTRON_RUN_AS_NODE, NODE_OPTIONS and --inspect', async (ctx) => {
    if (skipReason) return ctx.skip(skipReason);
    const mentuHome = join(temp, 'mentu');
    const home = join(temp, 'home');
    mkdirSync(mentuHome, { recursive: true });
    mkdirSync(home, { recursive: true });
    writeFileSync(join(mentuHome, 'beacon.yaml'), stringify({ machine: { id: 'beacon-packaged' }, command_source: 'local', execution: { allowed_directories: [temp] } }));
    const marker = join(temp, 'injected');
    const injector = join(temp, 'inject.js');
    writeFileSync(injector, `require('fs').writeFileSync(${JSON.stringify(marker)}, 'NODE_OPTIONS ran');`);
    const binary = join(packaged.path!, 'Contents', 'MacOS', 'Beacon');
    const child = spawn(binary, ['--inspect=0', '-e', 'process.stdout.write("ran as node")'], {
      env: { ...process.env, HOME: home, MENTU_HOME: mentuHome, BEACON_LOGIN_SHELL: '0', ELECTRON_RUN_AS_NODE: '1', NODE_OPTIONS: `--require ${injector}` },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const lockFile = join(mentuHome, 'executor.lock');
    const deadline = Date.now() + 45_000;
    while (!existsSync(lockFile) && child.exitCode === null && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    expect(existsSync(lockFile), output).toBe(true);
    expect(JSON.parse(readFileSync(lockFile, 'utf8'))).toMatchObject({ type: 'beacon', mode: 'app', pid: child.pid });
    expect(output).not.toContain('ran as node');
    expect(output).not.toMatch(/Debugger listening/);
    expect(existsSync(marker)).toBe(false);
    child.kill('SIGKILL');
  });
});

/** stdout and stderr of a command, whatever its exit code (codesign -dv writes to stderr). */
function spawnText(command: string, args: string[]): string {
  const result = spawnSync(command, args, { encoding: 'utf8' });
  return `${result.stdout ?? ''}${result.stderr ?? ''}`;
}
