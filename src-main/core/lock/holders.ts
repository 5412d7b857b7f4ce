import type { LockHolderView } from '../contract/types.js';
import type { LockFileContent } from './record.js';

/** Turning what is in the lock file into what the UI and CLI show, including how to stop the holder. */

type HolderContent = Exclude<LockFileContent, { kind: 'unparsable' }>;

export function stopInstruction(type: LockHolderView['type'], mode: LockHolderView['mode'], pid: number): string {
  if (type === 'bridge') {
    return (
      `To stop Bridge: kill ${pid} ` +
      `(launchd: launchctl bootout gui/$(id -u)/ai.mentu.bridge; systemd: systemctl --user stop mentu-bridge)`
    );
  }
  if (type === 'beacon' && mode === 'app') return `Click the Beacon menu-bar icon → Quit, or run: kill ${pid}`;
  if (type === 'beacon' && mode === 'headless') {
    return `Press Ctrl-C in its terminal, run \`beacon service uninstall\` if it runs as a service, or: kill ${pid}`;
  }
  if (type === 'beacon') return `Quit the earlier Beacon (menu-bar icon → Quit), or run: kill ${pid}`;
  return `Stop that process: kill ${pid}`;
}

export function holderView(content: HolderContent, alive: boolean, self: boolean): LockHolderView {
  const base = { alive, self };
  switch (content.kind) {
    case 'beacon': {
      const r = content.record;
      return {
        ...base,
        type: 'beacon',
        mode: r.mode,
        pid: r.pid,
        instanceId: r.id,
        machineId: r.machine_id || null,
        hostname: r.hostname || null,
        version: r.version || null,
        startedAt: r.started_at || null,
        stopInstruction: stopInstruction('beacon', r.mode, r.pid),
      };
    }
    case 'bridge': {
      const r = content.record;
      return {
        ...base,
        type: 'bridge',
        mode: null,
        pid: r.pid,
        instanceId: null,
        machineId: null,
        hostname: null,
        version: null,
        startedAt: r.started_at ?? null,
        stopInstruction: stopInstruction('bridge', null, r.pid),
      };
    }
    case 'other':
      return {
        ...base,
        type: content.type,
        mode: null,
        pid: content.pid,
        instanceId: null,
        machineId: null,
        hostname: null,
        version: null,
        startedAt: content.startedAt,
        stopInstruction: stopInstruction(content.type, null, content.pid),
      };
  }
}

const TYPE_NAMES: Record<LockHolderView['type'], string> = {
  beacon: 'Beacon',
  bridge: 'the older Bridge daemon',
  unknown: 'an unknown executor',
};

/** A few lines naming the holder (type, mode, pid, id, started) and how to stop it. */
export function describeHolderText(holder: LockHolderView): string {
  const mode = holder.mode ? ` (${holder.mode})` : '';
  const who = holder.self ? 'This process holds the executor lock' : `The executor lock is held by ${TYPE_NAMES[holder.type]}${mode}`;
  const lines = [`${who}:`, `  type:     ${holder.type}${mode}`, `  pid:      ${holder.pid}${holder.alive ? '' : ' (not running)'}`];
  if (holder.instanceId) lines.push(`  id:       ${holder.instanceId}`);
  if (holder.machineId) lines.push(`  machine:  ${holder.machineId}${holder.hostname ? ` on ${holder.hostname}` : ''}`);
  if (holder.version) lines.push(`  version:  ${holder.version}`);
  lines.push(`  started:  ${holder.startedAt ?? 'unknown'}`);
  if (!holder.self) {
    lines.push(/^to stop/i.test(holder.stopInstruction) ? holder.stopInstruction : `To stop it: ${holder.stopInstruction}`);
  }
  return lines.join('\n');
}
