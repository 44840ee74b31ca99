/**
 * The local web UI: a node:http server (node:https when ui.tls_cert_file and ui.tls_key_file are set, see tls.ts) that
 * serves the built page (dist/ui/public), the small JSON API (api.ts) and the live log as Server-Sent Events, all
 * behind the gate in security.ts.
 *
 *   const ui = await startUiServer(svc);      // 127.0.0.1:<ui.port or 8484>
 *   console.log(ui.url);                      // http(s)://127.0.0.1:8484/?code=...  (a one-time login code)
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import { spawn } from 'node:child_process';
import { constants as fsc, existsSync, promises as fsp } from 'node:fs';
import { randomBytes } from 'node:crypto';
import net, { type Socket } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SyncService } from '../service.js';
import { SyncError, type Text } from '../errors.js';
import type { SyncEvent } from '../log/events.js';
import type { StreamHello } from './api-types.js';
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
  Sessions,
  type Gate,
} from './security.js';
import { msg } from '../messages/index.js';
import { sessionFile } from './session-file.js';
import { certificateCovers, loadUiTls, type UiTls } from './tls.js';

export interface UiServerOptions {
  /** Interface to bind (default: config ui.host, else 127.0.0.1). */
  host?: string;
  /** Port (default: config ui.port, else 8484; 0 = any free port). */
  port?: number;
  /** Open the page in the desktop's browser (xdg-open / open / start). */
  open?: boolean;
  /** Fixed bearer token for scripts (default: a new random one per start). */
  token?: string;
  /** Told the next address to print once the printed one was used (its code works once). */
  onLoginUrl?: (url: string) => void;
}

export interface UiServer {
  /** The address to open, with a one-time login code (never the token): print it. */
  url: string;
  /** The bearer token for scripts (Authorization: Bearer); also in accessFile. Not valid as a cookie or in a URL. */
  token: string;
  port: number;
  /** The served certificate's SHA-256 fingerprint (AA:BB:...) when the UI is HTTPS, else null. */
  fingerprint: string | null;
  /** <home>/ui-access.json (0600): {url, token, ca (with HTTPS)} for scripts of this user; removed on close. */
  accessFile: string;
  /** A new address with a new one-time code. */
  loginUrl(): string;
  /** The launcher page `open` handed to the browser (0600, under <home>/tmp), if any. */
  launcherFile: string | null;
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
function refuse(req: IncomingMessage, res: ServerResponse, status: number, code: string, text: Text): void {
  const { es, en } = text;
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
): Promise<{ ok: true; value: unknown } | { ok: false; status: number; text: Text }> {
  if (req.method === 'GET' || req.method === 'HEAD') return { ok: true, value: undefined };
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > MAX_BODY) return { ok: false, status: 413, text: msg('api.request_too_large') };
    chunks.push(c as Buffer);
  }
  if (size === 0) return { ok: true, value: {} };
  // Only JSON: a cross-site HTML form cannot send it without a preflight.
  if (type !== 'application/json')
    return {
      ok: false,
      status: 415,
      text: msg('api.only_json_accepted'),
    };
  try {
    return { ok: true, value: JSON.parse(Buffer.concat(chunks).toString('utf8')) };
  } catch {
    return {
      ok: false,
      status: 400,
      text: msg('api.request_body_not_valid_json'),
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
  const remote = !isLoopback(host);
  // HTTPS when both files are set (any host); off loopback without it, only as the explicit, warned opt-in.
  const tls = await loadUiTls(cfgUi, svc.home);
  if (remote && !tls && cfgUi?.allow_remote !== true)
    throw new SyncError('CONFIG_INVALID', msg('tls.ui_remote_refused', { host }));
  const token = opts.token ?? newToken();
  const sessions = new Sessions(Date.now, sessionFile(path.join(svc.home, 'ui-sessions.json')));
  let base = '';
  const loginUrl = () => `${base}/?code=${sessions.newCode()}`;
  let printed = '';
  const app = requestHandler(svc, token, sessions, { wantedPort, host, tls }, (code) => {
    // The printed address was just used: print a fresh one, so the terminal always shows one that works.
    if (printed.endsWith(`=${code}`)) {
      printed = loginUrl();
      opts.onLoginUrl?.(printed);
    }
  });
  const { server, sockets } = createHttpServer(app.handle, tls);
  const port = await listen(server, wantedPort, host);
  app.listeningOn(port);
  // The address people can really reach: for "all interfaces", this machine's first network address.
  const realHost = host === '0.0.0.0' || host === '::' ? (lanAddress() ?? '127.0.0.1') : host;
  base = `${tls ? 'https' : 'http'}://${realHost.includes(':') ? `[${realHost}]` : realHost}:${port}`;
  printed = loginUrl();
  if (tls) {
    svc.log.emit({
      type: 'info',
      code: 'UI_TLS',
      text: msg('event.UI_TLS', { url: base, fingerprint: tls.fingerprint }),
    });
    if (!certificateCovers(tls, realHost))
      svc.log.emit({
        type: 'warning',
        code: 'UI_TLS',
        text: msg('tls.name_not_in_certificate', { host: realHost }),
      });
    if (Date.parse(tls.validTo) < Date.now())
      svc.log.emit({
        type: 'warning',
        code: 'UI_TLS',
        text: msg('tls.certificate_expired', { date: tls.validTo.slice(0, 10) }),
      });
  } else if (remote) svc.log.emit({ type: 'warning', code: 'UI_REMOTE', text: msg('event.UI_REMOTE', { url: base }) });
  const accessFile = path.join(svc.home, 'ui-access.json');
  // With HTTPS, the certificate (public) goes along: `cordiax-sync open` trusts exactly it, nothing else.
  await writePrivate(accessFile, `${JSON.stringify({ url: base, token, ...(tls ? { ca: tls.cert } : {}) })}\n`, true);
  const launcherFile = opts.open ? await openInBrowser(svc.home, loginUrl()) : null;

  return {
    url: printed,
    token,
    port,
    fingerprint: tls?.fingerprint ?? null,
    accessFile,
    loginUrl,
    launcherFile,
    close: async () => {
      // Awaited: `start` exits right after close(), and a token left on disk would outlive its server for nothing.
      await removeIfOurs(accessFile, token);
      if (launcherFile) await fsp.rm(launcherFile, { force: true });
      await new Promise<void>((resolve) => {
        for (const s of app.streams) s.end();
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      });
    },
  };
}

function isLoopback(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || (net.isIPv4(h) && h.startsWith('127.'));
}

function lanAddress(): string | undefined {
  return Object.values(os.networkInterfaces())
    .flat()
    .find((i) => i && i.family === 'IPv4' && !i.internal)?.address;
}

/** Writes a file only this user can read, never through a planted link (O_NOFOLLOW). */
async function writePrivate(file: string, text: string, replace: boolean): Promise<void> {
  if (replace) await fsp.rm(file, { force: true });
  const fh = await fsp.open(file, fsc.O_WRONLY | fsc.O_CREAT | fsc.O_EXCL | fsc.O_NOFOLLOW, 0o600);
  try {
    await fh.writeFile(text);
  } finally {
    await fh.close();
  }
}

/** Another UI of the same home may have replaced the access file since: leave theirs. */
async function removeIfOurs(file: string, token: string): Promise<void> {
  const text = await fsp.readFile(file, 'utf8').catch(() => '');
  if (text.includes(`"${token}"`)) await fsp.rm(file, { force: true });
}

/**
 * The request handler and what it keeps: the gate (token, CSRF secret, allowed hosts), the open event streams.
 * Every request passes the host, origin, token or cookie and CSRF checks, then gets the page, the API or the stream.
 */
function requestHandler(
  svc: SyncService,
  token: string,
  sessions: Sessions,
  bind: { wantedPort: number; host: string; tls: UiTls | null },
  onRedeemed: (code: string) => void,
) {
  const { wantedPort, host, tls } = bind;
  const root = publicDir();
  const instance = randomBytes(6).toString('hex');
  let gate: Gate = makeGate(token, wantedPort, host, tls);
  const streams = new Set<ServerResponse>();

  const serveStatic = async (req: IncomingMessage, res: ServerResponse, pathname: string) => {
    let rel: string;
    try {
      rel = decodeURIComponent(pathname);
    } catch {
      return refuse(req, res, 400, 'BAD_REQUEST', msg('api.invalid_address'));
    }
    if (rel === '/' || rel === '') rel = '/index.html';
    const file = path.resolve(root, `.${path.posix.normalize(rel)}`);
    if (rel.includes('\0') || !file.startsWith(root + path.sep) || !TYPES[path.extname(file)])
      return refuse(req, res, 404, 'NOT_FOUND', msg('api.not_found'));
    let data: Buffer;
    try {
      data = await fsp.readFile(file);
    } catch {
      if (rel === '/index.html') {
        return refuse(req, res, 500, 'NOT_BUILT', msg('api.interface_not_built_missing_run', { root }));
      }
      return refuse(req, res, 404, 'NOT_FOUND', msg('api.not_found'));
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
    // The anti-forgery secret changes with each start: a tab that outlived a restart learns the new one here.
    const hello: StreamHello = { instance, csrf: gate.csrf };
    res.write(`retry: 2000\nevent: hello\ndata: ${JSON.stringify(hello)}\n\n`);
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
      return refuse(req, res, 421, 'BAD_HOST', msg('api.host_name_not_allowed_open'));
    }
    const url = new URL(req.url ?? '/', `${gate.secure ? 'https' : 'http'}://${hostHeader}`);
    const origin = req.headers.origin;
    const crossSite = req.headers['sec-fetch-site'] === 'cross-site';
    // One exception: the launcher page (a local file, so "cross-site") navigates to the login address. A code only
    // opens a session for whoever holds it, so another site gains nothing by sending the browser there.
    const launcherLogin = crossSite && req.method === 'GET' && url.pathname === '/' && url.searchParams.has('code');
    if (!originAllowed(origin, hostHeader, gate.secure) || (crossSite && !launcherLogin)) {
      return refuse(req, res, 403, 'BAD_ORIGIN', msg('api.request_refused_comes_another'));
    }
    // The token never works in a URL (it would stay in the browser's history as a bearer token).
    if (url.searchParams.has('token')) return refuse(req, res, 401, 'BAD_TOKEN', msg('api.token_not_in_address'));
    // The printed address carries a one-time code: trade it for a session cookie and show a clean address.
    if (url.searchParams.has('code')) {
      const code = url.searchParams.get('code') ?? '';
      if (!sessions.redeem(code)) return refuse(req, res, 401, 'BAD_CODE', msg('api.access_code_not_valid_changes'));
      onRedeemed(code);
      url.searchParams.delete('code');
      const clean = url.pathname + (url.searchParams.size ? `?${url.searchParams}` : '');
      const cookie = sessionCookie(gate, sessions.open());
      // From the launcher, a redirect would stay "cross-site" and the SameSite=Strict cookie would not go with it:
      // a page of our own moves on to the clean address instead (a same-origin navigation).
      if (launcherLogin) {
        return send(
          res,
          200,
          `<!doctype html><meta charset="utf-8"><meta http-equiv="refresh" content="0;url=${clean}"><title>Cordiax Sync</title><a href="${clean}">Cordiax Sync</a>\n`,
          'text/html; charset=utf-8',
          { 'Set-Cookie': cookie },
        );
      }
      res.writeHead(303, { ...SECURITY_HEADERS, Location: clean, 'Set-Cookie': cookie, 'Content-Length': 0 });
      return res.end();
    }
    const auth = authenticate(req, gate, sessions);
    if (!auth) {
      return refuse(req, res, 401, 'NO_TOKEN', msg('api.access_code_missing_open'));
    }
    if (auth.via === 'cookie' && auth.rotate)
      res.setHeader('Set-Cookie', sessionCookie(gate, sessions.rotate(auth.session)));
    const method = req.method ?? 'GET';
    if (method !== 'GET' && method !== 'HEAD' && method !== 'POST') {
      return refuse(req, res, 405, 'METHOD', msg('api.method_not_allowed'));
    }
    if (
      method === 'POST' &&
      auth.via === 'cookie' &&
      !secretEquals(req.headers[CSRF_HEADER] as string | undefined, gate.csrf)
    ) {
      return refuse(req, res, 403, 'CSRF', msg('api.request_refused_anti_forgery'));
    }
    if (!url.pathname.startsWith('/api/')) {
      if (method === 'POST') return refuse(req, res, 405, 'METHOD', msg('api.method_not_allowed'));
      return serveStatic(req, res, url.pathname);
    }
    if (method === 'GET' && url.pathname === '/api/events/stream') return openStream(req, res);
    // `cordiax-sync open` asks for a one-time login code with the bearer token (a browser session may not).
    if (method === 'POST' && url.pathname === '/api/login-code') {
      if (auth.via !== 'bearer') return refuse(req, res, 403, 'BEARER_ONLY', msg('access.login_code_bearer_only'));
      return sendJson(res, 200, { code: sessions.newCode() });
    }
    const key = `${method === 'HEAD' ? 'GET' : method} ${url.pathname}`;
    const route = ROUTES[key];
    if (!route) return refuse(req, res, 404, 'NOT_FOUND', msg('api.not_found'));
    const body = await readJson(req);
    if (!body.ok) return refuse(req, res, body.status, 'BAD_REQUEST', body.text);
    const result = await route(svc, body.value, url.searchParams);
    sendJson(res, result.status, safeBody(result.body, !CONFIG_ROUTES.has(key)));
  };

  return {
    handle,
    streams,
    /** Once bound, the gate names the port actually in use (0 asks for any free one). */
    listeningOn: (port: number) => {
      gate = makeGate(token, port, host, tls);
    },
  };
}

/**
 * The HTTP (or HTTPS) server around the handler; its sockets are tracked so close() ends them (requests have no
 * timeout). Over HTTPS a plain-HTTP client gets no answer at all: the handshake fails and the socket closes.
 */
function createHttpServer(handle: (req: IncomingMessage, res: ServerResponse) => Promise<unknown>, tls: UiTls | null) {
  const sockets = new Set<Socket>();
  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    handle(req, res).catch((err) => {
      if (res.headersSent) return res.destroy();
      const r = errorResult(err);
      sendJson(res, r.status, safeBody(r.body, true));
    });
  };
  const server: http.Server = tls
    ? https.createServer({ cert: tls.cert, key: tls.key, minVersion: 'TLSv1.2' }, onRequest)
    : http.createServer(onRequest);
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
        reject(new SyncError('ALREADY_EXISTS', msg('api.port_already_use_another', { wantedPort }), { cause: err }));
      } else reject(err);
    });
    server.listen(wantedPort, host, () => resolve());
  });
  return (server.address() as { port: number }).port;
}

/**
 * Opens the page in the desktop's browser without putting a secret in the launcher's arguments (every local user can
 * read those in /proc): the browser gets the path of a small page (0600, under <home>/tmp) that forwards to the
 * address with a one-time code. The page is removed after a while; its code works once anyway.
 */
export async function openInBrowser(home: string, url: string): Promise<string | null> {
  const file = path.join(home, 'tmp', `open-ui-${randomBytes(6).toString('hex')}.html`);
  const attr = url.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
  try {
    await fsp.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
    await writePrivate(
      file,
      `<!doctype html><meta charset="utf-8"><meta http-equiv="refresh" content="0;url=${attr}"><title>Cordiax Sync</title><a href="${attr}">Cordiax Sync</a>\n`,
      false,
    );
  } catch {
    return null; // the printed address is enough
  }
  setTimeout(() => void fsp.rm(file, { force: true }), 120_000).unref();
  const [cmd, args] =
    process.platform === 'darwin'
      ? ['open', [file]]
      : process.platform === 'win32'
        ? ['cmd', ['/c', 'start', '', file]]
        : ['xdg-open', [file]];
  try {
    spawn(cmd as string, args as string[], { stdio: 'ignore', detached: true })
      .on('error', () => {})
      .unref();
  } catch {
    /* no browser launcher: the printed address is enough */
  }
  return file;
}
