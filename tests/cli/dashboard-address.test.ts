import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureRendererBuilt, openBrowser, type BrowserSession } from '../support/browser.js';
import { cli, makeSandbox, startExecutor, stopExecutor, type ExecutorProcess, type Sandbox } from '../support/local-sandbox.js';
import { waitFor } from '../support/wait.js';

/**
 * The dashboard URL survives restarts (issue 18, point 6): same port and token after a restart, so an open
 * tab reconnects by itself; `beacon dashboard` prints it, `--open` opens it, `--new-token` rotates it.
 */
function get(url: string, cookie?: string): Promise<{ status: number; cookie: string | null }> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    request({ host: target.hostname, port: target.port, path: target.pathname + target.search, headers: cookie ? { Cookie: cookie } : {} }, (res) => {
      res.resume();
      resolve({ status: res.statusCode ?? 0, cookie: res.headers['set-cookie']?.[0]?.split(';')[0] ?? null });
    })
      .on('error', reject)
      .end();
  });
}

describe('the dashboard address', () => {
  let sandbox: Sandbox;
  let executor: ExecutorProcess | null = null;
  let browser: BrowserSession;

  const start = async (args: string[] = []): Promise<string> => {
    executor = startExecutor(sandbox, ['--dashboard', ...args]);
    await executor.ready;
    await waitFor('the dashboard URL', () => /Dashboard: \S+/.test(executor!.stdout()));
    return /Dashboard: (\S+)/.exec(executor.stdout())![1]!;
  };
  const stop = async () => {
    if (executor) await stopExecutor(executor);
    executor = null;
  };

  beforeAll(async () => {
    ensureRendererBuilt();
    sandbox = makeSandbox();
    browser = await openBrowser({ width: 900, height: 600 });
  });
  afterAll(async () => {
    await browser?.close();
    await stop();
    sandbox?.cleanup();
  });

  it('beacon dashboard says there is none before one ran', () => {
    const result = cli(sandbox, ['dashboard']);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('No dashboard has run on this machine yet: start one with `beacon run --dashboard`');
  });

  it('keeps port and token across a restart: the open page reconnects by itself, and the old cookie is still good', async () => {
    const first = await start();
    const state = JSON.parse(readFileSync(join(sandbox.home, 'dashboard.json'), 'utf8')) as { token: string; port: number };
    expect(first).toBe(`http://127.0.0.1:${state.port}/?token=${state.token}`);
    expect(statSync(join(sandbox.home, 'dashboard.json')).mode & 0o777).toBe(0o600);
    expect(cli(sandbox, ['dashboard']).stdout).toBe(`${first}\n`);

    const traded = await get(first);
    expect(traded.status).toBe(303);
    const { page } = browser;
    await page.goto(first);
    await page.locator('[data-testid="connection"][data-state="connected"]').waitFor();

    await stop();
    await page.locator('[data-testid="connection"]:not([data-state="connected"])').waitFor();
    const second = await start();
    expect(second).toBe(first);
    // The tab that stayed open is back without being reloaded, and a bookmarked session cookie still works.
    await page.locator('[data-testid="connection"][data-state="connected"]').waitFor({ timeout: 30_000 });
    expect((await get(`http://127.0.0.1:${state.port}/api/health`, traded.cookie!)).status).toBe(200);
  }, 90_000);

  it('--new-token rotates it at once: the old URL and session stop working, the new one works', async () => {
    const before = cli(sandbox, ['dashboard']).stdout.trim();
    const rotated = cli(sandbox, ['dashboard', '--new-token']);
    expect(rotated.status, rotated.stderr).toBe(0);
    const after = rotated.stdout.trim();
    expect(after).not.toBe(before);
    expect(new URL(after).port).toBe(new URL(before).port);
    expect((await get(after)).status).toBe(303);
    expect((await get(before)).status).toBe(401);
    // The page that was open is told it is no longer allowed.
    await browser.page.locator('[data-testid="connection"][data-state="auth_failed"]').waitFor({ timeout: 15_000 });
    await waitFor('the rotation in the log', () => /dashboard: the token was replaced/.test(executor!.stderr()));
  }, 60_000);

  it('--open hands the URL to the desktop opener', async () => {
    const bin = join(sandbox.root, 'bin');
    mkdirSync(bin, { recursive: true });
    const record = join(sandbox.root, 'opened.txt');
    writeFileSync(join(bin, 'xdg-open'), `#!/bin/sh\nprintf '%s\\n' "$@" > '${record}'\n`);
    chmodSync(join(bin, 'xdg-open'), 0o755);
    const env = { ...sandbox.env, PATH: `${bin}:${sandbox.env.PATH ?? ''}` };
    const url = cli(sandbox, ['dashboard']).stdout.trim();
    const opened = cli({ ...sandbox, env }, ['dashboard', '--open']);
    expect(opened.status, opened.stderr).toBe(0);
    await waitFor('the opener to run', () => {
      try {
        return readFileSync(record, 'utf8') === `${url}\n`;
      } catch {
        return false;
      }
    });
  });

  it('takes another port when the last one is taken, and refuses a configured port in use with a clear reason', async () => {
    const url = cli(sandbox, ['dashboard']).stdout.trim();
    const port = Number(new URL(url).port);
    await stop();
    const squatter: Server = createServer((_, res) => res.end('someone else')).listen(port, '127.0.0.1');
    await new Promise((resolve) => squatter.once('listening', resolve));
    try {
      const moved = await start();
      expect(Number(new URL(moved).port)).not.toBe(port);
      expect(new URL(moved).searchParams.get('token')).toBe(new URL(url).searchParams.get('token'));
      expect(executor!.stderr()).toContain(`dashboard: port ${port} is taken now; using ${new URL(moved).port} (kept for next time)`);
      await stop();
      const refused = startExecutor(sandbox, ['--dashboard', '--port', String(port)]);
      const exit = await refused.exited;
      expect(exit.code).toBe(2);
      expect(refused.stderr()).toContain(`The dashboard cannot listen on 127.0.0.1:${port} (--port): another program uses that port`);
      expect(refused.stderr()).not.toMatch(/\n\s+at /);
      // The lock was released: the next start works.
      await start();
    } finally {
      squatter.close();
    }
  }, 60_000);

  it('replaces a token others could read, and keeps the file owner-only', async () => {
    const before = cli(sandbox, ['dashboard']).stdout.trim();
    await stop();
    chmodSync(join(sandbox.home, 'dashboard.json'), 0o644);
    const after = await start();
    expect(new URL(after).searchParams.get('token')).not.toBe(new URL(before).searchParams.get('token'));
    expect(statSync(join(sandbox.home, 'dashboard.json')).mode & 0o777).toBe(0o600);
  }, 60_000);
});
