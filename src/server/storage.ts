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
import { fsyncDir, writeFileAtomic } from '../util/fs.js';
import type { RemoteManifest } from '../transports/types.js';
import { newRemoteId, nextManifest } from '../transports/manifest.js';
import { sha256File } from '../db/snapshot.js';
import { isManifest, type WireErrorCode } from '../transports/socketio/protocol.js';
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

/** Commit records kept behind the head (tiny; they keep the lineage checkable). */
const COMMITS_KEPT = 1000;
/** Protocol 1 (last writer wins, as the spec) retries on top of a commit another process just made. */
const MAX_RETRIES = 20;
const pad = (n: number) => String(n).padStart(6, '0');
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
    if (!isManifest(m))
      throw new StoreError('INTERNAL', {
        es: 'El manifiesto del servidor está dañado.',
        en: 'The server manifest is damaged.',
      });
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
            throw new StoreError(
              'CONFLICT',
              { es: 'Otro equipo guardó una versión más nueva.', en: 'Another device stored a newer version.' },
              { manifest: current },
            );
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
            throw new StoreError(
              'CONFLICT',
              { es: 'Otro equipo guardó una versión más nueva.', en: 'Another device stored a newer version.' },
              { manifest: await this.head(meta.databaseId) },
            );
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
      return await this.commit(
        { databaseId, sha256, size: data.length, encrypted: false, device: meta.device, baseGeneration: null },
        tmp,
        'any',
      );
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
  async begin(
    req: Omit<UploadMeta, 'uploadId'> & { uploadId?: string },
  ): Promise<{ uploadId: string; offset: number; done?: RemoteManifest }> {
    this.checkSize(req.size);
    const current = await this.head(req.databaseId);
    if (current && current.sha256 === req.sha256 && current.size === req.size && current.encrypted === req.encrypted) {
      return { uploadId: '', offset: req.size, done: current };
    }
    // Refuse before any byte moves when the client is already behind.
    if ((current?.generation ?? null) !== req.baseGeneration) {
      throw new StoreError(
        'CONFLICT',
        { es: 'Otro equipo guardó una versión más nueva.', en: 'Another device stored a newer version.' },
        { manifest: current },
      );
    }
    const dir = await this.ensureDirs(req.databaseId);
    if (req.uploadId && /^[0-9a-f]{32}$/.test(req.uploadId)) {
      const same = (m: UploadMeta) =>
        m.databaseId === req.databaseId &&
        m.sha256 === req.sha256 &&
        m.size === req.size &&
        m.encrypted === req.encrypted;
      const live = this.uploads.get(req.uploadId);
      if (live && same(live)) {
        await live.queue.catch(() => undefined);
        live.baseGeneration = req.baseGeneration;
        live.touched = Date.now();
        return { uploadId: live.uploadId, offset: live.received };
      }
      // After a server restart: the part file on disk is the state.
      const metaFile = path.join(dir, 'uploads', `${req.uploadId}.json`);
      const onDisk = await fsp
        .readFile(metaFile, 'utf8')
        .then((s) => JSON.parse(s) as UploadMeta)
        .catch(() => null);
      const st = await fsp.stat(path.join(dir, 'uploads', `${req.uploadId}.part`)).catch(() => null);
      if (onDisk && st && same(onDisk) && st.size <= req.size) {
        const up: Upload = {
          ...onDisk,
          baseGeneration: req.baseGeneration,
          received: st.size,
          hash: st.size === 0 ? createHash('sha256') : null,
          fh: null,
          queue: Promise.resolve(),
          touched: Date.now(),
        };
        this.uploads.set(up.uploadId, up);
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
    };
    await writeFileAtomic(path.join(dir, 'uploads', `${uploadId}.json`), JSON.stringify(meta));
    const fh = await fsp.open(path.join(dir, 'uploads', `${uploadId}.part`), 'wx', 0o600);
    this.uploads.set(uploadId, {
      ...meta,
      received: 0,
      hash: createHash('sha256'),
      fh,
      queue: Promise.resolve(),
      touched: Date.now(),
    });
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
    if (!up || up.databaseId !== databaseId)
      throw new StoreError('NOT_FOUND', { es: 'Subida desconocida o caducada.', en: 'Unknown or expired upload.' });
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
    return this.serial(up, async () => {
      if (offset !== up.received)
        throw new StoreError(
          'BAD_REQUEST',
          { es: 'Fragmento fuera de orden.', en: 'Chunk out of order.' },
          { offset: up.received },
        );
      if (data.length === 0 || data.length > chunkBytes || up.received + data.length > up.size) {
        throw new StoreError(
          'BAD_REQUEST',
          { es: 'Fragmento de tamaño incorrecto.', en: 'Chunk of the wrong size.' },
          { offset: up.received },
        );
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
      if (up.received !== up.size)
        throw new StoreError(
          'BAD_REQUEST',
          {
            es: `Faltan datos: recibidos ${up.received} de ${up.size} bytes.`,
            en: `Missing data: received ${up.received} of ${up.size} bytes.`,
          },
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
        throw new StoreError('VERIFY_FAILED', {
          es: 'El hash de lo recibido no coincide: no se guardó nada.',
          en: 'The hash of what arrived does not match: nothing was stored.',
        });
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
  async read(
    databaseId: string,
    generation: number,
    offset: number,
    length: number,
  ): Promise<{ data: Buffer; size: number }> {
    const m = await this.head(databaseId);
    const entry = m && (m.generation === generation ? m : m.versions?.find((v) => v.generation === generation));
    if (!entry)
      throw new StoreError(
        'NOT_FOUND',
        {
          es: `La versión ${generation} ya no está en el servidor.`,
          en: `Version ${generation} is no longer on the server.`,
        },
        { manifest: m },
      );
    if (offset < 0 || offset > entry.size)
      throw new StoreError('BAD_REQUEST', { es: 'Posición fuera del archivo.', en: 'Offset outside the file.' });
    const want = Math.min(length, entry.size - offset);
    const fh = await fsp
      .open(path.join(this.dbDir(databaseId), entry.file), 'r')
      .catch((err: NodeJS.ErrnoException) => {
        if (err.code === 'ENOENT')
          throw new StoreError(
            'NOT_FOUND',
            {
              es: `La versión ${generation} ya no está en el servidor.`,
              en: `Version ${generation} is no longer on the server.`,
            },
            { manifest: m },
          );
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
      if (got !== want)
        throw new StoreError('INTERNAL', {
          es: 'La versión guardada está truncada.',
          en: 'The stored version is truncated.',
        });
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
