/**
 * Where the popover goes: centred under the tray icon, kept inside the work area of the display the icon
 * is on (a menu bar at the top on macOS; other platforms may put the tray at the bottom). The icon's place
 * comes from the click that opened it, else from the tray, else from the last good answer: macOS reports
 * zero bounds at times (a hidden menu bar, a full-screen Space); with nothing known, the popover opens at
 * the top of the display under the cursor, centred on it.
 */
export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}
export interface Size {
  width: number;
  height: number;
}

export interface Point {
  x: number;
  y: number;
}
/** What Electron's screen.getAllDisplays() gives, as far as it is read here. */
export interface DisplayArea {
  bounds: Rect;
  workArea: Rect;
}

const MARGIN = 4;

/** Whether a tray-bounds answer means something: macOS answers {0,0,0,0} when it does not know. */
export function usableBounds(rect: Rect | null | undefined): rect is Rect {
  return !!rect && rect.width > 0 && rect.height > 0;
}

/** Remembers the last usable tray bounds, so a later zero answer still finds the icon. */
export function createTrayBoundsCache(): { best(...candidates: (Rect | null | undefined)[]): Rect | null } {
  let last: Rect | null = null;
  return {
    /** The first usable candidate (remembered), else the last one seen. */
    best(...candidates) {
      const found = candidates.find(usableBounds);
      if (found) last = { ...found };
      return found ?? last;
    },
  };
}

export function displayContaining(point: Point, displays: DisplayArea[]): DisplayArea | null {
  const inside = displays.find(({ bounds: b }) => point.x >= b.x && point.x < b.x + b.width && point.y >= b.y && point.y < b.y + b.height);
  if (inside || !displays.length) return inside ?? null;
  // Off every screen (a display just unplugged): the nearest one.
  const distance = ({ bounds: b }: DisplayArea): number =>
    Math.hypot(Math.max(b.x - point.x, 0, point.x - (b.x + b.width)), Math.max(b.y - point.y, 0, point.y - (b.y + b.height)));
  return displays.reduce((best, display) => (distance(display) < distance(best) ? display : best));
}

/** The popover's top-left corner: under the tray icon when its place is known, else under the cursor. */
export function placePopover(trayBounds: Rect | null, cursor: Point, displays: DisplayArea[], windowSize: Size): { x: number; y: number } {
  const anchorPoint = trayBounds ? { x: Math.round(trayBounds.x + trayBounds.width / 2), y: Math.round(trayBounds.y + trayBounds.height / 2) } : cursor;
  const display = displayContaining(anchorPoint, displays);
  const workArea = display?.workArea ?? { x: 0, y: 0, width: 1280, height: 800 };
  // Without tray bounds: a zero-size anchor at the cursor's x, on the top edge of that display.
  const anchor = trayBounds ?? { x: cursor.x, y: display?.bounds.y ?? workArea.y, width: 0, height: 0 };
  return popoverPosition(anchor, windowSize, workArea);
}

export function popoverPosition(trayBounds: Rect, windowSize: Size, workArea: Rect): { x: number; y: number } {
  const centred = Math.round(trayBounds.x + trayBounds.width / 2 - windowSize.width / 2);
  const maxX = workArea.x + workArea.width - windowSize.width - MARGIN;
  const x = Math.max(workArea.x + MARGIN, Math.min(centred, maxX));
  const trayAtBottom = trayBounds.y > workArea.y + workArea.height / 2;
  const y = trayAtBottom
    ? Math.round(trayBounds.y - windowSize.height - MARGIN)
    : Math.round(Math.max(trayBounds.y + trayBounds.height, workArea.y) + MARGIN);
  return { x, y };
}

/** The size the layout is tested at in real Chromium (tests/renderer/first-hour-layout.test.ts). */
export const DEFAULT_POPOVER_SIZE: Size = { width: 380, height: 600 };
export const DEFAULT_DETACHED_SIZE: Size = { width: 900, height: 640 };
export const MIN_WINDOW_SIZE: Size = { width: 340, height: 320 };

/** A remembered size, clamped so a damaged preference cannot make the window unusable. */
export function sanitizeSize(value: unknown, fallback: Size, max: Size = { width: 4000, height: 3000 }): Size {
  const candidate = value as Partial<Size> | null;
  const ok = (n: unknown): n is number => typeof n === 'number' && Number.isFinite(n);
  if (!candidate || !ok(candidate.width) || !ok(candidate.height)) return fallback;
  return {
    width: Math.round(Math.min(max.width, Math.max(MIN_WINDOW_SIZE.width, candidate.width))),
    height: Math.round(Math.min(max.height, Math.max(MIN_WINDOW_SIZE.height, candidate.height))),
  };
}
