import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { extname, resolve, sep } from 'node:path';
import type { ServerResponse } from 'node:http';

/** Serving the built renderer: only files inside staticDir, with their content types and the CSP. */

export const DASHBOARD_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  // xterm's DOM renderer injects a <style> element for its theme and cell sizes.
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self' ws://127.0.0.1:*",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.ttf': 'font/ttf',
  '.txt': 'text/plain; charset=utf-8',
};

export function securityHeaders(): Record<string, string> {
  return {
    'Content-Security-Policy': DASHBOARD_CSP,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'X-Frame-Options': 'DENY',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
  };
}

export function sendText(res: ServerResponse, status: number, text: string, extra: Record<string, string> = {}): void {
  res.writeHead(status, { ...securityHeaders(), 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store', ...extra });
  res.end(text.endsWith('\n') ? text : `${text}\n`);
}

/** Resolves a URL path to a file under root, or null when it would leave root (traversal, NUL, odd encodings). */
export function resolveStaticPath(root: string, pathname: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return null;
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return null;
  const relative = decoded === '/' ? 'index.html' : decoded.replace(/^\/+/, '');
  const base = resolve(root);
  const full = resolve(base, relative);
  if (full !== base && !full.startsWith(base + sep)) return null;
  return full;
}

export async function serveStatic(res: ServerResponse, root: string, pathname: string, head: boolean): Promise<void> {
  const file = resolveStaticPath(root, pathname);
  if (!file) return sendText(res, 400, 'Bad path.');
  const info = await stat(file).catch(() => null);
  if (!info || !info.isFile()) {
    if (pathname === '/' || pathname === '/index.html') {
      return sendText(res, 503, `The web UI is not built (no index.html in ${root}). Build it with: npx vite build --config src-renderer/vite.config.mts`);
    }
    return sendText(res, 404, 'Not found.');
  }
  const type = CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';
  // index.html changes with every build; hashed assets never do.
  const cache = file.endsWith('.html') ? 'no-store' : 'private, max-age=3600';
  res.writeHead(200, { ...securityHeaders(), 'Content-Type': type, 'Content-Length': String(info.size), 'Cache-Control': cache });
  if (head) {
    res.end();
    return;
  }
  createReadStream(file)
    .on('error', () => res.destroy())
    .pipe(res);
}
