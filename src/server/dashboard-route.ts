import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

/**
 * The dashboard page (`GET /dashboard`, CONTRACT §10), served from the gateway's own origin: the
 * files `vite build` writes to `dist/dashboard` (npm run build). `GET /` leads to it.
 *
 * Only files inside that folder are served. The page talks only to this origin, so its content
 * security policy allows nothing else: no inline or foreign script, no framing. Hashed assets are
 * cached for a year; the page itself is revalidated, so a new build is seen at once.
 */
export function createDashboardRoute(
  directory: string = defaultDashboardDir(),
): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  const root = path.resolve(directory);
  const files = new Map<string, { body: Buffer; gzip: Buffer | null }>();

  // Hashed assets never change under their name: compressed once and kept. The page itself is
  // read each time, so a rebuild while serving is seen at once.
  const load = async (file: string, immutable: boolean) => {
    let entry = immutable ? files.get(file) : undefined;
    if (!entry) {
      const body = await readFile(file);
      const compressible = /\.(html|js|css|svg|json|txt)$/.test(file) && body.length > 1024;
      entry = { body, gzip: compressible ? gzipSync(body, { level: 9 }) : null };
      if (immutable) files.set(file, entry);
    }
    return entry;
  };

  return async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname === '/' || url.pathname === '/dashboard') {
      res.writeHead(302, { location: '/dashboard/' }).end();
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    const relative = decodeURIComponent(url.pathname.slice('/dashboard/'.length)) || 'index.html';
    const file = path.resolve(root, relative);
    if (!file.startsWith(root + path.sep) || !existsSync(file)) {
      const built = existsSync(path.join(root, 'index.html'));
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(built ? 'not found\n' : 'the dashboard is not built: run `npm run build`\n');
      return;
    }
    const immutable = relative.startsWith('assets/');
    const entry = await load(file, immutable);
    const gzip = entry.gzip !== null && /\bgzip\b/.test(String(req.headers['accept-encoding']));
    const body = gzip ? entry.gzip! : entry.body;
    res.writeHead(200, {
      'content-type': CONTENT_TYPES[path.extname(file)] ?? 'application/octet-stream',
      'content-length': body.length,
      'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
      ...(gzip ? { 'content-encoding': 'gzip', vary: 'accept-encoding' } : {}),
      ...SECURITY_HEADERS,
    });
    res.end(req.method === 'HEAD' ? undefined : body);
  };
}

/** `dist/dashboard` of this checkout or package (this module is in src/server or dist/server). */
export function defaultDashboardDir(): string {
  for (let dir = path.dirname(fileURLToPath(import.meta.url)); ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json'))) return path.join(dir, 'dist', 'dashboard');
    if (dir === path.dirname(dir)) return path.resolve('dist', 'dashboard');
  }
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; " +
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};
