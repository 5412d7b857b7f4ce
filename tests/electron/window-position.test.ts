import { describe, expect, it } from 'vitest';
import { trayClickAction } from '../../src-main/electron/tray-model.js';
import { createTrayBoundsCache, displayContaining, placePopover, type DisplayArea } from '../../src-main/electron/window-position.js';

const size = { width: 420, height: 560 };
const ZERO = { x: 0, y: 0, width: 0, height: 0 };
/** A 1440×900 built-in screen, and a 1920×1080 one to its right with its menu bar at y=0. */
const builtIn: DisplayArea = { bounds: { x: 0, y: 0, width: 1440, height: 900 }, workArea: { x: 0, y: 25, width: 1440, height: 875 } };
const external: DisplayArea = { bounds: { x: 1440, y: -180, width: 1920, height: 1080 }, workArea: { x: 1440, y: -155, width: 1920, height: 1055 } };
const displays = [builtIn, external];

describe('popover placement', () => {
  it('under the tray icon on the display it is on, inside that work area', () => {
    expect(placePopover({ x: 1000, y: 0, width: 24, height: 24 }, { x: 0, y: 0 }, displays, size)).toEqual({ x: 802, y: 29 });
    // The icon on the external display (its menu bar starts at y=-180): placed there, not on the built-in one.
    expect(placePopover({ x: 3000, y: -180, width: 24, height: 24 }, { x: 0, y: 0 }, displays, size)).toEqual({ x: 2802, y: -151 });
    // Near that display's right edge it is pushed left, still on that display.
    expect(placePopover({ x: 3340, y: -180, width: 20, height: 24 }, { x: 0, y: 0 }, displays, size)).toEqual({ x: 3360 - 420 - 4, y: -151 });
  });

  it('zero tray bounds: at the top of the display under the cursor, centred on the cursor', () => {
    expect(placePopover(null, { x: 2500, y: 300 }, displays, size)).toEqual({ x: 2290, y: -151 });
    expect(placePopover(null, { x: 700, y: 12 }, displays, size)).toEqual({ x: 490, y: 29 });
    // A cursor off every screen (a display just unplugged) falls back to the nearest one.
    expect(displayContaining({ x: 5000, y: 100 }, displays)).toBe(external);
  });

  it('the click bounds are cached: a later zero answer still finds the icon; the cursor is the last resort', () => {
    const cache = createTrayBoundsCache();
    expect(cache.best(ZERO)).toBeNull();
    const click = { x: 1200, y: 0, width: 24, height: 24 };
    expect(cache.best(click, ZERO)).toEqual(click); // the click's bounds first
    expect(cache.best(undefined, ZERO)).toEqual(click); // later zeros: the remembered ones
    const moved = { x: 1100, y: 0, width: 24, height: 24 };
    expect(cache.best(undefined, moved)).toEqual(moved); // a fresh usable answer wins and is remembered
    expect(cache.best(ZERO, undefined)).toEqual(moved);
  });
});

describe('tray clicks', () => {
  it('Ctrl+click is the secondary click: the menu; a plain click toggles the window', () => {
    expect(trayClickAction({ ctrlKey: true })).toBe('menu');
    expect(trayClickAction({ ctrlKey: false })).toBe('toggle-window');
    expect(trayClickAction({})).toBe('toggle-window');
  });
});
