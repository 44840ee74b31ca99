/**
 * The sync server's storage: one folder per database id, a manifest per database, the last N versions, and
 * resumable uploads. Every write is atomic (temp + fsync + rename + fsync of the folder), and a commit holds a
 * lock file as well as an in-process mutex, so several server processes can share one storage folder (scale-out).
 *
 *   <storage>/<databaseId>/manifest.json
 *   <storage>/<databaseId>/versions/000012-ab12cd34ef56.db
 *   <storage>/<databaseId>/uploads/<uploadId>.part + <uploadId>.json
 */
import { createHash, randomBytes, type Hash } from 'node:crypto';
import { promises as fsp, constants as fsc } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { fsyncDir, writeFileAtomic } from '../util/fs.js';
import type { RemoteManifest } from '../transports/types.js';
import { nextManifest } from '../transports/manifest.js';
import { sha256File } from '../db/snapshot.js';
import { isManifest, SHA256_RE, type WireErrorCode } from '../transports/socketio/protocol.js';
import type { Text } from '../errors.js';

/** An error the server turns into an `{ok:false}` reply. */
export class StoreError extends Error {
  constructor(
    readonly code: WireErrorCode,
    readonly text: Text,
    readonly extra: { manifest?: RemoteManifest | null; offset?: number } = {},
  ) {
    super(text.en);
  }
}

interface UploadMeta {
  uploadId: string;
  databaseId: string;
  sha256: string;
  size: number;
  encrypted: boolean;
  device: string;
  baseGeneration: number | null;
}

interface Upload extends UploadMeta {
  received: number;
  /** Running hash while chunks arrive in order; null after a server restart (then hashed from disk at the end). */
  hash: Hash | null;
  fh: FileHandle | null;
  /** Chunks and the end are handled one at a time, in arrival order. */
  queue: Promise<unknown>;
  touched: number;
}

const LOCK_STALE_MS = 30_000;
const UPLOAD_STALE_MS = 24 * 3600_000;

export class Storage {
  private uploads = new Map<string, Upload>();
  private mutexes = new Map<string, Promise<unknown>>();

  constructor(
    readonly root: string,
    readonly opts: { keepVersions: number; maxBytes: number },
  ) {}

  async init(): Promise<void> {
    await fsp.mkdir(this.root, { recursive: true, mode: 0o700 });
    await this.sweep();
  }

  /** Uploads abandoned for a day are not coming back: their part files go (run at start and hourly). */
  async sweep(): Promise<void> {
    this.reapIdle();
    for (const id of await fsp.readdir(this.root).catch(() => [] as string[])) {
      const dir = path.join(this.root, id, 'uploads');
      for (const f of await fsp.readdir(dir).catch(() => [] as string[])) {
        if (this.uploads.has(f.replace(/\.(part|json)$/, ''))) continue;
        const st = await fsp.stat(path.join(dir, f)).catch(() => null);
        if (st && Date.now() - st.mtimeMs > UPLOAD_STALE_MS) await fsp.rm(path.join(dir, f), { force: true });
      }
    }
  }

  private dbDir(databaseId: string): string {
    return path.join(this.root, databaseId);
  }

  private async ensureDirs(databaseId: string): Promise<string> {
    const dir = this.dbDir(databaseId);
    for (const d of [dir, path.join(dir, 'versions'), path.join(dir, 'uploads')]) await fsp.mkdir(d, { recursive: true, mode: 0o700 });
    return dir;
  }

  async head(databaseId: string): Promise<RemoteManifest | null> {
    let raw: string;
    try {
      raw = await fsp.readFile(path.join(this.dbDir(databaseId), 'manifest.json'), 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
    const m = JSON.parse(raw) as unknown;
    if (!isManifest(m)) throw new StoreError('INTERNAL', { es: 'El manifiesto del servidor está dañado.', en: 'The server manifest is damaged.' });
    return m;
  }

  /** One commit at a time per database: an in-process queue plus a lock file for other processes. */
  private async withLock<T>(databaseId: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.mutexes.get(databaseId) ?? Promise.resolve();
    const run = prev.catch(() => undefined).then(async () => {
      const lock = path.join(await this.ensureDirs(databaseId), '.lock');
      const deadline = Date.now() + 15_000;
      for (;;) {
        try {
          const fh = await fsp.open(lock, 'wx', 0o600);
          await fh.writeFile(`${process.pid}\n`);
          await fh.close();
          break;
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
          const st = await fsp.stat(lock).catch(() => null);
          // A holder that died leaves the lock behind: commits take milliseconds, so an old lock is stale.
          if (st && Date.now() - st.mtimeMs > LOCK_STALE_MS) await fsp.rm(lock, { force: true });
          if (Date.now() > deadline) throw new StoreError('BUSY', { es: 'El almacenamiento está bloqueado por otro proceso.', en: 'The storage is locked by another process.' });
          await new Promise((r) => setTimeout(r, 10 + Math.random() * 20));
        }
      }
      try {
        return await fn();
      } finally {
        await fsp.rm(lock, { force: true });
      }
    });
    this.mutexes.set(databaseId, run);
    try {
      return await run;
    } finally {
      if (this.mutexes.get(databaseId) === run) this.mutexes.delete(databaseId);
    }
  }

  /**
   * Makes the file at `tmpFile` (already complete, verified and fsynced, inside the database's uploads folder) the
   * next version. baseGeneration 'any' skips the compare-and-swap (protocol 1: last writer wins, as the spec).
   */
  async commit(meta: Omit<UploadMeta, 'uploadId'>, tmpFile: string, baseGeneration: number | null | 'any'): Promise<{ manifest: RemoteManifest; created: boolean }> {
    return this.withLock(meta.databaseId, async () => {
      const current = await this.head(meta.databaseId);
      if (current && current.sha256 === meta.sha256 && current.size === meta.size && current.encrypted === meta.encrypted) {
        // Same bytes as the newest version: nothing new to keep.
        await fsp.rm(tmpFile, { force: true });
        return { manifest: current, created: false };
      }
      if (baseGeneration !== 'any' && (current?.generation ?? null) !== baseGeneration) {
        await fsp.rm(tmpFile, { force: true });
        throw new StoreError('CONFLICT', { es: 'Otro equipo guardó una versión más nueva.', en: 'Another device stored a newer version.' }, { manifest: current });
      }
      const dir = this.dbDir(meta.databaseId);
      const generation = (current?.generation ?? 0) + 1;
      const file = `versions/${String(generation).padStart(6, '0')}-${meta.sha256.slice(0, 12)}.db`;
      await fsp.rename(tmpFile, path.join(dir, file));
      await fsyncDir(path.join(dir, 'versions'));
      const { manifest, dropped: drop } = nextManifest(current, { sha256: meta.sha256, size: meta.size, encrypted: meta.encrypted, device: meta.device, file }, this.opts.keepVersions);
      await writeFileAtomic(path.join(dir, 'manifest.json'), JSON.stringify(manifest, null, 2));
      for (const v of drop) await fsp.rm(path.join(dir, v.file), { force: true });
      return { manifest, created: true };
    });
  }

  /** Protocol 1: a whole database in memory (small by construction: the hex limit). */
  async storeWhole(databaseId: string, data: Buffer, meta: { device: string }): Promise<{ manifest: RemoteManifest; created: boolean }> {
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
      return await this.commit({ databaseId, sha256, size: data.length, encrypted: false, device: meta.device, baseGeneration: null }, tmp, 'any');
    } finally {
      await fsp.rm(tmp, { force: true });
    }
  }

  private checkSize(size: number): void {
    if (size > this.opts.maxBytes) {
      throw new StoreError('TOO_LARGE', {
        es: `La base de datos (${size} bytes) supera el límite de este servidor (${this.opts.maxBytes} bytes).`,
        en: `The database (${size} bytes) exceeds this server's limit (${this.opts.maxBytes} bytes).`,
      });
    }
  }

  /** Starts an upload, or resumes one (same uploadId, same content) at the bytes already received. */
  async begin(req: Omit<UploadMeta, 'uploadId'> & { uploadId?: string }): Promise<{ uploadId: string; offset: number; done?: RemoteManifest }> {
    this.checkSize(req.size);
    const current = await this.head(req.databaseId);
    if (current && current.sha256 === req.sha256 && current.size === req.size && current.encrypted === req.encrypted) {
      return { uploadId: '', offset: req.size, done: current };
    }
    // Refuse before any byte moves when the client is already behind.
    if ((current?.generation ?? null) !== req.baseGeneration) {
      throw new StoreError('CONFLICT', { es: 'Otro equipo guardó una versión más nueva.', en: 'Another device stored a newer version.' }, { manifest: current });
    }
    const dir = await this.ensureDirs(req.databaseId);
    if (req.uploadId && /^[0-9a-f]{32}$/.test(req.uploadId)) {
      const same = (m: UploadMeta) => m.databaseId === req.databaseId && m.sha256 === req.sha256 && m.size === req.size && m.encrypted === req.encrypted;
      const live = this.uploads.get(req.uploadId);
      if (live && same(live)) {
        await live.queue.catch(() => undefined);
        live.baseGeneration = req.baseGeneration;
        live.touched = Date.now();
        return { uploadId: live.uploadId, offset: live.received };
      }
      // After a server restart: the part file on disk is the state.
      const metaFile = path.join(dir, 'uploads', `${req.uploadId}.json`);
      const onDisk = await fsp.readFile(metaFile, 'utf8').then((s) => JSON.parse(s) as UploadMeta).catch(() => null);
      const st = await fsp.stat(path.join(dir, 'uploads', `${req.uploadId}.part`)).catch(() => null);
      if (onDisk && st && same(onDisk) && st.size <= req.size) {
        const up: Upload = { ...onDisk, baseGeneration: req.baseGeneration, received: st.size, hash: st.size === 0 ? createHash('sha256') : null, fh: null, queue: Promise.resolve(), touched: Date.now() };
        this.uploads.set(up.uploadId, up);
        return { uploadId: up.uploadId, offset: up.received };
      }
    }
    const uploadId = randomBytes(16).toString('hex');
    const meta: UploadMeta = { uploadId, databaseId: req.databaseId, sha256: req.sha256, size: req.size, encrypted: req.encrypted, device: req.device, baseGeneration: req.baseGeneration };
    await writeFileAtomic(path.join(dir, 'uploads', `${uploadId}.json`), JSON.stringify(meta));
    const fh = await fsp.open(path.join(dir, 'uploads', `${uploadId}.part`), 'wx', 0o600);
    this.uploads.set(uploadId, { ...meta, received: 0, hash: createHash('sha256'), fh, queue: Promise.resolve(), touched: Date.now() });
    this.reapIdle();
    return { uploadId, offset: 0 };
  }

  private reapIdle(): void {
    // Uploads idle for an hour keep their part file (resumable after a restart) but release the handle.
    for (const up of this.uploads.values()) {
      if (Date.now() - up.touched > 3600_000) {
        void up.fh?.close().catch(() => undefined);
        this.uploads.delete(up.uploadId);
      }
    }
  }

  private upload(databaseId: string, uploadId: unknown): Upload {
    const up = typeof uploadId === 'string' ? this.uploads.get(uploadId) : undefined;
    if (!up || up.databaseId !== databaseId) throw new StoreError('NOT_FOUND', { es: 'Subida desconocida o caducada.', en: 'Unknown or expired upload.' });
    return up;
  }

  private serial<T>(up: Upload, fn: () => Promise<T>): Promise<T> {
    const run = up.queue.catch(() => undefined).then(fn);
    up.queue = run;
    return run;
  }

  async chunk(databaseId: string, uploadId: unknown, offset: number, data: Buffer, chunkBytes: number): Promise<number> {
    const up = this.upload(databaseId, uploadId);
    return this.serial(up, async () => {
      if (offset !== up.received) throw new StoreError('BAD_REQUEST', { es: 'Fragmento fuera de orden.', en: 'Chunk out of order.' }, { offset: up.received });
      if (data.length === 0 || data.length > chunkBytes || up.received + data.length > up.size) {
        throw new StoreError('BAD_REQUEST', { es: 'Fragmento de tamaño incorrecto.', en: 'Chunk of the wrong size.' }, { offset: up.received });
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
    });
  }

  async end(databaseId: string, uploadId: unknown, sha256: unknown): Promise<RemoteManifest> {
    const up = this.upload(databaseId, uploadId);
    return this.serial(up, async () => {
      if (up.received !== up.size) throw new StoreError('BAD_REQUEST', { es: `Faltan datos: recibidos ${up.received} de ${up.size} bytes.`, en: `Missing data: received ${up.received} of ${up.size} bytes.` }, { offset: up.received });
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
        throw new StoreError('VERIFY_FAILED', { es: 'El hash de lo recibido no coincide: no se guardó nada.', en: 'The hash of what arrived does not match: nothing was stored.' });
      }
      const { manifest } = await this.commit(up, part, up.baseGeneration);
      return manifest;
    });
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
  async read(databaseId: string, generation: number, offset: number, length: number): Promise<{ data: Buffer; size: number }> {
    const m = await this.head(databaseId);
    const entry = m && (m.generation === generation ? m : m.versions?.find((v) => v.generation === generation));
    if (!entry) throw new StoreError('NOT_FOUND', { es: `La versión ${generation} ya no está en el servidor.`, en: `Version ${generation} is no longer on the server.` }, { manifest: m });
    if (offset < 0 || offset > entry.size) throw new StoreError('BAD_REQUEST', { es: 'Posición fuera del archivo.', en: 'Offset outside the file.' });
    const want = Math.min(length, entry.size - offset);
    const fh = await fsp.open(path.join(this.dbDir(databaseId), entry.file), 'r').catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') throw new StoreError('NOT_FOUND', { es: `La versión ${generation} ya no está en el servidor.`, en: `Version ${generation} is no longer on the server.` }, { manifest: m });
      throw err;
    });
    try {
      const data = Buffer.allocUnsafe(want);
      let got = 0;
      while (got < want) {
        const { bytesRead } = await fh.read(data, got, want - got, offset + got);
        if (bytesRead === 0) break;
        got += bytesRead;
      }
      if (got !== want) throw new StoreError('INTERNAL', { es: 'La versión guardada está truncada.', en: 'The stored version is truncated.' });
      return { data, size: entry.size };
    } finally {
      await fh.close();
    }
  }

  async close(): Promise<void> {
    for (const up of this.uploads.values()) await up.fh?.close().catch(() => undefined);
    this.uploads.clear();
  }
}

export function isSha256(x: unknown): x is string {
  return typeof x === 'string' && SHA256_RE.test(x);
}
