/**
 * Page patches on the sync server (protocol 2 feature 'patch'; format src/delta/patch.ts). The server always stores
 * whole databases (so protocol 1, the spec's Flask-compatible path and older clients see nothing new); patches only
 * travel:
 *   - a push's patch is applied to a copy of the stored head (streamed: the copy, then the changed pages, then the
 *     page count), the result checked (sha256 as announced, a sound SQLite file) and committed as any upload;
 *   - a pull's patch is the page diff between two stored versions (page by page, streamed), kept for a while in
 *     <storage>/<databaseId>/patches/ within a disk budget, and read in ranges like a version.
 * Memory stays at a few pages whatever the database size.
 */
import { createHash, randomBytes } from 'node:crypto';
import { promises as fsp, constants as fsc } from 'node:fs';
import path from 'node:path';
import { pageSizeOf } from '../delta/page-index.js';
import { PatchWriter, readPatchHeader, writePatchPages } from '../delta/patch.js';
import { SyncError } from '../errors.js';
import { msg } from '../messages/index.js';
import { readRange } from '../util/fs.js';
import { sha256File } from '../util/hash.js';
import type { RemoteManifest } from '../transports/types.js';
import { PATCH_ID_RE } from '../transports/socketio/protocol.js';
import { StoreError } from './store-error.js';

/** Bounds on the pull patches the server keeps. */
export interface PatchLimits {
  /** A patch not asked for this long is deleted. */
  ttlMs: number;
  /** Bytes all kept patches may take together (oldest go first). */
  budgetBytes: number;
  /** A patch larger than this fraction of its database is refused: the client downloads the whole file. */
  maxFraction: number;
}

export const DEFAULT_PATCH_LIMITS: PatchLimits = { ttlMs: 15 * 60_000, budgetBytes: 512 * 1024 ** 2, maxFraction: 0.5 };

const SQLITE_MAGIC = Buffer.from('SQLite format 3\0', 'latin1');
const pad = (n: number) => String(n).padStart(6, '0');
const refused = (text: ReturnType<typeof msg>) => new StoreError('PATCH_REFUSED', text);

/**
 * Applies a pushed patch to a copy of the stored head `headFile` (whose sha256 is `head.sha256`) into `outFile`,
 * and checks that the result hashes to `result.sha256` with `result.size` bytes. Throws PATCH_REFUSED on any
 * mismatch (the client then sends the whole database); `outFile` is removed on failure.
 */
export async function applyPushedPatch(
  patchFile: string,
  headFile: string,
  head: Pick<RemoteManifest, 'sha256' | 'encrypted'>,
  result: { sha256: string; size: number },
  outFile: string,
): Promise<void> {
  try {
    if (head.encrypted) throw refused(msg('siodelta.patch_encrypted_head'));
    let h: Awaited<ReturnType<typeof readPatchHeader>>;
    try {
      h = await readPatchHeader(patchFile);
    } catch (err) {
      if (err instanceof SyncError) throw refused(err.text);
      throw err;
    }
    const why =
      h.baseSha256 !== head.sha256
        ? 'base'
        : h.resultSha256 !== result.sha256
          ? 'result-hash'
          : h.pagesAfter * h.pageSize !== result.size
            ? 'result-size'
            : null;
    if (why) throw refused(msg('siodelta.patch_result_mismatch', { reason: why }));
    // A reflink where the file system has them, else a plain copy: the head itself is never written.
    await fsp.copyFile(headFile, outFile, fsc.COPYFILE_FICLONE);
    await fsp.chmod(outFile, 0o600);
    try {
      await writePatchPages(patchFile, outFile);
    } catch (err) {
      if (err instanceof SyncError) throw refused(err.text);
      throw err;
    }
    const got = await sha256File(outFile);
    if (got.sha256 !== result.sha256 || got.size !== result.size)
      throw refused(msg('siodelta.patch_result_mismatch', { reason: 'applied-hash' }));
  } catch (err) {
    await fsp.rm(outFile, { force: true });
    throw err;
  }
}

export interface BuiltPatch {
  patchId: string;
  size: number;
  sha256: string;
  pages: number;
}

/** Pull patches between stored versions: built once, kept for `ttlMs`, read in ranges. */
export class PatchCache {
  private building = new Map<string, Promise<BuiltPatch>>();
  private known = new Map<string, BuiltPatch>();
  /** One build at a time in this process: each reads two whole versions. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly root: string,
    readonly limits: PatchLimits = DEFAULT_PATCH_LIMITS,
  ) {}

  private dir(databaseId: string): string {
    return path.join(this.root, databaseId, 'patches');
  }

  /** The patch from `from` to `to` (stored files `fromFile`, `toFile`), built now or taken from the cache. */
  get(
    databaseId: string,
    from: { generation: number; sha256: string; file: string; size: number },
    to: { generation: number; sha256: string; file: string; size: number },
  ): Promise<BuiltPatch> {
    const key = createHash('sha256').update(`${databaseId}\n${from.sha256}\n${to.sha256}`).digest('hex').slice(0, 32);
    const patchId = `${pad(from.generation)}-${pad(to.generation)}-${key}`;
    const file = path.join(this.dir(databaseId), `${patchId}.patch`);
    const cacheKey = `${databaseId}/${patchId}`;
    const inFlight = this.building.get(cacheKey);
    if (inFlight) return inFlight;
    const run = (async () => {
      const known = this.known.get(cacheKey);
      const st = await fsp.stat(file).catch(() => null);
      if (known && st?.size === known.size) {
        const now = new Date();
        await fsp.utimes(file, now, now).catch(() => undefined); // asked again: kept longer
        return known;
      }
      const next = this.queue.catch(() => undefined).then(() => this.build(databaseId, from, to, file, patchId));
      this.queue = next;
      const built = await next;
      this.known.set(cacheKey, built);
      return built;
    })().finally(() => this.building.delete(cacheKey));
    this.building.set(cacheKey, run);
    return run;
  }

  private async build(
    databaseId: string,
    from: { sha256: string; file: string },
    to: { sha256: string; file: string; size: number },
    file: string,
    patchId: string,
  ): Promise<BuiltPatch> {
    const dir = this.dir(databaseId);
    await fsp.mkdir(dir, { recursive: true, mode: 0o700 });
    await this.makeRoom(dir, 0);
    const tmp = `${file}.tmp-${randomBytes(6).toString('hex')}`;
    const base = path.join(this.root, databaseId, from.file);
    const next = path.join(this.root, databaseId, to.file);
    const a = await fsp.open(base, 'r');
    const b = await fsp.open(next, 'r');
    let writer: PatchWriter | null = null;
    try {
      const ha = Buffer.alloc(100);
      const hb = Buffer.alloc(100);
      await a.read(ha, 0, 100, 0);
      await b.read(hb, 0, 100, 0);
      // Both must be plaintext SQLite files (an old version may be ciphertext if encryption was turned off since).
      if (!ha.subarray(0, 16).equals(SQLITE_MAGIC) || !hb.subarray(0, 16).equals(SQLITE_MAGIC))
        throw new StoreError('PATCH_REFUSED', msg('siodelta.patch_encrypted_head'));
      const pageSize = pageSizeOf(hb);
      const sizes = [(await a.stat()).size, (await b.stat()).size];
      if (pageSizeOf(ha) !== pageSize || sizes[0] % pageSize !== 0 || sizes[1] % pageSize !== 0)
        throw new StoreError('PATCH_REFUSED', msg('siodelta.patch_not_worth'));
      const pagesBefore = sizes[0] / pageSize;
      const pagesAfter = sizes[1] / pageSize;
      writer = new PatchWriter(tmp, pageSize);
      // Runs of pages from both files at the same offsets (1 MiB, whole pages).
      const run = Math.max(1, Math.floor((1024 * 1024) / pageSize)) * pageSize;
      const ra = Buffer.alloc(run);
      const rb = Buffer.alloc(run);
      for (let off = 0; off < sizes[1]; off += run) {
        const len = Math.min(run, sizes[1] - off);
        const { bytesRead: gotB } = await b.read(rb, 0, len, off);
        const lenA = Math.max(0, Math.min(len, sizes[0] - off));
        const { bytesRead: gotA } = lenA > 0 ? await a.read(ra, 0, lenA, off) : { bytesRead: 0 };
        if (gotB !== len || gotA !== lenA) throw new StoreError('INTERNAL', msg('server.stored_version_truncated'));
        for (let p = 0; p < len; p += pageSize) {
          const page = rb.subarray(p, p + pageSize);
          if (p + pageSize <= gotA && ra.compare(rb, p, p + pageSize, p, p + pageSize) === 0) continue;
          // A copy: the deflate stream may hold the page until it is compressed, and the run buffer is reused.
          await writer.add((off + p) / pageSize + 1, Buffer.from(page));
        }
      }
      const size = await writer.finish({ pagesBefore, pagesAfter, baseSha256: from.sha256, resultSha256: to.sha256 });
      const pages = writer.pages;
      writer = null;
      if (size > this.limits.maxFraction * to.size)
        throw new StoreError('PATCH_REFUSED', msg('siodelta.patch_not_worth'));
      await this.makeRoom(dir, size);
      const { sha256 } = await sha256File(tmp);
      await fsp.rename(tmp, file);
      return { patchId, size, sha256, pages };
    } catch (err) {
      writer?.abort();
      throw err;
    } finally {
      await fsp.rm(tmp, { force: true });
      await a.close();
      await b.close();
    }
  }

  /** Deletes the oldest kept patches until `adding` more bytes fit the budget; refuses when they never can. */
  private async makeRoom(dir: string, adding: number): Promise<void> {
    if (adding > this.limits.budgetBytes) throw new StoreError('STORAGE', msg('siodelta.patch_no_room'));
    const kept: Array<{ file: string; size: number; mtime: number }> = [];
    for (const f of await fsp.readdir(dir).catch(() => [] as string[])) {
      if (!f.endsWith('.patch')) continue;
      const st = await fsp.stat(path.join(dir, f)).catch(() => null);
      if (st) kept.push({ file: path.join(dir, f), size: st.size, mtime: st.mtimeMs });
    }
    kept.sort((x, y) => x.mtime - y.mtime);
    let total = kept.reduce((n, k) => n + k.size, 0);
    for (const k of kept) {
      if (total + adding <= this.limits.budgetBytes) break;
      await fsp.rm(k.file, { force: true });
      total -= k.size;
    }
  }

  /** A range of a kept patch. */
  async read(
    databaseId: string,
    patchId: unknown,
    offset: number,
    length: number,
  ): Promise<{ data: Buffer; size: number }> {
    if (typeof patchId !== 'string' || !PATCH_ID_RE.test(patchId))
      throw new StoreError('BAD_REQUEST', msg('server.invalid_request', { what: 'patchId' }));
    const fh = await fsp.open(path.join(this.dir(databaseId), `${patchId}.patch`), 'r').catch((err) => {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT')
        throw new StoreError('NOT_FOUND', msg('siodelta.patch_unknown'));
      throw err;
    });
    try {
      const size = (await fh.stat()).size;
      if (offset < 0 || offset > size) throw new StoreError('BAD_REQUEST', msg('server.offset_outside_file'));
      const want = Math.min(length, size - offset);
      const data = await readRange(fh, offset, want);
      if (data.length !== want) throw new StoreError('INTERNAL', msg('server.stored_version_truncated'));
      return { data, size };
    } finally {
      await fh.close();
    }
  }

  /** Deletes patches (and leftovers of builds) untouched for `ttlMs`. */
  async sweep(): Promise<void> {
    const now = Date.now();
    for (const id of await fsp.readdir(this.root).catch(() => [] as string[])) {
      const dir = this.dir(id);
      for (const f of await fsp.readdir(dir).catch(() => [] as string[])) {
        const st = await fsp.stat(path.join(dir, f)).catch(() => null);
        if (st && now - st.mtimeMs > this.limits.ttlMs) await fsp.rm(path.join(dir, f), { force: true });
      }
    }
    for (const [k, v] of this.known) {
      const [id, patchId] = k.split('/');
      const st = await fsp.stat(path.join(this.dir(id), `${patchId}.patch`)).catch(() => null);
      if (st?.size !== v.size) this.known.delete(k);
    }
  }
}
