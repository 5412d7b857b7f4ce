/**
 * Which Beacon window shows, and whether Beacon has a Dock icon, as a pure state machine: window.ts feeds it
 * what happened and carries out the actions it returns. Beacon is a menu-bar app (LSUIElement): no Dock icon
 * and no Cmd+Tab entry, except while the detached window is open, so that window can be found again.
 */
export type WindowEvent =
  /** A click on the tray icon. */
  | 'tray-click'
  /** Opened again from Finder, Spotlight or Launchpad (`activate`), a second launch, Show Beacon, a notification. */
  | 'reopen'
  /** The renderer asked to become a normal window. */
  | 'detach'
  /** The user closed the detached window. */
  | 'detached-closed'
  /** The popover lost focus (it hides, unless its DevTools are open). */
  | 'popover-blur'
  | 'popover-shown'
  | 'popover-hidden'
  /** The app is quitting: windows go without coming back. */
  | 'quit';

export type WindowAction = 'show-popover' | 'hide-popover' | 'show-detached' | 'prepare-popover' | 'show-dock' | 'hide-dock';

export interface WindowState {
  mode: 'popover' | 'detached';
  popoverVisible: boolean;
  quitting: boolean;
}

export const INITIAL_WINDOW_STATE: WindowState = { mode: 'popover', popoverVisible: false, quitting: false };

export interface WindowStep {
  state: WindowState;
  actions: WindowAction[];
}

export function nextWindowStep(state: WindowState, event: WindowEvent, context: { devToolsOpen?: boolean } = {}): WindowStep {
  if (state.quitting) return { state, actions: [] };
  const to = (patch: Partial<WindowState>, actions: WindowAction[]): WindowStep => ({ state: { ...state, ...patch }, actions });
  switch (event) {
    case 'tray-click':
      if (state.mode === 'detached') return to({}, ['show-detached']);
      return state.popoverVisible ? to({}, ['hide-popover']) : to({}, ['show-popover']);
    case 'reopen':
      return to({}, [state.mode === 'detached' ? 'show-detached' : 'show-popover']);
    case 'detach':
      if (state.mode === 'detached') return to({}, ['show-detached']);
      return to({ mode: 'detached' }, ['hide-popover', 'show-dock', 'show-detached']);
    case 'detached-closed':
      // Back to the tray popover, warm for the next click; the Dock icon leaves with the window.
      return state.mode === 'detached' ? to({ mode: 'popover' }, ['hide-dock', 'prepare-popover']) : to({}, []);
    case 'popover-blur':
      return context.devToolsOpen || !state.popoverVisible ? to({}, []) : to({}, ['hide-popover']);
    case 'popover-shown':
      return to({ popoverVisible: true }, []);
    case 'popover-hidden':
      return to({ popoverVisible: false }, []);
    case 'quit':
      return { state: { ...state, quitting: true }, actions: [] };
  }
}

/**
 * Show a window only once its page has painted (no white flash): a show asked for earlier waits for
 * `ready-to-show`. Windows are also created with the page's background colour for the moment before.
 */
export interface ShowWhenReady {
  /** True when the window may be shown now; otherwise it is shown by ready(). */
  requestShow(): boolean;
  /** The page is ready; true when a show was waiting for it. */
  ready(): boolean;
  /** A hide cancels a show still waiting. */
  cancel(): void;
}

export function createShowWhenReady(): ShowWhenReady {
  let isReady = false;
  let waiting = false;
  return {
    requestShow() {
      if (isReady) return true;
      waiting = true;
      return false;
    },
    ready() {
      isReady = true;
      const show = waiting;
      waiting = false;
      return show;
    },
    cancel: () => void (waiting = false),
  };
}

/** The renderer's --bg (src-renderer/src/styles.css), light and dark. */
export const WINDOW_BACKGROUND = { light: '#f5f6f8', dark: '#0f1114' } as const;

export function windowBackgroundColor(dark: boolean): string {
  return dark ? WINDOW_BACKGROUND.dark : WINDOW_BACKGROUND.light;
}
