/**
 * The sync server's storage: one folder per database id, a manifest per database, the last N versions, and
 * resumable uploads. Every write is atomic (temp + fsync + rename/link + fsync of the folder). Several server
 * processes can share one storage folder (scale-out): each generation is committed by creating its commit record
 * only if absent (link(), atomic), so exactly one process commits each generation, whatever the processes' clocks,
 * pauses or host names. No lock file, no staleness judged by time.
 *
 *   <storage>/<databaseId>/commits/000012.json   commit record of generation 12: the commit point (= its manifest)
 *   <storage>/<databaseId>/manifest.json         the newest commit record, copied (written after it)
 *   <storage>/<databaseId>/versions/000012-ab12cd34ef56-<rand>.db
 *   <storage>/<databaseId>/uploads/<uploadId>.part + <uploadId>.json
 *
 * The head is the manifest overridden by the records from its generation on (a process may have died between the
 * record and the manifest). Storage written before commit records existed reads as its manifest.
 */
import { createHash, randomBytes, type Hash } from 'node:crypto';
import { promises as fsp, constants as fsc } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { fsyncDir, readRange, writeFileAtomic } from '../util/fs.js';
import type { RemoteManifest } from '../transports/types.js';
import { newRemoteId, nextManifest } from '../transports/manifest.js';
import { sha256File } from '../db/snapshot.js';
import { isManifest, WINDOW } from '../transports/socketio/protocol.js';
import { SyncError } from '../errors.js';
import { verifyDatabase } from '../db/snapshot.js';
import { msg } from '../messages/index.js';

import { StoreError } from './store-error.js';
import { applyPushedPatch, PatchCache, type PatchLimits } from './patches.js';

export { StoreError };

interface UploadMeta {
  uploadId: string;
  databaseId: string;
  sha256: string;
  size: number;
  encrypted: boolean;
  device: string;
  baseGeneration: number | null;
  /**
   * The bytes uploaded (sha256/size above) are a page patch on top of the head with sha256 `baseSha256`, rebuilding
   * the database `resultSha256` of `resultSize` bytes: that is what gets stored (src/server/patches.ts).
   */
  patch?: { baseSha256: string; resultSha256: string; resultSize: number };
}

interface Upload extends UploadMeta {
  /** The connection sending it (null once it left: the file is closed, the upload resumable). */
  client: string | null;
  /** The token it was begun with (auth.ts TokenCheck.key): uploads in progress are bounded per token. */
  owner: string;
  /** Chunks queued and not yet answered: more than the ack window is refused, never buffered. */
  pendingChunks: number;
  received: number;
  /** Running hash while chunks arrive in order; null after a server restart (then hashed from disk at the end). */
  hash: Hash | null;
  fh: FileHandle | null;
  /** Chunks and the end are handled one at a time, in arrival order. */
  queue: Promise<unknown>;
  touched: number;
}

/** Commit records kept behind the head (tiny; they keep the lineage checkable). */
const COMMITS_KEPT = 1000;
/** Protocol 1 (last writer wins, as the spec) retries on top of a commit another process just made. */
const MAX_RETRIES = 20;
const pad = (n: number) => String(n).padStart(6, '0');

/** Bounds on uploads in progress (the review's attacks: fds held for an hour, chunk floods, 1 GB partials for a day). */
export interface UploadLimits {
  /** Uploads one connection may have open; a new one beyond detaches its oldest (file closed, resumable). */
  perClient: number;
  /** Uploads in progress per token (or for all anonymous clients together); beyond, the oldest detached is dropped,
   * else the new one is refused (BUSY). */
  perToken: number;
  /** Chunks of one upload queued without an answer (the client's ack window, protocol.ts WINDOW). */
  window: number;
  /** An upload's file is closed after this long without a chunk (reopened by the next one). */
  idleCloseMs: number;
  /** A partial upload untouched this long is deleted, in memory and on disk. */
  staleMs: number;
  /** Declared sizes of all uploads in progress together (disk the partials may take). */
  budgetBytes: number;
}

function uploadLimits(maxBytes: number, given: Partial<UploadLimits> = {}): UploadLimits {
  return {
    perClient: 2,
    perToken: 16,
    window: WINDOW,
    idleCloseMs: 60_000,
    staleMs: 3600_000,
    budgetBytes: Math.max(2 * maxBytes, 1024 ** 3),
    ...given,
  };
}

export class Storage {
  private uploads = new Map<string, Upload>();
  private mutexes = new Map<string, Promise<unknown>>();
  readonly limits: UploadLimits;
  private timer: NodeJS.Timeout | null = null;
  /** Pull patches between stored versions. */
  readonly patches: PatchCache;

  constructor(
    readonly root: string,
    readonly opts: {
      keepVersions: number;
      maxBytes: number;
      uploads?: Partial<UploadLimits>;
      patches?: Partial<PatchLimits>;
    },
  ) {
    this.limits = uploadLimits(opts.maxBytes, opts.uploads);
    this.patches = new PatchCache(root, {
      ttlMs: 15 * 60_000,
      budgetBytes: Math.max(opts.maxBytes, 512 * 1024 ** 2),
      maxFraction: 0.5,
      ...opts.patches,
    });
  }

  async init(): Promise<void> {
    await fsp.mkdir(this.root, { recursive: true, mode: 0o700 });
    await this.sweep();
    // Idle files closed within a minute; stale partials deleted within a fraction of their lifetime.
    const every = Math.max(250, Math.min(this.limits.idleCloseMs, this.limits.staleMs / 6, 30_000));
    this.timer = setInterval(() => void this.sweep().catch(() => undefined), every);
    this.timer.unref();
  }

  /** Closes idle files, drops partial uploads untouched for `staleMs` and their files, in memory and on disk. */
  async sweep(): Promise<void> {
    const now = Date.now();
    for (const up of [...this.uploads.values()]) {
      if (now - up.touched > this.limits.staleMs) await this.drop(up);
      else if (up.fh && now - up.touched > this.limits.idleCloseMs) await this.closeFile(up);
    }
    for (const id of await fsp.readdir(this.root).catch(() => [] as string[])) {
      const dir = path.join(this.root, id, 'uploads');
      for (const f of await fsp.readdir(dir).catch(() => [] as string[])) {
        if (this.uploads.has(f.replace(/\.(part|json)$/, ''))) continue;
        const st = await fsp.stat(path.join(dir, f)).catch(() => null);
        if (st && now - st.mtimeMs > this.limits.staleMs) await fsp.rm(path.join(dir, f), { force: true });
      }
    }
    await this.patches.sweep();
  }

  /** Closes an upload's file once its queued chunks are done (the upload stays resumable). */
  private closeFile(up: Upload): Promise<void> {
    return this.serial(up, async () => {
      const fh = up.fh;
      up.fh = null;
      await fh?.close().catch(() => undefined);
    });
  }

  /** Forgets an upload and deletes its files. */
  private async drop(up: Upload): Promise<void> {
    this.uploads.delete(up.uploadId);
    await this.closeFile(up);
    const dir = path.join(this.dbDir(up.databaseId), 'uploads');
    await fsp.rm(path.join(dir, `${up.uploadId}.part`), { force: true });
    await fsp.rm(path.join(dir, `${up.uploadId}.json`), { force: true });
  }

  /** A connection left: its uploads' files are closed now, not after an hour (resumable until `staleMs`). */
  async detach(client: string): Promise<void> {
    for (const up of [...this.uploads.values()]) {
      if (up.client !== client) continue;
      up.client = null;
      await this.closeFile(up);
    }
  }

  /**
   * Registers a new upload within the limits: the connection's oldest beyond `perClient` is detached, the token's
   * oldest detached beyond `perToken` dropped, and detached partials dropped (oldest first) while the declared sizes
   * exceed the disk budget; if that is not enough, the upload is refused. The last check and the registration run
   * with no await in between, so concurrent begins cannot all pass the same check.
   */
  private async admit(entry: Upload): Promise<void> {
    const { size } = entry;
    const who = { client: entry.client, owner: entry.owner };
    const oldestFirst = () => [...this.uploads.values()].sort((a, b) => a.touched - b.touched);
    const mine = who.client === null ? [] : oldestFirst().filter((u) => u.client === who.client);
    for (const up of mine.slice(0, Math.max(0, mine.length - this.limits.perClient + 1))) {
      up.client = null;
      await this.closeFile(up);
    }
    const ofToken = () => oldestFirst().filter((u) => u.owner === who.owner);
    for (const up of ofToken()) {
      if (ofToken().length < this.limits.perToken) break;
      if (up.client === null) await this.drop(up);
    }
    const reserved = () => [...this.uploads.values()].reduce((n, u) => n + u.size, 0);
    for (const up of oldestFirst()) {
      if (reserved() + size <= this.limits.budgetBytes) break;
      if (up.client === null) await this.drop(up);
    }
    if (ofToken().length >= this.limits.perToken)
      throw new StoreError('BUSY', msg('server.too_many_uploads_token', { max: this.limits.perToken }));
    if (reserved() + size > this.limits.budgetBytes)
      throw new StoreError('STORAGE', msg('server.no_room_more_uploads'));
    this.uploads.set(entry.uploadId, entry);
  }

  private dbDir(databaseId: string): string {
    return path.join(this.root, databaseId);
  }

  private async ensureDirs(databaseId: string): Promise<string> {
    const dir = this.dbDir(databaseId);
    for (const d of [dir, path.join(dir, 'versions'), path.join(dir, 'uploads'), path.join(dir, 'commits')])
      await fsp.mkdir(d, { recursive: true, mode: 0o700 });
    return dir;
  }

  private async readJson(file: string): Promise<RemoteManifest | null> {
    let raw: string;
    try {
      raw = await fsp.readFile(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
    let m: unknown;
    try {
      m = JSON.parse(raw);
    } catch {
      m = null;
    }
    if (!isManifest(m)) throw new StoreError('INTERNAL', msg('server.server_manifest_damaged'));
    return m;
  }

  private commitFile(databaseId: string, generation: number): string {
    return path.join(this.dbDir(databaseId), 'commits', `${pad(generation)}.json`);
  }

  /** The highest commit record (0: none): only read when the manifest is missing. */
  private async highestCommit(databaseId: string): Promise<number> {
    let top = 0;
    for (const f of await fsp.readdir(path.join(this.dbDir(databaseId), 'commits')).catch(() => [] as string[])) {
      const m = /^(\d{6,})\.json$/.exec(f);
      if (m) top = Math.max(top, Number(m[1]));
    }
    return top;
  }

  async head(databaseId: string): Promise<RemoteManifest | null> {
    let head = await this.readJson(path.join(this.dbDir(databaseId), 'manifest.json'));
    const from = head?.generation ?? (await this.highestCommit(databaseId));
    if (from === 0) return null;
    for (let n = from; ; n++) {
      const rec = await this.readJson(this.commitFile(databaseId, n));
      if (!rec && n === from && head) continue; // storage from before commit records
      if (!rec) break;
      head = rec;
    }
    return head;
  }

  /** What the storage recorded for `generation` (commit record, else the head's history): for lineage checks. */
  async lineageEntry(
    databaseId: string,
    generation: number,
  ): Promise<{ generation: number; sha256: string; parent?: RemoteManifest['parent'] } | null> {
    const rec = await this.readJson(this.commitFile(databaseId, generation));
    if (rec) return { generation, sha256: rec.sha256, ...(rec.parent !== undefined ? { parent: rec.parent } : {}) };
    const m = await this.head(databaseId);
    const v = m && (m.generation === generation ? m : m.versions?.find((x) => x.generation === generation));
    return v ? { generation, sha256: v.sha256 } : null;
  }

  /** Commits of one database queue inside this process (ordering only: the commit record decides across processes). */
  private serialize<T>(databaseId: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.mutexes.get(databaseId) ?? Promise.resolve();
    const run = prev.catch(() => undefined).then(fn);
    this.mutexes.set(databaseId, run);
    return run.finally(() => {
      if (this.mutexes.get(databaseId) === run) this.mutexes.delete(databaseId);
    });
  }

  /** Creates `file` with `data` only if absent: complete temp file, fsync, link() (fails if taken). */
  private async createExclusive(file: string, data: string): Promise<boolean> {
    const tmp = path.join(path.dirname(file), `.${path.basename(file)}.tmp-${randomBytes(6).toString('hex')}`);
    const fh = await fsp.open(tmp, fsc.O_WRONLY | fsc.O_CREAT | fsc.O_EXCL, 0o600);
    try {
      await fh.writeFile(data);
      await fh.sync();
    } finally {
      await fh.close();
    }
    try {
      await fsp.link(tmp, file);
      await fsyncDir(path.dirname(file));
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw err;
    } finally {
      await fsp.rm(tmp, { force: true });
    }
  }

  /**
   * Makes the file at `tmpFile` (already complete, verified and fsynced, inside the database's uploads folder) the
   * next version. baseGeneration 'any' skips the compare-and-swap (protocol 1: last writer wins, as the spec).
   */
  async commit(
    meta: Omit<UploadMeta, 'uploadId'>,
    tmpFile: string,
    baseGeneration: number | null | 'any',
  ): Promise<{ manifest: RemoteManifest; created: boolean }> {
    return this.serialize(meta.databaseId, async () => {
      const dir = await this.ensureDirs(meta.databaseId);
      try {
        for (let attempt = 0; ; attempt++) {
          const current = await this.head(meta.databaseId);
          if (
            current &&
            current.sha256 === meta.sha256 &&
            current.size === meta.size &&
            current.encrypted === meta.encrypted
          ) {
            // Same bytes as the newest version: nothing new to keep.
            return { manifest: current, created: false };
          }
          if (baseGeneration !== 'any' && (current?.generation ?? null) !== baseGeneration) {
            throw new StoreError('CONFLICT', msg('server.another_device_stored_newer'), { manifest: current });
          }
          const generation = (current?.generation ?? 0) + 1;
          // A random part: two processes racing for one generation never share an object name.
          const file = `versions/${pad(generation)}-${meta.sha256.slice(0, 12)}-${randomBytes(4).toString('hex')}.db`;
          await fsp.link(tmpFile, path.join(dir, file));
          await fsyncDir(path.join(dir, 'versions'));
          const next = {
            sha256: meta.sha256,
            size: meta.size,
            encrypted: meta.encrypted,
            device: meta.device,
            file,
            remoteId: current?.remote_id ?? newRemoteId(),
          };
          const { manifest, dropped } = nextManifest(current, next, this.opts.keepVersions);
          const body = JSON.stringify(manifest, null, 2);
          if (!(await this.createExclusive(this.commitFile(meta.databaseId, generation), body))) {
            // Another process committed this generation first: our object is referenced by nothing.
            await fsp.rm(path.join(dir, file), { force: true });
            if (baseGeneration === 'any' && attempt < MAX_RETRIES) continue;
            throw new StoreError('CONFLICT', msg('server.another_device_stored_newer'), {
              manifest: await this.head(meta.databaseId),
            });
          }
          // Committed. The manifest follows (never moved back over a newer one); old objects go.
          const shown = await this.readJson(path.join(dir, 'manifest.json')).catch(() => null);
          if (!shown || shown.generation < generation) await writeFileAtomic(path.join(dir, 'manifest.json'), body);
          for (const v of dropped) await fsp.rm(path.join(dir, v.file), { force: true });
          if (generation % 100 === 0 && generation > COMMITS_KEPT)
            await this.pruneCommits(meta.databaseId, generation - COMMITS_KEPT);
          return { manifest, created: true };
        }
      } finally {
        await fsp.rm(tmpFile, { force: true });
      }
    });
  }

  private async pruneCommits(databaseId: string, below: number): Promise<void> {
    const dir = path.join(this.dbDir(databaseId), 'commits');
    for (const f of await fsp.readdir(dir).catch(() => [] as string[])) {
      const m = /^(\d{6,})\.json$/.exec(f);
      if (m && Number(m[1]) < below) await fsp.rm(path.join(dir, f), { force: true });
    }
  }

  /** Protocol 1: a whole database in memory (small by construction: the hex limit). */
  async storeWhole(
    databaseId: string,
    data: Buffer,
    meta: { device: string },
  ): Promise<{ manifest: RemoteManifest; created: boolean }> {
    this.checkSize(data.length);
    const dir = await this.ensureDirs(databaseId);
    const tmp = path.join(dir, 'uploads', `${randomBytes(12).toString('hex')}.whole`);
    const fh = await fsp.open(tmp, 'wx', 0o600);
    try {
      await fh.writeFile(data);
      await fh.sync();
    } finally {
      await fh.close();
    }
    const sha256 = createHash('sha256').update(data).digest('hex');
    try {
      await this.refuseNonSqlite(tmp, sha256);
      return await this.commit(
        { databaseId, sha256, size: data.length, encrypted: false, device: meta.device, baseGeneration: null },
        tmp,
        'any',
      );
    } finally {
      await fsp.rm(tmp, { force: true });
    }
  }

  /**
   * Protocol 1 has no compare-and-swap (last writer wins, as the spec): what it stores becomes the head at once, so
   * only a sound SQLite database is accepted (header, page structure, quick_check), never empty or other bytes.
   */
  private async refuseNonSqlite(file: string, sha256: string): Promise<void> {
    try {
      await verifyDatabase(file);
    } catch (err) {
      if (!(err instanceof SyncError)) throw err;
      throw new StoreError('BAD_REQUEST', msg('server.received_not_valid_sqlite', { detail: err.text }));
    } finally {
      // The check may leave journal files beside the copy (a WAL-mode database).
      for (const ext of ['-wal', '-shm', '-journal']) await fsp.rm(`${file}${ext}`, { force: true });
    }
    // The bytes committed are the bytes that arrived (the check only read them).
    if ((await sha256File(file)).sha256 !== sha256)
      throw new StoreError('INTERNAL', msg('server.received_copy_changed'));
  }

  private checkSize(size: number): void {
    if (size > this.opts.maxBytes) {
      throw new StoreError(
        'TOO_LARGE',
        msg('server.database_bytes_exceeds_server', { size, maxBytes: this.opts.maxBytes }),
      );
    }
  }

  /** Starts an upload, or resumes one (same uploadId, same content) at the bytes already received. */
  async begin(
    req: Omit<UploadMeta, 'uploadId'> & { uploadId?: string },
    who: { client: string | null; owner: string } = { client: null, owner: 'anonymous' },
  ): Promise<{ uploadId: string; offset: number; done?: RemoteManifest }> {
    this.checkSize(req.patch?.resultSize ?? req.size);
    const current = await this.head(req.databaseId);
    const stored = req.patch
      ? { sha256: req.patch.resultSha256, size: req.patch.resultSize, encrypted: false }
      : { sha256: req.sha256, size: req.size, encrypted: req.encrypted };
    if (
      current &&
      current.sha256 === stored.sha256 &&
      current.size === stored.size &&
      current.encrypted === stored.encrypted
    ) {
      return { uploadId: '', offset: req.size, done: current };
    }
    // Refuse before any byte moves when the client is already behind.
    if ((current?.generation ?? null) !== req.baseGeneration) {
      throw new StoreError('CONFLICT', msg('server.another_device_stored_newer'), { manifest: current });
    }
    // A patch applies to the head it was made on, exactly (same generation, same bytes, plaintext).
    if (req.patch && (!current || current.encrypted || current.sha256 !== req.patch.baseSha256))
      throw new StoreError(
        'PATCH_REFUSED',
        current?.encrypted
          ? msg('siodelta.patch_encrypted_head')
          : msg('siodelta.base_mismatch', { generation: req.baseGeneration ?? 0 }),
      );
    const dir = await this.ensureDirs(req.databaseId);
    if (req.uploadId && /^[0-9a-f]{32}$/.test(req.uploadId)) {
      const same = (m: UploadMeta) =>
        m.databaseId === req.databaseId &&
        m.sha256 === req.sha256 &&
        m.size === req.size &&
        m.encrypted === req.encrypted &&
        JSON.stringify(m.patch ?? null) === JSON.stringify(req.patch ?? null);
      const live = this.uploads.get(req.uploadId);
      if (live && same(live) && live.owner === who.owner) {
        await live.queue.catch(() => undefined);
        live.baseGeneration = req.baseGeneration;
        live.touched = Date.now();
        live.client = who.client;
        return { uploadId: live.uploadId, offset: live.received };
      }
      // After a server restart: the part file on disk is the state.
      const metaFile = path.join(dir, 'uploads', `${req.uploadId}.json`);
      const onDisk = await fsp
        .readFile(metaFile, 'utf8')
        .then((s) => JSON.parse(s) as UploadMeta)
        .catch(() => null);
      const st = await fsp.stat(path.join(dir, 'uploads', `${req.uploadId}.part`)).catch(() => null);
      if (onDisk && st && same(onDisk) && st.size <= req.size && !live) {
        const up: Upload = {
          ...onDisk,
          client: who.client,
          owner: who.owner,
          pendingChunks: 0,
          baseGeneration: req.baseGeneration,
          received: st.size,
          hash: st.size === 0 ? createHash('sha256') : null,
          fh: null,
          queue: Promise.resolve(),
          touched: Date.now(),
        };
        await this.admit(up);
        return { uploadId: up.uploadId, offset: up.received };
      }
    }
    const uploadId = randomBytes(16).toString('hex');
    const meta: UploadMeta = {
      uploadId,
      databaseId: req.databaseId,
      sha256: req.sha256,
      size: req.size,
      encrypted: req.encrypted,
      device: req.device,
      baseGeneration: req.baseGeneration,
      ...(req.patch ? { patch: req.patch } : {}),
    };
    const up: Upload = {
      ...meta,
      client: who.client,
      owner: who.owner,
      pendingChunks: 0,
      received: 0,
      hash: createHash('sha256'),
      fh: null,
      queue: Promise.resolve(),
      touched: Date.now(),
    };
    await this.admit(up);
    try {
      await writeFileAtomic(path.join(dir, 'uploads', `${uploadId}.json`), JSON.stringify(meta));
      up.fh = await fsp.open(path.join(dir, 'uploads', `${uploadId}.part`), 'wx', 0o600);
    } catch (err) {
      await this.drop(up);
      throw err;
    }
    return { uploadId, offset: 0 };
  }

  private upload(databaseId: string, uploadId: unknown): Upload {
    const up = typeof uploadId === 'string' ? this.uploads.get(uploadId) : undefined;
    if (!up || up.databaseId !== databaseId) throw new StoreError('NOT_FOUND', msg('server.unknown_expired_upload'));
    return up;
  }

  private serial<T>(up: Upload, fn: () => Promise<T>): Promise<T> {
    const run = up.queue.catch(() => undefined).then(fn);
    up.queue = run;
    return run;
  }

  async chunk(
    databaseId: string,
    uploadId: unknown,
    offset: number,
    data: Buffer,
    chunkBytes: number,
  ): Promise<number> {
    const up = this.upload(databaseId, uploadId);
    // The ack window, enforced: a client that sends without waiting for answers is refused, not buffered.
    if (up.pendingChunks >= this.limits.window)
      throw new StoreError('RATE_LIMITED', msg('server.too_many_unanswered_chunks', { max: this.limits.window }), {
        offset: up.received,
      });
    up.pendingChunks++;
    return this.serial(up, async () => {
      if (offset !== up.received)
        throw new StoreError('BAD_REQUEST', msg('server.chunk_out_order'), { offset: up.received });
      if (data.length === 0 || data.length > chunkBytes || up.received + data.length > up.size) {
        throw new StoreError('BAD_REQUEST', msg('server.chunk_wrong_size'), { offset: up.received });
      }
      if (!up.fh) up.fh = await fsp.open(path.join(this.dbDir(databaseId), 'uploads', `${up.uploadId}.part`), 'r+');
      let done = 0;
      while (done < data.length) {
        const { bytesWritten } = await up.fh.write(data, done, data.length - done, offset + done);
        done += bytesWritten;
      }
      up.hash?.update(data);
      up.received += data.length;
      up.touched = Date.now();
      return up.received;
    }).finally(() => {
      up.pendingChunks--;
    });
  }

  /** Ends an upload: verified, committed; `patched` when it was a page patch rebuilt on the head. */
  async end(
    databaseId: string,
    uploadId: unknown,
    sha256: unknown,
  ): Promise<{ manifest: RemoteManifest; patched: boolean }> {
    const up = this.upload(databaseId, uploadId);
    return this.serial(up, async () => {
      if (up.received !== up.size)
        throw new StoreError(
          'BAD_REQUEST',
          msg('server.missing_data_received_bytes', { received: up.received, size: up.size }),
          { offset: up.received },
        );
      const dir = this.dbDir(databaseId);
      const part = path.join(dir, 'uploads', `${up.uploadId}.part`);
      if (!up.fh) up.fh = await fsp.open(part, 'r+');
      await up.fh.sync();
      await up.fh.close();
      up.fh = null;
      const got = up.hash ? up.hash.digest('hex') : (await sha256File(part)).sha256;
      up.hash = null;
      this.uploads.delete(up.uploadId);
      await fsp.rm(path.join(dir, 'uploads', `${up.uploadId}.json`), { force: true });
      if (typeof sha256 !== 'string' || got !== sha256 || got !== up.sha256) {
        await fsp.rm(part, { force: true });
        throw new StoreError('VERIFY_FAILED', msg('server.hash_what_arrived_not_match'));
      }
      if (up.patch) return { manifest: await this.commitPatch(up, part, up.patch), patched: true };
      const { manifest } = await this.commit(up, part, up.baseGeneration);
      return { manifest, patched: false };
    });
  }

  /**
   * A patch arrived whole and verified: rebuilds the database on the stored head it was made on (a copy; streamed),
   * checks it (sha256 as announced, a sound SQLite file, as protocol 1's check) and commits it as a whole version
   * with the same compare-and-swap as any upload (commit(): the commit record decides across processes).
   */
  private async commitPatch(
    up: Upload,
    part: string,
    patch: NonNullable<UploadMeta['patch']>,
  ): Promise<RemoteManifest> {
    const dir = this.dbDir(up.databaseId);
    const result = path.join(dir, 'uploads', `${up.uploadId}.result`);
    try {
      const head = await this.head(up.databaseId);
      if ((head?.generation ?? null) !== up.baseGeneration)
        throw new StoreError('CONFLICT', msg('server.another_device_stored_newer'), { manifest: head });
      if (!head || head.sha256 !== patch.baseSha256)
        throw new StoreError('PATCH_REFUSED', msg('siodelta.base_mismatch', { generation: up.baseGeneration ?? 0 }));
      try {
        await applyPushedPatch(
          part,
          path.join(dir, head.file),
          head,
          { sha256: patch.resultSha256, size: patch.resultSize },
          result,
        );
      } catch (err) {
        // The head's object went (pruned by a newer commit of another process): the swap is lost anyway.
        if ((err as NodeJS.ErrnoException).code === 'ENOENT')
          throw new StoreError('CONFLICT', msg('server.another_device_stored_newer'), {
            manifest: await this.head(up.databaseId),
          });
        throw err;
      }
      await this.refuseNonSqlite(result, patch.resultSha256);
      const fh = await fsp.open(result, 'r+');
      try {
        await fh.sync();
      } finally {
        await fh.close();
      }
      const { manifest } = await this.commit(
        { ...up, sha256: patch.resultSha256, size: patch.resultSize, encrypted: false },
        result,
        up.baseGeneration,
      );
      return manifest;
    } finally {
      await fsp.rm(part, { force: true });
      await fsp.rm(result, { force: true });
    }
  }

  /**
   * The pages that changed from `from` (a stored plaintext version, sha256 as the client says) to `to` (one still
   * kept): NOT_FOUND when either is gone or differs (the client downloads the whole version).
   */
  async patchBetween(
    databaseId: string,
    fromGeneration: number,
    fromSha256: string,
    toGeneration: number,
  ): Promise<{ patchId: string; size: number; sha256: string; pages: number }> {
    const m = await this.head(databaseId);
    const find = (g: number) => (m && (m.generation === g ? m : m.versions?.find((v) => v.generation === g))) || null;
    const from = find(fromGeneration);
    const to = find(toGeneration);
    if (!from || !to || from.sha256 !== fromSha256)
      throw new StoreError('NOT_FOUND', msg('siodelta.version_not_kept', { generation: fromGeneration }), {
        manifest: m,
      });
    try {
      return await this.patches.get(databaseId, from, to);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT')
        throw new StoreError('NOT_FOUND', msg('siodelta.version_not_kept', { generation: fromGeneration }));
      throw err;
    }
  }

  async abort(databaseId: string, uploadId: unknown): Promise<void> {
    const up = this.upload(databaseId, uploadId);
    await this.serial(up, async () => {
      await up.fh?.close().catch(() => undefined);
      this.uploads.delete(up.uploadId);
      const dir = path.join(this.dbDir(databaseId), 'uploads');
      await fsp.rm(path.join(dir, `${up.uploadId}.part`), { force: true });
      await fsp.rm(path.join(dir, `${up.uploadId}.json`), { force: true });
    });
  }

  /** A range of a stored generation (the newest or one still kept). */
  async read(
    databaseId: string,
    generation: number,
    offset: number,
    length: number,
  ): Promise<{ data: Buffer; size: number }> {
    const m = await this.head(databaseId);
    const entry = m && (m.generation === generation ? m : m.versions?.find((v) => v.generation === generation));
    if (!entry)
      throw new StoreError('NOT_FOUND', msg('server.version_no_longer_server', { generation }), { manifest: m });
    if (offset < 0 || offset > entry.size) throw new StoreError('BAD_REQUEST', msg('server.offset_outside_file'));
    const want = Math.min(length, entry.size - offset);
    const fh = await fsp
      .open(path.join(this.dbDir(databaseId), entry.file), 'r')
      .catch((err: NodeJS.ErrnoException) => {
        if (err.code === 'ENOENT')
          throw new StoreError('NOT_FOUND', msg('server.version_no_longer_server', { generation }), { manifest: m });
        throw err;
      });
    try {
      const data = await readRange(fh, offset, want);
      if (data.length !== want) throw new StoreError('INTERNAL', msg('server.stored_version_truncated'));
      return { data, size: entry.size };
    } finally {
      await fh.close();
    }
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    for (const up of this.uploads.values()) await up.fh?.close().catch(() => undefined);
    this.uploads.clear();
  }
}
