import { isAbsolute, join, relative, sep } from 'node:path';

/**
 * macOS guards Desktop, Documents, Downloads and iCloud Drive (TCC): the first time a process of Beacon's
 * reads there, macOS asks the user on Beacon's behalf, and a "Don't Allow" (or no answer) turns every later
 * read into EPERM "Operation not permitted". This module recognises such a failure and says which
 * permission to grant: the one place that text is written (runs, the workdir check and `beacon doctor`).
 */
export interface ProtectedFolder {
  /** As the user calls it: "Documents", "iCloud Drive". */
  name: string;
  /** Its path on this machine. */
  root: string;
  /** The switch under System Settings → Privacy & Security → Files and Folders → <app>. */
  settingsItem: string;
}

const FOLDERS: readonly { name: string; path: string[]; settingsItem: string }[] = [
  { name: 'Desktop', path: ['Desktop'], settingsItem: 'Desktop Folder' },
  { name: 'Documents', path: ['Documents'], settingsItem: 'Documents Folder' },
  { name: 'Downloads', path: ['Downloads'], settingsItem: 'Downloads Folder' },
  { name: 'iCloud Drive', path: ['Library', 'Mobile Documents'], settingsItem: 'iCloud Drive' },
];

/** The protected folder `path` lies in (macOS only), or null. */
export function protectedFolderOf(path: string, homeDir: string, platform: NodeJS.Platform = process.platform): ProtectedFolder | null {
  if (platform !== 'darwin' || !homeDir || !isAbsolute(path)) return null;
  for (const folder of FOLDERS) {
    const root = join(homeDir, ...folder.path);
    const rel = relative(root, path);
    if (rel === '' || (!isAbsolute(rel) && rel !== '..' && !rel.startsWith(`..${sep}`))) {
      return { name: folder.name, root, settingsItem: folder.settingsItem };
    }
  }
  return null;
}

/** What to do, in one sentence. `app` is who needs the permission (the terminal, for the CLI run in one). */
export function folderPermissionHint(folder: ProtectedFolder, app = 'Beacon'): string {
  return (
    `macOS did not let ${app} into your ${folder.name} folder (${folder.root}): allow it in System Settings → Privacy & Security → ` +
    `Files and Folders → ${app} → ${folder.settingsItem} (or give ${app} Full Disk Access), then run the command again`
  );
}

/** EPERM, as an error code or as the text agents and shells print for it. */
export function isPermissionDenied(errorOrText: unknown): boolean {
  if (errorOrText && typeof errorOrText === 'object' && (errorOrText as NodeJS.ErrnoException).code === 'EPERM') return true;
  const text = typeof errorOrText === 'string' ? errorOrText : errorOrText instanceof Error ? errorOrText.message : '';
  return /\bEPERM\b|operation not permitted/i.test(text);
}

/**
 * The hint for a failure in `cwd` when it looks like the folder permission (a permission error, in a protected
 * folder on macOS), else null. `texts` are what the failure said: the error message, the output's tail.
 */
export function explainFolderPermission(texts: (string | null | undefined)[], cwd: string, homeDir: string, platform: NodeJS.Platform = process.platform): string | null {
  const folder = protectedFolderOf(cwd, homeDir, platform);
  if (!folder) return null;
  return texts.some((text) => !!text && isPermissionDenied(text)) ? folderPermissionHint(folder) : null;
}
