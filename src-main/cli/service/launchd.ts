import { join } from 'node:path';
import type { ServicePlan, ServiceSpec } from './spec.js';

/** A launchd user agent: starts at login, restarted by launchd whenever it exits unsuccessfully. */
export const LAUNCHD_LABEL = 'ai.mentu.beacon';

const escapeXml = (text: string): string =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
const string = (text: string): string => `<string>${escapeXml(text)}</string>`;

export function launchdPlist(spec: ServiceSpec): string {
  const environment = spec.mentuHome
    ? ['  <key>EnvironmentVariables</key>', '  <dict>', `    <key>MENTU_HOME</key>`, `    ${string(spec.mentuHome)}`, '  </dict>']
    : [];
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">',
    '<plist version="1.0">',
    '<dict>',
    '  <key>Label</key>',
    `  ${string(LAUNCHD_LABEL)}`,
    '  <key>ProgramArguments</key>',
    '  <array>',
    ...[spec.nodePath, spec.cliPath, 'run'].map((arg) => `    ${string(arg)}`),
    '  </array>',
    ...environment,
    '  <key>RunAtLoad</key>',
    '  <true/>',
    // Restart after a crash, but not after a clean `beacon run` exit (e.g. a stop asked for by the user).
    '  <key>KeepAlive</key>',
    '  <dict>',
    '    <key>SuccessfulExit</key>',
    '    <false/>',
    '  </dict>',
    // A crash loop (e.g. an invalid beacon.yaml) retries every 30 s instead of spinning.
    '  <key>ThrottleInterval</key>',
    '  <integer>30</integer>',
    '  <key>ProcessType</key>',
    `  ${string('Background')}`,
    '  <key>StandardOutPath</key>',
    `  ${string(spec.logPath)}`,
    '  <key>StandardErrorPath</key>',
    `  ${string(spec.logPath)}`,
    '</dict>',
    '</plist>',
    '',
  ].join('\n');
}

export function launchdPlan(spec: ServiceSpec): ServicePlan {
  const file = join(spec.homeDir, 'Library', 'LaunchAgents', `${LAUNCHD_LABEL}.plist`);
  return {
    platform: 'darwin',
    file,
    content: launchdPlist(spec),
    loadCommands: [`launchctl bootstrap gui/$(id -u) ${shellQuote(file)}`],
    unloadCommands: [`launchctl bootout gui/$(id -u)/${LAUNCHD_LABEL}`],
    enableLinks: [],
  };
}

/** Quote for a POSIX shell when needed, so a printed command can be pasted as is. */
export function shellQuote(text: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}
