import type { App, Session, WebContents, WebPreferences } from 'electron';

/**
 * The security checklist in one place: isolated, sandboxed renderers without Node, a strict CSP, no
 * navigation away from our page, no new windows, every permission request denied.
 */

/** What the renderer may load: its own files; inline styles (xterm.js sets them); nothing remote. */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * `npm run dev:app` only: Vite's React refresh runs an inline preamble script and its client talks to the dev
 * server over a WebSocket. Never used by a packaged app (see rendererSource).
 */
export const DEVELOPMENT_CONTENT_SECURITY_POLICY = CONTENT_SECURITY_POLICY.replace("script-src 'self'", "script-src 'self' 'unsafe-inline'").replace(
  "connect-src 'self'",
  "connect-src 'self' ws://localhost:* ws://127.0.0.1:*",
);

export interface RendererSource {
  url: string;
  /** Loaded from electron-vite's dev server (development CSP). */
  development: boolean;
  /** Why ELECTRON_RENDERER_URL was not used, when it was set. */
  ignored: string | null;
}

/**
 * Where the windows load Beacon's page from: the built file, or electron-vite's dev server when
 * ELECTRON_RENDERER_URL names one, which only an unpackaged app honours (a packaged app never loads code
 * from a URL the environment chose), and only on this machine's loopback.
 */
export function rendererSource(options: { isPackaged: boolean; devServerUrl: string | undefined; builtFileUrl: string }): RendererSource {
  const built = (ignored: string | null): RendererSource => ({ url: options.builtFileUrl, development: false, ignored });
  const wanted = options.devServerUrl;
  if (!wanted) return built(null);
  if (options.isPackaged) return built('ELECTRON_RENDERER_URL is ignored: the packaged app loads only its own files');
  let url: URL;
  try {
    url = new URL(wanted);
  } catch {
    return built(`ELECTRON_RENDERER_URL is ignored: "${wanted}" is not a URL`);
  }
  const loopback = ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
  if (!/^https?:$/.test(url.protocol) || !loopback) return built(`ELECTRON_RENDERER_URL is ignored: ${wanted} is not a dev server on this machine`);
  return { url: url.href, development: true, ignored: null };
}

export function secureWebPreferences(preloadPath: string): WebPreferences {
  return {
    preload: preloadPath,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    navigateOnDragDrop: false,
    spellcheck: false,
  };
}

/** The CSP header on every response (the dev server's too; the built page also carries a meta CSP). */
export function secureSession(session: Session, policy: string = CONTENT_SECURITY_POLICY): void {
  session.webRequest.onHeadersReceived((details, callback) => {
    callback({
      responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [policy] },
    });
  });
  session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
}

/** Navigation only to our own page, never a new window; https links go to the user's browser. */
export function secureWebContents(
  contents: WebContents,
  isOurPage: (url: string) => boolean,
  openExternal: (url: string) => void,
): void {
  contents.on('will-navigate', (event, url) => {
    if (!isOurPage(url)) event.preventDefault();
  });
  contents.on('will-redirect', (event, url) => {
    if (!isOurPage(url)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    if (/^https:\/\//i.test(url)) openExternal(url);
    return { action: 'deny' };
  });
}

/** Apply secureWebContents to every webContents the app ever creates. */
export function secureAllWebContents(app: App, isOurPage: (url: string) => boolean, openExternal: (url: string) => void): void {
  app.on('web-contents-created', (_event, contents) => secureWebContents(contents, isOurPage, openExternal));
}
