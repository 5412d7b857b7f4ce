import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCliSync } from '../support/cli.js';

/**
 * `beacon service install` on Linux (issue 18, point 9): the user unit only starts at boot and survives
 * logout with lingering on, so install turns it on, or prints the exact command when it cannot, and says
 * where the logs are. A stand-in `loginctl` on PATH records what it was asked; the real one is never run.
 */
let root: string;
let env: NodeJS.ProcessEnv;
const user = process.env.USER || userInfo().username;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'beacon-linger-'));
  const bin = join(root, 'bin');
  mkdirSync(bin);
  writeFileSync(
    join(bin, 'loginctl'),
    [
      '#!/bin/sh',
      'echo "$*" >> "$LOGINCTL_LOG"',
      'case "$1" in',
      '  show-user) if [ -f "$LINGER_STATE" ]; then echo yes; else echo "Failed to get user: User ID 1000 is not logged in or lingering" >&2; exit 1; fi ;;',
      '  enable-linger) if [ -n "$LOGINCTL_DENY" ]; then echo "Could not enable linger: Access denied" >&2; exit 1; fi; : > "$LINGER_STATE" ;;',
      'esac',
      '',
    ].join('\n'),
  );
  chmodSync(join(bin, 'loginctl'), 0o755);
  env = {
    ...process.env,
    HOME: join(root, 'home'),
    MENTU_HOME: join(root, 'home', '.mentu'),
    PATH: bin,
    USER: user,
    LOGINCTL_LOG: join(root, 'loginctl.log'),
    LINGER_STATE: join(root, 'lingering'),
  };
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

const install = (extra: NodeJS.ProcessEnv = {}, args: string[] = []) => runCliSync(['service', 'install', '--platform', 'linux', ...args], { env: { ...env, ...extra } });
const asked = () => (existsSync(env.LOGINCTL_LOG!) ? readFileSync(env.LOGINCTL_LOG!, 'utf8').trim().split('\n') : []);

describe.runIf(process.platform === 'linux')('beacon service install on Linux', () => {
  it('turns lingering on when it is off, and says how to read the logs', () => {
    const result = install();
    expect(result.status, result.stderr).toBe(0);
    expect(asked()).toEqual([`show-user ${user} --property=Linger --value`, `enable-linger ${user}`]);
    expect(result.stdout).toContain(`Turned lingering on for ${user} (loginctl enable-linger): the service starts at boot and keeps running after you log out.`);
    expect(result.stdout).toContain('Logs: journalctl --user -u beacon -f\n');
    expect(result.stdout).toContain('systemctl --user daemon-reload && systemctl --user enable --now beacon.service');
    expect(readFileSync(join(env.HOME!, '.config/systemd/user/beacon.service'), 'utf8')).toContain('WantedBy=default.target');
  });

  it('leaves lingering alone when it is on already', () => {
    writeFileSync(env.LINGER_STATE!, '');
    const result = install();
    expect(asked()).toEqual([`show-user ${user} --property=Linger --value`]);
    expect(result.stdout).toContain(`Lingering is on for ${user}`);
  });

  it('prints the exact command to run as root when it may not turn it on itself', () => {
    const result = install({ LOGINCTL_DENY: '1' });
    expect(result.status).toBe(0); // the unit is written; only lingering waits for root
    expect(result.stdout).toContain('Could not turn lingering on (Could not enable linger: Access denied)');
    expect(result.stdout).toContain(`Run this once, as root: sudo loginctl enable-linger ${user}\n`);
  });

  it('changes nothing with --dry-run, and explains when loginctl is missing', () => {
    const dry = install({}, ['--dry-run']);
    expect(dry.stdout).toContain(`would run: loginctl enable-linger ${user}`);
    expect(asked()).toEqual([`show-user ${user} --property=Linger --value`]);
    const bare = install({ PATH: join(root, 'empty') });
    expect(bare.stdout).toContain('loginctl is not installed, so lingering cannot be checked');
    expect(bare.stdout).toContain(`On a systemd machine, run once as root: sudo loginctl enable-linger ${user}`);
  });
});
