import { join } from 'node:path';
import type { ServicePlan, ServiceSpec } from './spec.js';

/** A systemd user unit: started with the user's session, restarted when `beacon run` fails. */
export const SYSTEMD_UNIT = 'beacon.service';

/** One word of an ExecStart= / Environment= line: quoted when needed; % and $ are systemd specifiers. */
export function systemdWord(text: string): string {
  const escaped = text.replace(/%/g, '%%').replace(/\$/g, '$$$$');
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(escaped) ? escaped : `"${escaped.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

export function systemdUnit(spec: ServiceSpec): string {
  return [
    '[Unit]',
    'Description=Beacon: runs queued Mentu agent commands on this machine',
    'After=network-online.target',
    'Wants=network-online.target',
    '',
    '[Service]',
    'Type=simple',
    `ExecStart=${[spec.nodePath, spec.cliPath, 'run'].map(systemdWord).join(' ')}`,
    ...(spec.mentuHome ? [`Environment=${systemdWord(`MENTU_HOME=${spec.mentuHome}`)}`] : []),
    'Restart=on-failure',
    'RestartSec=10',
    // SIGTERM reaches only `beacon run`, which stops its agents gracefully (grace period, then the kill
    // ladder on each process group); systemd kills whatever is left after TimeoutStopSec.
    'KillMode=mixed',
    'TimeoutStopSec=60',
    '',
    '[Install]',
    'WantedBy=default.target',
    '',
  ].join('\n');
}

export function systemdPlan(spec: ServiceSpec): ServicePlan {
  const unitDir = join(spec.homeDir, '.config', 'systemd', 'user');
  return {
    platform: 'linux',
    file: join(unitDir, SYSTEMD_UNIT),
    content: systemdUnit(spec),
    loadCommands: [`systemctl --user daemon-reload && systemctl --user enable --now ${SYSTEMD_UNIT}`],
    // `disable` needs the unit file, which is gone by then: stop the loaded unit; the enable link is removed by us.
    unloadCommands: [`systemctl --user stop ${SYSTEMD_UNIT}; systemctl --user daemon-reload`],
    enableLinks: [join(unitDir, 'default.target.wants', SYSTEMD_UNIT)],
  };
}
