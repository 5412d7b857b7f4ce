import { describe, expect, it } from 'vitest';
import { loginItemView, type LoginItemFacts } from '../../src-main/electron/login-item.js';
import { buildTrayModel, type TrayMenuItem } from '../../src-main/electron/tray-model.js';
import { snapshotWith } from '../support/snapshot-fixture.js';

const mac: LoginItemFacts = { platform: 'darwin', openAtLogin: false, status: 'not-registered', packaged: true, inApplicationsFolder: true };
const labels = (menu: TrayMenuItem[]) => menu.map((item) => (item.kind === 'separator' ? '---' : item.label));
const tail = (facts: LoginItemFacts) => {
  const menu = labels(buildTrayModel({ snapshot: snapshotWith(), launchAtLogin: loginItemView(facts) }).menu);
  return menu.slice(menu.indexOf('Launch at Login'));
};

describe('launch at login tells the truth', () => {
  it('enabled, not registered: the checkbox alone', () => {
    expect(loginItemView({ ...mac, openAtLogin: true, status: 'enabled' })).toMatchObject({ supported: true, enabled: true, detail: null, offerLoginItemsSettings: false, offerMoveToApplications: false });
    expect(loginItemView(mac)).toMatchObject({ enabled: false, detail: null });
    expect(tail(mac)).toEqual(['Launch at Login', '---', 'Quit Beacon']);
  });

  it('requires approval: checked, says where to approve, offers to open Login Items', () => {
    const view = loginItemView({ ...mac, status: 'requires-approval' });
    expect(view).toMatchObject({ enabled: true, status: 'requires-approval', offerLoginItemsSettings: true });
    expect(view.detail).toMatch(/System Settings → General → Login Items/);
    expect(tail({ ...mac, status: 'requires-approval' })).toEqual(['Launch at Login', view.detail, 'Open Login Items Settings…', '---', 'Quit Beacon']);
  });

  it('not found (the app moved): says so and offers Login Items', () => {
    const view = loginItemView({ ...mac, openAtLogin: false, status: 'not-found' });
    expect(view).toMatchObject({ enabled: false, offerLoginItemsSettings: true });
    expect(view.detail).toMatch(/cannot find/);
  });

  it('a packaged app outside /Applications is offered the move; an unpackaged run or another platform is not', () => {
    const outside = { ...mac, inApplicationsFolder: false };
    expect(loginItemView(outside)).toMatchObject({ offerMoveToApplications: true, detail: expect.stringMatching(/Applications folder/) });
    expect(tail(outside)).toEqual(['Launch at Login', loginItemView(outside).detail, 'Move to Applications…', '---', 'Quit Beacon']);
    expect(loginItemView({ ...outside, packaged: false }).offerMoveToApplications).toBe(false);
    expect(loginItemView({ ...outside, platform: 'linux' })).toMatchObject({ supported: false, offerMoveToApplications: false });
  });

  it('before macOS 13 (no status) openAtLogin decides', () => {
    expect(loginItemView({ ...mac, status: undefined, openAtLogin: true }).enabled).toBe(true);
    expect(loginItemView({ ...mac, status: null, openAtLogin: false }).enabled).toBe(false);
  });
});
