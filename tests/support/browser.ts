import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { isFresh } from './freshness.js';
import { REPO_ROOT } from './repo.js';

/** Debian's Chromium driven by playwright-core, with a fresh profile in a temp dir; the renderer built on demand. */

export { REPO_ROOT };
export const RENDERER_DIR = join(REPO_ROOT, 'out/renderer');
export const ARTIFACTS_DIR = join(REPO_ROOT, 'test-artifacts/ui');

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** Builds out/renderer when it is missing or older than a file under src-renderer. */
export function ensureRendererBuilt(): void {
  const index = join(RENDERER_DIR, 'index.html');
  const sources = ['src-renderer/src', 'src-renderer/index.html', 'src-renderer/vite.config.mts', 'src-renderer/renderer-config.mts'].map((path) => join(REPO_ROOT, path));
  const fresh = () => isFresh(index, sources);
  if (fresh()) return;
  // Test files run in parallel workers: one builds, the others wait for it and then find the output fresh.
  const lock = join(REPO_ROOT, 'out/.renderer-build.lock');
  mkdirSync(join(REPO_ROOT, 'out'), { recursive: true });
  const deadline = Date.now() + 180_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      if (Date.now() > deadline) rmSync(lock, { recursive: true, force: true });
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 250);
    }
  }
  try {
    if (!fresh()) buildRenderer();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

function buildRenderer(): void {
  execFileSync(process.execPath, [join(REPO_ROOT, 'node_modules/vite/bin/vite.js'), 'build', '--config', 'src-renderer/vite.config.mts', '--logLevel', 'warn'], {
    cwd: REPO_ROOT,
    // vitest sets NODE_ENV=test, which would give a development build of React.
    env: { ...process.env, NODE_ENV: 'production' },
    stdio: 'inherit',
  });
}

export interface BrowserSession {
  context: BrowserContext;
  page: Page;
  /** Console errors and CSP violations seen in the page. */
  problems: string[];
  close(): Promise<void>;
}

export async function openBrowser(viewport = { width: 1100, height: 760 }): Promise<BrowserSession> {
  const profile = mkdtempSync(join(tmpdir(), 'beacon-ui-profile-'));
  const context = await chromium.launchPersistentContext(profile, {
    // Debian's Chromium here; BEACON_CHROMIUM elsewhere (the macOS workflow points it at Google Chrome).
    executablePath: process.env.BEACON_CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
    viewport,
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(message.text());
  });
  page.on('pageerror', (error) => problems.push(String(error)));
  return {
    context,
    page,
    problems,
    close: async () => {
      await context.close().catch(() => {});
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  const path = join(ARTIFACTS_DIR, `${name}.png`);
  await page.screenshot({ path });
  return path;
}

/** Text currently rendered in the terminal's visible rows. */
export async function terminalText(page: Page): Promise<string> {
  return page.locator('[data-testid="terminal"] .xterm-rows').innerText();
}
