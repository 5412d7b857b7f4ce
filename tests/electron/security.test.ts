import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import type { Session, WebContents } from 'electron';
import { describe, expect, it } from 'vitest';
import { isOurRendererUrl } from '../../src-main/electron/ipc.js';
import {
  CONTENT_SECURITY_POLICY,
  DEVELOPMENT_CONTENT_SECURITY_POLICY,
  rendererSource,
  secureSession,
  secureWebContents,
  secureWebPreferences,
} from '../../src-main/electron/security.js';
import { devServerCsp } from '../../src-renderer/renderer-config.mts';

const RENDERER = 'file:///Applications/Beacon.app/Contents/Resources/app.asar/out/renderer/index.html';

describe('security', () => {
  it('web preferences: isolated, sandboxed, no Node, no webview', () => {
    expect(secureWebPreferences('/p/preload.cjs')).toMatchObject({
      preload: '/p/preload.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      webviewTag: false,
    });
  });

  it('navigation away from our page is blocked, window.open denied, https links go to the browser', () => {
    const contents = Object.assign(new EventEmitter(), {
      handler: null as null | ((details: { url: string }) => { action: string }),
      setWindowOpenHandler(fn: (details: { url: string }) => { action: string }) {
        this.handler = fn;
      },
    });
    const opened: string[] = [];
    secureWebContents(contents as unknown as WebContents, (url) => isOurRendererUrl(url, RENDERER), (url) => opened.push(url));
    const navigate = (event: string, url: string) => {
      let prevented = false;
      contents.emit(event, { preventDefault: () => (prevented = true) }, url);
      return prevented;
    };
    expect(navigate('will-navigate', 'https://evil.example/')).toBe(true);
    expect(navigate('will-redirect', 'file:///etc/passwd')).toBe(true);
    expect(navigate('will-navigate', `${RENDERER}#/command/1`)).toBe(false);
    expect(navigate('will-attach-webview', 'x')).toBe(true);
    expect(contents.handler!({ url: 'https://docs.example/page' })).toEqual({ action: 'deny' });
    expect(contents.handler!({ url: 'file:///etc/passwd' })).toEqual({ action: 'deny' });
    expect(opened).toEqual(['https://docs.example/page']);
  });

  it('every response carries the CSP header and every permission request is denied', () => {
    let onHeaders: ((details: { responseHeaders?: Record<string, string[]> }, cb: (r: unknown) => void) => void) | null = null;
    let onRequest: ((c: unknown, p: string, cb: (granted: boolean) => void) => void) | null = null;
    let onCheck: (() => boolean) | null = null;
    const session = {
      webRequest: { onHeadersReceived: (fn: typeof onHeaders) => (onHeaders = fn) },
      setPermissionRequestHandler: (fn: typeof onRequest) => (onRequest = fn),
      setPermissionCheckHandler: (fn: typeof onCheck) => (onCheck = fn),
    };
    secureSession(session as unknown as Session);
    let reply: unknown = null;
    onHeaders!({ responseHeaders: { 'X-Other': ['1'] } }, (r) => (reply = r));
    expect(reply).toEqual({ responseHeaders: { 'X-Other': ['1'], 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] } });
    expect(CONTENT_SECURITY_POLICY).toContain("default-src 'self'");
    expect(CONTENT_SECURITY_POLICY).toContain("object-src 'none'");
    const granted: boolean[] = [];
    onRequest!(null, 'media', (g) => granted.push(g));
    onRequest!(null, 'notifications', (g) => granted.push(g));
    expect(granted).toEqual([false, false]);
    expect(onCheck!()).toBe(false);
  });
});

describe('development only', () => {
  const built = 'file:///Applications/Beacon.app/Contents/Resources/app.asar/out/renderer/index.html';

  it('ELECTRON_RENDERER_URL is honoured only by an unpackaged app, and only for a dev server on this machine', () => {
    expect(rendererSource({ isPackaged: false, devServerUrl: undefined, builtFileUrl: built })).toEqual({ url: built, development: false, ignored: null });
    expect(rendererSource({ isPackaged: false, devServerUrl: 'http://localhost:5173', builtFileUrl: built })).toEqual({ url: 'http://localhost:5173/', development: true, ignored: null });
    const packaged = rendererSource({ isPackaged: true, devServerUrl: 'http://localhost:5173', builtFileUrl: built });
    expect(packaged).toMatchObject({ url: built, development: false, ignored: expect.stringMatching(/packaged app loads only its own files/) });
    for (const url of ['https://evil.example/', 'file:///tmp/evil.html', 'javascript:alert(1)', 'not a url']) {
      expect(rendererSource({ isPackaged: false, devServerUrl: url, builtFileUrl: built }), url).toMatchObject({ url: built, development: false, ignored: expect.stringContaining('ignored') });
    }
  });

  it('the development CSP allows the dev preamble (inline script) and HMR socket; the production one allows neither', () => {
    const directive = (policy: string, name: string) => policy.split('; ').find((d) => d.startsWith(`${name} `));
    expect(directive(CONTENT_SECURITY_POLICY, 'script-src')).toBe("script-src 'self'");
    expect(directive(CONTENT_SECURITY_POLICY, 'connect-src')).toBe("connect-src 'self'");
    expect(directive(DEVELOPMENT_CONTENT_SECURITY_POLICY, 'script-src')).toBe("script-src 'self' 'unsafe-inline'");
    expect(directive(DEVELOPMENT_CONTENT_SECURITY_POLICY, 'connect-src')).toContain('ws://localhost:*');
    // Everything else is the same policy.
    const rest = (policy: string) => policy.split('; ').filter((d) => !/^(script|connect)-src /.test(d));
    expect(rest(DEVELOPMENT_CONTENT_SECURITY_POLICY)).toEqual(rest(CONTENT_SECURITY_POLICY));
  });

  it("the renderer's meta CSP is dropped by Vite's dev server only; a build keeps it", () => {
    const html = readFileSync('src-renderer/index.html', 'utf8');
    expect(devServerCsp.apply).toBe('serve');
    const transform = devServerCsp.transformIndexHtml as (html: string) => string;
    expect(html).toContain('http-equiv="Content-Security-Policy"');
    const served = transform(html);
    expect(served).not.toContain('Content-Security-Policy');
    expect(served).toContain('<div id="root"></div>');
  });
});
