import { describe, expect, it } from 'vitest';
import { folderPermissionChecks } from '../../src-main/cli/control/doctor-checks.js';

const home = '/Users/ada';
const eperm = () => {
  throw Object.assign(new Error("EPERM: operation not permitted, scandir '/Users/ada/Documents/site'"), { code: 'EPERM' });
};

describe('beacon doctor: folder permissions', () => {
  it('an allowed directory macOS protects is named with the permission to grant; unreadable (EPERM) is a problem', () => {
    const readable = folderPermissionChecks(['~/Desktop/app', '/Users/ada/code'], home, 'darwin', () => undefined);
    expect(readable).toEqual([
      {
        name: 'folder permission',
        level: 'info',
        detail: '/Users/ada/Desktop/app is in your Desktop folder, which macOS protects: the first command there makes macOS ask whether Beacon may read it',
        fix: expect.stringContaining('System Settings → Privacy & Security → Files and Folders → Beacon → Desktop Folder'),
      },
    ]);
    const denied = folderPermissionChecks(['/Users/ada/Documents/site'], home, 'darwin', eperm);
    expect(denied).toEqual([
      {
        name: 'folder permission',
        level: 'problem',
        detail: '/Users/ada/Documents/site cannot be read from here: Operation not permitted',
        fix: expect.stringMatching(/Files and Folders → your terminal app → Documents Folder.*the same permission for Beacon/),
      },
    ]);
  });

  it('says nothing on Linux, nor for a folder that is simply missing (the directory check reports that)', () => {
    expect(folderPermissionChecks(['/Users/ada/Documents/site'], home, 'linux', eperm)).toEqual([]);
    const missing = () => {
      throw Object.assign(new Error('ENOENT'), { code: 'ENOENT' });
    };
    expect(folderPermissionChecks(['/Users/ada/Documents/gone'], home, 'darwin', missing)).toEqual([]);
  });
});
