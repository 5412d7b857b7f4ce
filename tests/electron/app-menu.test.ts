import { describe, expect, it } from 'vitest';
import { appMenuTemplate, menuRoles } from '../../src-main/electron/app-menu.js';

describe('the application menu', () => {
  it('has the Edit roles text fields need, Close/Minimize and Quit, and nothing of DevTools or reload', () => {
    const template = appMenuTemplate('Beacon');
    expect(template.map((item) => ('label' in item ? item.label : '?'))).toEqual(['Beacon', 'Edit', 'Window']);
    const roles = menuRoles(template);
    expect(roles).toEqual(expect.arrayContaining(['undo', 'redo', 'cut', 'copy', 'paste', 'selectAll', 'quit', 'close', 'minimize']));
    for (const forbidden of ['toggleDevTools', 'reload', 'forceReload', 'viewMenu', 'zoomIn', 'resetZoom']) expect(roles).not.toContain(forbidden);
  });
});
