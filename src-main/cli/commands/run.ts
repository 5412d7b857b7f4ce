import type { Command } from 'commander';
import { realpathSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { createBeaconClient } from '../../core/api/beacon-api.js';
import { createExecutor } from '../../core/executor.js';
import { createLogger } from '../../core/logger.js';
import { mentuPaths } from '../../core/paths.js';
import { createHeadlessSecretStore } from '../../core/secrets.js';
import { socketPathProblem } from '../../core/fs/unix-socket-server.js';
import { serveKeptDashboard, type KeptDashboard } from '../dashboard/serve.js';
import { startControlServer } from '../control/server.js';
import { createControlKey } from '../control/control-key.js';
import { CliError } from '../errors.js';
import { permissionServerCommand } from './permission-server.js';

/** `beacon run`: the headless executor in the foreground, readable logs on stderr, stopped by SIGTERM/SIGINT. */
export function registerRun(program: Command): void {
  program
    .command('run')
    .description('run the executor in the foreground (claims and runs commands until SIGTERM/SIGINT)')
    .option('--dashboard', 'also serve the web dashboard on 127.0.0.1')
    .option('--port <n>', 'dashboard port (default: dashboard.port in beacon.yaml, else the port it had last time; 0 = any free port)', parsePort)
    .action(async (options: { dashboard?: boolean; port?: number }) => {
      await runForeground(options);
    });
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new CliError(`--port expects a port number 0-65535, got ${JSON.stringify(value)}`);
  return port;
}

async function runForeground(options: { dashboard?: boolean; port?: number }): Promise<void> {
  const env = process.env;
  const paths = mentuPaths(env);
  const logger = createLogger();
  const secrets = createHeadlessSecretStore(paths, env);
  const socketProblem = socketPathProblem(paths.controlSocket);
  if (socketProblem) throw new CliError(socketProblem);
  const executor = createExecutor({ paths, env, mode: 'headless', logger, secrets, permissionServer: permissionServerCommand() });

  // Signals during start are honoured too: the executor stops as soon as it can.
  let signals = 0;
  // Read when the signal comes: execution.shutdown_grace_seconds follows edits of beacon.yaml.
  const graceMs = (): number => (executor.config()?.config.execution.shutdown_grace_seconds ?? 10) * 1000;
  let stopRequested: (stopped: Promise<void>) => void = () => {};
  const stopped = new Promise<Promise<void>>((resolveRequest) => {
    stopRequested = resolveRequest;
  });
  const onSignal = (signal: NodeJS.Signals): void => {
    signals += 1;
    if (signals === 1) {
      logger.info(`${signal}: stopping (running commands get ${Math.round(graceMs() / 1000)}s; send it again to cancel them now)`);
      stopRequested(executor.stop({ cancelRunning: true, graceMs: graceMs() }));
    } else {
      logger.info(`${signal} again: cancelling running commands now`);
      void executor.stop({ cancelRunning: true, graceMs: 0 });
    }
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);

  await executor.start();
  if (signals > 0) {
    await (await stopped);
    process.exit(0);
  }
  const loaded = executor.config();

  const client = createBeaconClient({ executor, paths, env, secrets });
  const controlKey = await createControlKey(paths);
  const agentPids = (): number[] => executor.snapshot().running.flatMap((run) => (run.pid ? [run.pid] : []));
  const control = await startControlServer({ socketPath: paths.controlSocket, home: paths.home, actions: client, logger, controlKey, agentPids });
  let dashboard: KeptDashboard | null = null;
  if (options.dashboard) {
    dashboard = await serveKeptDashboard({
      client, stateFile: paths.dashboard, flagPort: options.port, configuredPort: loaded?.config.dashboard.port ?? 0, staticDir: rendererDir(), logger,
    }).catch(async (error: unknown) => {
      // Not serving what was asked for: stop cleanly (the lock is released) and say why.
      await control.close().catch(() => {});
      client.dispose();
      await executor.stop({ cancelRunning: true, graceMs: 0 });
      throw error;
    });
  }
  if (dashboard) process.stdout.write(`Dashboard: ${dashboard.server.url}\n`);

  await (await stopped);
  await control.close().catch(() => {});
  await dashboard?.close().catch(() => {});
  client.dispose();
  process.exit(0);
}

/** The built renderer beside the CLI bundle: dist-cli/../out/renderer. */
function rendererDir(): string {
  const script = process.argv[1] ? realpathSync(process.argv[1]) : process.cwd();
  return resolve(dirname(script), '..', 'out', 'renderer');
}
