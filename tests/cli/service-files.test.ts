import { execFileSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { launchdPlan, launchdPlist } from '../../src-main/cli/service/launchd.js';
import { installService, servicePlan, uninstallService } from '../../src-main/cli/service/install.js';
import type { ServiceSpec } from '../../src-main/cli/service/spec.js';
import { systemdPlan, systemdUnit } from '../../src-main/cli/service/systemd.js';

// plist (electron-builder's own plist parser) reads the XML the way macOS tools do.
const plist = createRequire(import.meta.url)('plist') as { parse(xml: string): unknown };

const temps: string[] = [];
const tempDir = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'beacon-service-'));
  temps.push(dir);
  return dir;
};
afterAll(() => temps.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

const spec = (home: string, overrides: Partial<ServiceSpec> = {}): ServiceSpec => ({
  nodePath: '/usr/local/bin/node',
  cliPath: '/opt/beacon/dist-cli/beacon.cjs',
  homeDir: home,
  mentuHome: null,
  logPath: join(home, '.mentu', 'beacon.log'),
  ...overrides,
});

describe('launchd agent (macOS)', () => {
  it('is a well-formed plist that runs `<node> <beacon.cjs> run` at load and restarts after failures', () => {
    const home = '/Users/ada';
    const parsed = plist.parse(launchdPlist(spec(home, { mentuHome: '/Users/ada/beacon home & <co>' }))) as Record<string, unknown>;
    expect(parsed).toEqual({
      Label: 'ai.mentu.beacon',
      ProgramArguments: ['/usr/local/bin/node', '/opt/beacon/dist-cli/beacon.cjs', 'run'],
      EnvironmentVariables: { MENTU_HOME: '/Users/ada/beacon home & <co>' },
      RunAtLoad: true,
      KeepAlive: { SuccessfulExit: false },
      ThrottleInterval: 30,
      ProcessType: 'Background',
      StandardOutPath: '/Users/ada/.mentu/beacon.log',
      StandardErrorPath: '/Users/ada/.mentu/beacon.log',
    });
    // Without MENTU_HOME the service uses the default ~/.mentu: no environment block at all.
    expect(plist.parse(launchdPlist(spec(home)))).not.toHaveProperty('EnvironmentVariables');
  });

  it('lives in ~/Library/LaunchAgents and is loaded with launchctl bootstrap', () => {
    const plan = launchdPlan(spec('/Users/ada smith'));
    expect(plan.file).toBe('/Users/ada smith/Library/LaunchAgents/ai.mentu.beacon.plist');
    expect(plan.loadCommands).toEqual(["launchctl bootstrap gui/$(id -u) '/Users/ada smith/Library/LaunchAgents/ai.mentu.beacon.plist'"]);
    expect(plan.unloadCommands).toEqual(['launchctl bootout gui/$(id -u)/ai.mentu.beacon']);
  });
});

describe('systemd user unit (Linux)', () => {
  const directives = (unit: string) => unit.split('\n').filter((line) => line.includes('='));

  it('runs `<node> <beacon.cjs> run` with Restart=on-failure and passes MENTU_HOME when set', () => {
    const unit = systemdUnit(spec('/home/ada', { mentuHome: '/srv/mentu' }));
    expect(unit).toMatch(/^\[Unit\]\n/);
    expect(unit).toContain('\n[Service]\n');
    expect(unit).toContain('\n[Install]\nWantedBy=default.target\n');
    expect(directives(unit)).toEqual(
      expect.arrayContaining([
        'ExecStart=/usr/local/bin/node /opt/beacon/dist-cli/beacon.cjs run',
        'Environment=MENTU_HOME=/srv/mentu',
        'Restart=on-failure',
      ]),
    );
    expect(directives(systemdUnit(spec('/home/ada'))).some((line) => line.startsWith('Environment='))).toBe(false);
  });

  it('quotes paths with spaces and escapes systemd specifiers', () => {
    const unit = systemdUnit(spec('/home/ada', { nodePath: '/opt/my node/bin/node', cliPath: '/opt/100%/beacon.cjs', mentuHome: '/srv/$HOME' }));
    expect(directives(unit)).toContain('ExecStart="/opt/my node/bin/node" /opt/100%%/beacon.cjs run');
    expect(directives(unit)).toContain('Environment="MENTU_HOME=/srv/$$HOME"');
  });

  it('lives in ~/.config/systemd/user and is enabled with systemctl --user', () => {
    const plan = systemdPlan(spec('/home/ada'));
    expect(plan.file).toBe('/home/ada/.config/systemd/user/beacon.service');
    expect(plan.loadCommands).toEqual(['systemctl --user daemon-reload && systemctl --user enable --now beacon.service']);
  });
});

describe('install and uninstall', () => {
  it('write into the given home only, report unchanged on a second install, remove the file and its enable link', () => {
    const home = tempDir();
    const plan = servicePlan('linux', spec(home));
    expect(installService(plan, true)).toMatchObject({ action: 'would-write' });
    expect(existsSync(plan.file)).toBe(false);
    expect(installService(plan, false)).toMatchObject({ action: 'written', file: join(home, '.config/systemd/user/beacon.service') });
    expect(readFileSync(plan.file, 'utf8')).toBe(plan.content);
    expect(installService(plan, false).action).toBe('unchanged');

    // What `systemctl --user enable` would have created.
    const wants = join(home, '.config/systemd/user/default.target.wants');
    mkdirSync(wants);
    symlinkSync(plan.file, join(wants, 'beacon.service'));
    expect(uninstallService(plan, true).action).toBe('would-remove');
    expect(existsSync(plan.file)).toBe(true);
    expect(uninstallService(plan, false)).toMatchObject({ action: 'removed', commands: plan.unloadCommands });
    expect(existsSync(plan.file)).toBe(false);
    expect(lstatSync(join(wants, 'beacon.service'), { throwIfNoEntry: false })).toBeUndefined();
    expect(uninstallService(plan, false).action).toBe('absent');
  });

  it('`beacon service install` (the built CLI) writes both platforms under HOME and prints the load command', () => {
    const home = tempDir();
    const mentuHome = join(home, 'mentu');
    const cli = resolve('dist-cli/beacon.cjs');
    // install on Linux asks loginctl about lingering: a stand-in answers (tests/cli/service-linger.test.ts), never the real one.
    const bin = join(home, 'bin');
    mkdirSync(bin);
    writeFileSync(join(bin, 'loginctl'), '#!/bin/sh\necho yes\n', { mode: 0o755 });
    const env = { ...process.env, HOME: home, MENTU_HOME: mentuHome, PATH: bin };
    const run = (...args: string[]) => execFileSync(process.execPath, [cli, 'service', ...args], { env, encoding: 'utf8' });

    const dry = run('install', '--dry-run', '--platform', 'linux');
    expect(dry).toContain(`ExecStart=${process.execPath} ${cli} run`);
    expect(existsSync(join(home, '.config'))).toBe(false);

    const linux = run('install', '--platform', 'linux');
    const unitFile = join(home, '.config/systemd/user/beacon.service');
    expect(linux).toContain(`wrote ${unitFile}`);
    expect(linux).toContain('systemctl --user daemon-reload && systemctl --user enable --now beacon.service');
    expect(readFileSync(unitFile, 'utf8')).toContain(`Environment=MENTU_HOME=${mentuHome}`);

    const mac = run('install', '--platform', 'darwin');
    const plistFile = join(home, 'Library/LaunchAgents/ai.mentu.beacon.plist');
    expect(mac).toContain(`launchctl bootstrap gui/$(id -u) ${plistFile}`);
    const parsed = plist.parse(readFileSync(plistFile, 'utf8')) as { ProgramArguments: string[]; StandardOutPath: string };
    expect(parsed.ProgramArguments).toEqual([process.execPath, cli, 'run']);
    expect(parsed.StandardOutPath).toBe(join(mentuHome, 'beacon.log'));

    expect(run('uninstall', '--platform', 'darwin')).toContain(`removed ${plistFile}`);
    expect(existsSync(plistFile)).toBe(false);
    expect(() => execFileSync(process.execPath, [cli, 'service', 'install', '--platform', 'win32'], { env, stdio: 'pipe' })).toThrow(/supports macOS/);
  });
});
