import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  createShowWhenReady,
  INITIAL_WINDOW_STATE,
  nextWindowStep,
  WINDOW_BACKGROUND,
  windowBackgroundColor,
  type WindowAction,
  type WindowEvent,
  type WindowState,
} from '../../src-main/electron/window-model.js';

/** Feeds events in order; returns every action and the final state. */
function run(events: (WindowEvent | [WindowEvent, { devToolsOpen: boolean }])[], from: WindowState = INITIAL_WINDOW_STATE) {
  let state = from;
  const actions: WindowAction[][] = [];
  for (const entry of events) {
    const [event, context] = Array.isArray(entry) ? entry : [entry, undefined];
    const step = nextWindowStep(state, event, context);
    state = step.state;
    actions.push(step.actions);
  }
  return { state, actions };
}

describe('which window shows', () => {
  it('a tray click shows the popover, the next hides it; a blur hides it unless its DevTools are open', () => {
    const { actions } = run(['tray-click', 'popover-shown', 'tray-click', 'popover-hidden', 'tray-click', 'popover-shown', ['popover-blur', { devToolsOpen: true }], 'popover-blur']);
    expect(actions).toEqual([['show-popover'], [], ['hide-popover'], [], ['show-popover'], [], [], ['hide-popover']]);
  });

  it('reopening (activate from Finder/Spotlight/Launchpad, a second launch) shows the popover, or the detached window when open', () => {
    expect(run(['reopen']).actions).toEqual([['show-popover']]);
    const detached = run(['detach', 'reopen', 'tray-click']);
    expect(detached.actions.slice(1)).toEqual([['show-detached'], ['show-detached']]);
  });

  it('the Dock icon (and Cmd+Tab entry) is up exactly while the detached window is open', () => {
    const { actions, state } = run(['tray-click', 'popover-shown', 'detach', 'popover-hidden', 'detach', 'detached-closed', 'detached-closed']);
    expect(actions).toEqual([
      ['show-popover'],
      [],
      ['hide-popover', 'show-dock', 'show-detached'],
      [],
      ['show-detached'], // detaching again only brings it forward; the Dock is shown once
      ['hide-dock', 'prepare-popover'],
      [],
    ]);
    expect(state.mode).toBe('popover');
    const dockChanges = actions.flat().filter((a) => a.endsWith('-dock'));
    expect(dockChanges).toEqual(['show-dock', 'hide-dock']);
  });

  it('after quit nothing comes back (a closing window does not bring the popover or the Dock back)', () => {
    const { actions } = run(['detach', 'quit', 'detached-closed', 'reopen', 'tray-click']);
    expect(actions.slice(1)).toEqual([[], [], [], []]);
  });
});

describe('show when ready', () => {
  it('a show asked before the page painted waits for ready-to-show; later shows are immediate; a hide cancels a waiting show', () => {
    const gate = createShowWhenReady();
    expect(gate.requestShow()).toBe(false);
    expect(gate.ready()).toBe(true);
    expect(gate.requestShow()).toBe(true);

    const hidden = createShowWhenReady();
    expect(hidden.requestShow()).toBe(false);
    hidden.cancel();
    expect(hidden.ready()).toBe(false);

    expect(createShowWhenReady().ready()).toBe(false); // nothing asked: created hidden, stays hidden
  });

  it('windows start with the page background (no white flash), the same colours as the renderer CSS', () => {
    const css = readFileSync('src-renderer/src/styles.css', 'utf8');
    const light = /:root\s*{[^}]*--bg:\s*(#[0-9a-f]{6})/i.exec(css)?.[1];
    const dark = /prefers-color-scheme:\s*dark\)\s*{[^}]*--bg:\s*(#[0-9a-f]{6})/i.exec(css)?.[1];
    expect({ light, dark }).toEqual({ ...WINDOW_BACKGROUND });
    expect(windowBackgroundColor(true)).toBe(dark);
    expect(windowBackgroundColor(false)).toBe(light);
  });
});
