/**
 * Consistent copies of the live database, taken only through SQLite (never as a file copy: a copy of a busy
 * database is torn or stale, see the notes), plus integrity checks and the safe restore into a live database.
 */
import { randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { SyncError } from '../errors.js';
import { replaceLiveDatabase } from './live.js';
import { PageHasher, pageSizeOf, type PageHashes } from '../delta/page-index.js';
import { hashFileInWorker } from './file-hasher.js';

export const SQLITE_HEADER = Buffer.from('SQLite format 3\0', 'latin1');

/**
 * Page cache of our own short-lived connections (copies, checks, counts): each reads every page once, so the 16 MB
 * better-sqlite3 gives a connection by default only adds to the process's peak memory (issue 11: RSS flat in the
 * database size, under 150 MB). 2 MiB measured as fast for backup steps, quick_check and counts.
 */
export const SMALL_CACHE = 'cache_size = -2048';

// Temp folders live under $CORDIAX_HOME/tmp (util/temp.ts); re-exported for the callers that import them from here.
import { privateTempDir } from '../util/temp.js';
export { privateTempDir };

export { sha256File } from '../util/hash.js';
import { readFileInPieces } from '../util/hash.js';
import { createHash } from 'node:crypto';
import { msg } from '../messages/index.js';

/**
 * Header fields SQLite rewrites without any change of content: the journal mode (18-19: WAL or not, which a backup
 * copies from its source and an app may switch at will), the file change counter (24), the schema cookie (40: a
 * backup into a live database bumps it so other connections re-read the schema), version-valid-for and the library
 * version (92). Zeroed for the content hash only.
 */
export const VOLATILE_HEADER_RANGES: Array<[number, number]> = [
  [18, 20],
  [24, 28],
  [40, 44],
  [92, 100],
];

/**
 * Hashes an SQLite file in one streamed pass: `sha256` of the exact bytes (what is uploaded and verified remotely) and
 * `contentSha256` with the volatile header fields zeroed (what says whether the local content changed: a snapshot of
 * a database restored from file F hashes like a snapshot of F except for the schema cookie).
 */
export async function hashSqliteFile(
  file: string,
  opts: { pageHashes?: boolean; contentOnly?: boolean } = {},
): Promise<{ sha256: string; contentSha256: string; size: number; pages?: PageHashes }> {
  const raw = opts.contentOnly ? null : createHash('sha256');
  const content = new ContentHasher();
  const pager = opts.pageHashes ? new PageHasher((await fsp.stat(file)).size) : null;
  await readFileInPieces(file, (buf) => {
    raw?.update(buf);
    pager?.update(buf);
    content.update(buf);
  });
  const pages = pager?.finish();
  return {
    sha256: raw?.digest('hex') ?? '',
    contentSha256: content.digest(),
    size: content.size,
    ...(pages ? { pages } : {}),
  };
}

/**
 * hashSqliteFile split over two threads, plus the integrity check: the worker (file-hasher.ts) takes the sha256 and
 * the page hashes while this thread takes the content hash and then, unless `skipCheck` says this content was
 * verified here before, `quick_check`. All four are full passes over the file; side by side they cost about half.
 * Throws like verifyDatabase when the check fails. `file` must not change meanwhile (a private copy).
 */
export async function analyzeSqliteFile(
  file: string,
  opts: {
    pageHashes?: boolean;
    check?: boolean;
    skipCheck?: (contentSha256: string) => boolean;
    /** A failed check is reported as `checked: false` instead of thrown (the caller decides, see applyChain). */
    reportCheck?: boolean;
  } = {},
): Promise<{ sha256: string; contentSha256: string; size: number; pages?: PageHashes; checked: boolean }> {
  const inWorker = hashFileInWorker(file, { pages: opts.pageHashes });
  inWorker.catch(() => {}); // awaited below; a failure here must not surface as unhandled meanwhile
  let contentSha256: string;
  let checked = false;
  try {
    contentSha256 = await contentSha256Of(file);
    if (opts.check !== false && !opts.skipCheck?.(contentSha256)) {
      try {
        await verifyDatabase(file);
        checked = true;
      } catch (err) {
        if (!opts.reportCheck) throw err;
      }
    }
  } finally {
    await inWorker.catch(() => {}); // never leave the worker reading a file the caller is about to remove
  }
  const { sha256, size, pages } = await inWorker;
  return { sha256, contentSha256, size, ...(pages ? { pages } : {}), checked };
}

/** contentSha256 (see hashSqliteFile) alone, read with one reused buffer. */
export async function contentSha256Of(file: string): Promise<string> {
  const content = new ContentHasher();
  await readFileInPieces(file, (buf) => content.update(buf));
  return content.digest();
}

/** contentSha256 (see hashSqliteFile) of bytes fed in order. */
class ContentHasher {
  private readonly hash = createHash('sha256');
  size = 0;

  update(buf: Buffer): void {
    if (this.size < 100) {
      const copy = Buffer.from(buf);
      for (const [a, b] of VOLATILE_HEADER_RANGES)
        if (a - this.size < copy.length)
          copy.fill(0, Math.max(0, a - this.size), Math.max(0, Math.min(copy.length, b - this.size)));
      this.hash.update(copy);
    } else {
      this.hash.update(buf);
    }
    this.size += buf.length;
  }

  digest(): string {
    return this.hash.digest('hex');
  }
}

/** Page 1 (or its first 100 bytes) as the content hash sees it: a copy with the volatile header fields zeroed. */
export function contentHead(page1: Buffer): Buffer {
  const copy = Buffer.from(page1);
  for (const [a, b] of VOLATILE_HEADER_RANGES) copy.fill(0, a, b);
  return copy;
}

let versionNumber: number | undefined;
/** SQLITE_VERSION_NUMBER of the SQLite we run (what its pager writes at header offset 96 on every commit). */
export function sqliteVersionNumber(): number {
  if (versionNumber === undefined) {
    const db = new Database(':memory:');
    try {
      const [a, b, c] = String(db.prepare('SELECT sqlite_version()').pluck().get())
        .split('.')
        .map((x) => Number(x));
      versionNumber = a! * 1_000_000 + b! * 1000 + (c ?? 0);
    } finally {
      db.close();
    }
  }
  return versionNumber;
}

/**
 * Page 1 of a snapshot, from the database's own page 1: the header fields a fresh backup copy writes (see
 * normalizeHeader), in place in `page1`. What a live reading (live-reading.ts) hashes for page 1, so that it gives the
 * very bytes, hashes and page hashes a snapshot of the same content gives (test/live-reading.test.ts).
 */
export function normalizeHeaderBytes(page1: Buffer, pageCount: number): Buffer {
  page1[18] = 1; // rollback journal, never WAL (a copy has no -wal)
  page1[19] = 1;
  page1.writeUInt32BE(1, 24); // change counter
  page1.writeUInt32BE(pageCount, 28); // in-header database size (the backup API writes the source's page count)
  page1.writeUInt32BE(1, 40); // schema cookie: a fresh copy's 0, bumped once by the backup
  page1.writeUInt32BE(1, 92); // version-valid-for, equal to the change counter
  page1.writeUInt32BE(sqliteVersionNumber(), 96); // the library that wrote the copy
  return page1;
}

export async function hasSqliteHeader(file: string): Promise<boolean> {
  const fh = await fsp.open(file, 'r');
  try {
    const buf = Buffer.alloc(16);
    const { bytesRead } = await fh.read(buf, 0, 16, 0);
    return bytesRead === 16 && buf.equals(SQLITE_HEADER);
  } finally {
    await fh.close();
  }
}

/**
 * Checks that `file` is a sound SQLite database: header, then `PRAGMA quick_check` (or the full integrity_check).
 * Opens read-write on purpose: a read-only open of a WAL database can leave -wal/-shm files behind.
 */
export async function verifyDatabase(file: string, opts: { full?: boolean } = {}): Promise<void> {
  const st = await fsp.stat(file).catch(() => null);
  if (!st || st.size === 0) {
    throw new SyncError('EMPTY_DATABASE', msg('db.database_empty_missing', { file: path.basename(file) }));
  }
  if (st.size < 512 || !(await hasSqliteHeader(file))) {
    throw new SyncError('CORRUPT_DATABASE', msg('db.not_sqlite_database_wrong_header', { file: path.basename(file) }));
  }
  let db: Database.Database | undefined;
  try {
    db = new Database(file, { fileMustExist: true });
    db.pragma(SMALL_CACHE);
    const pragma = opts.full ? 'integrity_check' : 'quick_check';
    const rows = db.pragma(pragma) as Array<Record<string, string>>;
    const first = rows[0] ? Object.values(rows[0])[0] : undefined;
    if (rows.length !== 1 || first !== 'ok') {
      throw new SyncError(
        'CORRUPT_DATABASE',
        msg('db.integrity_check_failed', { file: path.basename(file), first: String(first) }),
      );
    }
    // A page count that does not match the file size means truncation that quick_check may not reach.
    const pageSize = db.pragma('page_size', { simple: true }) as number;
    const pageCount = db.pragma('page_count', { simple: true }) as number;
    if (pageSize * pageCount > st.size) {
      throw new SyncError(
        'CORRUPT_DATABASE',
        msg('db.truncated_bytes', { file: path.basename(file), size: st.size, pageCount: pageSize * pageCount }),
      );
    }
  } catch (err) {
    if (err instanceof SyncError) throw err;
    throw new SyncError(
      'CORRUPT_DATABASE',
      msg('db.not_valid_sqlite_database', { file: path.basename(file), message: (err as Error).message }),
      { cause: err },
    );
  } finally {
    db?.close();
  }
}

export interface Snapshot {
  /** The consistent copy (in a private temp folder). */
  path: string;
  /** sha256 of the snapshot's bytes. */
  sha256: string;
  /** sha256 with volatile header fields zeroed: compare local content with this (see hashSqliteFile). */
  contentSha256: string;
  size: number;
  /** Its page hashes, when asked for (takeSnapshot's pageHashes): what a delta push compares, read in one pass. */
  pages?: PageHashes;
  /**
   * quick_check passed on it. False only when the caller let a content verified here before skip the check
   * (takeSnapshot's skipCheck): ensureChecked runs it before such a snapshot could ever be pushed.
   */
  checked: boolean;
  /** Removes the copy and its folder. */
  dispose(): Promise<void>;
}

/** Runs quick_check on a snapshot that skipped it (see Snapshot.checked): nothing unchecked is ever uploaded. */
export async function ensureChecked(snap: Snapshot): Promise<void> {
  if (snap.checked) return;
  await verifyDatabase(snap.path);
  snap.checked = true;
}

/**
 * Takes a consistent snapshot of a live database with SQLite's backup API in ONE step (every page in a single
 * sqlite3_backup_step, so one read transaction: right under a busy writer, measured like VACUUM INTO), into a fresh
 * file in a private temp folder. Unlike VACUUM INTO (which repacks b-trees: one indexed insert moved 149 pages), the
 * copy's page N is the source's page N, so two snapshots one change apart differ in a handful of pages and a delta
 * (src/delta) stays small; after a pull restored through the backup API the live database is page-identical to the
 * download (only page 1's header counters differ). A fresh destination makes the copy deterministic: the same
 * content always gives the same bytes (schema cookie 1, change counter 1). The source's content and its -wal/-shm are
 * untouched (a read-write connection, closed at once; a read-only one would leave -wal/-shm behind).
 */
export async function takeSnapshot(
  dbPath: string,
  opts: {
    tmpParent?: string;
    busyTimeoutMs?: number;
    /**
     * false: skip quick_check, for copies taken only to be hashed and compared with content that was checked
     * already (the restore's own read-backs in live.ts): a full read of the database less per copy.
     */
    check?: boolean;
    /** Also hash every page (src/delta/page-index.ts) in the same read as the sha256. */
    pageHashes?: boolean;
    /** Only contentSha256 (sha256 is left ''): for copies only compared by content, like the restore's read-back. */
    contentOnly?: boolean;
    /**
     * True for a content hash that already passed quick_check on this device (the content of the last sync): the
     * copy then has the same bytes that passed (a fresh copy's bytes follow from its content, see normalizeHeader), so
     * the check is skipped and the snapshot marked unchecked (ensureChecked runs it before any push).
     */
    skipCheck?: (contentSha256: string) => boolean;
  } = {},
): Promise<Snapshot> {
  const st = await fsp.stat(dbPath).catch(() => null);
  if (!st) {
    throw new SyncError('NOT_FOUND', msg('db.database_not_exist', { dbPath }), {
      hint: msg('db.check_database_path_configuration'),
    });
  }
  if (st.size === 0) {
    throw new SyncError('EMPTY_DATABASE', msg('db.database_empty_0_bytes', { dbPath }));
  }
  const tmp = await privateTempDir(opts.tmpParent);
  const out = path.join(tmp.dir, `snapshot-${randomBytes(4).toString('hex')}.db`);
  try {
    await backupInOneStep(dbPath, out, opts.busyTimeoutMs ?? 10000);
    await normalizeHeader(out);
    // Never remove -wal/-shm here: a file that appeared meanwhile belongs to whichever connection has the database
    // open (an app that started during the snapshot); deleting it strands that app's commits (data-safety notes).
    // When ours was the last connection, SQLite itself checkpoints and removes them on close.
    await fsp.chmod(out, 0o600);
    let r: { sha256: string; contentSha256: string; size: number; pages?: PageHashes; checked: boolean };
    if (opts.contentOnly) {
      if (opts.check !== false) await verifyDatabase(out);
      r = {
        sha256: '',
        contentSha256: await contentSha256Of(out),
        size: (await fsp.stat(out)).size,
        checked: opts.check !== false,
      };
    } else {
      r = await analyzeSqliteFile(out, { pageHashes: opts.pageHashes, check: opts.check, skipCheck: opts.skipCheck });
    }
    // The integrity check opened the copy read-write; make sure no journal files sit beside it.
    await fsp.rm(`${out}-wal`, { force: true });
    await fsp.rm(`${out}-shm`, { force: true });
    const { sha256, contentSha256, size, pages, checked } = r;
    return { path: out, sha256, contentSha256, size, ...(pages ? { pages } : {}), checked, dispose: tmp.dispose };
  } catch (err) {
    await tmp.dispose();
    if (err instanceof SyncError) throw err;
    const code = (err as { code?: string }).code;
    if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT') {
      throw new SyncError(
        'CORRUPT_DATABASE',
        msg('db.local_database_damaged_not_sqlite', { dbPath, message: (err as Error).message }),
        { cause: err },
      );
    }
    if (code === 'SQLITE_BUSY') {
      throw new SyncError('LOCKED', msg('db.local_database_locked_another'), { cause: err });
    }
    throw new SyncError('INTERNAL', msg('db.could_not_snapshot_database', { message: (err as Error).message }), {
      cause: err,
    });
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Sets a closed private file's journal-mode header bytes back to rollback (see normalizeHeader), after a restore made
 * it take the live database's mode (live.ts). Only for a file no connection has open and no -wal sits beside.
 */
export async function markRollbackJournal(file: string): Promise<void> {
  const fh = await fsp.open(file, 'r+');
  try {
    await fh.write(Buffer.from([1, 1]), 0, 2, 18);
  } finally {
    await fh.close();
  }
}

/**
 * A backup copies the source's journal mode (header bytes 18-19: 2 in WAL mode); the copy is made a plain
 * rollback-journal file like VACUUM INTO's (1, 1), so opening a backup, conflict copy or download never leaves
 * -wal/-shm beside it. Written straight into the header: what `PRAGMA journal_mode = delete` writes on a file with no
 * WAL content, without opening the copy in WAL mode first (an -shm, a checkpoint and a commit for two bytes). The
 * change counter (24) and version-valid-for (92) are set to 1, kept equal as SQLite requires, so the same content
 * always gives the same bytes whatever the source's journal mode. Safe: no connection has this private file open.
 */
export async function normalizeHeader(file: string): Promise<void> {
  const fh = await fsp.open(file, 'r+');
  try {
    const head = Buffer.alloc(100);
    const { bytesRead } = await fh.read(head, 0, 100, 0);
    if (bytesRead < 100) throw Object.assign(new Error('file is not a database'), { code: 'SQLITE_NOTADB' });
    const pageCount = Math.floor((await fh.stat()).size / pageSizeOf(head));
    // Every field as the backup itself leaves it but the journal mode and the counters: written all the same, so a
    // live reading's page 1 (normalizeHeaderBytes) equals this copy's by construction, whatever SQLite version.
    await fh.write(normalizeHeaderBytes(head, pageCount), 0, 100, 0);
  } finally {
    await fh.close();
  }
}

/**
 * `src` -> a new file `out`, all pages in one backup step. A step that cannot get its read lock (a writer holds it,
 * rollback-journal mode) resolves with `totalPages: 0` and copies nothing (data-safety notes): that is "busy", retried
 * until `busyTimeoutMs`, never taken for an empty copy.
 */
async function backupInOneStep(src: string, out: string, busyTimeoutMs: number): Promise<void> {
  const deadline = Date.now() + busyTimeoutMs;
  for (;;) {
    const db = new Database(src, { fileMustExist: true, timeout: busyTimeoutMs });
    let pages = 0;
    try {
      db.pragma(SMALL_CACHE);
      pages = db.pragma('page_count', { simple: true }) as number;
      if (pages === 0) throw Object.assign(new Error('file is not a database'), { code: 'SQLITE_NOTADB' });
      const r = await db.backup(out, { progress: () => 0x7fffffff });
      if (r.totalPages > 0) return;
    } finally {
      db.close();
    }
    await fsp.rm(out, { force: true });
    if (Date.now() > deadline) throw Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' });
    await sleep(50 + Math.floor(Math.random() * 100));
  }
}

/**
 * Replaces the content of the live database with `sourcePath` (kept for the public API): see replaceLiveDatabase in
 * live.ts, which does it under the live database's write lock and verifies the result.
 */
export async function restoreInto(
  sourcePath: string,
  livePath: string,
  opts: { lockWaitMs?: number } = {},
): Promise<void> {
  const tmp = await privateTempDir();
  try {
    const copy = path.join(tmp.dir, 'incoming.db');
    await fsp.copyFile(sourcePath, copy);
    await verifyDatabase(copy); // replaceLiveDatabase expects a checked file
    await fsp.rm(`${copy}-wal`, { force: true });
    await fsp.rm(`${copy}-shm`, { force: true });
    await replaceLiveDatabase(copy, livePath, { lockWaitMs: opts.lockWaitMs });
  } finally {
    await tmp.dispose();
  }
}

/**
 * Rows in all ordinary tables of a private copy (never the live database: counting scans). Used by the guard that
 * refuses to push a database that would wipe rows the remote holds.
 */
export function countRows(file: string): number {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    db.pragma(SMALL_CACHE);
    return countRowsIn(db);
  } finally {
    db.close();
  }
}

/** countRows on an open connection (a live reading counts inside its own read transaction). */
export function countRowsIn(db: Database.Database): number {
  {
    const tables = db
      .prepare(
        "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND sql NOT LIKE 'CREATE VIRTUAL%'",
      )
      .pluck()
      .all() as string[];
    let total = 0;
    for (const t of tables)
      total += db
        .prepare(`SELECT count(*) FROM "${t.replace(/"/g, '""')}"`)
        .pluck()
        .get() as number;
    return total;
  }
}
