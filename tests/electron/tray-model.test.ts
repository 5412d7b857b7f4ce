import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AgentHealthView } from '../../src-main/core/contract/types.js';
import {
  agentHealthLine,
  ALL_TRAY_ICONS,
  buildTrayModel,
  sameMenu,
  type TrayInput,
  type TrayMenuItem,
} from '../../src-main/electron/tray-model.js';
import { bridgeHolder, commandWith, snapshotWith } from '../support/snapshot-fixture.js';

const loginOff = { supported: true, enabled: false };
const input = (partial: Partial<TrayInput>): TrayInput => ({ snapshot: snapshotWith(), launchAtLogin: loginOff, ...partial });

const labels = (menu: TrayMenuItem[]): string[] =>
  menu.map((item) => (item.kind === 'separator' ? '---' : item.label));
const action = (menu: TrayMenuItem[], id: string) => menu.find((item) => 'id' in item && item.id === id);

/** The fixed part every menu has, after the status lines. */
const STANDARD_TAIL = ['Show Beacon', 'Open Logs Folder', '---', 'Launch at Login', '---', 'Quit Beacon'];

describe('tray model', () => {
  it('connected and idle: the idle icon, "Connected", 0 running, Pause Claiming', () => {
    const model = buildTrayModel(input({}));
    expect(model.state).toBe('idle');
    expect(model.icon).toBe('idleTemplate');
    expect(model.animated).toBe(false);
    expect(labels(model.menu)).toEqual(['Connected: local queue', '0 running', '---', 'Pause Claiming', ...STANDARD_TAIL]);
    expect(action(model.menu, 'toggle-claiming')).toMatchObject({ enabled: true });
  });

  it('running: animated frames that cycle, and the running count', () => {
    const snapshot = snapshotWith({
      source: { kind: 'supabase', connection: 'connected', detail: null, pendingWrites: 0 },
      commands: [commandWith('a', 'running'), commandWith('b', 'claimed'), commandWith('c', 'completed')],
    });
    const frames = [0, 1, 2, 3].map((frame) => buildTrayModel(input({ snapshot, frame })));
    expect(frames[0]!.state).toBe('running');
    expect(frames[0]!.animated).toBe(true);
    expect(frames.map((m) => m.icon)).toEqual(['running1Template', 'running2Template', 'running3Template', 'running1Template']);
    expect(labels(frames[0]!.menu).slice(0, 2)).toEqual(['Connected: Supabase', '2 running']);
    expect(frames[0]!.tooltip).toContain('2 running');
    // Frames change only the icon: the menu does not need rebuilding on every tick.
    expect(sameMenu(frames[0]!, frames[1]!)).toBe(true);
  });

  it('an edit of beacon.yaml that waits for a restart, or was not applied, gets a line of its own', () => {
    const snapshot = snapshotWith({ restartNeeded: ['command_source', 'supabase.url'], configError: 'Invalid configuration in /h/beacon.yaml at line 4, column 3: execution.max_concurrent: expected a whole number' });
    const lines = labels(buildTrayModel(input({ snapshot })).menu);
    expect(lines.slice(0, 3)).toEqual([
      'Connected: local queue',
      'Your last edit of beacon.yaml was not applied: Invalid configuration in /h/beacon.yaml at line 4, column 3: execution.max_concurrent: expected a whole number',
      'Restart Beacon to use the new command_source, supabase.url (changed in beacon.yaml; it runs with the old value until then).',
    ]);
    expect(labels(buildTrayModel(input({ snapshot: snapshotWith({ restartNeeded: [], configError: null }) })).menu)[1]).toBe('0 running');
  });

  it('paused: the paused icon and Resume Claiming', () => {
    const model = buildTrayModel(input({ snapshot: snapshotWith({ paused: true }) }));
    expect(model.state).toBe('paused');
    expect(model.icon).toBe('pausedTemplate');
    expect(labels(model.menu)).toEqual([
      'Paused: local queue',
      'Nothing new is claimed until you resume.',
      '0 running',
      '---',
      'Resume Claiming',
      ...STANDARD_TAIL,
    ]);
  });

  it('paused with a command still running: the running icon, but the menu says paused', () => {
    const model = buildTrayModel(input({ snapshot: snapshotWith({ paused: true, commands: [commandWith('a', 'running')] }) }));
    expect(model.state).toBe('running');
    expect(labels(model.menu).slice(0, 3)).toEqual(['Paused: local queue', 'Running commands will finish; nothing new is claimed.', '1 running']);
    expect(action(model.menu, 'toggle-claiming')).toMatchObject({ label: 'Resume Claiming' });
  });

  it('standby: who holds the lock and how to stop it; claiming cannot be toggled', () => {
    const holder = bridgeHolder(4242);
    const model = buildTrayModel(input({ snapshot: snapshotWith({ role: 'standby', lockHolders: [holder] }) }));
    expect(model.state).toBe('standby');
    expect(model.icon).toBe('standbyTemplate');
    expect(labels(model.menu).slice(0, 3)).toEqual([
      'Standby: bridge pid 4242 holds the executor lock',
      holder.stopInstruction,
      '0 running',
    ]);
    expect(action(model.menu, 'toggle-claiming')).toMatchObject({ enabled: false });
  });

  it('disconnected and reconnecting: the disconnected icon and the reason', () => {
    const reconnecting = buildTrayModel(
      input({ snapshot: snapshotWith({ source: { kind: 'supabase', connection: 'reconnecting', detail: 'CHANNEL_ERROR, retrying in 4 s', pendingWrites: 3 } }) }),
    );
    expect(reconnecting.state).toBe('disconnected');
    expect(reconnecting.icon).toBe('disconnectedTemplate');
    expect(labels(reconnecting.menu).slice(0, 2)).toEqual(['Reconnecting to Supabase…', 'CHANNEL_ERROR, retrying in 4 s']);

    const offline = buildTrayModel(input({ snapshot: snapshotWith({ source: { kind: 'supabase', connection: 'offline', detail: null, pendingWrites: 0 } }) }));
    expect(offline.state).toBe('disconnected');
    expect(labels(offline.menu)[0]).toBe('Offline: cannot reach Supabase');

    // Running commands do not hide a lost connection.
    const runningOffline = buildTrayModel(
      input({ snapshot: snapshotWith({ commands: [commandWith('a', 'running')], source: { kind: 'supabase', connection: 'offline', detail: null, pendingWrites: 0 } }) }),
    );
    expect(runningOffline.state).toBe('disconnected');
    expect(labels(runningOffline.menu)).toContain('1 running');
  });

  it('auth failed and other errors: the error icon and what to do', () => {
    const auth = buildTrayModel(
      input({ snapshot: snapshotWith({ source: { kind: 'supabase', connection: 'auth_failed', detail: 'The Supabase key was rejected (401): enter a new key in Settings', pendingWrites: 0 } }) }),
    );
    expect(auth.state).toBe('error');
    expect(auth.icon).toBe('errorTemplate');
    expect(labels(auth.menu).slice(0, 2)).toEqual(['Sign-in to Supabase failed', 'The Supabase key was rejected (401): enter a new key in Settings']);

    const problem = buildTrayModel(input({ snapshot: snapshotWith({ problem: 'Agent "claude" not found on the login-shell PATH' }) }));
    expect(problem.state).toBe('error');
    expect(labels(problem.menu).slice(0, 2)).toEqual(['Beacon needs attention', 'Agent "claude" not found on the login-shell PATH']);

    const startup = buildTrayModel({ snapshot: null, startupProblem: '/x/beacon.yaml: execution.max_concurrent: expected a number', launchAtLogin: loginOff });
    expect(startup.state).toBe('error');
    expect(labels(startup.menu).slice(0, 2)).toEqual(['Beacon cannot start', '/x/beacon.yaml: execution.max_concurrent: expected a number']);
    expect(action(startup.menu, 'toggle-claiming')).toMatchObject({ enabled: false });
    // Quit and Open Logs stay usable whatever happens.
    expect(action(startup.menu, 'quit')).toMatchObject({ enabled: true });
    expect(action(startup.menu, 'open-logs')).toMatchObject({ enabled: true });
  });

  it('before the core exists: starting, disconnected icon', () => {
    const model = buildTrayModel({ snapshot: null, launchAtLogin: loginOff });
    expect(model.state).toBe('disconnected');
    expect(labels(model.menu)[0]).toBe('Beacon is starting…');
  });

  it('Launch at Login is a checkbox that reflects the login item, disabled where unsupported', () => {
    const on = buildTrayModel(input({ launchAtLogin: { supported: true, enabled: true } }));
    expect(action(on.menu, 'launch-at-login')).toEqual({ kind: 'checkbox', id: 'launch-at-login', label: 'Launch at Login', checked: true, enabled: true });
    const unsupported = buildTrayModel(input({ launchAtLogin: { supported: false, enabled: false } }));
    expect(action(unsupported.menu, 'launch-at-login')).toMatchObject({ checked: false, enabled: false });
    expect(sameMenu(on, unsupported)).toBe(false);
  });

  it('every icon the model can name ships in assets/ at 16×16 and 32×32 as a black+alpha template', () => {
    for (const name of ALL_TRAY_ICONS) {
      expect(name.endsWith('Template')).toBe(true);
      for (const [file, size] of [[`${name}.png`, 16], [`${name}@2x.png`, 32]] as const) {
        const path = join('assets', file);
        expect(existsSync(path), path).toBe(true);
        const png = readFileSync(path);
        expect(png.subarray(1, 4).toString('ascii')).toBe('PNG');
        expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([size, size]);
        expect(png[25]).toBe(6); // RGBA
      }
    }
    const app = readFileSync(join('assets', 'icon.png'));
    expect([app.readUInt32BE(16), app.readUInt32BE(20)]).toEqual([1024, 1024]);
  });
});

describe("the agent's health line", () => {
  const health = (patch: Partial<AgentHealthView>): AgentHealthView => ({
    agent: 'claude', path: '/usr/local/bin/claude', version: '2.1.197 (Claude Code)', loggedIn: true, login: 'API key (ANTHROPIC_API_KEY)', problem: null,
    shell: { state: 'resolved', shell: '/bin/zsh', ms: 420 }, checkedAt: '2026-12-01T00:00:00Z', ...patch,
  });
  const lineOf = (h: AgentHealthView): string => labels(buildTrayModel(input({ snapshot: snapshotWith({ agentHealth: h }) })).menu)[2]!;

  it('says the CLI version, that it is logged in and how long the login shell took', () => {
    expect(lineOf(health({}))).toBe('claude 2.1.197 · logged in · login shell 0.4 s');
  });

  it('says when the agent is not logged in, or the shell was skipped, or the agent is missing', () => {
    expect(lineOf(health({ loggedIn: false, login: 'not logged in' }))).toBe('claude 2.1.197 · not logged in: run claude and /login · login shell 0.4 s');
    expect(lineOf(health({ shell: { state: 'timed_out', shell: '/bin/zsh', ms: 10_003 } }))).toBe('claude 2.1.197 · logged in · login shell timed out, skipped');
    expect(lineOf(health({ path: null, version: null, loggedIn: null, problem: "command 'claude' was not found on PATH" }))).toBe("claude: command 'claude' was not found on PATH");
    expect(agentHealthLine(health({ shell: { state: 'off', shell: null, ms: null } }))).toBe('claude 2.1.197 · logged in');
  });
});
