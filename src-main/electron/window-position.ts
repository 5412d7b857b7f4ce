/**
 * Where the popover goes: centred under the tray icon, kept inside the work area of the display the icon
 * is on (a menu bar at the top on macOS; other platforms may put the tray at the bottom).
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

const MARGIN = 4;

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

export const DEFAULT_POPOVER_SIZE: Size = { width: 420, height: 560 };
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
