/**
 * The page-hash index of the last synced version, kept under $CORDIAX_HOME per remote target: enough to find the
 * pages a new snapshot changed without keeping a second full copy of the database (16 bytes a page: 2 MB for a
 * 500 MB database of 4 KiB pages), plus page 1 (whose header counters SQLite rewrites on every restore, so a pull can
 * rebuild the exact base from the live database, see rebuildBase).
 *
 * Why 16 bytes (the first 128 bits of each page's sha256) are enough: a hash is only ever compared with the hash of
 * the same page number in the previous version, so what matters is the chance that one changed page keeps its
 * truncated hash, 2^-128 per comparison (no birthday effect across pages). A million pages synced a million times is
 * 2^40 comparisons: 2^-88. And a wrong "unchanged" could not go unnoticed anyway: every patch carries the sha256 of
 * its whole result, which the pusher computes from the snapshot itself and every reader checks after applying.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, constants as fsc, promises as fsp } from 'node:fs';
import path from 'node:path';
import { fsyncDir } from '../util/fs.js';
import { MAX_PAGE_SIZE, PatchWriter } from './patch.js';

export const PAGE_HASH_BYTES = 16;
const INDEX_MAGIC = Buffer.from('CDXPIDX1', 'latin1');

export interface PageIndex {
  /** The remote version this index describes: its generation and the sha256 of its remote object. */
  generation: number;
  objectSha256: string;
  /** sha256 and size of that version's plaintext database file. */
  sha256: string;
  size: number;
  pageSize: number;
  pageCount: number;
  /** Page 1 verbatim. */
  page1: Buffer;
  /** PAGE_HASH_BYTES per page, page 1 first. */
  hashes: Buffer;
}

/** Page size from the SQLite header (bytes 16-17, big-endian; 1 means 65536). */
export function pageSizeOf(header: Buffer): number {
  const v = header.readUInt16BE(16);
  return v === 1 ? MAX_PAGE_SIZE : v;
}

/** Page hashes of a whole file (what an index holds besides the version it describes). */
export interface PageHashes {
  pageSize: number;
  pageCount: number;
  /** Page 1 verbatim. */
  page1: Buffer;
  /** PAGE_HASH_BYTES per page, page 1 first. */
  hashes: Buffer;
}

/**
 * Hashes the pages of an SQLite file fed to it in order, in chunks of any size: lets the one streamed read that
 * computes a snapshot's sha256 produce its page hashes too, instead of a second full read (scanDatabase).
 */
export class PageHasher {
  private pageSize = 0;
  private pageNo = 0;
  private hashes: Buffer;
  private page1: Buffer | null = null;
  private carry: Buffer | null = null;

  /** `fileSize`: the size of a file that does not grow while it is read (a private copy). */
  constructor(private readonly fileSize: number) {
    this.hashes = Buffer.alloc(0);
  }

  update(chunk: Buffer): void {
    let buf = chunk;
    if (this.carry) {
      buf = Buffer.concat([this.carry, buf]);
      this.carry = null;
    }
    if (!this.pageSize) {
      if (buf.length < 100) {
        this.carry = Buffer.from(buf);
        return;
      }
      this.pageSize = pageSizeOf(buf);
      this.hashes = Buffer.alloc(Math.ceil(this.fileSize / this.pageSize) * PAGE_HASH_BYTES);
    }
    const ps = this.pageSize;
    let off = 0;
    for (; off + ps <= buf.length; off += ps) {
      const page = buf.subarray(off, off + ps);
      this.pageNo++;
      const at = (this.pageNo - 1) * PAGE_HASH_BYTES;
      if (at + PAGE_HASH_BYTES > this.hashes.length) throw new Error('the file grew while it was read');
      createHash('sha256').update(page).digest().copy(this.hashes, at, 0, PAGE_HASH_BYTES);
      if (this.pageNo === 1) this.page1 = Buffer.from(page);
    }
    if (off < buf.length) this.carry = Buffer.from(buf.subarray(off));
  }

  /** The page hashes; throws unless the file was a whole number of pages. */
  finish(): PageHashes {
    if (this.carry || !this.page1) throw new Error(`not a whole number of ${this.pageSize}-byte pages`);
    return {
      pageSize: this.pageSize,
      pageCount: this.pageNo,
      page1: this.page1,
      hashes: this.hashes.subarray(0, this.pageNo * PAGE_HASH_BYTES),
    };
  }
}

/** Page `no` (1-based) has the same hash in `hashes` as in `prev` (false without one, or past its end). */
export function samePage(prev: PageIndex | null, hashes: Buffer, no: number): boolean {
  const at = (no - 1) * PAGE_HASH_BYTES;
  return (
    !!prev &&
    no <= prev.pageCount &&
    prev.hashes.compare(hashes, at, at + PAGE_HASH_BYTES, at, at + PAGE_HASH_BYTES) === 0
  );
}

export async function saveIndex(file: string, idx: PageIndex): Promise<void> {
  const meta = Buffer.from(
    JSON.stringify({
      generation: idx.generation,
      objectSha256: idx.objectSha256,
      sha256: idx.sha256,
      size: idx.size,
      pageSize: idx.pageSize,
      pageCount: idx.pageCount,
    }),
  );
  const len = Buffer.alloc(4);
  len.writeUInt32BE(meta.length, 0);
  // Written piece by piece: no second copy of the hashes (8 MB at 2 GB) in memory.
  const dir = path.dirname(file);
  await fsp.mkdir(dir, { recursive: true, mode: 0o700 });
  const tmp = path.join(dir, `.${path.basename(file)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
  const fh = await fsp.open(tmp, fsc.O_WRONLY | fsc.O_CREAT | fsc.O_EXCL, 0o600);
  try {
    for (const piece of [Buffer.concat([INDEX_MAGIC, len, meta, idx.page1]), idx.hashes])
      for (let off = 0; off < piece.length; ) off += (await fh.write(piece, off, piece.length - off)).bytesWritten;
    await fh.sync();
    await fh.close();
    await fsp.rename(tmp, file);
  } catch (err) {
    await fh.close().catch(() => {});
    await fsp.rm(tmp, { force: true });
    throw err;
  }
  await fsyncDir(dir);
}

/** Where a push saves the index of what it sends, just before committing it (see loadCurrentIndex). */
export function pendingIndexFile(file: string): string {
  return `${file}.pending`;
}

/**
 * The index, or the one written just before a push whose process died after committing it (then promoted): a
 * crash between the commit and the push's bookkeeping costs nothing, instead of one whole upload.
 */
export async function loadCurrentIndex(file: string, wanted: (i: PageIndex) => boolean): Promise<PageIndex | null> {
  const idx = await loadIndex(file);
  if (idx && wanted(idx)) return idx;
  const pending = await loadIndex(pendingIndexFile(file));
  if (!pending || !wanted(pending)) return idx;
  await saveIndex(file, pending);
  await fsp.rm(pendingIndexFile(file), { force: true });
  return pending;
}

/**
 * The index for a push on top of `head`: `found` is whatever index there is (loadCurrentIndex), `usable` the same
 * when it describes `head` (its generation and object), the base a patch can be made from; both null without a head.
 */
export async function indexForHead(
  file: string,
  head: { generation: number; sha256: string } | null | undefined,
): Promise<{ found: PageIndex | null; usable: PageIndex | null }> {
  if (!head) return { found: null, usable: null };
  const describes = (i: PageIndex) => i.generation === head.generation && i.objectSha256 === head.sha256;
  const found = await loadCurrentIndex(file, describes);
  return { found, usable: found && describes(found) ? found : null };
}

/** The index, or null when missing or unreadable (a damaged index only costs one full transfer). */
export async function loadIndex(file: string): Promise<PageIndex | null> {
  try {
    const b = await fsp.readFile(file);
    if (!b.subarray(0, 8).equals(INDEX_MAGIC)) return null;
    const n = b.readUInt32BE(8);
    const m = JSON.parse(b.subarray(12, 12 + n).toString('utf8')) as Omit<PageIndex, 'page1' | 'hashes'>;
    const p1 = 12 + n;
    const page1 = b.subarray(p1, p1 + m.pageSize);
    const hashes = b.subarray(p1 + m.pageSize);
    if (page1.length !== m.pageSize || hashes.length !== m.pageCount * PAGE_HASH_BYTES) return null;
    return { ...m, page1, hashes };
  } catch {
    return null;
  }
}

export interface ScanResult {
  /** The new index (generation and objectSha256 are filled in once the version is committed). */
  index: PageIndex;
  sha256: string;
  size: number;
  /** Pages that differ from `previous` (all pages when there was none). */
  changedPages: number;
  /** The patch from `previous` to this file, when one was asked for and the page sizes match. */
  patch?: { path: string; size: number; pages: number };
}

/**
 * Reads an SQLite file once: its sha256, its page hashes and, given the previous version's index and a path, the
 * patch from that version to this file. Pages are read in 1 MiB runs; memory stays flat in the database size (the
 * index itself is 16 bytes a page).
 */
export async function scanDatabase(
  file: string,
  opts: { previous?: PageIndex | null; patchPath?: string } = {},
): Promise<ScanResult> {
  const fh = await fsp.open(file, 'r');
  let pageSize: number;
  let expected: number;
  try {
    const head = Buffer.alloc(100);
    await fh.read(head, 0, 100, 0);
    pageSize = pageSizeOf(head);
    expected = (await fh.stat()).size;
  } finally {
    await fh.close();
  }
  const prev = opts.previous && opts.previous.pageSize === pageSize ? opts.previous : null;
  const writer = prev && opts.patchPath ? new PatchWriter(opts.patchPath, pageSize) : null;
  const full = createHash('sha256');
  // One buffer for all page hashes (a private snapshot does not grow while it is read; checked below).
  const hashes = Buffer.alloc(Math.ceil(expected / pageSize) * PAGE_HASH_BYTES);
  let page1: Buffer | null = null;
  let pageNo = 0;
  let size = 0;
  let changed = 0;
  let carry: Buffer | null = null;
  const onPage = async (page: Buffer) => {
    pageNo++;
    if (pageNo * PAGE_HASH_BYTES > hashes.length) throw new Error('the file grew while it was read');
    const h = hashes.subarray((pageNo - 1) * PAGE_HASH_BYTES, pageNo * PAGE_HASH_BYTES);
    createHash('sha256').update(page).digest().copy(h, 0, 0, PAGE_HASH_BYTES);
    if (pageNo === 1) page1 = Buffer.from(page);
    const before =
      prev && pageNo <= prev.pageCount
        ? prev.hashes.subarray((pageNo - 1) * PAGE_HASH_BYTES, pageNo * PAGE_HASH_BYTES)
        : null;
    if (!before?.equals(h)) {
      changed++;
      if (writer) await writer.add(pageNo, page);
    }
  };
  try {
    for await (const chunk of createReadStream(file, { highWaterMark: 1024 * 1024 })) {
      let buf = chunk as Buffer;
      full.update(buf);
      size += buf.length;
      if (carry) {
        buf = Buffer.concat([carry, buf]);
        carry = null;
      }
      let off = 0;
      for (; off + pageSize <= buf.length; off += pageSize) await onPage(buf.subarray(off, off + pageSize));
      if (off < buf.length) carry = Buffer.from(buf.subarray(off));
    }
    // A file that is not a whole number of pages is not a database SQLite wrote: no index, no patch.
    if (carry || !page1) throw new Error(`not a whole number of ${pageSize}-byte pages`);
    const sha256 = full.digest('hex');
    const index: PageIndex = {
      generation: 0,
      objectSha256: '',
      sha256,
      size,
      pageSize,
      pageCount: pageNo,
      page1,
      hashes: hashes.subarray(0, pageNo * PAGE_HASH_BYTES),
    };
    let patch: ScanResult['patch'];
    if (writer && prev && opts.patchPath) {
      const psize = await writer.finish({
        pagesBefore: prev.pageCount,
        pagesAfter: pageNo,
        baseSha256: prev.sha256,
        resultSha256: sha256,
      });
      patch = { path: opts.patchPath, size: psize, pages: writer.pages };
    }
    return { index, sha256, size, changedPages: changed, ...(patch ? { patch } : {}) };
  } catch (err) {
    writer?.abort();
    if (opts.patchPath) await fsp.rm(opts.patchPath, { force: true });
    throw err;
  }
}

/**
 * Scans a private snapshot: only its changed pages are read again when its page hashes came with its sha256 (one
 * read, see takeSnapshot's pageHashes), the whole file otherwise.
 */
export function scanSnapshot(
  snap: { path: string; sha256: string; size: number; pages?: PageHashes },
  opts: { previous?: PageIndex | null; patchPath?: string } = {},
): Promise<ScanResult> {
  return snap.pages
    ? scanKnown(snap.path, { sha256: snap.sha256, size: snap.size, pages: snap.pages }, opts)
    : scanDatabase(snap.path, opts);
}

/**
 * scanDatabase for a file whose sha256 and page hashes are known already (a snapshot hashed them in the read that
 * took its sha256): only the pages that differ from `previous` are read, to write the patch. Same result as
 * scanDatabase on a file that did not change since it was hashed (a private snapshot nothing else writes; and the
 * patch's result hash, which every reader checks after applying, is this sha256).
 */
export async function scanKnown(
  file: string,
  known: { sha256: string; size: number; pages: PageHashes },
  opts: { previous?: PageIndex | null; patchPath?: string } = {},
): Promise<ScanResult> {
  const { pageSize, pageCount, page1, hashes } = known.pages;
  const prev = opts.previous && opts.previous.pageSize === pageSize ? opts.previous : null;
  const writer = prev && opts.patchPath ? new PatchWriter(opts.patchPath, pageSize) : null;
  const index: PageIndex = {
    generation: 0,
    objectSha256: '',
    sha256: known.sha256,
    size: known.size,
    pageSize,
    pageCount,
    page1,
    hashes,
  };
  let changed = 0;
  const fh = writer ? await fsp.open(file, 'r') : null;
  try {
    for (let no = 1; no <= pageCount; no++) {
      if (samePage(prev, hashes, no)) continue;
      changed++;
      if (!writer || !fh) continue;
      const page = Buffer.alloc(pageSize); // one per page: the deflate stream may hold it until it is compressed
      const { bytesRead } = await fh.read(page, 0, pageSize, (no - 1) * pageSize);
      if (bytesRead !== pageSize) throw new Error('the file shrank after it was hashed');
      await writer.add(no, page);
    }
    let patch: ScanResult['patch'];
    if (writer && prev && opts.patchPath) {
      const psize = await writer.finish({
        pagesBefore: prev.pageCount,
        pagesAfter: pageCount,
        baseSha256: prev.sha256,
        resultSha256: known.sha256,
      });
      patch = { path: opts.patchPath, size: psize, pages: writer.pages };
    }
    return { index, sha256: known.sha256, size: known.size, changedPages: changed, ...(patch ? { patch } : {}) };
  } catch (err) {
    writer?.abort();
    if (opts.patchPath) await fsp.rm(opts.patchPath, { force: true });
    throw err;
  } finally {
    await fh?.close();
  }
}
