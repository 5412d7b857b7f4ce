import { spawn } from 'node:child_process';
import { request } from 'node:http';
import type { Command } from 'commander';
import { mentuPaths } from '../../core/paths.js';
import { CliError } from '../errors.js';
import { dashboardUrl, readDashboardState, rotateDashboardToken } from '../dashboard/state-file.js';

/**
 * `beacon dashboard [--open] [--new-token]`: the URL of the running executor's dashboard (the same one
 * across restarts: dashboard/state-file.ts), opened in the browser with --open; --new-token replaces the
 * token, so every URL and browser session given out before stops working.
 */
export function registerDashboard(program: Command): void {
  program
    .command('dashboard')
    .description("print the URL of the running executor's dashboard (beacon run --dashboard); --open opens it")
    .option('--open', 'also open it in the default browser')
    .option('--new-token', 'replace the dashboard token: URLs and open pages from before stop working')
    .action(async (options: { open?: boolean; newToken?: boolean }) => {
      const paths = mentuPaths();
      if (options.newToken) {
        rotateDashboardToken(paths.dashboard);
        process.stderr.write('A new dashboard token is in place; pages opened with the old URL must open the new one.\n');
      }
      const { token, port } = readDashboardState(paths.dashboard);
      if (!token || !port) {
        throw new CliError('No dashboard has run on this machine yet: start one with `beacon run --dashboard` (or `npm start` in a checkout).');
      }
      const url = dashboardUrl(port, token);
      // A rotated token is taken up by the running dashboard within moments: give it that long.
      const serving = await waitUntilServing(port, token, options.newToken ? 3000 : 0);
      if (!serving) {
        if (options.newToken) {
          process.stdout.write(`${url}\n`);
          process.stderr.write('No dashboard is running now; the next `beacon run --dashboard` serves this URL.\n');
          return;
        }
        throw new CliError(`No dashboard answers at http://127.0.0.1:${port}: start it with \`beacon run --dashboard\` (it will serve ${url}).`);
      }
      process.stdout.write(`${url}\n`);
      if (options.open) openInBrowser(url);
    });
}

/** Does the dashboard on `port` accept `token`? Retried until `patienceMs` has passed. */
async function waitUntilServing(port: number, token: string, patienceMs: number): Promise<boolean> {
  const deadline = Date.now() + patienceMs;
  for (;;) {
    if ((await healthStatus(port, token)) === 200) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function healthStatus(port: number, token: string): Promise<number> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path: `/api/health?token=${encodeURIComponent(token)}`, timeout: 2000 }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(0));
    req.end();
  });
}

function openInBrowser(url: string): void {
  const opener = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer' : 'xdg-open';
  const child = spawn(opener, [url], { stdio: 'ignore', detached: true });
  child.on('error', () => process.stderr.write(`Could not start ${opener} to open the browser; open the URL above yourself.\n`));
  child.unref();
}
