/**
 * The folder transport: a mounted network drive, a USB disk or a local folder. Atomic replace by rename in the same
 * folder, compare-and-swap by O_EXCL create, fsync before every rename so a power cut leaves old or new, never torn.
 */
import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, promises as fsp, constants as fsc } from 'node:fs';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { SyncError, toSyncError } from '../../errors.js';
import { HashMeter, sha256File } from '../../util/hash.js';
import { folder, type FolderConfig } from './declaration.js';
import { probeRoundTrip, reportBuilder, reportGuarantees } from '../shared/report.js';
import { alreadyExists, checkAborted, uploadVerified, type WriteMode } from '../shared/upload.js';
import type {
  CallOptions,
  ConnectionReport,
  DownloadResult,
  FileTransport,
  Guarantees,
  RemoteEntry,
  TransferOptions,
  TransportContext,
  UploadResult,
} from '../types.js';

export function create(block: FolderConfig, ctx: TransportContext): FileTransport {
  return new FolderTransport(block.path, ctx);
}

function safeJoin(root: string, rel: string): string {
  const parts = rel.split('/').filter((p) => p !== '');
  if (parts.some((p) => p === '..' || p === '.' || p.includes('\\') || p.includes('\0'))) {
    throw new SyncError('PROTOCOL', { es: `Ruta remota no permitida: ${rel}`, en: `Remote path not allowed: ${rel}` });
  }
  return path.join(root, ...parts);
}

async function fsyncPath(p: string): Promise<void> {
  const fh = await fsp.open(p, 'r').catch(() => null);
  if (!fh) return;
  await fh.sync().catch(() => {});
  await fh.close();
}

/** Creates `file` (must not exist, 0600) with `data`, fsynced: what a later rename or link publishes is complete. */
async function writeDurable(file: string, data: Buffer): Promise<void> {
  const fh = await fsp.open(file, fsc.O_WRONLY | fsc.O_CREAT | fsc.O_EXCL, 0o600);
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** Counts bytes and hashes them as they pass (the shared HashMeter as a stream stage). */
function meter(onProgress?: (p: { bytes: number; total?: number }) => void, total?: number) {
  const m = new HashMeter(onProgress, total);
  const t = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      try {
        m.update(chunk);
      } catch (err) {
        // A failing observer aborts the transfer cleanly instead of crashing the process.
        return cb(err as Error);
      }
      cb(null, chunk);
    },
  });
  return { t, done: () => m.done() };
}

export class FolderTransport implements FileTransport {
  readonly protocol = 'folder' as const;
  constructor(
    private readonly root: string,
    private readonly ctx: TransportContext,
  ) {}

  private abs(rel: string): string {
    if (!this.root || !path.isAbsolute(this.root)) {
      throw new SyncError('CONFIG_INVALID', {
        es: 'folder.path debe ser una ruta absoluta.',
        en: 'folder.path must be an absolute path.',
      });
    }
    return safeJoin(this.root, rel);
  }

  private wrap(err: unknown, what: string): SyncError {
    const e = toSyncError(err);
    if (e.code === 'NOT_FOUND') {
      return new SyncError(
        'NOT_FOUND',
        { es: `No existe en la carpeta de destino: ${what}`, en: `Not found in the target folder: ${what}` },
        {
          hint: {
            es: '¿Está montada la unidad de red o conectado el disco?',
            en: 'Is the network drive mounted or the disk plugged in?',
          },
          cause: err,
        },
      );
    }
    return e;
  }

  async open(opts: CallOptions = {}): Promise<void> {
    checkAborted(opts.signal);
    const st = await fsp.stat(this.abs('')).catch(() => null);
    if (st && !st.isDirectory())
      throw new SyncError('NOT_FOUND', { es: `${this.root} no es una carpeta.`, en: `${this.root} is not a folder.` });
    if (!st) {
      // Create the target folder itself, but only inside an existing parent: an unmounted drive must not turn
      // into a local folder silently.
      const parent = await fsp.stat(path.dirname(this.root)).catch(() => null);
      if (!parent)
        throw this.wrap(Object.assign(new Error(path.dirname(this.root)), { code: 'ENOENT' }), path.dirname(this.root));
      await fsp.mkdir(this.root, { mode: 0o700 }).catch((err) => {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw this.wrap(err, this.root);
      });
    }
  }

  async guarantees(): Promise<Guarantees> {
    return folder.capabilities.guarantees;
  }

  async stat(rel: string, opts: CallOptions = {}): Promise<RemoteEntry | null> {
    checkAborted(opts.signal);
    const st = await fsp.stat(this.abs(rel)).catch((err) => {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw this.wrap(err, rel);
    });
    if (!st) return null;
    return {
      path: rel,
      size: st.size,
      isDirectory: st.isDirectory(),
      modified: st.mtime,
      version: `${st.size}-${st.mtimeMs}`,
    };
  }

  async list(dir: string, opts: CallOptions = {}): Promise<RemoteEntry[]> {
    checkAborted(opts.signal);
    const d = this.abs(dir);
    const names = await fsp.readdir(d).catch((err) => {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [] as string[];
      throw this.wrap(err, dir);
    });
    const out: RemoteEntry[] = [];
    for (const n of names) {
      const rel = dir ? `${dir}/${n}` : n;
      const e = await this.stat(rel, opts);
      if (e) out.push(e);
    }
    return out;
  }

  async mkdirp(dir: string, opts: CallOptions = {}): Promise<void> {
    checkAborted(opts.signal);
    await fsp.mkdir(this.abs(dir), { recursive: true, mode: 0o700 }).catch((err) => {
      throw this.wrap(err, dir);
    });
  }

  async readSmall(
    rel: string,
    maxBytes = 1024 * 1024,
    opts: CallOptions = {},
  ): Promise<{ data: Buffer; version?: string } | null> {
    checkAborted(opts.signal);
    const st = await this.stat(rel);
    if (!st) return null;
    if (st.size > maxBytes)
      throw new SyncError('PROTOCOL', {
        es: `${rel} es demasiado grande (${st.size} bytes).`,
        en: `${rel} is too large (${st.size} bytes).`,
      });
    const data = await fsp.readFile(this.abs(rel)).catch((err) => {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw this.wrap(err, rel);
    });
    return data ? { data, version: st.version } : null;
  }

  private tmpName(rel: string): string {
    const dir = path.posix.dirname(rel);
    const name = `.${path.posix.basename(rel)}.tmp-${this.ctx.device}-${randomBytes(6).toString('hex')}`;
    return dir === '.' ? name : `${dir}/${name}`;
  }

  async writeSmall(
    rel: string,
    data: Buffer,
    opts: { ifVersion?: string | null } & CallOptions = {},
  ): Promise<{ version?: string }> {
    checkAborted(opts.signal);
    if (opts.ifVersion === null) {
      if (!(await this.createExclusive(rel, data)))
        throw new SyncError('ALREADY_EXISTS', { es: `${rel} ya existe.`, en: `${rel} already exists.` });
      return { version: (await this.stat(rel))?.version };
    }
    const tmp = this.abs(this.tmpName(rel));
    try {
      await writeDurable(tmp, data);
      await fsp.rename(tmp, this.abs(rel));
      await fsyncPath(path.dirname(this.abs(rel)));
    } catch (err) {
      await fsp.rm(tmp, { force: true }).catch(() => {});
      throw this.wrap(err, rel);
    }
    return { version: (await this.stat(rel))?.version };
  }

  /** Never publishes an empty file: the body is written under a temp name, then link()ed into place (fails if taken). */
  async createExclusive(rel: string, data: Buffer, opts: CallOptions = {}): Promise<boolean> {
    checkAborted(opts.signal);
    const tmp = this.abs(this.tmpName(rel));
    try {
      await writeDurable(tmp, data);
      await fsp.link(tmp, this.abs(rel));
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw this.wrap(err, rel);
    } finally {
      await fsp.rm(tmp, { force: true }).catch(() => {});
    }
  }

  /** Verified upload (shared/upload.ts): temp name, fsync, read back and hash, then link()/rename() into place. */
  upload(
    localPath: string,
    rel: string,
    expected: { size: number; sha256: string },
    opts: TransferOptions & { replace?: boolean } = {},
  ): Promise<UploadResult> {
    return uploadVerified(this, localPath, rel, expected, opts, {
      device: this.ctx.device,
      atomicWrite: folder.capabilities.atomicWrite,
    });
  }

  /** Writes the local file under `rel` (0600, never over an existing file unless replacing) and fsyncs it. */
  async writeFile(
    localPath: string,
    rel: string,
    opts: TransferOptions & { mode: WriteMode; expected?: { size: number } },
  ): Promise<{ size: number; sha256: string }> {
    const file = this.abs(rel);
    const m = meter(opts.onProgress, opts.expected?.size);
    try {
      await pipeline(
        createReadStream(localPath, { highWaterMark: 1024 * 1024 }),
        m.t,
        createWriteStream(file, { flags: opts.mode === 'replace' ? 'w' : 'wx', mode: 0o600 }),
        { signal: opts.signal },
      );
      await fsyncPath(file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw alreadyExists(rel);
      throw err instanceof SyncError ? err : this.wrap(err, rel);
    }
    const r = m.done();
    return { size: r.bytes, sha256: r.sha256 };
  }

  /** Reads what is stored back from the disk, not what we think we wrote. */
  async hashRemote(rel: string, opts: CallOptions = {}): Promise<{ size: number; sha256: string }> {
    checkAborted(opts.signal);
    const r = await sha256File(this.abs(rel)).catch((err) => {
      throw this.wrap(err, rel);
    });
    return { size: r.size, sha256: r.sha256 };
  }

  async download(rel: string, localPath: string, opts: TransferOptions = {}): Promise<DownloadResult> {
    const src = this.abs(rel);
    const st = await fsp.stat(src).catch((err) => {
      throw this.wrap(err, rel);
    });
    if (!st.isFile())
      throw new SyncError('PROTOCOL', {
        es: `${rel} no es un archivo en el destino; no se descarga.`,
        en: `${rel} is not a file at the target; not downloaded.`,
      });
    try {
      const m = meter(opts.onProgress, st.size);
      await pipeline(
        createReadStream(src, { highWaterMark: 1024 * 1024 }),
        m.t,
        createWriteStream(localPath, { mode: 0o600 }),
        { signal: opts.signal },
      );
      const r = m.done();
      return { size: r.bytes, sha256: r.sha256 };
    } catch (err) {
      await fsp.rm(localPath, { force: true }).catch(() => {});
      throw this.wrap(err, rel);
    }
  }

  async rename(from: string, to: string, opts: { replace?: boolean } & CallOptions = {}): Promise<void> {
    checkAborted(opts.signal);
    try {
      if (opts.replace) await fsp.rename(this.abs(from), this.abs(to));
      else {
        // link() fails if the target exists: an atomic "rename without replace".
        await fsp.link(this.abs(from), this.abs(to));
        await fsp.unlink(this.abs(from));
      }
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST')
        throw new SyncError('ALREADY_EXISTS', { es: `${to} ya existe.`, en: `${to} already exists.` });
      throw this.wrap(err, from);
    }
    // The new name survives a power cut only once its folder is on disk.
    await fsyncPath(path.dirname(this.abs(to)));
  }

  async remove(rel: string, opts: CallOptions = {}): Promise<void> {
    checkAborted(opts.signal);
    await fsp.rm(this.abs(rel), { force: true }).catch((err) => {
      throw this.wrap(err, rel);
    });
  }

  async test(): Promise<ConnectionReport> {
    const b = reportBuilder('folder', { path: this.root });
    try {
      await b.step('open', 'Carpeta accesible (creada si faltaba).', 'Folder reachable (created if missing).', () =>
        this.open(),
      );
      await probeRoundTrip(this, b);
      const free = await fsp.statfs(this.abs('')).catch(() => null);
      if (free) b.report.facts.freeBytes = free.bavail * free.bsize;
      reportGuarantees(b.report, await this.guarantees());
      b.report.ok = true;
    } catch (err) {
      b.fail(err);
    }
    return b.report;
  }

  async close(): Promise<void> {}
}
