/**
 * The `socketio` remote. Against the spec's Flask server (protocol 1, which announces nothing) it can only push the
 * whole database as hex, within that server's 1,000,000-byte buffer. Against our server (protocol 2, announced in
 * `sync_request`) it streams binary chunks from disk with acks, resumes after a reconnect, pulls, and uses CAS; with
 * the server's 'patch' feature a push may send a page patch instead of the file (falling back to the file when the
 * server refuses it) and a pull may fetch the patch between two versions (pullPatch; src/delta/endpoint-sync.ts).
 *
 * No method here may be named `upload`: the engine tells file transports from endpoints by it (engine.ts).
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
  PushResult,
  RemoteManifest,
  SyncEndpoint,
  TransferOptions,
  TransportContext,
} from '../types.js';
import { HashMeter } from '../../util/hash.js';
import { Connection, type Hello } from './connection.js';
import {
  CHUNK_BYTES,
  EV,
  FEATURE_PATCH,
  FLASK_BUFFER_BYTES,
  isManifest,
  PROTOCOL1_MAX_BYTES,
  WINDOW,
  type BeginReply,
  type BeginRequest,
  type ChunkReply,
  type ChunkRequest,
  type EndReply,
  PATCH_ID_RE,
  type PatchReadRequest,
  type PatchReply,
  type PatchRequest,
  type ReadReply,
  type ReadRequest,
  SHA256_RE,
  type WireErrorCode,
} from './protocol.js';
import { msg } from '../../messages/index.js';

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
  PATCH_REFUSED: 'VERIFY_FAILED',
};

/** A reply the server gave that is not in the protocol: a hostile or broken peer. */
function protocolError(what: string): SyncError {
  return new SyncError('PROTOCOL', msg('socketio.invalid_answer_server', { what }), {
    hint: msg('socketio.compatible_cordiax_sync_server'),
  });
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

const lost = () => new SyncError('CONNECTION_RESET', msg('socketio.connection_server_dropped_during'));

function tooLargeForFlask(size: number, max: number, learned: boolean): SyncError {
  return new SyncError(
    'TOO_LARGE',
    msg('socketio.database_does_not_fit_flask', {
      size,
      max,
      closed: learned ? msg('socketio.server_closed_connection_receiving') : '',
    }),
    {
      hint: msg('socketio.server_raise_buffer_socketio', { buffer: Math.ceil((size * 2 + 4096) / 1e6) * 1_000_000 }),
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
    if (this.closed) throw new SyncError('CANCELLED', msg('socketio.socket_io_connection_closed'));
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
        msg('socketio.server_not_acknowledge_within_s', { event, timeoutMs: Math.round(timeoutMs / 1000) }),
        {
          hint: msg('socketio.server_may_frozen_overloaded'),
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
          : msg('socketio.server_returned_error');
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

  push(localPath: string, meta: PushMeta, opts: TransferOptions = {}): Promise<PushResult> {
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
      throw new SyncError('VERIFY_FAILED', msg('socketio.local_copy_changed_before'));
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
      throw new SyncError('TIMEOUT', msg('socketio.server_not_acknowledge_data_no_ack'), {
        hint: msg('socketio.server_may_frozen_failed'),
      });
    }
    this.drops = { size: 0, count: 0 };
    // The Flask server acks with nothing; ours answers {ok, manifest}.
    if (reply && typeof reply === 'object' && (reply as { ok?: unknown }).ok === false) {
      const r = reply as { code?: string; message?: Text };
      throw new WireError(
        (r.code as WireErrorCode) in WIRE_TO_CODE ? (r.code as WireErrorCode) : 'INTERNAL',
        r.message ?? msg('socketio.server_returned_error'),
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
      if (signal?.aborted) throw new SyncError('CANCELLED', msg('common.transfer_cancelled'));
      try {
        return await step();
      } catch (err) {
        if (!(err instanceof SyncError) || err.code !== 'CONNECTION_RESET' || attempt >= this.o.resumeAttempts)
          throw err;
        this.ctx.log.emit({
          type: 'warning',
          code: 'RESUME',
          protocol: 'socketio',
          text: msg('event.RESUME'),
        });
        await this.connection().whenReady(60_000);
      }
    }
  }

  /** Whether the server applies and serves page patches (protocol 2 with the 'patch' feature). */
  async patchSupport(): Promise<boolean> {
    return this.hasPatch(await this.ready());
  }

  private hasPatch(h: Hello): h is NonNullable<Hello> {
    return this.p2(h) && Array.isArray(h.features) && h.features.includes(FEATURE_PATCH);
  }

  /**
   * Protocol 2. With a patch offered (plaintext only) and a server that takes patches: the patch goes, the server
   * rebuilds the database on its head and checks it; a refusal (base changed, result mismatch, not a database...)
   * sends the whole file instead, logged with its reason. A CAS conflict is a conflict either way.
   */
  private async pushChunks(
    localPath: string,
    meta: PushMeta,
    h: NonNullable<Hello>,
    opts: TransferOptions,
  ): Promise<PushResult> {
    if (meta.size > h.maxBytes) {
      throw new SyncError(
        'TOO_LARGE',
        msg('socketio.database_bytes_exceeds_server', { size: meta.size, maxBytes: h.maxBytes }),
        {
          hint: msg('socketio.raise_server_s_limit'),
        },
      );
    }
    const begin: BeginRequest = {
      sha256: meta.sha256,
      size: meta.size,
      encrypted: meta.encrypted,
      device: meta.device,
      baseGeneration: meta.baseGeneration,
    };
    const offer = meta.patch;
    if (offer && !meta.encrypted && meta.baseGeneration !== null && this.hasPatch(h)) {
      try {
        const patch: BeginRequest = {
          ...begin,
          kind: 'patch',
          baseSha256: offer.baseSha256,
          patchSha256: offer.sha256,
          patchSize: offer.size,
        };
        const r = await this.sendFile(offer.path, { sha256: offer.sha256, size: offer.size }, patch, h, opts);
        return { ...r, sent: offer.size, patched: true };
      } catch (err) {
        // A lost swap is a conflict whatever was sent; anything else the server refused, the whole file may pass.
        if (!(err instanceof WireError) || (err.wire === 'CONFLICT' && err.manifest) || err.wire === 'RATE_LIMITED')
          throw err;
        this.ctx.log.emit({
          type: 'warning',
          code: 'DELTA_FULL_PUSH',
          protocol: 'socketio',
          text: msg('siodelta.patch_refused_whole', { code: err.wire, why: err.text }),
          data: { reason: `server-refused-patch: ${err.wire}` },
        });
      }
    }
    const r = await this.sendFile(localPath, { sha256: meta.sha256, size: meta.size }, begin, h, opts);
    return offer ? { ...r, patched: false } : r;
  }

  /** begin (CAS), binary chunks read from disk with a window of acks, end with the sha256 of the bytes sent. */
  private async sendFile(
    localPath: string,
    sent: { sha256: string; size: number },
    request: BeginRequest,
    h: NonNullable<Hello>,
    opts: TransferOptions,
  ): Promise<PushResult> {
    const fh = await fsp.open(localPath, 'r');
    try {
      const st = await fh.stat();
      if (st.size !== sent.size)
        throw new SyncError('VERIFY_FAILED', msg('socketio.local_copy_changed_before_sending'));
      let req = request;
      return await this.resuming(async () => {
        const resume =
          this.pending && this.pending.sha256 === sent.sha256 && this.pending.size === sent.size
            ? this.pending.uploadId
            : undefined;
        let b: Extract<BeginReply, { ok: true }>;
        try {
          b = await this.request(EV.begin, { ...req, uploadId: resume } satisfies BeginRequest);
        } catch (err) {
          if (err instanceof WireError && err.wire === 'CONFLICT') {
            if (err.manifest) return { conflict: err.manifest };
            if (req.kind === 'patch') throw err; // a patch needs a head: the whole file goes (pushChunks)
            // The server holds nothing (storage wiped): nothing can be overwritten, so store as the first version.
            req = { ...req, baseGeneration: null };
            b = await this.request(EV.begin, req satisfies BeginRequest);
          } else throw err;
        }
        if (b.done) {
          if (!isManifest(b.done) || b.done.sha256 !== req.sha256) throw protocolError('begin');
          return { manifest: b.done };
        }
        if (typeof b.uploadId !== 'string' || !Number.isSafeInteger(b.offset) || b.offset < 0 || b.offset > sent.size)
          throw protocolError('begin');
        this.pending = { uploadId: b.uploadId, sha256: sent.sha256, size: sent.size };
        const chunk = Math.min(
          CHUNK_BYTES,
          Number.isSafeInteger(b.chunkBytes) && b.chunkBytes > 0 ? b.chunkBytes : CHUNK_BYTES,
          h.chunkBytes,
        );
        await this.sendChunks(fh, b.uploadId, b.offset, sent.size, chunk, opts);
        try {
          const e = await this.request<Extract<EndReply, { ok: true }>>(EV.end, {
            uploadId: b.uploadId,
            sha256: sent.sha256,
          });
          this.pending = null;
          if (!isManifest(e.manifest) || e.manifest.sha256 !== req.sha256 || e.manifest.size !== req.size)
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
        failure = new SyncError('CANCELLED', msg('common.transfer_cancelled'));
        break;
      }
      const len = Math.min(chunk, size - pos);
      const data = Buffer.allocUnsafe(len);
      const { bytesRead } = await fh.read(data, 0, len, pos);
      if (bytesRead !== len) throw new SyncError('VERIFY_FAILED', msg('socketio.local_copy_changed_while'));
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
        throw new SyncError('NOT_SUPPORTED', msg('socketio.socket_io_server_only'), {
          hint: msg('socketio.use_cordiax_sync_server'),
        });
      }
      const target = manifest ?? (await this.head());
      if (!target) throw new SyncError('NOT_FOUND', msg('socketio.server_no_version_database_yet'));
      await this.readRanges(
        localPath,
        target,
        EV.read,
        (offset, length) => ({ generation: target.generation, offset, length }) satisfies ReadRequest,
        h,
        opts,
      );
      return { size: target.size, sha256: target.sha256 };
    });
  }

  /**
   * The pages that changed from `from` (a stored version this device holds) to `to`, built by the server into a
   * patch file (src/delta/patch.ts) and downloaded to `localPath`, its size and sha256 checked against what the
   * server announced (the patch's own result hash is checked by whoever applies it).
   */
  pullPatch(
    localPath: string,
    from: { generation: number; sha256: string },
    to: RemoteManifest,
    opts: TransferOptions = {},
  ): Promise<{ size: number; sha256: string; pages: number }> {
    return this.serial(async () => {
      const h = await this.ready();
      if (!this.hasPatch(h)) throw new SyncError('NOT_SUPPORTED', msg('siodelta.server_has_no_patches'));
      // Building the patch reads both versions on the server: a generous timeout for large databases.
      const p = await this.request<Extract<PatchReply, { ok: true }>>(
        EV.patch,
        {
          fromGeneration: from.generation,
          fromSha256: from.sha256,
          toGeneration: to.generation,
        } satisfies PatchRequest,
        this.o.ackTimeoutMs + Math.ceil(to.size / 1e6) * 200,
      );
      if (
        typeof p.patchId !== 'string' ||
        !PATCH_ID_RE.test(p.patchId) ||
        !Number.isSafeInteger(p.size) ||
        p.size < 1 ||
        typeof p.sha256 !== 'string' ||
        !SHA256_RE.test(p.sha256) ||
        !Number.isSafeInteger(p.pages)
      )
        throw protocolError('patch');
      const what = { size: p.size, sha256: p.sha256 };
      await this.readRanges(
        localPath,
        what,
        EV.patchRead,
        (offset, length) => ({ patchId: p.patchId, offset, length }) satisfies PatchReadRequest,
        h,
        opts,
      );
      return { ...what, pages: p.pages };
    });
  }

  /** Reads `what` in ranges with a window of requests, written in order as they come, hashed on the way. */
  private async readRanges(
    localPath: string,
    what: { size: number; sha256: string },
    event: string,
    range: (offset: number, length: number) => object,
    h: NonNullable<Hello>,
    opts: TransferOptions,
  ): Promise<void> {
    const chunk = Math.min(CHUNK_BYTES, h.chunkBytes);
    const fh = await fsp.open(localPath, 'w', 0o600);
    await fh.chmod(0o600); // the mode above only applies to a new file
    const meter = new HashMeter(opts.onProgress, what.size);
    try {
      await this.resuming(async () => {
        while (meter.bytes < what.size) {
          const pos = meter.bytes;
          // Ask for a window of ranges, write them in order as they come.
          const reqs: Array<Promise<Extract<ReadReply, { ok: true }>>> = [];
          for (let off = pos, i = 0; off < what.size && i < WINDOW; off += chunk, i++) {
            const p = this.request<Extract<ReadReply, { ok: true }>>(
              event,
              range(off, Math.min(chunk, what.size - off)),
            );
            p.catch(() => undefined);
            reqs.push(p);
          }
          for (const p of reqs) {
            const r = await p;
            const at = meter.bytes;
            const want = Math.min(chunk, what.size - at);
            if (!Buffer.isBuffer(r.data) || r.data.length !== want || r.size !== what.size) throw protocolError('read');
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
    if (sha256 !== what.sha256) {
      await fsp.rm(localPath, { force: true });
      throw new SyncError('VERIFY_FAILED', msg('socketio.download_not_match_server_hash'));
    }
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
          text: authStep ? msg('socketio.connection_server') : se.text,
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
        text: msg('socketio.connected_namespace', { namespace: conn.namespace }),
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
            ? msg('socketio.token_accepted')
            : sentToken
              ? msg('socketio.server_not_check_tokens_ignored')
              : msg('socketio.server_asks_no_token'),
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
        // Only the pages that changed travel (protocol 2 feature 'patch'; never with encryption).
        pagePatches: this.hasPatch(h),
      });
      steps.push({
        id: 'capabilities',
        ok: true,
        text: announced
          ? msg('socketio.cordiax_sync_server_protocol', { maxBytes: caps.maxBytes })
          : msg('socketio.example_server_protocol_1', { maxBytes: caps.maxBytes }),
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
            text: msg('socketio.server_not_answer_ping'),
          });
          return { protocol: 'socketio', ok: false, steps, facts };
        }
      }
      facts.rttMs = rtt;
      steps.push({
        id: 'rtt',
        ok: true,
        text: msg('socketio.round_trip_time_ms', { rtt: rtt ?? '?' }),
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
