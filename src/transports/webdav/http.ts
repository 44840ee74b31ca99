/**
 * The HTTP layer under the WebDAV transport, on node:http/https directly: keep-alive, an inactivity timeout on every
 * request (connect, headers and body alike), explicit Content-Length on every body (never chunked), Basic or Digest
 * auth without leaking the password anywhere but the Authorization header, a private CA or (loudly logged)
 * no verification, and no redirect following (credentials never go to another address).
 */
import http from 'node:http';
import https from 'node:https';
import tls from 'node:tls';
import { readFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import type { Socket } from 'node:net';
import { SyncError } from '../../errors.js';
import type { Logger } from '../../log/events.js';
import { basicHeader, DigestSession, parseChallenges } from './digest.js';
import { httpError, networkError, tooBig } from './errors.js';
import { msg } from '../../messages/index.js';

type AuthMode = 'basic' | 'digest' | 'auto';

interface HttpClientOptions {
  origin: URL; // scheme://host:port only
  username: string;
  password: string;
  auth: AuthMode;
  timeoutMs: number;
  caFile?: string;
  insecure?: boolean;
  log: Logger;
  /** The configured URL's path (for hints that depend on what the user typed, e.g. a Nextcloud DAV root). */
  basePath?: string;
}

/** A request body: a small buffer, or `length` bytes of a local file (re-read from the start on an auth retry). */
type Body = Buffer | FileBody;
interface FileBody {
  file: string;
  length: number;
  /** Called before each (re)send, so callers can reset hashes and counters. */
  onStart?: () => void;
  /** Every piece as it is sent (valid only during the call: the buffer is reused). */
  onData?: (chunk: Buffer) => void;
}

const FILE_CHUNK = 1024 * 1024;
/** A pooled socket closed by the server this soon after its last answer: the server closes silently. */
const SILENT_CLOSE_MS = 1000;
/** Below this average rate over a whole timeout window a transfer counts as stalled. */
const MIN_BYTES_PER_SECOND = 256;

interface RequestInit {
  method: string;
  /** Absolute, already percent-encoded URL path. */
  path: string;
  headers?: Record<string, string>;
  body?: Body;
  signal?: AbortSignal;
  /**
   * Safe to send twice (default: by method, see isIdempotent). A PUT is only when the caller says so (a temporary
   * name nobody else writes).
   */
  idempotent?: boolean;
}

/** Methods whose repetition changes nothing more than the first try (MOVE only without overwrite). */
function isIdempotent(init: RequestInit): boolean {
  if (init.idempotent !== undefined) return init.idempotent;
  if (['GET', 'HEAD', 'OPTIONS', 'PROPFIND', 'DELETE', 'MKCOL'].includes(init.method)) return true;
  return init.method === 'MOVE' && init.headers?.Overwrite === 'F';
}

/** Errors of a request sent on a kept-alive socket that the server had closed: nothing reached it, nothing came back. */
const staleSocketErrors = new WeakSet<object>();

export interface HttpResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  rawHeaders: string[];
  body: http.IncomingMessage;
  /** Local time halfway through the exchange, for clock-skew estimates. */
  localMidpoint: number;
}

function timeoutError(): Error {
  return Object.assign(new Error('inactivity timeout'), { code: 'ETIMEDOUT' });
}

export class HttpClient {
  private readonly agent: http.Agent;
  /** One connection per request (same TLS settings), for servers that drop kept-alive connections silently. */
  private readonly oneShotAgent: http.Agent;
  private readonly mod: typeof http | typeof https;
  private scheme: 'basic' | 'digest' | undefined;
  private digest: DigestSession | undefined;
  private readonly seenSockets = new WeakSet<Socket>();
  /** The server was seen closing a kept-alive connection without notice: non-idempotent requests get a fresh one. */
  private _closesSilently = false;
  private readonly watched = new WeakSet<Socket>();
  /** When each socket's last answer ended (removed when a new request takes it: see requestOnce). */
  private readonly idleSince = new WeakMap<Socket, number>();
  readonly host: string;
  readonly hostname: string;
  readonly secure: boolean;

  constructor(private readonly o: HttpClientOptions) {
    this.secure = o.origin.protocol === 'https:';
    this.host = o.origin.host;
    this.hostname = o.origin.hostname;
    this.mod = this.secure ? https : http;
    if (this.secure) {
      let ca: Buffer | undefined;
      if (o.caFile) {
        try {
          ca = readFileSync(o.caFile);
        } catch (err) {
          throw new SyncError('TLS', msg('webdav.cannot_read_ca_file', { caFile: o.caFile }), {
            hint: msg('webdav.check_ca_file_path'),
            cause: err,
          });
        }
      }
      // A private CA is added to the system roots, not instead of them.
      const caList = ca ? [...tls.rootCertificates, ca.toString('utf8')] : undefined;
      this.agent = new https.Agent({ keepAlive: true, maxSockets: 4, ca: caList, rejectUnauthorized: !o.insecure });
      this.oneShotAgent = new https.Agent({ keepAlive: false, ca: caList, rejectUnauthorized: !o.insecure });
    } else {
      this.agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
      this.oneShotAgent = new http.Agent({ keepAlive: false });
    }
    this.scheme = o.auth === 'basic' ? 'basic' : o.auth === 'digest' ? 'digest' : undefined;
  }

  /** The server was seen dropping a kept-alive connection without notice (see sendRetryingStale). */
  get closesSilently(): boolean {
    return this._closesSilently;
  }

  get authScheme(): string | undefined {
    return this.scheme;
  }

  url(path: string): string {
    return this.o.origin.origin + path;
  }

  close(): void {
    this.agent.destroy();
    this.oneShotAgent.destroy();
  }

  private authorization(method: string, path: string): string | undefined {
    if (this.scheme === 'basic') return basicHeader(this.o.username, this.o.password);
    if (this.scheme === 'digest' && this.digest)
      return this.digest.header(method, path, this.o.username, this.o.password);
    return undefined;
  }

  /** Sends one request; resolves when the response headers arrive. The caller must consume or destroy `body`. */
  async request(init: RequestInit): Promise<HttpResponse> {
    const streaming = init.body !== undefined && !Buffer.isBuffer(init.body);
    // Never stream a large body into an auth challenge: learn the scheme/nonce first with a bodiless request.
    if (streaming && (this.scheme === undefined || (this.scheme === 'digest' && !this.digest))) {
      const pre = await this.sendRetryingStale({ method: 'OPTIONS', path: init.path, signal: init.signal });
      discard(pre);
      if (pre.status === 401 && this.learn(pre))
        discard(await this.sendRetryingStale({ method: 'OPTIONS', path: init.path, signal: init.signal }));
    }
    let res = await this.sendRetryingStale(init);
    if (res.status === 401 && this.learn(res)) {
      discard(res);
      res = await this.sendRetryingStale(init);
    }
    return res;
  }

  /**
   * A server may close a kept-alive connection without saying so (chezdav after DELETE and UNLOCK); the next request
   * on it then fails before any response byte. An idempotent request is sent once more on a fresh connection, as
   * curl and browsers do; anything else reports the failure.
   */
  private async sendRetryingStale(init: RequestInit): Promise<HttpResponse> {
    try {
      return await this.requestOnce(init);
    } catch (err) {
      if (!staleSocketErrors.has(err as object) || !isIdempotent(init) || init.signal?.aborted) throw err;
      this.o.log.emit({
        type: 'info',
        level: 'debug',
        code: 'HTTP_STALE_CONNECTION_RETRY',
        protocol: 'webdav',
        text: msg('event.HTTP_STALE_CONNECTION_RETRY', { host: this.host, method: init.method }),
      });
      return this.requestOnce(init, true);
    }
  }

  /** Takes what a 401 offers; true if a retry makes sense (new scheme, first or stale Digest nonce). */
  private learn(res: HttpResponse): boolean {
    const values: string[] = [];
    for (let i = 0; i + 1 < res.rawHeaders.length; i += 2)
      if (res.rawHeaders[i]!.toLowerCase() === 'www-authenticate') values.push(res.rawHeaders[i + 1]!);
    const chs = parseChallenges(values);
    const digest = chs.find((c) => c.scheme === 'digest' && DigestSession.supported(c) === null);
    const basic = chs.find((c) => c.scheme === 'basic');
    if (this.o.auth === 'basic') return false;
    if ((this.scheme === 'digest' || (this.scheme === undefined && this.o.auth === 'auto')) && digest) {
      const stale = (digest.params.stale ?? '').toLowerCase() === 'true';
      const retry = !this.digest || stale || this.scheme === undefined;
      this.scheme = 'digest';
      if (retry) this.digest = new DigestSession(digest);
      return retry;
    }
    if (this.scheme === undefined && this.o.auth === 'auto' && basic) {
      this.scheme = 'basic';
      return true;
    }
    return false;
  }

  /** Maps a non-success answer to a SyncError (and frees the connection). */
  fail(res: HttpResponse, method: string, target: string): SyncError {
    discard(res);
    const challenges: string[] = [];
    for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) {
      if (res.rawHeaders[i]!.toLowerCase() === 'www-authenticate')
        challenges.push(...parseChallenges([res.rawHeaders[i + 1]!]).map((c) => c.scheme));
    }
    const location =
      typeof res.headers.location === 'string' ? res.headers.location.replace(/\/\/[^/@]*@/, '//') : undefined;
    return httpError(res.status, {
      method,
      target,
      challenges,
      location,
      scheme: this.scheme ?? this.o.auth,
      basePath: this.o.basePath,
    });
  }

  /**
   * A kept-alive socket the server closes right after an answer, while it waits in the pool (chezdav after DELETE
   * and UNLOCK): learned here too, so a LOCK or PUT gets its own connection before it ever meets such a socket.
   * A close after a longer idle time is an ordinary keep-alive timeout (Apache: 5 s) and teaches nothing.
   */
  private watchIdleClose(s: Socket): void {
    if (this.watched.has(s)) return;
    this.watched.add(s);
    s.once('close', () => {
      const since = this.idleSince.get(s);
      if (since !== undefined && Date.now() - since < SILENT_CLOSE_MS) this._closesSilently = true;
    });
  }

  /** `fresh`: on a new connection, never a pooled one (another pooled socket may be just as stale). */
  private requestOnce(init: RequestInit, fresh = false): Promise<HttpResponse> {
    const headers: Record<string, string> = { 'User-Agent': 'cordiax-sync', ...init.headers };
    const auth = this.authorization(init.method, init.path);
    if (auth) headers.Authorization = auth;
    const body = init.body;
    const length = body === undefined ? 0 : Buffer.isBuffer(body) ? body.length : body.length;
    if (body !== undefined || ['PUT', 'POST', 'PROPFIND', 'PROPPATCH', 'LOCK'].includes(init.method))
      headers['Content-Length'] = String(length);
    const started = Date.now();
    return new Promise<HttpResponse>((resolve, reject) => {
      let settled = false;
      let reused = false;
      let readAtStart = 0;
      let sock: Socket | undefined;
      const fail = (err: unknown) => {
        if (settled) return;
        settled = true;
        const e = networkError(err, this.host);
        const code = (err as NodeJS.ErrnoException | undefined)?.code;
        // Reused socket, reset or closed, and not one byte of an answer: the server never processed it.
        if (reused && sock && sock.bytesRead === readAtStart && (code === 'ECONNRESET' || code === 'EPIPE')) {
          staleSocketErrors.add(e);
          this._closesSilently = true;
        }
        reject(e);
      };
      let req: http.ClientRequest;
      try {
        req = this.mod.request(this.url(init.path), {
          method: init.method,
          headers,
          // A LOCK or PUT cannot be sent twice: on a server known to drop idle connections, it gets its own.
          agent: fresh || (this._closesSilently && !isIdempotent(init)) ? this.oneShotAgent : this.agent,
          signal: init.signal,
        });
      } catch (err) {
        fail(err);
        return;
      }
      let response: http.IncomingMessage | undefined;
      // Inactivity on the socket (connect, headers or body): the body stream must fail with the timeout itself.
      req.setTimeout(this.o.timeoutMs, () => {
        response?.destroy(timeoutError());
        req.destroy(timeoutError());
      });
      // A minimum rate on top of the inactivity timeout: a server trickling a byte a second never goes idle, so
      // each window of timeoutMs must move at least MIN_BYTES_PER_SECOND on average, or the request fails.
      let watchdog: NodeJS.Timeout | undefined;
      const stopWatchdog = () => clearInterval(watchdog);
      req.on('close', stopWatchdog);
      req.on('socket', (s: Socket) => {
        sock = s;
        reused = req.reusedSocket;
        readAtStart = s.bytesRead;
        this.idleSince.delete(s);
        this.watchIdleClose(s);
        let moved = s.bytesRead + s.bytesWritten;
        clearInterval(watchdog);
        watchdog = setInterval(() => {
          const now = s.bytesRead + s.bytesWritten;
          if (now - moved < (MIN_BYTES_PER_SECOND * this.o.timeoutMs) / 1000) {
            stopWatchdog();
            response?.destroy(timeoutError());
            req.destroy(timeoutError());
          }
          moved = now;
        }, this.o.timeoutMs);
        watchdog.unref();
      });
      req.on('socket', (s: Socket) => {
        if (this.o.insecure && this.secure && !this.seenSockets.has(s)) {
          this.seenSockets.add(s);
          this.o.log.emit({
            type: 'warning',
            level: 'warn',
            code: 'TLS_VERIFY_DISABLED',
            protocol: 'webdav',
            text: msg('event.TLS_VERIFY_DISABLED', { host: this.host }),
          });
        }
      });
      req.on('error', fail);
      req.on('response', (res) => {
        if (settled) {
          res.destroy();
          return;
        }
        settled = true;
        response = res;
        res.on('close', stopWatchdog);
        res.on('end', () => {
          if (sock) this.idleSince.set(sock, Date.now());
        });
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          rawHeaders: res.rawHeaders,
          body: res,
          localMidpoint: (started + Date.now()) / 2,
        });
      });
      if (body === undefined) req.end();
      else if (Buffer.isBuffer(body)) req.end(body);
      else {
        let answered = false;
        req.on('response', (res) => {
          answered = true;
          // An answer before the whole body was sent (401, 413, 507...): this connection cannot carry another request.
          res.on('end', () => {
            if (!req.writableFinished) req.destroy();
          });
        });
        sendFile(req, body, () => answered || req.destroyed).catch((err) => req.destroy(err));
      }
    });
  }
}

/** Throws away a body we do not need (freeing the connection); a connection dropping meanwhile is harmless. */
export function discard(res: HttpResponse): void {
  res.body.on('error', () => undefined);
  res.body.resume();
}

/**
 * Streams a file into a request through two reused buffers: each is refilled only after the socket has taken it,
 * so memory stays at 2 MiB whatever the file size (pipe() would leave a trail of garbage buffers for the GC).
 */
async function sendFile(req: http.ClientRequest, body: FileBody, stop: () => boolean): Promise<void> {
  body.onStart?.();
  const fh = await open(body.file, 'r');
  try {
    const bufs = [Buffer.allocUnsafe(FILE_CHUNK), Buffer.allocUnsafe(FILE_CHUNK)];
    let pending: Promise<void> | undefined;
    let pos = 0;
    for (let i = 0; pos < body.length; i ^= 1) {
      if (stop()) return; // the server answered early (401, 413, 507...): the caller handles the answer
      const { bytesRead } = await fh.read(bufs[i]!, 0, Math.min(FILE_CHUNK, body.length - pos), pos);
      if (bytesRead === 0)
        throw Object.assign(new Error('the local file shrank during the upload'), { code: 'ERR_FILE_SHRANK' });
      const chunk = bufs[i]!.subarray(0, bytesRead);
      body.onData?.(chunk);
      pos += bytesRead;
      await pending; // the other buffer is free again
      pending = new Promise<void>((resolve, reject) => req.write(chunk, (err) => (err ? reject(err) : resolve())));
      pending.catch(() => undefined); // may fail while we read the next piece; it is awaited (and thrown) just after
    }
    await pending;
    req.end();
  } finally {
    await fh.close();
  }
}

/** Reads a whole body, refusing more than `max` bytes (a hostile server cannot make us buffer without bound). */
export async function readBody(res: HttpResponse, max: number, what: string): Promise<Buffer> {
  const declared = Number(res.headers['content-length']);
  if (Number.isFinite(declared) && declared > max) {
    res.body.destroy();
    throw tooBig(what, max);
  }
  const chunks: Buffer[] = [];
  let n = 0;
  try {
    for await (const c of res.body) {
      n += (c as Buffer).length;
      if (n > max) {
        res.body.destroy();
        throw tooBig(what, max);
      }
      chunks.push(c as Buffer);
    }
  } catch (err) {
    if (err instanceof SyncError) throw err;
    throw networkError(err, what);
  }
  if (Number.isFinite(declared) && declared !== n)
    throw networkError(Object.assign(new Error('short body'), { code: 'ECONNRESET' }), what);
  return Buffer.concat(chunks);
}
