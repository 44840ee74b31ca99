/**
 * Our Socket.IO sync server: protocol 1 exactly as the spec's Flask server (so Python and old clients work), and
 * protocol 2 (chunked binary with acks, CAS, pull, history). Token auth, TLS, restricted CORS, size and rate
 * limits, atomic storage, and `sync_update` broadcasts that cross processes through Redis when scaled out.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { type Namespace, Server, type Socket } from 'socket.io';
import { createAdapter } from '@socket.io/redis-adapter';
import { createClient } from 'redis';
import { SyncError, type Text } from '../errors.js';
import { silentLogger, type Logger } from '../log/events.js';
import { redactString } from '../log/redact.js';
import {
  CHUNK_BYTES,
  DATABASE_ID_RE,
  DEFAULT_NAMESPACE,
  DEVICE_RE,
  EV,
  FEATURE_PATCH,
  SHA256_RE,
  type ServerHello,
  type WireErrorCode,
} from '../transports/socketio/protocol.js';
import { Gatekeeper, RateLimiter, TokenSet } from './auth.js';
import type { PatchLimits } from './patches.js';
import { Storage, StoreError, type UploadLimits } from './storage.js';
import { msg } from '../messages/index.js';

export interface SyncServerOptions {
  host: string;
  port: number;
  storageDir: string;
  /** Accepted tokens; or a file with one token per line (re-read when it changes). Neither: no authentication. */
  tokens?: string[];
  tokensFile?: string;
  /** PEM contents or file paths. */
  tls?: { cert: string; key: string };
  /** Browser origins allowed (CORS). Default: none; clients that send no Origin or the server's own are accepted. */
  corsOrigins?: string[];
  /** Size limit per database (bytes). Default 2 GiB. */
  maxBytes?: number;
  /** Versions kept per database, the newest included. Default 10. */
  keepVersions?: number;
  /** Largest database accepted as protocol 1 hex (one message in memory). Default 8 MiB. */
  protocol1MaxBytes?: number;
  chunkBytes?: number;
  redisUrl?: string;
  log?: Logger;
  /** Per IP address: connection attempts (with tokens: failed ones only, see auth.ts); per connection: requests. */
  rateLimits?: { connectBurst?: number; connectPerSecond?: number; requestBurst?: number; requestPerSecond?: number };
  /** Bounds on uploads in progress (storage.ts UploadLimits). */
  uploadLimits?: Partial<UploadLimits>;
  /** Bounds on the pull patches kept (patches.ts PatchLimits). */
  patchLimits?: Partial<PatchLimits>;
}

/** Payload bytes this process received and sent (chunks, protocol 1 data, read ranges): what the wire carried. */
export interface TransferStats {
  bytesIn: number;
  bytesOut: number;
  /** Pushes committed from a page patch, and pull patches served. */
  patchPushes: number;
  patchPulls: number;
}

export interface SyncServer {
  url: string;
  port: number;
  /** A copy of the counters so far. */
  stats(): TransferStats;
  close(): Promise<void>;
}

function pem(value: string): string {
  return value.includes('-----BEGIN') ? value : readFileSync(value, 'utf8');
}

/**
 * Before its namespace handshake is authorised a connection may only send small messages: 250 strangers each sending
 * 16 MiB must not cost gigabytes. The handshake (auth payload: token, database id, device) fits easily.
 */
export const PRE_AUTH_BUFFER_BYTES = 64 * 1024;

/**
 * After authorisation: a binary chunk as base64 over long-polling, and protocol 1's whole database as hex with room
 * for twice the protocol-1 limit, so a database somewhat over it reaches the handler and gets a TOO_LARGE answer
 * instead of a dropped connection (the limit is also announced up front in sync_request: protocol1MaxBytes).
 */
function authorisedBuffer(chunkBytes: number, p1Max: number): number {
  return Math.max(Math.ceil((chunkBytes * 4) / 3) + 64 * 1024, p1Max * 4 + 64 * 1024);
}

/** An Engine.IO connection and the transports it may carry (the parts raiseBufferLimit touches). */
interface EngineConn {
  transport: unknown;
  on(event: 'upgrading', fn: (transport: unknown) => void): unknown;
}

/**
 * Engine.IO reads its size limit per transport: long-polling from the transport's own options, websocket from the
 * ws receiver of that connection (set from the server-wide value when the socket opens). Raises both for this
 * connection only, now and for a transport it upgrades to later.
 */
function raiseBufferLimit(conn: EngineConn, bytes: number): void {
  const apply = (transport: unknown) => {
    const t = transport as { opts?: { maxHttpBufferSize?: number }; socket?: { _receiver?: { _maxPayload?: number } } };
    if (t.opts && typeof t.opts.maxHttpBufferSize === 'number') t.opts.maxHttpBufferSize = bytes;
    const receiver = t.socket?._receiver;
    if (receiver && typeof receiver._maxPayload === 'number') receiver._maxPayload = bytes;
  };
  apply(conn.transport);
  conn.on('upgrading', apply);
}

/**
 * Browsers always send Origin: only the listed ones may connect (CORS). Programs send none, or (python-socketio's
 * websocket transport) the server's own address: that is the same origin, accepted as Flask-SocketIO does by default.
 */
function originAllowed(req: http.IncomingMessage, cors: string[]): boolean {
  const origin = req.headers.origin;
  if (!origin || cors.includes(origin)) return true;
  try {
    const o = new URL(origin);
    const scheme = (req.socket as { encrypted?: boolean }).encrypted ? 'https:' : 'http:';
    return o.protocol === scheme && o.host === new URL(`${scheme}//${req.headers.host ?? ''}`).host;
  } catch {
    return false;
  }
}

function refusal(code: string, message: Text): Error {
  const err = new Error(code) as Error & { data?: unknown };
  err.data = { code, message };
  return err;
}

function wireError(err: unknown): {
  ok: false;
  code: WireErrorCode;
  message: Text;
  manifest?: unknown;
  offset?: number;
} {
  if (err instanceof StoreError) return { ok: false, code: err.code, message: err.text, ...err.extra };
  const e = err as NodeJS.ErrnoException;
  if (e?.code === 'ENOSPC' || e?.code === 'EDQUOT')
    return {
      ok: false,
      code: 'STORAGE',
      message: msg('server.server_out_disk_space'),
    };
  return { ok: false, code: 'INTERNAL', message: msg('server.internal_server_error') };
}

/** Optional protocol 2 features this server offers (announced in the hello and in p2_head). */
const FEATURES = [FEATURE_PATCH];

const badRequest = (what: string) => new StoreError('BAD_REQUEST', msg('server.invalid_request', { what }));

/** What the start-up steps share: settings resolved once, the storage, the tokens and the rate limiters. */
interface ServerContext {
  log: Logger;
  chunkBytes: number;
  maxBytes: number;
  p1Max: number;
  storage: Storage;
  tokens: TokenSet;
  gate: Gatekeeper;
  requestLimiter: RateLimiter;
  cors: string[];
  stats: TransferStats;
}

/**
 * Starts the server in named steps: settings and storage, the HTTP(S) + Socket.IO server, Redis (scaled out), the
 * handshake check, the request handlers, then listen. The returned close() undoes them in reverse.
 */
export async function startSyncServer(opts: SyncServerOptions): Promise<SyncServer> {
  const ctx = await prepareServer(opts);
  const { httpServer, io } = createSocketServer(opts, ctx);
  const redisClients = await attachRedis(opts, io, ctx.log);
  const nsp = io.of(DEFAULT_NAMESPACE);
  checkHandshake(nsp, ctx);
  serveConnections(nsp, ctx);
  const { url, port } = await listen(httpServer, opts, ctx);
  const { storage, stats } = ctx;

  const sweeper = setInterval(() => void storage.sweep().catch(() => undefined), 3600_000);
  sweeper.unref();

  let closed: Promise<void> | null = null;
  return {
    url,
    port,
    stats: () => ({ ...stats }),
    close: () =>
      (closed ??= (async () => {
        clearInterval(sweeper);
        io.disconnectSockets(true);
        await new Promise<void>((resolve) => io.close(() => resolve()));
        await storage.close();
        for (const c of redisClients) await c.quit().catch(() => undefined);
      })()),
  };
}

/** Settings, storage and tokens (a missing tokens file stops the start, not the first client). */
async function prepareServer(opts: SyncServerOptions): Promise<ServerContext> {
  const log = opts.log ?? silentLogger;
  const chunkBytes = opts.chunkBytes ?? CHUNK_BYTES;
  const maxBytes = opts.maxBytes ?? 2 * 1024 ** 3;
  const p1Max = Math.min(opts.protocol1MaxBytes ?? 8 * 1024 * 1024, maxBytes);
  const storage = new Storage(opts.storageDir, {
    keepVersions: Math.max(1, opts.keepVersions ?? 10),
    maxBytes,
    uploads: opts.uploadLimits,
    patches: opts.patchLimits,
  });
  await storage.init();
  const tokens = new TokenSet({ tokens: opts.tokens, tokensFile: opts.tokensFile });
  if (tokens.enabled) await tokens.refresh(); // a missing tokens file stops the start, not the first client
  const rl = opts.rateLimits ?? {};
  const gate = new Gatekeeper(tokens, { burst: rl.connectBurst ?? 60, perSecond: rl.connectPerSecond ?? 2 }, log);
  const requestLimiter = new RateLimiter(rl.requestBurst ?? 1000, rl.requestPerSecond ?? 500);
  const cors = opts.corsOrigins ?? [];
  const stats: TransferStats = { bytesIn: 0, bytesOut: 0, patchPushes: 0, patchPulls: 0 };
  return { log, chunkBytes, maxBytes, p1Max, storage, tokens, gate, requestLimiter, cors, stats };
}

/** The HTTP(S) server and Socket.IO on it: buffer sizes, a quick ping, CORS and the Origin check. */
function createSocketServer(opts: SyncServerOptions, { cors }: ServerContext) {
  const httpServer = opts.tls
    ? https.createServer({ cert: pem(opts.tls.cert), key: pem(opts.tls.key) })
    : http.createServer();
  const io = new Server(httpServer, {
    serveClient: false,
    // Until a client is authorised, only small messages (its handshake): see raiseBufferLimit.
    maxHttpBufferSize: PRE_AUTH_BUFFER_BYTES,
    // A frozen server or client is noticed in seconds (defaults: 25 s + 20 s).
    pingInterval: 4000,
    pingTimeout: 4000,
    connectTimeout: 10_000,
    cors: cors.length ? { origin: cors, credentials: false } : undefined,
    allowRequest: (req, cb) => (originAllowed(req, cors) ? cb(null, true) : cb('origin not allowed', false)),
  });
  return { httpServer, io };
}

/** Scaled out: `sync_update` broadcasts cross processes through Redis. Returns the clients to quit on close. */
async function attachRedis(
  opts: SyncServerOptions,
  io: Server,
  log: Logger,
): Promise<Array<{ quit(): Promise<unknown> }>> {
  const redisClients: Array<{ quit(): Promise<unknown> }> = [];
  if (opts.redisUrl) {
    const pub = createClient({ url: opts.redisUrl });
    const sub = pub.duplicate();
    for (const c of [pub, sub]) {
      c.on('error', (err: Error) =>
        log.emit({
          type: 'error',
          code: 'REDIS',
          text: msg('event.REDIS', { message: redactString(err.message) }),
        }),
      );
    }
    await Promise.all([pub.connect(), sub.connect()]);
    redisClients.push(pub, sub);
    io.adapter(createAdapter(pub, sub));
  }
  return redisClients;
}

/** Every connection first: rate limit per address, token, database id and device name. */
function checkHandshake(nsp: Namespace, { log, gate, chunkBytes, p1Max }: ServerContext): void {
  nsp.use((socket, next) => {
    void (async () => {
      const ip = socket.handshake.address;
      const auth = (socket.handshake.auth ?? {}) as Record<string, unknown>;
      const check = await gate.admit(ip, auth.token);
      if (!check.ok) return next(refusal(check.code, check.message));
      const databaseId = auth.database_id === undefined ? 'default' : auth.database_id;
      if (typeof databaseId !== 'string' || !DATABASE_ID_RE.test(databaseId)) {
        return next(refusal('bad_database_id', msg('server.invalid_database_id_letters')));
      }
      if (check.databases && !check.databases.has(databaseId)) {
        log.emit({
          type: 'warning',
          code: 'AUTH_FAILED',
          text: msg('server.token_no_access_database.log', { databaseId, ip }),
        });
        return next(refusal('forbidden_database', msg('server.token_no_access_database', { databaseId })));
      }
      const device = typeof auth.device === 'string' && DEVICE_RE.test(auth.device) ? auth.device : 'desconocido';
      socket.data = { databaseId, device, busy: false, tokenKey: check.key };
      raiseBufferLimit(socket.conn, authorisedBuffer(chunkBytes, p1Max));
      next();
    })().catch(() => next(refusal('internal', msg('server.internal_server_error'))));
  });
}

/** The request handlers of an accepted connection (protocol 1 and 2), then the `sync_request` greeting. */
function serveConnections(nsp: Namespace, ctx: ServerContext): void {
  const { log, chunkBytes, maxBytes, p1Max, storage, tokens, requestLimiter, stats } = ctx;
  const room = (id: string) => `db:${id}`;

  function announce(socket: Socket, manifest: unknown): void {
    socket.to(room(socket.data.databaseId)).emit(EV.syncUpdate, { manifest });
    log.emit({
      type: 'info',
      code: 'STORED',
      text: msg('event.STORED', { databaseId: socket.data.databaseId, device: socket.data.device }),
      data: { databaseId: socket.data.databaseId, manifest },
    });
  }

  /** Registers a request handler: validated, rate limited, answered exactly once, never throwing. */
  function handle(
    socket: Socket,
    event: string,
    fn: (payload: Record<string, unknown>) => Promise<Record<string, unknown>>,
    opts: { ackOptional?: boolean } = {},
  ): void {
    socket.on(event, (payload: unknown, ack: unknown) => {
      const reply = typeof ack === 'function' ? (ack as (r: unknown) => void) : null;
      if (!reply && !opts.ackOptional) return;
      const answer = (r: unknown) => {
        if (reply && socket.connected) reply(r);
      };
      if (!requestLimiter.take(socket.id)) {
        answer({
          ok: false,
          code: 'RATE_LIMITED',
          message: msg('server.too_many_requests_slow'),
        });
        return;
      }
      if (!payload || typeof payload !== 'object' || Array.isArray(payload)) {
        answer(wireError(badRequest('se esperaba un objeto / an object was expected')));
        return;
      }
      fn(payload as Record<string, unknown>).then(
        (r) => answer({ ok: true, ...r }),
        (err: unknown) => {
          if (!(err instanceof StoreError)) {
            log.emit({
              type: 'error',
              code: 'SERVER_ERROR',
              text: msg('event.SERVER_ERROR', { message: redactString(String((err as Error)?.message ?? err)) }),
            });
          }
          answer(wireError(err));
        },
      );
    });
  }

  const int = (v: unknown, what: string, min = 0): number => {
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min) throw badRequest(what);
    return v;
  };

  nsp.on('connection', (socket) => {
    const { databaseId, device } = socket.data as { databaseId: string; device: string };
    void socket.join(room(databaseId));
    log.emit({
      type: 'connect',
      text: msg('server.client_connected_database', { device, address: socket.handshake.address, databaseId }),
      data: { databaseId, device, transport: socket.conn.transport.name },
    });
    socket.on('disconnect', (reason) => {
      requestLimiter.forget(socket.id);
      void storage.detach(socket.id).catch(() => undefined);
      log.emit({
        type: 'disconnect',
        text: msg('server.client_disconnected', { device, reason }),
        data: { databaseId, device, reason },
      });
    });

    // Protocol 1, exactly as the spec: {data: hex}; sha256/size/device are optional extras.
    handle(
      socket,
      EV.syncData,
      async (p) => {
        if (socket.data.busy) throw new StoreError('BUSY', msg('server.transfer_already_running_connection'));
        const hex = p.data;
        if (typeof hex !== 'string' || hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex))
          throw badRequest('data debe ser hexadecimal / data must be hex');
        if (hex.length / 2 > p1Max) {
          throw new StoreError('TOO_LARGE', msg('server.too_large_protocol_1', { p1Max }));
        }
        const data = Buffer.from(hex, 'hex');
        stats.bytesIn += hex.length;
        if (p.size !== undefined && p.size !== data.length)
          throw new StoreError('VERIFY_FAILED', msg('server.size_not_match'));
        if (p.sha256 !== undefined) {
          if (createHash('sha256').update(data).digest('hex') !== p.sha256)
            throw new StoreError('VERIFY_FAILED', msg('server.hash_not_match'));
        }
        socket.data.busy = true;
        try {
          const dev = typeof p.device === 'string' && DEVICE_RE.test(p.device) ? p.device : device;
          const { manifest, created } = await storage.storeWhole(databaseId, data, { device: dev });
          if (created) announce(socket, manifest);
          return { manifest };
        } finally {
          socket.data.busy = false;
        }
      },
      { ackOptional: true },
    );

    handle(socket, EV.ping, async () => ({ time: Date.now() }));
    handle(socket, EV.head, async () => ({ manifest: await storage.head(databaseId), features: FEATURES }));
    handle(socket, EV.begin, async (p) => {
      if (typeof p.sha256 !== 'string' || !SHA256_RE.test(p.sha256)) throw badRequest('sha256');
      if (typeof p.encrypted !== 'boolean') throw badRequest('encrypted');
      const base = p.baseGeneration === null ? null : int(p.baseGeneration, 'baseGeneration', 1);
      const dev = typeof p.device === 'string' && DEVICE_RE.test(p.device) ? p.device : device;
      const uploadId = typeof p.uploadId === 'string' ? p.uploadId : undefined;
      const who = { client: socket.id, owner: socket.data.tokenKey };
      if (p.kind === 'patch') {
        // The bytes sent are the patch; sha256/size name the database it rebuilds (what gets stored).
        if (typeof p.baseSha256 !== 'string' || !SHA256_RE.test(p.baseSha256)) throw badRequest('baseSha256');
        if (typeof p.patchSha256 !== 'string' || !SHA256_RE.test(p.patchSha256)) throw badRequest('patchSha256');
        if (p.encrypted) throw badRequest('encrypted');
        if (base === null) throw badRequest('baseGeneration');
        const patch = { baseSha256: p.baseSha256, resultSha256: p.sha256, resultSize: int(p.size, 'size') };
        const r = await storage.begin(
          {
            databaseId,
            uploadId,
            sha256: p.patchSha256,
            size: int(p.patchSize, 'patchSize', 1),
            encrypted: false,
            device: dev,
            baseGeneration: base,
            patch,
          },
          who,
        );
        return { ...r, chunkBytes };
      }
      if (p.kind !== undefined && p.kind !== 'whole') throw badRequest('kind');
      const r = await storage.begin(
        {
          databaseId,
          uploadId,
          sha256: p.sha256,
          size: int(p.size, 'size'),
          encrypted: p.encrypted,
          device: dev,
          baseGeneration: base,
        },
        who,
      );
      return { ...r, chunkBytes };
    });
    handle(socket, EV.chunk, async (p) => {
      if (!Buffer.isBuffer(p.data)) throw badRequest('data');
      stats.bytesIn += p.data.length;
      return { received: await storage.chunk(databaseId, p.uploadId, int(p.offset, 'offset'), p.data, chunkBytes) };
    });
    handle(socket, EV.end, async (p) => {
      const { manifest, patched } = await storage.end(databaseId, p.uploadId, p.sha256);
      if (patched) stats.patchPushes++;
      announce(socket, manifest);
      return { manifest };
    });
    handle(socket, EV.patch, async (p) => {
      if (typeof p.fromSha256 !== 'string' || !SHA256_RE.test(p.fromSha256)) throw badRequest('fromSha256');
      const r = await storage.patchBetween(
        databaseId,
        int(p.fromGeneration, 'fromGeneration', 1),
        p.fromSha256,
        int(p.toGeneration, 'toGeneration', 1),
      );
      stats.patchPulls++;
      return r;
    });
    handle(socket, EV.patchRead, async (p) => {
      const length = int(p.length, 'length', 1);
      if (length > chunkBytes) throw badRequest('length');
      const r = await storage.patches.read(databaseId, p.patchId, int(p.offset, 'offset'), length);
      stats.bytesOut += r.data.length;
      return r;
    });
    handle(socket, EV.abort, async (p) => {
      await storage.abort(databaseId, p.uploadId);
      return {};
    });
    handle(socket, EV.read, async (p) => {
      const length = int(p.length, 'length', 1);
      if (length > chunkBytes) throw badRequest('length');
      const r = await storage.read(databaseId, int(p.generation, 'generation', 1), int(p.offset, 'offset'), length);
      stats.bytesOut += r.data.length;
      return r;
    });

    // Last, so the client's handlers for the other events are in place when it reacts (the spec's order).
    void (async () => {
      let manifest = null;
      try {
        manifest = await storage.head(databaseId);
      } catch (err) {
        log.emit({
          type: 'error',
          code: 'MANIFEST',
          text: msg('event.MANIFEST', { databaseId }),
          data: { error: String(err) },
        });
      }
      const hello: ServerHello = {
        protocol: 2,
        server: 'cordiax-sync',
        databaseId,
        maxBytes,
        chunkBytes,
        auth: tokens.enabled ? 'token' : 'none',
        manifest,
        protocol1MaxBytes: p1Max,
        features: FEATURES,
      };
      socket.emit(EV.syncRequest, hello);
    })();
  });
}

/** Listens (a port in use is a clear error), then says where. */
async function listen(
  httpServer: http.Server | https.Server,
  opts: SyncServerOptions,
  { log, tokens }: ServerContext,
): Promise<{ url: string; port: number }> {
  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', (err: NodeJS.ErrnoException) => {
      reject(
        err.code === 'EADDRINUSE'
          ? new SyncError('ALREADY_EXISTS', msg('server.port_already_use', { port: opts.port }), {
              hint: msg('server.pick_another_port_port'),
              cause: err,
            })
          : err,
      );
    });
    httpServer.listen(opts.port, opts.host, () => resolve());
  });
  const port = (httpServer.address() as AddressInfo).port;
  const host =
    opts.host === '0.0.0.0' || opts.host === '::' || opts.host === ''
      ? '127.0.0.1'
      : opts.host.includes(':')
        ? `[${opts.host}]`
        : opts.host;
  const url = `${opts.tls ? 'https' : 'http'}://${host}:${port}`;
  log.emit({
    type: 'info',
    code: 'SERVER_STARTED',
    text: msg('event.SERVER_STARTED', {
      url: `${url}${DEFAULT_NAMESPACE}`,
      storageDir: opts.storageDir,
      auth: msg(tokens.enabled ? 'server.token_required' : 'server.no_authentication'),
      redis: opts.redisUrl ? '; Redis' : '',
    }),
  });
  return { url, port };
}
