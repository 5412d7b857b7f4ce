import { describe, expect, it } from 'vitest';
import { explainFolderPermission, folderPermissionHint, isPermissionDenied, protectedFolderOf } from '../../../src-main/core/run/folder-permission.js';

const home = '/Users/ada';

describe('macOS folder permissions', () => {
  it('knows the protected folders by path segment, on macOS only', () => {
    expect(protectedFolderOf('/Users/ada/Documents/site', home, 'darwin')).toMatchObject({ name: 'Documents', settingsItem: 'Documents Folder' });
    expect(protectedFolderOf('/Users/ada/Desktop', home, 'darwin')?.name).toBe('Desktop');
    expect(protectedFolderOf('/Users/ada/Downloads/x/y', home, 'darwin')?.name).toBe('Downloads');
    expect(protectedFolderOf('/Users/ada/Library/Mobile Documents/com~apple~CloudDocs/app', home, 'darwin')?.name).toBe('iCloud Drive');
    expect(protectedFolderOf('/Users/ada/DocumentsArchive/x', home, 'darwin')).toBeNull(); // not inside Documents
    expect(protectedFolderOf('/Users/ada/code/app', home, 'darwin')).toBeNull();
    expect(protectedFolderOf('/Users/ada/Documents/site', home, 'linux')).toBeNull();
  });

  it('recognises EPERM as a code and as the text agents print', () => {
    expect(isPermissionDenied(Object.assign(new Error('x'), { code: 'EPERM' }))).toBe(true);
    expect(isPermissionDenied("Error: EPERM: operation not permitted, scandir '/Users/ada/Documents/site'")).toBe(true);
    expect(isPermissionDenied('ls: .: Operation not permitted')).toBe(true);
    expect(isPermissionDenied(Object.assign(new Error('x'), { code: 'EACCES' }))).toBe(false);
    expect(isPermissionDenied('Permission denied (publickey)')).toBe(false);
  });

  it('a failure in a protected folder that looks like EPERM says which permission to grant, in System Settings', () => {
    const hint = explainFolderPermission(['The agent exited with code 1', "EPERM: operation not permitted, open 'README.md'"], '/Users/ada/Documents/site', home, 'darwin');
    expect(hint).toBe(
      'macOS did not let Beacon into your Documents folder (/Users/ada/Documents): allow it in System Settings → Privacy & Security → Files and Folders → Beacon → Documents Folder (or give Beacon Full Disk Access), then run the command again',
    );
    expect(explainFolderPermission(['The agent exited with code 1'], '/Users/ada/Documents/site', home, 'darwin')).toBeNull();
    expect(explainFolderPermission(['Operation not permitted'], '/Users/ada/code/app', home, 'darwin')).toBeNull();
    expect(explainFolderPermission(['Operation not permitted', null, undefined], '/Users/ada/Desktop/app', home, 'linux')).toBeNull();
    expect(folderPermissionHint(protectedFolderOf('/Users/ada/Downloads/a', home, 'darwin')!, 'your terminal app')).toContain('Files and Folders → your terminal app → Downloads Folder');
  });
});
