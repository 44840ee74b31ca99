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
import { createHash } from 'node:crypto';
import { createReadStream, promises as fsp } from 'node:fs';
import { writeFileAtomic } from '../util/fs.js';
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
  await writeFileAtomic(file, Buffer.concat([INDEX_MAGIC, len, meta, idx.page1, idx.hashes]), 0o600);
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

export async function removeIndex(file: string): Promise<void> {
  await fsp.rm(file, { force: true });
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
