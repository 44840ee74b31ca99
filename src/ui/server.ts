/**
 * The local web UI: a node:http server that serves the built page (dist/ui/public), the small JSON API (api.ts) and
 * the live log as Server-Sent Events, all behind the gate in security.ts.
 *
 *   const ui = await startUiServer(svc);      // 127.0.0.1:<ui.port or 8484>
 *   console.log(ui.url);                      // http://127.0.0.1:8484/?token=...  (the only place the token shows)
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import { spawn } from 'node:child_process';
import { existsSync, promises as fsp } from 'node:fs';
import { randomBytes } from 'node:crypto';
import type { Socket } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SyncService } from '../service.js';
import { SyncError } from '../errors.js';
import type { SyncEvent } from '../log/events.js';
import { CONFIG_ROUTES, ROUTES, errorResult, safeBody } from './api.js';
import {
  CSRF_HEADER,
  SECURITY_HEADERS,
  authenticate,
  hostAllowed,
  makeGate,
  newToken,
  originAllowed,
  secretEquals,
  sessionCookie,
  type Gate,
} from './security.js';

export interface UiServerOptions {
  /** Interface to bind (default: config ui.host, else 127.0.0.1). */
  host?: string;
  /** Port (default: config ui.port, else 8484; 0 = any free port). */
  port?: number;
  /** Open the page in the desktop's browser (xdg-open / open / start). */
  open?: boolean;
  /** Fixed access token (default: a new random one per start). */
  token?: string;
}

export interface UiServer {
  /** The address to open, with the token: print it once. */
  url: string;
  token: string;
  port: number;
  close(): Promise<void>;
}

const MAX_BODY = 256 * 1024;
const SSE_REPLAY = 300;
const SSE_HEARTBEAT_MS = 15000;

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.map': 'application/json; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
};

/** dist/ui/public next to the built server; from the sources (tsx) the built copy under dist/. */
function publicDir(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const candidates = [path.join(here, 'public'), path.resolve(here, '../../dist/ui/public')];
  return candidates.find((d) => existsSync(path.join(d, 'index.html'))) ?? candidates[0]!;
}

function send(
  res: ServerResponse,
  status: number,
  body: string | Buffer,
  type: string,
  extra: Record<string, string> = {},
): void {
  res.writeHead(status, {
    ...SECURITY_HEADERS,
    'Content-Type': type,
    'Content-Length': Buffer.byteLength(body),
    ...extra,
  });
  res.end(body);
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  send(res, status, JSON.stringify(body), 'application/json; charset=utf-8');
}

/** A refusal, as JSON for the API and as a short bilingual page for a person. */
function refuse(req: IncomingMessage, res: ServerResponse, status: number, code: string, es: string, en: string): void {
  if ((req.url ?? '').startsWith('/api/') || !(req.headers.accept ?? '').includes('text/html')) {
    sendJson(res, status, { error: { code, message: es, message_en: en } });
    return;
  }
  const esc = (s: string) => s.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
  send(
    res,
    status,
    `<!doctype html><html lang="es"><meta charset="utf-8"><title>Cordiax Sync</title><body style="font-family:sans-serif;max-width:40em;margin:4em auto;line-height:1.5"><h1>Cordiax Sync</h1><p>${esc(es)}</p><p lang="en" style="color:#555">${esc(en)}</p></body></html>`,
    'text/html; charset=utf-8',
  );
}

async function readJson(
  req: IncomingMessage,
): Promise<{ ok: true; value: unknown } | { ok: false; status: number; es: string; en: string }> {
  if (req.method === 'GET' || req.method === 'HEAD') return { ok: true, value: undefined };
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > MAX_BODY)
      return { ok: false, status: 413, es: 'La petición es demasiado grande.', en: 'The request is too large.' };
    chunks.push(c as Buffer);
  }
  if (size === 0) return { ok: true, value: {} };
  // Only JSON: a cross-site HTML form cannot send it without a preflight.
  if (type !== 'application/json')
    return {
      ok: false,
      status: 415,
      es: 'Solo se acepta JSON (Content-Type: application/json).',
      en: 'Only JSON is accepted (Content-Type: application/json).',
    };
  try {
    return { ok: true, value: JSON.parse(Buffer.concat(chunks).toString('utf8')) };
  } catch {
    return {
      ok: false,
      status: 400,
      es: 'El cuerpo de la petición no es JSON válido.',
      en: 'The request body is not valid JSON.',
    };
  }
}

/**
 * Starts the UI in named steps: the request handler (with its gate), the HTTP server, listen, then the address with
 * the token (opened in the browser when asked).
 */
export async function startUiServer(svc: SyncService, opts: UiServerOptions = {}): Promise<UiServer> {
  const cfgUi = svc.config().ui;
  const host = opts.host ?? cfgUi?.host ?? '127.0.0.1';
  const wantedPort = opts.port ?? cfgUi?.port ?? 8484;
  const token = opts.token ?? newToken();
  const app = requestHandler(svc, token, wantedPort, host);
  const { server, sockets } = createHttpServer(app.handle);
  const port = await listen(server, wantedPort, host);
  app.listeningOn(port);
  const shownHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  const url = `http://${shownHost}:${port}/?token=${token}`;
  if (opts.open) openInBrowser(url);

  return {
    url,
    token,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of app.streams) s.end();
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      }),
  };
}

/**
 * The request handler and what it keeps: the gate (token, CSRF secret, allowed hosts), the open event streams.
 * Every request passes the host, origin, token or cookie and CSRF checks, then gets the page, the API or the stream.
 */
function requestHandler(svc: SyncService, token: string, wantedPort: number, host: string) {
  const root = publicDir();
  const instance = randomBytes(6).toString('hex');
  let gate: Gate = makeGate(token, wantedPort, host);
  const streams = new Set<ServerResponse>();

  const serveStatic = async (req: IncomingMessage, res: ServerResponse, pathname: string) => {
    let rel: string;
    try {
      rel = decodeURIComponent(pathname);
    } catch {
      return refuse(req, res, 400, 'BAD_REQUEST', 'Dirección no válida.', 'Invalid address.');
    }
    if (rel === '/' || rel === '') rel = '/index.html';
    const file = path.resolve(root, `.${path.posix.normalize(rel)}`);
    if (rel.includes('\0') || !file.startsWith(root + path.sep) || !TYPES[path.extname(file)])
      return refuse(req, res, 404, 'NOT_FOUND', 'No existe.', 'Not found.');
    let data: Buffer;
    try {
      data = await fsp.readFile(file);
    } catch {
      if (rel === '/index.html') {
        return refuse(
          req,
          res,
          500,
          'NOT_BUILT',
          `La interfaz no está compilada (falta ${root}). Ejecute "npm run build".`,
          `The interface is not built (${root} is missing). Run "npm run build".`,
        );
      }
      return refuse(req, res, 404, 'NOT_FOUND', 'No existe.', 'Not found.');
    }
    // The page learns its CSRF token from a meta tag (no inline script is allowed by the CSP).
    if (rel === '/index.html') data = Buffer.from(data.toString('utf8').replace('__CSRF_TOKEN__', gate.csrf));
    send(res, 200, req.method === 'HEAD' ? '' : data, TYPES[path.extname(file)]!);
  };

  const openStream = (req: IncomingMessage, res: ServerResponse) => {
    res.writeHead(200, {
      ...SECURITY_HEADERS,
      'Content-Type': 'text/event-stream; charset=utf-8',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    // Ids carry this server's instance: after a restart (ids start again) a reconnecting page gets the full history.
    const write = (e: SyncEvent) => res.write(`id: ${instance}.${e.id}\nevent: log\ndata: ${JSON.stringify(e)}\n\n`);
    res.write(`retry: 2000\nevent: hello\ndata: ${JSON.stringify({ instance })}\n\n`);
    const [seenInstance, seenId] = String(req.headers['last-event-id'] ?? '').split('.');
    const last = seenInstance === instance ? Number(seenId) || 0 : 0;
    // Old progress events mean nothing to a new page (the bar is for the transfer running now).
    for (const e of svc.log.recent(SSE_REPLAY, last)) if (e.type !== 'progress') write(e);
    const unsubscribe = svc.subscribe(write);
    const beat = setInterval(() => res.write(': ♥\n\n'), SSE_HEARTBEAT_MS);
    streams.add(res);
    res.on('close', () => {
      clearInterval(beat);
      unsubscribe();
      streams.delete(res);
    });
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const hostHeader = req.headers.host ?? '';
    if (!hostAllowed(hostHeader, gate)) {
      return refuse(
        req,
        res,
        421,
        'BAD_HOST',
        'Nombre de servidor no permitido: abra la interfaz en http://127.0.0.1 o http://localhost.',
        'Host name not allowed: open the interface at http://127.0.0.1 or http://localhost.',
      );
    }
    const origin = req.headers.origin;
    if (!originAllowed(origin, hostHeader) || req.headers['sec-fetch-site'] === 'cross-site') {
      return refuse(
        req,
        res,
        403,
        'BAD_ORIGIN',
        'Petición rechazada: viene de otra página web.',
        'Request refused: it comes from another web page.',
      );
    }
    const url = new URL(req.url ?? '/', `http://${hostHeader}`);
    // The printed address carries the token once: trade it for a cookie and show a clean address.
    if (url.searchParams.has('token')) {
      if (!secretEquals(url.searchParams.get('token') ?? '', gate.token)) {
        return refuse(
          req,
          res,
          401,
          'BAD_TOKEN',
          'El código de acceso no es válido (cambia en cada arranque). Abra la dirección que muestra ahora "cordiax-sync start".',
          'The access code is not valid (it changes on every start). Open the address "cordiax-sync start" prints now.',
        );
      }
      url.searchParams.delete('token');
      const clean = url.pathname + (url.searchParams.size ? `?${url.searchParams}` : '');
      res.writeHead(303, {
        ...SECURITY_HEADERS,
        Location: clean,
        'Set-Cookie': sessionCookie(gate),
        'Content-Length': 0,
      });
      return res.end();
    }
    const auth = authenticate(req, gate);
    if (!auth) {
      return refuse(
        req,
        res,
        401,
        'NO_TOKEN',
        'Falta el código de acceso. Abra la dirección completa que muestra "cordiax-sync start" (incluye ?token=...).',
        'The access code is missing. Open the full address "cordiax-sync start" prints (it includes ?token=...).',
      );
    }
    const method = req.method ?? 'GET';
    if (method !== 'GET' && method !== 'HEAD' && method !== 'POST') {
      return refuse(req, res, 405, 'METHOD', 'Método no permitido.', 'Method not allowed.');
    }
    if (
      method === 'POST' &&
      auth === 'cookie' &&
      !secretEquals(req.headers[CSRF_HEADER] as string | undefined, gate.csrf)
    ) {
      return refuse(
        req,
        res,
        403,
        'CSRF',
        'Petición rechazada: falta la cabecera anti-falsificación. Recargue la página.',
        'Request refused: the anti-forgery header is missing. Reload the page.',
      );
    }
    if (!url.pathname.startsWith('/api/')) {
      if (method === 'POST') return refuse(req, res, 405, 'METHOD', 'Método no permitido.', 'Method not allowed.');
      return serveStatic(req, res, url.pathname);
    }
    if (method === 'GET' && url.pathname === '/api/events/stream') return openStream(req, res);
    const key = `${method === 'HEAD' ? 'GET' : method} ${url.pathname}`;
    const route = ROUTES[key];
    if (!route) return refuse(req, res, 404, 'NOT_FOUND', 'No existe.', 'Not found.');
    const body = await readJson(req);
    if (!body.ok) return refuse(req, res, body.status, 'BAD_REQUEST', body.es, body.en);
    const result = await route(svc, body.value, url.searchParams);
    sendJson(res, result.status, safeBody(result.body, !CONFIG_ROUTES.has(key)));
  };

  return {
    handle,
    streams,
    /** Once bound, the gate names the port actually in use (0 asks for any free one). */
    listeningOn: (port: number) => {
      gate = makeGate(token, port, host);
    },
  };
}

/** The HTTP server around the handler; its sockets are tracked so close() ends them (requests have no timeout). */
function createHttpServer(handle: (req: IncomingMessage, res: ServerResponse) => Promise<unknown>) {
  const sockets = new Set<Socket>();
  const server = http.createServer((req, res) => {
    handle(req, res).catch((err) => {
      if (res.headersSent) return res.destroy();
      const r = errorResult(err);
      sendJson(res, r.status, safeBody(r.body, true));
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.headersTimeout = 20000;
  server.requestTimeout = 0; // "Sincronizar Ahora" may take long; the socket stays ours to close
  return { server, sockets };
}

/** Listens on host:wantedPort (a port in use is a clear error); returns the port bound. */
async function listen(server: http.Server, wantedPort: number, host: string): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EADDRINUSE') {
        reject(
          new SyncError(
            'ALREADY_EXISTS',
            {
              es: `El puerto ${wantedPort} ya está en uso (¿otra copia de cordiax-sync?). Use --port para elegir otro.`,
              en: `Port ${wantedPort} is already in use (another cordiax-sync?). Use --port to choose another.`,
            },
            { cause: err },
          ),
        );
      } else reject(err);
    });
    server.listen(wantedPort, host, () => resolve());
  });
  return (server.address() as { port: number }).port;
}

/** Opens the page in the desktop's browser; without a launcher the printed address is enough. */
function openInBrowser(url: string): void {
  const [cmd, args] =
    process.platform === 'darwin'
      ? ['open', [url]]
      : process.platform === 'win32'
        ? ['cmd', ['/c', 'start', '', url]]
        : ['xdg-open', [url]];
  try {
    spawn(cmd as string, args as string[], { stdio: 'ignore', detached: true })
      .on('error', () => {})
      .unref();
  } catch {
    /* no browser launcher: the printed address is enough */
  }
}
