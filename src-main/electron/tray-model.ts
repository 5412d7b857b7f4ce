import { configNotices } from '../core/contract/config-notices.js';
import type { AgentHealthView, BeaconSnapshot } from '../core/contract/types.js';

/**
 * The tray as a pure function of the core's state: which icon, which tooltip, which menu. No Electron
 * here, so every state is tested in plain Node; tray.ts only renders what this returns.
 */

/** What the icon shows, most urgent first when several apply. */
export type TrayState = 'error' | 'asking' | 'standby' | 'disconnected' | 'running' | 'paused' | 'idle';

/** Icon base names under assets/ (each has <name>.png 16×16 and <name>@2x.png 32×32, template images). */
export const TRAY_ICON_FRAMES: Readonly<Record<TrayState, readonly string[]>> = {
  idle: ['idleTemplate'],
  running: ['running1Template', 'running2Template', 'running3Template'],
  paused: ['pausedTemplate'],
  standby: ['standbyTemplate'],
  disconnected: ['disconnectedTemplate'],
  error: ['errorTemplate'],
  // A permission request waits for a person's answer (the beacon with a dot, like a badge).
  asking: ['askingTemplate'],
};

/** Every icon the app ships (what scripts/make-icons.mjs generates). */
export const ALL_TRAY_ICONS: readonly string[] = Object.values(TRAY_ICON_FRAMES).flat();

/** How often the running icon advances one frame. */
export const TRAY_ANIMATION_INTERVAL_MS = 400;

export type TrayMenuActionId = 'toggle-claiming' | 'show-window' | 'open-logs' | 'open-login-items' | 'move-to-applications' | 'quit';

export type TrayMenuItem =
  | { kind: 'label'; label: string }
  | { kind: 'separator' }
  | { kind: 'action'; id: TrayMenuActionId; label: string; enabled: boolean }
  | { kind: 'checkbox'; id: 'launch-at-login'; label: string; checked: boolean; enabled: boolean };

export interface TrayModel {
  state: TrayState;
  /** Icon base name for the given animation frame. */
  icon: string;
  /** True when tray.ts should keep advancing frames. */
  animated: boolean;
  tooltip: string;
  menu: TrayMenuItem[];
}

export interface TrayInput {
  /** The core's latest snapshot; null before the core exists. */
  snapshot: BeaconSnapshot | null;
  /** A problem that kept the core from starting at all (e.g. an invalid beacon.yaml). */
  startupProblem?: string | null;
  /** login-item.ts's view; only supported and enabled are required. */
  launchAtLogin: { supported: boolean; enabled: boolean; detail?: string | null; offerLoginItemsSettings?: boolean; offerMoveToApplications?: boolean };
  /** Animation frame counter (any non-negative integer; wraps). */
  frame?: number;
}

export function trayStateOf(input: TrayInput): TrayState {
  const { snapshot } = input;
  if (input.startupProblem || !snapshot) return input.startupProblem ? 'error' : 'disconnected';
  if (snapshot.problem || snapshot.source.connection === 'auth_failed') return 'error';
  if (pendingRequests(snapshot).length > 0) return 'asking';
  if (snapshot.role === 'standby') return 'standby';
  if (snapshot.role !== 'active' || snapshot.source.connection !== 'connected') return 'disconnected';
  if (runningCount(snapshot) > 0) return 'running';
  return snapshot.paused ? 'paused' : 'idle';
}

/** Permission requests waiting for a person's answer (docs/permissions.md). */
export function pendingRequests(snapshot: BeaconSnapshot | null): NonNullable<BeaconSnapshot['permissionRequests']> {
  return (snapshot?.permissionRequests ?? []).filter((request) => request.state === 'pending');
}

export function runningCount(snapshot: BeaconSnapshot | null): number {
  return snapshot ? snapshot.commands.filter((command) => command.status === 'running' || command.status === 'claimed').length : 0;
}

export function trayIconFor(state: TrayState, frame = 0): string {
  const frames = TRAY_ICON_FRAMES[state];
  return frames[Math.abs(Math.trunc(frame)) % frames.length] as string;
}

const SOURCE_NAMES = { local: 'local queue', supabase: 'Supabase' } as const;

/** The first menu line and, when there is one, a second line saying what to do. */
function statusLines(state: TrayState, input: TrayInput): { status: string; detail: string | null } {
  const { snapshot } = input;
  if (!snapshot) {
    return input.startupProblem
      ? { status: 'Beacon cannot start', detail: input.startupProblem }
      : { status: 'Beacon is starting…', detail: null };
  }
  const source = SOURCE_NAMES[snapshot.source.kind];
  switch (state) {
    case 'error':
      if (snapshot.source.connection === 'auth_failed') {
        return { status: `Sign-in to ${source} failed`, detail: snapshot.source.detail ?? snapshot.problem };
      }
      return { status: 'Beacon needs attention', detail: snapshot.problem ?? snapshot.source.detail };
    case 'standby': {
      const holder = snapshot.lockHolders.find((h) => !h.self && h.alive) ?? snapshot.lockHolders.find((h) => !h.self);
      if (!holder) return { status: 'Standby: waiting for the executor lock', detail: null };
      const mode = holder.mode ? ` (${holder.mode})` : '';
      return {
        status: `Standby: ${holder.type}${mode} pid ${holder.pid} holds the executor lock`,
        detail: holder.stopInstruction || null,
      };
    }
    case 'disconnected':
      if (snapshot.role === 'starting') return { status: 'Beacon is starting…', detail: null };
      if (snapshot.role === 'stopping') return { status: 'Beacon is quitting…', detail: null };
      return { status: CONNECTION_LINES[snapshot.source.connection](source), detail: snapshot.source.detail };
    case 'asking': {
      const pending = pendingRequests(snapshot);
      const first = pending[0] as (typeof pending)[number];
      const count = pending.length === 1 ? 'a permission request' : `${pending.length} permission requests`;
      return { status: `Waiting for your answer: ${count}`, detail: `${first.tool} ${first.summary}` };
    }
    case 'running':
      return { status: `${snapshot.paused ? 'Paused' : 'Connected'}: ${source}`, detail: snapshot.paused ? 'Running commands will finish; nothing new is claimed.' : null };
    case 'paused':
      return { status: `Paused: ${source}`, detail: 'Nothing new is claimed until you resume.' };
    case 'idle':
      return { status: `Connected: ${source}`, detail: null };
  }
}

const CONNECTION_LINES: Record<BeaconSnapshot['source']['connection'], (source: string) => string> = {
  connecting: (source) => `Connecting to ${source}…`,
  connected: (source) => `Connected: ${source}`,
  reconnecting: (source) => `Reconnecting to ${source}…`,
  offline: (source) => `Offline: cannot reach ${source}`,
  auth_failed: (source) => `Sign-in to ${source} failed`,
};

export function buildTrayModel(input: TrayInput): TrayModel {
  const state = trayStateOf(input);
  const { snapshot } = input;
  const { status, detail } = statusLines(state, input);
  const running = runningCount(snapshot);
  const claimingToggleEnabled = snapshot !== null && snapshot.role === 'active';

  const menu: TrayMenuItem[] = [{ kind: 'label', label: status }];
  if (detail) menu.push({ kind: 'label', label: truncate(detail, 120) });
  // An edit of beacon.yaml that waits for a restart, or that could not be applied, is said where the user looks.
  const notices = configNotices(snapshot);
  for (const notice of [notices.invalid, notices.restart]) if (notice) menu.push({ kind: 'label', label: truncate(notice, 160) });
  menu.push({ kind: 'label', label: `${running} running` });
  const health = snapshot?.agentHealth ? agentHealthLine(snapshot.agentHealth) : null;
  if (health) menu.push({ kind: 'label', label: truncate(health, 120) });
  // Loud on purpose: an agent that is asked nothing, or a sandbox that cannot run (docs/permissions.md).
  for (const warning of snapshot?.permissionWarnings ?? []) menu.push({ kind: 'label', label: `⚠ ${truncate(warning, 120)}` });
  menu.push(
    { kind: 'separator' },
    {
      kind: 'action',
      id: 'toggle-claiming',
      label: snapshot?.paused ? 'Resume Claiming' : 'Pause Claiming',
      enabled: claimingToggleEnabled,
    },
    { kind: 'action', id: 'show-window', label: state === 'asking' ? 'Answer in Beacon…' : 'Show Beacon', enabled: true },
    { kind: 'action', id: 'open-logs', label: 'Open Logs Folder', enabled: true },
    { kind: 'separator' },
    {
      kind: 'checkbox',
      id: 'launch-at-login',
      label: 'Launch at Login',
      checked: input.launchAtLogin.enabled,
      enabled: input.launchAtLogin.supported,
    },
  );
  const login = input.launchAtLogin;
  if (login.detail) menu.push({ kind: 'label', label: truncate(login.detail, 120) });
  if (login.offerLoginItemsSettings) menu.push({ kind: 'action', id: 'open-login-items', label: 'Open Login Items Settings…', enabled: true });
  if (login.offerMoveToApplications) menu.push({ kind: 'action', id: 'move-to-applications', label: 'Move to Applications…', enabled: true });
  menu.push({ kind: 'separator' }, { kind: 'action', id: 'quit', label: 'Quit Beacon', enabled: true });

  return {
    state,
    icon: trayIconFor(state, input.frame ?? 0),
    animated: TRAY_ICON_FRAMES[state].length > 1,
    tooltip: `${running > 0 ? `Beacon — ${status} (${running} running)` : `Beacon — ${status}`}${snapshot?.permissionWarnings?.length ? ' ⚠ permissions' : ''}`,
    menu,
  };
}

/**
 * The agent's health in one line: "claude 2.1.197 · logged in · login shell 0.4 s", or what is wrong
 * ("claude 2.1.197 · not logged in: run claude and /login", "login shell timed out, skipped").
 */
export function agentHealthLine(health: AgentHealthView): string {
  const name = health.agent;
  if (!health.path || !health.version) return `${name}: ${health.problem ?? 'not checked yet'}`;
  const parts = [`${name} ${health.version.split(' ')[0]}`];
  if (health.loggedIn === true) parts.push('logged in');
  if (health.loggedIn === false) parts.push('not logged in: run claude and /login');
  if (health.shell.state === 'resolved' && health.shell.ms !== null) parts.push(`login shell ${(health.shell.ms / 1000).toFixed(1)} s`);
  if (health.shell.state === 'timed_out') parts.push('login shell timed out, skipped');
  if (health.shell.state === 'failed') parts.push('login shell failed, skipped');
  return parts.join(' · ');
}

function truncate(text: string, max: number): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

/** Equal models need no menu rebuild (snapshots arrive often; rebuilding a menu is not free). */
export function sameMenu(a: TrayModel | null, b: TrayModel): boolean {
  return a !== null && a.tooltip === b.tooltip && JSON.stringify(a.menu) === JSON.stringify(b.menu);
}

/**
 * A click on the tray icon: Ctrl+click is the Mac's secondary click, so it opens the menu like a right click;
 * a plain click shows or hides the window. (Double clicks are ignored by the tray itself.)
 */
export function trayClickAction(modifiers: { ctrlKey?: boolean }): 'menu' | 'toggle-window' {
  return modifiers.ctrlKey ? 'menu' : 'toggle-window';
}
