import { join } from 'node:path';
import { Menu, nativeImage, Tray, type MenuItemConstructorOptions } from 'electron';
import {
  buildTrayModel,
  sameMenu,
  TRAY_ANIMATION_INTERVAL_MS,
  type TrayInput,
  type TrayMenuActionId,
  type TrayMenuItem,
  type TrayModel,
  trayClickAction,
} from './tray-model.js';
import type { Rect } from './window-position.js';

/** Renders the tray model: icon (animated while running), tooltip and menu. Decisions live in tray-model.ts. */
export interface TrayControllerOptions {
  /** Folder holding the …Template.png icons. */
  assetsDir: string;
  onAction(id: TrayMenuActionId): void;
  onLaunchAtLogin(enabled: boolean): void;
  /** Left click: the popover, placed under the bounds the click reported. */
  onClick(bounds: Rect): void;
  /** The menu is about to open: refresh what is read on demand (the login item), then render. */
  onMenuWillOpen(): void;
}

export interface TrayController {
  render(input: Omit<TrayInput, 'frame'>): void;
  model(): TrayModel | null;
  bounds(): Rect;
  destroy(): void;
}

export function createTrayController(options: TrayControllerOptions): TrayController {
  const image = (name: string) => {
    // Electron picks name@2x.png for Retina by itself; the "Template" suffix makes it a template image.
    const icon = nativeImage.createFromPath(join(options.assetsDir, `${name}.png`));
    icon.setTemplateImage(true);
    return icon;
  };

  let input: Omit<TrayInput, 'frame'> = { snapshot: null, launchAtLogin: { supported: false, enabled: false } };
  let current: TrayModel | null = null;
  let menu: Menu | null = null;
  let frame = 0;
  let animation: NodeJS.Timeout | null = null;

  const tray = new Tray(image(buildTrayModel(input).icon));
  // A double click would arrive as two clicks: show-then-hide. macOS menu-bar items answer single clicks only.
  tray.setIgnoreDoubleClickEvents(true);
  const openMenu = (): void => {
    options.onMenuWillOpen();
    if (menu) tray.popUpContextMenu(menu);
  };
  tray.on('click', (event, bounds) => (trayClickAction(event) === 'menu' ? openMenu() : options.onClick(bounds)));
  tray.on('right-click', openMenu);

  const toTemplate = (item: TrayMenuItem): MenuItemConstructorOptions => {
    switch (item.kind) {
      case 'label':
        return { label: item.label, enabled: false };
      case 'separator':
        return { type: 'separator' };
      case 'action':
        return { label: item.label, enabled: item.enabled, click: () => options.onAction(item.id) };
      case 'checkbox':
        return {
          label: item.label,
          type: 'checkbox',
          checked: item.checked,
          enabled: item.enabled,
          click: (menuItem) => options.onLaunchAtLogin(menuItem.checked),
        };
    }
  };

  const draw = (): void => {
    const next = buildTrayModel({ ...input, frame });
    if (!current || current.icon !== next.icon) tray.setImage(image(next.icon));
    if (!sameMenu(current, next)) {
      menu = Menu.buildFromTemplate(next.menu.map(toTemplate));
      tray.setToolTip(next.tooltip);
    }
    current = next;
    if (next.animated && !animation) {
      animation = setInterval(() => {
        frame += 1;
        draw();
      }, TRAY_ANIMATION_INTERVAL_MS);
    } else if (!next.animated && animation) {
      clearInterval(animation);
      animation = null;
      frame = 0;
    }
  };

  return {
    render(next) {
      input = next;
      draw();
    },
    model: () => current,
    bounds: () => tray.getBounds(),
    destroy() {
      if (animation) clearInterval(animation);
      animation = null;
      tray.destroy();
    },
  };
}
