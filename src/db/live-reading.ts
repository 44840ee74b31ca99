/**
 * A live reading: the hashes, page hashes, quick_check, row count and delta patch of the live database read in place,
 * with no copy. What a snapshot (snapshot.ts) gives for the same content, byte for byte (test/live-reading.test.ts),
 * for about half its cost: a 1-row push of a 470 MB database no longer writes 470 MB to a temp file and reads them
 * back (issue 11: a sync's cost follows the size of the change, measured against one `sqlite3 .backup`).
 *
 * Why the database file is then a consistent copy (the data-safety notes forbid a plain copy of a busy database):
 *   1. `PRAGMA data_version` on our connection; `PRAGMA wal_checkpoint(PASSIVE)` must report every WAL frame copied
 *      into the database file (in rollback-journal mode there is no WAL and the file is the database);
 *   2. a read transaction is opened and held: in rollback mode its SHARED lock keeps every writer out of the file;
 *   3. everything is read (workers hash the file; this thread runs quick_check and counts rows through the held
 *      transaction, so they see exactly its content), the patch pages are copied out;
 *   4. the transaction ends and `data_version` must be unchanged: SQLite documents that it changes when any other
 *      connection committed in between. No commit since 1 and a WAL fully copied at 1 mean the file held the last
 *      committed content all along, and no checkpoint had anything to write into it. The file's identity, size and
 *      time must not have moved either (a file replaced behind SQLite's back).
 * Anything else (frames a reader keeps from being copied, a commit meanwhile, an error) returns null and the caller
 * takes a snapshot as before: a reading is an optimisation, never a second way to be right.
 *
 * Page 1 is never taken from the file as it is: the header fields a fresh copy rewrites are set as takeSnapshot sets
 * them (normalizeHeaderBytes). SQLite's lock-byte page (at 1 GiB, never written by SQLite and left a hole in a copy)
 * is hashed as zeros, as in a copy; on Windows it is also the one range SQLite locks, so it is never read.
 */
import { randomBytes } from 'node:crypto';
import { fstatSync, promises as fsp, readSync, statSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { type PageHashes, type PageIndex, pageSizeOf, samePage } from '../delta/page-index.js';
import { PatchWriter } from '../delta/patch.js';
import { privateTempDir } from '../util/temp.js';
import { checkInWorker, hashPagesInWorker } from './file-hasher.js';
import { liveFd } from './held-fd.js';
import { contentHead, countRowsIn, normalizeHeader, normalizeHeaderBytes, SMALL_CACHE } from './snapshot.js';

/** Byte offset of SQLite's lock-byte page (PENDING_BYTE, 0x40000000 in every build we ship). */
const PENDING_BYTE = 0x40000000;

export interface LivePages {
  /** sha256 of the bytes a snapshot of this content would have. */
  sha256: string;
  contentSha256: string;
  size: number;
  pages: PageHashes;
  rows: number;
  /** The patch from `against` to this content, built inside the reading (absent without a usable index). */
  patch?: { path: string; size: number; pages: number; against: { generation: number; objectSha256: string } };
  /** Pages that differ from `against` (all of them without one). */
  changedPages: number;
  /** Removes the patch, if any. */
  dispose(): Promise<void>;
}

/** Why a reading gave way to a snapshot (debug log and tests). */
export type ReadingRefusal = 'wal-not-copied' | 'committed-meanwhile' | 'file-moved' | 'check-failed' | 'error';

/** Identity, size and time of the database file: what a rename over it or a write behind SQLite would move. */
function fileIdentity(file: string): string {
  const st = statSync(file, { bigint: true });
  return `${st.dev}:${st.ino}:${st.size}:${st.mtimeNs}`;
}

/**
 * Reads the live database in place (see the top of this file). `against`: the index of the remote head, to build the
 * patch from it while the database is held still. Resolves null when a snapshot must be taken instead; `refused`
 * learns why.
 */
export async function readLivePages(
  dbPath: string,
  opts: {
    tmpParent?: string;
    against?: PageIndex | null;
    busyTimeoutMs?: number;
    refused?: (why: ReadingRefusal, detail?: string) => void;
    /**
     * Also copy the database there (a new file in a private folder), through the held read transaction, while the
     * workers hash: a snapshot of exactly the content read, for a whole upload, with no second read to hash it.
     */
    copyTo?: string;
    /** Tests: runs inside the held read transaction, after the hashes and before the final checks. */
    inside?: () => void | Promise<void>;
  } = {},
): Promise<LivePages | null> {
  const refuse = (why: ReadingRefusal, detail?: string) => {
    opts.refused?.(why, detail);
    return null;
  };
  let db: Database.Database;
  try {
    db = new Database(dbPath, { fileMustExist: true, timeout: opts.busyTimeoutMs ?? 10000 });
  } catch (err) {
    return refuse('error', (err as Error).message);
  }
  let tmp: Awaited<ReturnType<typeof privateTempDir>> | null = null;
  let result: LivePages | null = null;
  let handed = false;
  let held: ReturnType<typeof liveFd> = null;
  try {
    db.pragma(SMALL_CACHE);
    const before = db.pragma('data_version', { simple: true }) as number;
    const ck = (db.pragma('wal_checkpoint(PASSIVE)') as Array<{ busy: number; log: number; checkpointed: number }>)[0];
    if (ck?.busy !== 0 || ck.log !== ck.checkpointed) return refuse('wal-not-copied', JSON.stringify(ck));
    db.exec('BEGIN');
    try {
      db.prepare('SELECT count(*) FROM sqlite_schema').pluck().get(); // takes the read lock: the database is held
      const pageSize = db.pragma('page_size', { simple: true }) as number;
      const pageCount = db.pragma('page_count', { simple: true }) as number;
      const identity = fileIdentity(dbPath);
      held = liveFd(dbPath); // never closed on POSIX: see held-fd.ts
      if (held === null) return refuse('file-moved', 'cannot open');
      const fd = held.fd;
      const readAt = (buf: Buffer, pos: number) => {
        let got = 0;
        while (got < buf.length) {
          const n = readSync(fd, buf, got, buf.length - got, pos + got);
          if (n === 0) break;
          got += n;
        }
        return got;
      };
      if (fstatSync(fd).size < pageCount * pageSize) return refuse('file-moved', 'shorter than page_count');
      if (fileIdentity(dbPath) !== identity) return refuse('file-moved');
      const page1 = Buffer.alloc(pageSize);
      if (readAt(page1, 0) !== pageSize || pageSizeOf(page1) !== pageSize) return refuse('file-moved', 'page 1');
      const head = normalizeHeaderBytes(page1, pageCount);
      const zeroPage = pageCount * pageSize > PENDING_BYTE ? PENDING_BYTE / pageSize + 1 : 0;
      const job = { fd, pageSize, pageCount, zeroPage };
      // Three full reads side by side: the two whole-file hashes on one worker, the page hashes on the other,
      // quick_check and the row count here (through the held transaction: the same content).
      const wholes = hashPagesInWorker({ ...job, heads: [head, contentHead(head)], pages: false }, 0);
      const perPage = hashPagesInWorker({ ...job, heads: [], pages: true, page1: head }, 1);
      wholes.catch(() => {});
      perPage.catch(() => {});
      let checked = false;
      let rows = 0;
      // With a copy to take, quick_check runs on the second worker after the page hashes, on its own connection:
      // opened inside this window, it sees the same content as long as nobody commits, which the final
      // data_version check proves.
      const inWorker = opts.copyTo ? checkInWorker(dbPath, opts.busyTimeoutMs ?? 10000, 1) : null;
      inWorker?.catch(() => {});
      try {
        if (opts.copyTo) {
          // The copy for a whole upload, through the held transaction: the very content hashed on the workers.
          await copyHeld(db, opts.copyTo);
          checked = await inWorker!;
        } else {
          const r = db.pragma('quick_check') as Array<Record<string, string>>;
          checked = r.length === 1 && Object.values(r[0]!)[0] === 'ok';
        }
        if (checked) rows = countRowsIn(db);
      } finally {
        await Promise.allSettled([wholes, perPage, ...(inWorker ? [inWorker] : [])]);
      }
      if (!checked) return refuse('check-failed');
      const [
        {
          wholes: [sha256, contentSha256],
        },
        { hashes },
      ] = await Promise.all([wholes, perPage]);
      const pages: PageHashes = { pageSize, pageCount, page1: head, hashes: hashes! };

      // The patch from the remote head's index, its pages copied out while the database is still held.
      const prev = opts.against && opts.against.pageSize === pageSize ? opts.against : null;
      let changed = 0;
      let patch: LivePages['patch'];
      if (prev) tmp = await privateTempDir(opts.tmpParent);
      const patchPath = tmp ? path.join(tmp.dir, `pages-${randomBytes(4).toString('hex')}.patch`) : null;
      const w = prev && patchPath ? new PatchWriter(patchPath, pageSize) : null;
      try {
        for (let no = 1; no <= pageCount; no++) {
          if (samePage(prev, hashes!, no)) continue;
          changed++;
          if (!w) continue;
          let page: Buffer;
          if (no === 1) page = Buffer.from(head);
          else if (no === zeroPage) page = Buffer.alloc(pageSize);
          else {
            page = Buffer.alloc(pageSize); // one per page: the deflate stream may hold it until it is compressed
            if (readAt(page, (no - 1) * pageSize) !== pageSize)
              throw new Error('the database is shorter than its page count');
          }
          await w.add(no, page);
        }
        if (w && prev && patchPath) {
          const psize = await w.finish({
            pagesBefore: prev.pageCount,
            pagesAfter: pageCount,
            baseSha256: prev.sha256,
            resultSha256: sha256!,
          });
          patch = {
            path: patchPath,
            size: psize,
            pages: w.pages,
            against: { generation: prev.generation, objectSha256: prev.objectSha256 },
          };
        }
      } catch (err) {
        w?.abort();
        throw err;
      }
      await opts.inside?.();
      const now = fileIdentity(dbPath);
      if (now !== identity) return refuse('file-moved', `${identity} -> ${now}`);
      const patchDir = tmp as Awaited<ReturnType<typeof privateTempDir>> | null; // `tmp` as it is now
      result = {
        sha256: sha256!,
        contentSha256: contentSha256!,
        size: pageCount * pageSize,
        pages,
        rows,
        ...(patch ? { patch } : {}),
        changedPages: changed,
        dispose: async () => {
          await patchDir?.dispose();
        },
      };
    } finally {
      db.exec('COMMIT');
    }
    if ((db.pragma('data_version', { simple: true }) as number) !== before) return refuse('committed-meanwhile');
    handed = true;
    return result;
  } catch (err) {
    return refuse('error', (err as Error).message);
  } finally {
    db.close();
    held?.release(); // after the workers: they read through it
    if (!handed) await tmp?.dispose().catch(() => {});
  }
}

/**
 * The backup API from a connection inside its read transaction copies that transaction's content (the step opens no
 * transaction of its own), all pages in one step; then the header as takeSnapshot leaves it.
 */
async function copyHeld(db: Database.Database, out: string): Promise<void> {
  const r = await db.backup(out, { progress: () => 0x7fffffff });
  if (r.totalPages === 0) throw new Error('the copy got no pages');
  await normalizeHeader(out);
  await fsp.chmod(out, 0o600);
  await fsp.rm(`${out}-journal`, { force: true });
}
