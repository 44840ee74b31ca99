/**
 * The `socketio` remote. Against the spec's Flask server (protocol 1, which announces nothing) it can only push the
 * whole database as hex, within that server's 1,000,000-byte buffer. Against our server (protocol 2, announced in
 * `sync_request`) it streams binary chunks from disk with acks, resumes after a reconnect, pulls, and uses CAS.
 */
import { createHash } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { SyncError, type ErrorCode, type Text } from '../../errors.js';
import type { SocketioConfig } from './declaration.js';
import { reportError } from '../shared/report.js';
import type {
  CheckStep,
  ConnectionReport,
  DownloadResult,
  PushMeta,
  RemoteManifest,
  SyncEndpoint,
  TransferOptions,
  TransportContext,
} from '../types.js';
import { HashMeter } from '../../util/hash.js';
import { Connection, type Hello } from './connection.js';
import {
  text,
  CHUNK_BYTES,
  EV,
  FLASK_BUFFER_BYTES,
  isManifest,
  PROTOCOL1_MAX_BYTES,
  WINDOW,
  type BeginReply,
  type BeginRequest,
  type ChunkReply,
  type ChunkRequest,
  type EndReply,
  type ReadReply,
  type ReadRequest,
  type WireErrorCode,
} from './protocol.js';

export interface EndpointOptions {
  /** Speak protocol 1 even to a server that offers 2 (benchmarks, compatibility tests). */
  forceProtocol?: 1;
  connectTimeoutMs?: number;
  /** Per request; protocol 1 adds time per megabyte. */
  ackTimeoutMs?: number;
  helloTimeoutMs?: number;
  heartbeatMs?: number;
  /** Reconnect-and-resume attempts for one transfer. */
  resumeAttempts?: number;
}

type RemoteEvent = Parameters<Parameters<SyncEndpoint['onRemoteEvent']>[0]>[0];

const WIRE_TO_CODE: Record<WireErrorCode, ErrorCode> = {
  BAD_REQUEST: 'PROTOCOL',
  TOO_LARGE: 'TOO_LARGE',
  CONFLICT: 'CONFLICT',
  NOT_FOUND: 'NOT_FOUND',
  VERIFY_FAILED: 'VERIFY_FAILED',
  RATE_LIMITED: 'UNAVAILABLE',
  BUSY: 'LOCKED',
  STORAGE: 'STORAGE_FULL',
  INTERNAL: 'INTERNAL',
};

/** A reply the server gave that is not in the protocol: a hostile or broken peer. */
function protocolError(what: string): SyncError {
  return new SyncError(
    'PROTOCOL',
    text(`Respuesta no válida del servidor (${what}).`, `Invalid answer from the server (${what}).`),
    {
      hint: text(
        '¿Es un servidor cordiax-sync compatible? Revise la URL y la versión del servidor.',
        'Is it a compatible cordiax-sync server? Check the URL and the server version.',
      ),
    },
  );
}

class WireError extends SyncError {
  constructor(
    readonly wire: WireErrorCode,
    message: Text,
    readonly manifest: RemoteManifest | null | undefined,
    readonly offset: number | undefined,
  ) {
    super(WIRE_TO_CODE[wire] ?? 'PROTOCOL', message);
  }
}

const lost = () =>
  new SyncError(
    'CONNECTION_RESET',
    text(
      'Se perdió la conexión con el servidor durante la transferencia.',
      'The connection to the server dropped during the transfer.',
    ),
  );

function tooLargeForFlask(size: number, max: number, learned: boolean): SyncError {
  return new SyncError(
    'TOO_LARGE',
    text(
      `La base de datos (${size} bytes) no cabe en un mensaje de este servidor: su búfer (max_http_buffer_size, 1.000.000 bytes por defecto en Flask-SocketIO) admite como máximo ${max} bytes de base de datos en hexadecimal. ${learned ? 'El servidor cortó la conexión al recibirla. ' : ''}No se envió nada.`,
      `The database (${size} bytes) does not fit in one message to this server: its buffer (max_http_buffer_size, 1,000,000 bytes by default in Flask-SocketIO) takes at most ${max} bytes of database as hex. ${learned ? 'The server closed the connection when receiving it. ' : ''}Nothing was sent.`,
    ),
    {
      hint: text(
        `En el servidor, aumente el búfer: SocketIO(app, max_http_buffer_size=${Math.ceil((size * 2 + 4096) / 1e6) * 1_000_000}); o use el servidor de cordiax-sync (\`cordiax-sync server\`), que transfiere por fragmentos sin límite práctico.`,
        `On the server, raise the buffer: SocketIO(app, max_http_buffer_size=${Math.ceil((size * 2 + 4096) / 1e6) * 1_000_000}); or use the cordiax-sync server (\`cordiax-sync server\`), which transfers in chunks with no practical limit.`,
      ),
      details: { size, maxBytes: max },
    },
  );
}

export class SocketioEndpoint implements SyncEndpoint {
  readonly protocol = 'socketio' as const;
  private conn: Connection | null = null;
  private listeners = new Set<(ev: RemoteEvent) => void>();
  private closed = false;
  /** One transfer at a time. */
  private queue: Promise<unknown> = Promise.resolve();
  /** The upload to resume after a reconnect (same content only). */
  private pending: { uploadId: string; sha256: string; size: number } | null = null;
  /** Sends the server dropped the connection on (protocol 1): after two, that size is a learned limit. */
  private drops = { size: 0, count: 0 };
  private learnedMax: number | null = null;
  private readonly o: Required<Omit<EndpointOptions, 'forceProtocol'>> & Pick<EndpointOptions, 'forceProtocol'>;

  constructor(
    /** The socketio block (a whole SyncConfig fits too). */
    private readonly config: { socketio: SocketioConfig },
    private readonly ctx: TransportContext,
    opts: EndpointOptions = {},
  ) {
    this.o = {
      forceProtocol: opts.forceProtocol,
      connectTimeoutMs: opts.connectTimeoutMs ?? 10_000,
      ackTimeoutMs: opts.ackTimeoutMs ?? 20_000,
      helloTimeoutMs: opts.helloTimeoutMs ?? 3000,
      heartbeatMs: opts.heartbeatMs ?? 5000,
      resumeAttempts: opts.resumeAttempts ?? 5,
    };
  }

  private connection(): Connection {
    if (this.closed)
      throw new SyncError(
        'CANCELLED',
        text('La conexión Socket.IO está cerrada.', 'The Socket.IO connection is closed.'),
      );
    if (!this.conn) {
      const c = new Connection(this.config.socketio, this.ctx.log, {
        reconnection: true,
        connectTimeoutMs: this.o.connectTimeoutMs,
        helloTimeoutMs: this.o.helloTimeoutMs,
        heartbeatMs: this.o.heartbeatMs,
        device: this.ctx.device,
      });
      c.on('hello', (h: Hello) => {
        if (c.socket.connected || h === null) this.fire({ kind: 'sync_request', manifest: h?.manifest ?? undefined });
      });
      c.on('update', (p: unknown) => {
        const m = (p as { manifest?: unknown } | null)?.manifest;
        // A malformed update is only a hint lost: the next reconcile catches up.
        if (isManifest(m)) this.fire({ kind: 'sync_update', manifest: m });
      });
      c.on('connected', () => this.fire({ kind: 'connected' }));
      c.on('disconnected', () => this.fire({ kind: 'disconnected' }));
      this.conn = c;
    }
    return this.conn;
  }

  private fire(ev: RemoteEvent): void {
    for (const l of this.listeners) {
      try {
        l(ev);
      } catch {
        /* a listener's failure is its own */
      }
    }
  }

  onRemoteEvent(listener: (ev: RemoteEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async open(): Promise<void> {
    await this.ready();
  }

  private async ready(): Promise<Hello> {
    return this.connection().whenReady(this.o.connectTimeoutMs + this.o.helloTimeoutMs, true);
  }

  /** Protocol 2 only when the server offers it and we were not told otherwise. */
  private p2(h: Hello): h is NonNullable<Hello> {
    return h !== null && this.o.forceProtocol !== 1;
  }

  private p1Max(h: Hello): number {
    const base = h ? (h.protocol1MaxBytes ?? PROTOCOL1_MAX_BYTES) : PROTOCOL1_MAX_BYTES;
    return this.learnedMax !== null ? Math.min(base, this.learnedMax) : base;
  }

  async capabilities(): Promise<{
    push: boolean;
    pull: boolean;
    history: boolean;
    compareAndSwap: boolean;
    maxBytes?: number;
  }> {
    const h = await this.ready();
    if (this.p2(h)) return { push: true, pull: true, history: true, compareAndSwap: true, maxBytes: h.maxBytes };
    return { push: true, pull: false, history: false, compareAndSwap: false, maxBytes: this.p1Max(h) };
  }

  async head(): Promise<RemoteManifest | null | undefined> {
    const h = await this.ready();
    if (!this.p2(h)) return undefined;
    const r = await this.request<{ manifest: unknown }>(EV.head, {});
    if (r.manifest !== null && !isManifest(r.manifest)) throw protocolError('manifest');
    return r.manifest;
  }

  /** An acked request with a timeout; `{ok:false}` answers become SyncErrors. */
  private async request<T>(event: string, payload: unknown, timeoutMs = this.o.ackTimeoutMs): Promise<T> {
    const s = this.connection().socket;
    if (!s.connected) throw lost();
    let reply: unknown;
    try {
      reply = await s.timeout(timeoutMs).emitWithAck(event, payload);
    } catch {
      if (!s.connected) throw lost();
      throw new SyncError(
        'TIMEOUT',
        text(
          `El servidor no confirmó «${event}» en ${Math.round(timeoutMs / 1000)} s.`,
          `The server did not acknowledge "${event}" within ${Math.round(timeoutMs / 1000)} s.`,
        ),
        {
          hint: text(
            'El servidor puede estar bloqueado o sobrecargado; se reintentará.',
            'The server may be frozen or overloaded; it will be retried.',
          ),
        },
      );
    }
    if (!reply || typeof reply !== 'object' || typeof (reply as { ok?: unknown }).ok !== 'boolean')
      throw protocolError(event);
    const r = reply as { ok: boolean; code?: unknown; message?: unknown; manifest?: unknown; offset?: unknown };
    if (!r.ok) {
      const code = typeof r.code === 'string' && r.code in WIRE_TO_CODE ? (r.code as WireErrorCode) : 'INTERNAL';
      const m = r.message as Text | undefined;
      const message =
        m && typeof m.es === 'string' && typeof m.en === 'string'
          ? { es: m.es.slice(0, 500), en: m.en.slice(0, 500) }
          : text('El servidor devolvió un error.', 'The server returned an error.');
      const manifest = r.manifest === null ? null : isManifest(r.manifest) ? r.manifest : undefined;
      throw new WireError(code, message, manifest, typeof r.offset === 'number' ? r.offset : undefined);
    }
    return reply as T;
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.catch(() => undefined).then(fn);
    this.queue = run;
    return run;
  }

  push(
    localPath: string,
    meta: PushMeta,
    opts: TransferOptions = {},
  ): Promise<{ manifest?: RemoteManifest; conflict?: RemoteManifest }> {
    return this.serial(async () => {
      const h = await this.ready();
      return this.p2(h) ? this.pushChunks(localPath, meta, h, opts) : this.pushHex(localPath, meta, h, opts);
    });
  }

  /** Protocol 1: the whole database as hex in one `sync_data`, success only when the ack arrives. */
  private async pushHex(
    localPath: string,
    meta: { sha256: string; size: number; device: string },
    h: Hello,
    opts: TransferOptions,
  ): Promise<{ manifest?: RemoteManifest }> {
    const max = this.p1Max(h);
    if (meta.size > max)
      throw tooLargeForFlask(meta.size, max, this.learnedMax !== null && meta.size > this.learnedMax);
    const data = await fsp.readFile(localPath);
    if (data.length !== meta.size || createHash('sha256').update(data).digest('hex') !== meta.sha256) {
      throw new SyncError(
        'VERIFY_FAILED',
        text(
          'La copia local cambió antes de enviarla: no se envió.',
          'The local copy changed before sending: not sent.',
        ),
      );
    }
    const s = this.connection().socket;
    let payload: Record<string, unknown> = {
      data: data.toString('hex'),
      sha256: meta.sha256,
      size: meta.size,
      device: meta.device,
    };
    if (h === null) {
      // The Flask server's buffer counts the whole request body: "42/ns,<ackId>[...]". Drop the extras if needed.
      const nextAck = (s as unknown as { ids?: unknown }).ids;
      const frame = (p: unknown) =>
        2 +
        this.connection().namespace.length +
        1 +
        String(typeof nextAck === 'number' ? nextAck : 99999).length +
        Buffer.byteLength(JSON.stringify([EV.syncData, p]));
      if (frame(payload) > FLASK_BUFFER_BYTES) payload = { data: payload.data };
      if (frame(payload) > FLASK_BUFFER_BYTES) throw tooLargeForFlask(meta.size, max, false);
    }
    const timeout = this.o.ackTimeoutMs + Math.ceil(meta.size / 1e6) * 2000;
    opts.onProgress?.({ bytes: 0, total: meta.size });
    let reply: unknown;
    try {
      reply = await s.timeout(timeout).emitWithAck(EV.syncData, payload);
    } catch {
      if (!s.connected) {
        // The Flask server drops oversize messages by closing the session; a second drop at this size is a limit.
        this.drops =
          this.drops.size === meta.size
            ? { size: meta.size, count: this.drops.count + 1 }
            : { size: meta.size, count: 1 };
        if (this.drops.count >= 2) {
          this.learnedMax = Math.min(this.learnedMax ?? Infinity, meta.size - 1);
          throw tooLargeForFlask(meta.size, this.p1Max(h), true);
        }
        throw lost();
      }
      throw new SyncError(
        'TIMEOUT',
        text(
          'El servidor no confirmó la recepción de los datos (sin ack).',
          'The server did not acknowledge the data (no ack).',
        ),
        {
          hint: text(
            'El servidor puede estar bloqueado o haber fallado al guardar (revise sus logs).',
            'The server may be frozen or have failed to store it (check its logs).',
          ),
        },
      );
    }
    this.drops = { size: 0, count: 0 };
    // The Flask server acks with nothing; ours answers {ok, manifest}.
    if (reply && typeof reply === 'object' && (reply as { ok?: unknown }).ok === false) {
      const r = reply as { code?: string; message?: Text };
      throw new WireError(
        (r.code as WireErrorCode) in WIRE_TO_CODE ? (r.code as WireErrorCode) : 'INTERNAL',
        r.message ?? text('El servidor devolvió un error.', 'The server returned an error.'),
        undefined,
        undefined,
      );
    }
    opts.onProgress?.({ bytes: meta.size, total: meta.size });
    const m = (reply as { manifest?: unknown } | undefined)?.manifest;
    return isManifest(m) ? { manifest: m } : {};
  }

  /** Runs `step` again after a lost connection, up to resumeAttempts times, reconnecting in between. */
  private async resuming<T>(step: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      if (signal?.aborted) throw new SyncError('CANCELLED', text('Transferencia cancelada.', 'Transfer cancelled.'));
      try {
        return await step();
      } catch (err) {
        if (!(err instanceof SyncError) || err.code !== 'CONNECTION_RESET' || attempt >= this.o.resumeAttempts)
          throw err;
        this.ctx.log.emit({
          type: 'warning',
          code: 'RESUME',
          protocol: 'socketio',
          text: text(
            'Conexión perdida: se reanuda la transferencia al reconectar.',
            'Connection lost: the transfer resumes on reconnect.',
          ),
        });
        await this.connection().whenReady(60_000);
      }
    }
  }

  /** Protocol 2: begin (CAS), binary chunks read from disk with a window of acks, end with sha256. */
  private async pushChunks(
    localPath: string,
    meta: PushMeta,
    h: NonNullable<Hello>,
    opts: TransferOptions,
  ): Promise<{ manifest?: RemoteManifest; conflict?: RemoteManifest }> {
    if (meta.size > h.maxBytes) {
      throw new SyncError(
        'TOO_LARGE',
        text(
          `La base de datos (${meta.size} bytes) supera el límite del servidor (${h.maxBytes} bytes).`,
          `The database (${meta.size} bytes) exceeds the server's limit (${h.maxBytes} bytes).`,
        ),
        {
          hint: text('Aumente el límite del servidor (--max-bytes).', "Raise the server's limit (--max-bytes)."),
        },
      );
    }
    const fh = await fsp.open(localPath, 'r');
    try {
      const st = await fh.stat();
      if (st.size !== meta.size)
        throw new SyncError(
          'VERIFY_FAILED',
          text('La copia local cambió antes de enviarla.', 'The local copy changed before sending.'),
        );
      let base = meta.baseGeneration;
      return await this.resuming(async () => {
        const resume =
          this.pending && this.pending.sha256 === meta.sha256 && this.pending.size === meta.size
            ? this.pending.uploadId
            : undefined;
        let b: Extract<BeginReply, { ok: true }>;
        try {
          b = await this.request(EV.begin, {
            uploadId: resume,
            sha256: meta.sha256,
            size: meta.size,
            encrypted: meta.encrypted,
            device: meta.device,
            baseGeneration: base,
          } satisfies BeginRequest);
        } catch (err) {
          if (err instanceof WireError && err.wire === 'CONFLICT') {
            if (err.manifest) return { conflict: err.manifest };
            // The server holds nothing (storage wiped): nothing can be overwritten, so store as the first version.
            base = null;
            b = await this.request(EV.begin, {
              sha256: meta.sha256,
              size: meta.size,
              encrypted: meta.encrypted,
              device: meta.device,
              baseGeneration: null,
            } satisfies BeginRequest);
          } else throw err;
        }
        if (b.done) {
          if (!isManifest(b.done) || b.done.sha256 !== meta.sha256) throw protocolError('begin');
          return { manifest: b.done };
        }
        if (typeof b.uploadId !== 'string' || !Number.isSafeInteger(b.offset) || b.offset < 0 || b.offset > meta.size)
          throw protocolError('begin');
        this.pending = { uploadId: b.uploadId, sha256: meta.sha256, size: meta.size };
        const chunk = Math.min(
          CHUNK_BYTES,
          Number.isSafeInteger(b.chunkBytes) && b.chunkBytes > 0 ? b.chunkBytes : CHUNK_BYTES,
          h.chunkBytes,
        );
        await this.sendChunks(fh, b.uploadId, b.offset, meta.size, chunk, opts);
        try {
          const e = await this.request<Extract<EndReply, { ok: true }>>(EV.end, {
            uploadId: b.uploadId,
            sha256: meta.sha256,
          });
          this.pending = null;
          if (!isManifest(e.manifest) || e.manifest.sha256 !== meta.sha256 || e.manifest.size !== meta.size)
            throw protocolError('end');
          return { manifest: e.manifest };
        } catch (err) {
          if (err instanceof WireError) {
            this.pending = null; // the server dropped the upload
            if (err.wire === 'CONFLICT' && err.manifest) return { conflict: err.manifest };
          }
          throw err;
        }
      }, opts.signal);
    } finally {
      await fh.close();
    }
  }

  /** Reads chunks from disk and sends them with up to WINDOW unacknowledged: memory stays at WINDOW chunks. */
  private async sendChunks(
    fh: FileHandle,
    uploadId: string,
    from: number,
    size: number,
    chunk: number,
    opts: TransferOptions,
  ): Promise<void> {
    const inflight: Array<Promise<unknown>> = [];
    let failure: unknown = null;
    let acked = from;
    for (let pos = from; pos < size && failure === null; pos += chunk) {
      if (opts.signal?.aborted) {
        failure = new SyncError('CANCELLED', text('Transferencia cancelada.', 'Transfer cancelled.'));
        break;
      }
      const len = Math.min(chunk, size - pos);
      const data = Buffer.allocUnsafe(len);
      const { bytesRead } = await fh.read(data, 0, len, pos);
      if (bytesRead !== len)
        throw new SyncError(
          'VERIFY_FAILED',
          text('La copia local cambió durante el envío.', 'The local copy changed while sending.'),
        );
      const p = this.request<Extract<ChunkReply, { ok: true }>>(EV.chunk, {
        uploadId,
        offset: pos,
        data,
      } satisfies ChunkRequest).then(
        (r) => {
          if (r.received !== pos + len) throw protocolError('chunk');
          acked = Math.max(acked, r.received);
          opts.onProgress?.({ bytes: acked, total: size });
        },
        (err: unknown) => {
          failure ??= err;
        },
      );
      inflight.push(p);
      if (inflight.length >= WINDOW) await inflight.shift();
    }
    await Promise.all(inflight);
    if (failure !== null) {
      // Out of order on the server (a resumed upload raced a stale chunk): the next begin tells where to go on.
      if (failure instanceof WireError && failure.wire === 'BAD_REQUEST' && failure.offset !== undefined) throw lost();
      throw failure;
    }
  }

  pull(localPath: string, manifest?: RemoteManifest, opts: TransferOptions = {}): Promise<DownloadResult> {
    return this.serial(async () => {
      const h = await this.ready();
      if (!this.p2(h)) {
        throw new SyncError(
          'NOT_SUPPORTED',
          text(
            'Este servidor Socket.IO solo recibe datos (protocolo del ejemplo): no se puede descargar.',
            'This Socket.IO server only receives data (the spec protocol): cannot download.',
          ),
          {
            hint: text(
              'Use el servidor de cordiax-sync para sincronizar en ambos sentidos.',
              'Use the cordiax-sync server to sync both ways.',
            ),
          },
        );
      }
      const target = manifest ?? (await this.head());
      if (!target)
        throw new SyncError(
          'NOT_FOUND',
          text(
            'El servidor aún no tiene ninguna versión de esta base de datos.',
            'The server has no version of this database yet.',
          ),
        );
      const chunk = Math.min(CHUNK_BYTES, h.chunkBytes);
      const fh = await fsp.open(localPath, 'w', 0o600);
      await fh.chmod(0o600); // the mode above only applies to a new file
      const meter = new HashMeter(opts.onProgress, target.size);
      try {
        await this.resuming(async () => {
          while (meter.bytes < target.size) {
            const pos = meter.bytes;
            // Ask for a window of ranges, write them in order as they come.
            const reqs: Array<Promise<Extract<ReadReply, { ok: true }>>> = [];
            for (let off = pos, i = 0; off < target.size && i < WINDOW; off += chunk, i++) {
              const length = Math.min(chunk, target.size - off);
              const p = this.request<Extract<ReadReply, { ok: true }>>(EV.read, {
                generation: target.generation,
                offset: off,
                length,
              } satisfies ReadRequest);
              p.catch(() => undefined);
              reqs.push(p);
            }
            for (const p of reqs) {
              const r = await p;
              const at = meter.bytes;
              const want = Math.min(chunk, target.size - at);
              if (!Buffer.isBuffer(r.data) || r.data.length !== want || r.size !== target.size)
                throw protocolError('read');
              let done = 0;
              while (done < r.data.length)
                done += (await fh.write(r.data, done, r.data.length - done, at + done)).bytesWritten;
              meter.update(r.data);
            }
          }
        }, opts.signal);
        await fh.sync();
      } catch (err) {
        await fh.close().catch(() => undefined);
        await fsp.rm(localPath, { force: true });
        throw err;
      }
      await fh.close();
      const { sha256 } = meter.done();
      if (sha256 !== target.sha256) {
        await fsp.rm(localPath, { force: true });
        throw new SyncError(
          'VERIFY_FAILED',
          text(
            'Lo descargado no coincide con el hash del servidor: se descartó.',
            'The download does not match the server hash: discarded.',
          ),
        );
      }
      return { size: target.size, sha256 };
    });
  }

  async test(): Promise<ConnectionReport> {
    const steps: CheckStep[] = [];
    const facts: ConnectionReport['facts'] = {};
    // The probe's own connect/disconnect lines would read like the real connection dropping: keep only problems.
    const quiet = {
      emit: (e: Parameters<TransportContext['log']['emit']>[0]) =>
        e.type !== 'connect' && e.type !== 'disconnect' && this.ctx.log.emit(e),
    };
    const conn = new Connection(this.config.socketio, quiet, {
      reconnection: false,
      connectTimeoutMs: this.o.connectTimeoutMs,
      helloTimeoutMs: this.o.helloTimeoutMs,
      heartbeatMs: 0,
      device: this.ctx.device,
    });
    const t0 = performance.now();
    try {
      let h: Hello;
      try {
        h = await conn.whenReady(this.o.connectTimeoutMs + this.o.helloTimeoutMs, true);
      } catch (err) {
        const se = err instanceof SyncError ? err : lost();
        const authStep = se.code === 'AUTH_FAILED';
        steps.push({
          id: 'connect',
          ok: authStep,
          text: authStep ? text('Conexión al servidor', 'Connection to the server') : se.text,
          hint: authStep ? undefined : se.hint,
        });
        if (authStep) steps.push({ id: 'auth', ok: false, text: se.text, hint: se.hint });
        facts.tokenAccepted = authStep ? false : null;
        return {
          protocol: 'socketio',
          ok: false,
          steps,
          facts,
          error: reportError(se),
        };
      }
      steps.push({
        id: 'connect',
        ok: true,
        text: text(`Conectado al namespace ${conn.namespace}`, `Connected to namespace ${conn.namespace}`),
        durationMs: Math.round(performance.now() - t0),
      });
      // Give the transport a moment to upgrade, so the report says what a sync would use.
      const engine = conn.socket.io.engine;
      if (engine && engine.transport.name === 'polling' && h !== null) {
        await new Promise<void>((r) => {
          const t = setTimeout(r, 1000);
          engine.once('upgrade', () => {
            clearTimeout(t);
            r();
          });
        });
      }
      facts.transport = conn.socket.io.engine?.transport?.name ?? null;
      const announced = this.p2(h);
      facts.serverProtocol = h === null ? 1 : 2;
      facts.usedProtocol = announced ? 2 : 1;
      const sentToken = !!(this.config.socketio.token || this.config.socketio.token_file);
      facts.tokenAccepted = h !== null && h.auth === 'token' ? true : null;
      steps.push({
        id: 'auth',
        ok: true,
        text:
          h !== null && h.auth === 'token'
            ? text('Token aceptado', 'Token accepted')
            : sentToken
              ? text('El servidor no comprueba tokens (se ignoró)', 'The server does not check tokens (ignored)')
              : text('El servidor no pide token', 'The server asks for no token'),
      });
      const caps = announced
        ? { push: true, pull: true, history: true, compareAndSwap: true, maxBytes: h!.maxBytes }
        : { push: true, pull: false, history: false, compareAndSwap: false, maxBytes: this.p1Max(h) };
      Object.assign(facts, {
        push: caps.push,
        pull: caps.pull,
        history: caps.history,
        compareAndSwap: caps.compareAndSwap,
        maxBytes: caps.maxBytes,
      });
      steps.push({
        id: 'capabilities',
        ok: true,
        text: announced
          ? text(
              `Servidor cordiax-sync (protocolo 2): subida y descarga por fragmentos, historial; máximo ${caps.maxBytes} bytes`,
              `cordiax-sync server (protocol 2): chunked upload and download, history; at most ${caps.maxBytes} bytes`,
            )
          : text(
              `Servidor del ejemplo (protocolo 1): solo recibe; máximo ${caps.maxBytes} bytes de base de datos`,
              `Example server (protocol 1): receive only; at most ${caps.maxBytes} bytes of database`,
            ),
      });
      let rtt = conn.rttMs;
      if (h !== null) {
        const t = performance.now();
        try {
          await conn.socket.timeout(this.o.ackTimeoutMs).emitWithAck(EV.ping, {});
          rtt = Math.round((performance.now() - t) * 10) / 10;
        } catch {
          steps.push({
            id: 'rtt',
            ok: false,
            text: text('El servidor no respondió al ping', 'The server did not answer the ping'),
          });
          return { protocol: 'socketio', ok: false, steps, facts };
        }
      }
      facts.rttMs = rtt;
      steps.push({
        id: 'rtt',
        ok: true,
        text: text(`Tiempo de ida y vuelta: ${rtt ?? '?'} ms`, `Round-trip time: ${rtt ?? '?'} ms`),
      });
      return { protocol: 'socketio', ok: true, steps, facts };
    } finally {
      conn.close();
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    this.conn?.close();
    this.conn = null;
    this.listeners.clear();
  }
}
