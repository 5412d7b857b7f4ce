import { describe, expect, it } from 'vitest';
import type { PermissionRequestView } from '../../src-main/core/contract/permission-request.js';
import { createNotificationTracker } from '../../src-main/electron/notifications.js';
import { appPermissionServerCommand, isPermissionServerLaunch } from '../../src-main/electron/permission-server-argv.js';
import { ALL_TRAY_ICONS, buildTrayModel } from '../../src-main/electron/tray-model.js';
import { commandWith, snapshotWith } from '../support/snapshot-fixture.js';

/** The tray's part in permission requests, decided without Electron: the icon and menu, the notification, the app as its own permission server. */

const request = (id: string, state: PermissionRequestView['state'] = 'pending'): PermissionRequestView => ({
  id, commandId: 'cmd-1', workspaceId: null, tool: 'Write', summary: `/work/${id}.txt`, detail: '+x', toolUseId: null,
  askedAt: '2026-01-01T00:00:00.000Z', deadlineAt: '2026-01-01T00:10:00.000Z', state,
  answer: state === 'pending' ? null : { decision: 'allow', scope: 'once', via: 'dashboard', by: 'ada', at: '2026-01-01T00:00:05.000Z', message: null },
});
const launchAtLogin = { supported: true, enabled: false };

describe('the tray while an answer is awaited', () => {
  it('shows the asking icon, says what waits and offers to answer, above running; back to running once answered', () => {
    const running = [commandWith('cmd-1', 'running')];
    const asking = buildTrayModel({ snapshot: snapshotWith({ commands: running, permissionRequests: [request('r1'), request('r2')] }), launchAtLogin });
    expect(asking).toMatchObject({ state: 'asking', icon: 'askingTemplate', animated: false, tooltip: 'Beacon — Waiting for your answer: 2 permission requests (1 running)' });
    expect(asking.menu.slice(0, 2)).toEqual([{ kind: 'label', label: 'Waiting for your answer: 2 permission requests' }, { kind: 'label', label: 'Write /work/r1.txt' }]);
    expect(asking.menu).toContainEqual({ kind: 'action', id: 'show-window', label: 'Answer in Beacon…', enabled: true });
    expect(ALL_TRAY_ICONS).toContain('askingTemplate');
    const answered = buildTrayModel({ snapshot: snapshotWith({ commands: running, permissionRequests: [request('r1', 'allowed')] }), launchAtLogin });
    expect(answered.state).toBe('running');
  });

  it('warns in the menu and the tooltip when an agent is asked nothing', () => {
    const warning = 'Agent "claude" runs with bypassPermissions: NOTHING IS ASKED.';
    const model = buildTrayModel({ snapshot: snapshotWith({ permissionWarnings: [warning] }), launchAtLogin });
    expect(model.menu).toContainEqual({ kind: 'label', label: `⚠ ${warning}` });
    expect(model.tooltip).toMatch(/⚠ permissions$/);
  });
});

describe('the notification', () => {
  it('announces each new request once (when the window is not in front), opening its command', () => {
    const tracker = createNotificationTracker();
    expect(tracker.update(snapshotWith({ permissionRequests: [request('r1')] }), false)).toEqual([
      { commandId: 'cmd-1', title: 'Permission requested: Write', body: '/work/r1.txt' },
    ]);
    expect(tracker.update(snapshotWith({ permissionRequests: [request('r1')] }), false)).toEqual([]);
    expect(tracker.update(snapshotWith({ permissionRequests: [request('r1'), request('r2')] }), true)).toEqual([]);
    expect(tracker.update(snapshotWith({ permissionRequests: [request('r1'), request('r2'), request('r3')] }), false)).toHaveLength(1);
  });
});

describe('the app as its own permission server', () => {
  it('is started with a switch main.ts sees before anything else (packaged: the program alone; unpackaged: with the app folder)', () => {
    expect(appPermissionServerCommand('/Applications/Beacon.app/Contents/MacOS/Beacon', '/x/app.asar', true)).toEqual({
      command: '/Applications/Beacon.app/Contents/MacOS/Beacon', args: ['--beacon-permission-server'],
    });
    expect(appPermissionServerCommand('/repo/node_modules/electron/dist/electron', '/repo', false).args).toEqual(['/repo', '--beacon-permission-server']);
    expect(isPermissionServerLaunch(['/Beacon', '--beacon-permission-server'])).toBe(true);
    expect(isPermissionServerLaunch(['/Beacon'])).toBe(false);
  });
});
