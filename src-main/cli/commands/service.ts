import { realpathSync } from 'node:fs';
import { homedir, userInfo } from 'node:os';
import type { Command } from 'commander';
import { mentuPaths } from '../../core/paths.js';
import { CliError } from '../errors.js';
import { installService, isServicePlatform, servicePlan, uninstallService, type ServiceChange } from '../service/install.js';
import { shellQuote } from '../service/launchd.js';
import { ensureLinger, runCommand } from '../service/linger.js';
import type { ServicePlan, ServiceSpec } from '../service/spec.js';
import { SYSTEMD_UNIT } from '../service/systemd.js';

/** `beacon service install|uninstall`: a launchd agent (macOS) or a systemd user unit (Linux) running `beacon run`. */
export function registerService(program: Command): void {
  const service = program.command('service').description('install or remove a login service that keeps `beacon run` alive');
  const withOptions = (command: Command): Command =>
    command
      .option('--dry-run', 'print what would change without writing anything')
      .option('--platform <platform>', 'darwin (launchd) or linux (systemd); default: this machine');

  withOptions(service.command('install').description('write the service file, turn on lingering (Linux: start at boot, survive logout), print how to load it and read its logs')).action(
    (options: ServiceOptions) => {
      const spec = currentSpec();
      const plan = servicePlan(platformOf(options), spec);
      const change = installService(plan, options.dryRun === true);
      if (change.action === 'would-write') process.stdout.write(`${plan.content}\n`);
      report(change);
      reportAfterInstall(plan, spec, options.dryRun === true);
    },
  );
  withOptions(service.command('uninstall').description('remove the service file and print the command that stops it')).action(
    (options: ServiceOptions) => report(uninstallService(servicePlan(platformOf(options), currentSpec()), options.dryRun === true)),
  );
}

interface ServiceOptions {
  dryRun?: boolean;
  platform?: string;
}

function platformOf(options: ServiceOptions): 'darwin' | 'linux' {
  const platform = options.platform ?? process.platform;
  if (!isServicePlatform(platform)) {
    throw new CliError(`beacon service supports macOS (launchd) and Linux (systemd), not ${platform}; run \`beacon run\` under your own supervisor`);
  }
  return platform;
}

/** The service runs this very Node binary and CLI bundle, so it matches what the user just ran. */
function currentSpec(env: NodeJS.ProcessEnv = process.env): ServiceSpec {
  const script = process.argv[1];
  if (!script) throw new CliError('cannot tell where the beacon CLI lives; run it as `node /path/to/beacon.cjs service install`');
  const paths = mentuPaths(env);
  return {
    nodePath: process.execPath,
    cliPath: realpathSync(script),
    homeDir: homedir(),
    mentuHome: env.MENTU_HOME?.trim() ? paths.home : null,
    logPath: paths.beaconLog,
  };
}

const VERBS: Record<ServiceChange['action'], string> = {
  written: 'wrote',
  unchanged: 'already up to date:',
  removed: 'removed',
  absent: 'no service installed at',
  'would-write': 'would write',
  'would-remove': 'would remove',
};

/** Lingering (Linux: start at boot, survive logout) and where the logs are. */
function reportAfterInstall(plan: ServicePlan, spec: ServiceSpec, dryRun: boolean): void {
  if (plan.platform === 'linux') {
    // Only on the machine itself: lingering belongs to this machine's login manager.
    if (process.platform === 'linux') {
      const user = process.env.USER || userInfo().username;
      process.stdout.write(`${ensureLinger(user, runCommand, dryRun).lines.join('\n')}\n`);
    }
    process.stdout.write(`Logs: journalctl --user -u ${SYSTEMD_UNIT.replace(/\.service$/, '')} -f\n`);
  } else {
    process.stdout.write(`Logs: tail -f ${shellQuote(spec.logPath)}\n`);
  }
}

function report(change: ServiceChange): void {
  process.stdout.write(`${VERBS[change.action]} ${change.file}\n`);
  if (change.commands.length) {
    const lead = change.action === 'removed' || change.action === 'would-remove' ? 'Stop it with' : 'Load it with';
    process.stdout.write(`${lead}:\n${change.commands.map((command) => `  ${command}`).join('\n')}\n`);
  }
}
