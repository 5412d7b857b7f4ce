/**
 * The application menu: shown while the detached window is in front (the Dock icon is up then). Minimal on
 * purpose: the Edit roles that make Cmd+C/V/A/Z work in text fields, Close and Minimize, and Quit (through
 * before-quit, so the quit sequence runs). Not Electron's default menu, which offers Reload and DevTools.
 * Items use Electron's role names, so main.ts hands this to Menu.buildFromTemplate as it is.
 */
export type AppMenuItem = { role: string } | { type: 'separator' } | { label: string; submenu: AppMenuItem[] };

export function appMenuTemplate(appName: string): AppMenuItem[] {
  const separator = { type: 'separator' } as const;
  return [
    { label: appName, submenu: [{ role: 'about' }, separator, { role: 'hide' }, { role: 'hideOthers' }, { role: 'unhide' }, separator, { role: 'quit' }] },
    {
      label: 'Edit',
      submenu: [{ role: 'undo' }, { role: 'redo' }, separator, { role: 'cut' }, { role: 'copy' }, { role: 'paste' }, { role: 'pasteAndMatchStyle' }, { role: 'delete' }, { role: 'selectAll' }],
    },
    { label: 'Window', submenu: [{ role: 'minimize' }, { role: 'close' }] },
  ];
}

/** Every role in a template, submenus included. */
export function menuRoles(items: AppMenuItem[]): string[] {
  return items.flatMap((item) => ('role' in item ? [item.role] : 'submenu' in item ? menuRoles(item.submenu) : []));
}
