/**
 * The one owner of the boundary with the live database: the file an application (Cordiax) has open, writes, locks,
 * creates and deletes whenever it likes. Everything here works through SQLite's own locking, never through guesses
 * about files:
 *  - the files SQLite owns (`-wal`, `-shm`, `-journal`) are never created, deleted or renamed by us;
 *  - the live database is never renamed over or deleted; a missing one is created exclusively (O_EXCL, 0 bytes);
 *  - a replacement happens inside SQLite's write lock on the live database, and the check "nothing changed since
 *    the plan" runs inside that same lock, so no application commit can fall between the check and the replace;
 *  - after every replacement the live database is read back and must hold exactly the incoming content.
 *
 * How the lock is held: SQLite's backup API locks the destination for writing at its first step and keeps the lock
 * until the last step commits (sqlite3_backup_step). better-sqlite3 runs a zero-page first step and then calls the
 * progress handler synchronously while that lock is held: the handler is where we check, and throwing from it rolls
 * the backup back with nothing written. A first step that cannot get the lock (the app holds a write transaction, or
 * in rollback-journal mode any read transaction) returns `{ totalPages: 0 }` at once: that means busy, and we retry
 * with a bounded wait instead of taking it for success (shared/notes/data-safety.md).
 */
import { liveFd } from './held-fd.js';
import {
  closeSync,
  constants as fsc,
  fstatSync,
  openSync,
  readSync,
  statSync,
  promises as fsp,
  type BigIntStats,
} from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { SyncError } from '../errors.js';
import { hashSqliteFile, SMALL_CACHE, takeSnapshot, type Snapshot } from './snapshot.js';
import { msg } from '../messages/index.js';

/** What the caller believes the live database holds: checked inside the write lock before anything is replaced. */
export interface LiveExpectation {
  /** Cheap file fingerprint (stats + header bytes of the database and its -wal) taken before `contentSha256`. */
  fingerprint: string;
  /** Content hash (snapshot.contentSha256), or null for "no database" (missing, or 0 bytes with no WAL data). */
  contentSha256: string | null;
  /** The same content in other forms (see LocalContent.aliases in the engine): also "unchanged". */
  aliases?: string[];
}

export interface ReplaceOptions {
  /** Refuse (LocalChangedError) unless the live database still holds this. Omitted: replace whatever is there. */
  expect?: LiveExpectation;
  /** Called with a consistent snapshot of the content about to be replaced, before the replace; returns its path. */
  keepBackup?: (snapshot: Snapshot) => Promise<string>;
  /** How long to keep retrying while the application holds its lock (default 30 s). */
  lockWaitMs?: number;
  /** Told the content hash the live database is about to hold, before anything is replaced (crash recovery). */
  beforeReplace?: (incomingContentSha256: string) => Promise<void>;
  /**
   * A reading of the live database taken earlier (by the sync's plan) whose fingerprint did not move while its
   * snapshot was taken: when the live fingerprint is still that one, it stands for step 1's reading (no second
   * snapshot) and its snapshot file may be moved into the backup; the caller still disposes it.
   */
  current?: { fingerprint: string; snapshot: Snapshot };
  /**
   * The incoming file's content hash, when the caller took it in the read that verified the file (quick_check and
   * the manifest's hash): not read again here. The read-back below still compares the live result with it.
   */
  incomingContentSha256?: string;
  tmpParent?: string;
}

export interface ReplaceResult {
  /** Content hash the live database holds now (equal to the incoming file's). */
  contentSha256: string;
  /** Where the replaced content was kept, when there was any. */
  backupPath: string | null;
}

/** The live database changed since the plan: the caller keeps both sides (conflict), never overwrites. */
export class LocalChangedError extends SyncError {
  constructor(why: { es: string; en: string }) {
    super('CONFLICT', why, { details: { localChanged: true } });
  }
}

const HEAD_BYTES = 100;

/**
 * Stats and the first `n` bytes of a file; null when it cannot be opened. The database file itself is read through a
 * descriptor that is never closed (held-fd.ts: closing one would drop the SQLite locks this process holds on it);
 * the -wal carries no locks and is opened and closed as any file.
 */
function statAndHeadSync(
  file: string,
  n: number,
  opts: { lockedFile?: boolean } = {},
): { st: BigIntStats; head: Buffer } | null {
  const read = (fd: number) => {
    const st = fstatSync(fd, { bigint: true });
    const buf = Buffer.alloc(n);
    return { st, head: buf.subarray(0, readSync(fd, buf, 0, n, 0)) };
  };
  if (opts.lockedFile) {
    const h = liveFd(file);
    if (h === null) return null;
    try {
      return read(h.fd);
    } catch {
      return null;
    } finally {
      h.release();
    }
  }
  let fd: number;
  try {
    fd = openSync(file, fsc.O_RDONLY);
  } catch {
    return null;
  }
  try {
    return read(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * Stats plus the first bytes of one file: catches commits within one timestamp tick (change counter, WAL salts).
 * An empty file counts as missing: any connection opening a WAL database creates an empty -wal, which holds nothing.
 * No ctime: SQLite running as root fchowns the -wal on every open, which moves ctime without any write (a reading
 * connection would then look like a commit, and a pull could never pass its check while the app keeps the WAL open).
 */
export function fileFingerprintSync(file: string, opts: { lockedFile?: boolean } = {}): string {
  const r = statAndHeadSync(file, HEAD_BYTES, opts);
  if (!r || r.st.size === 0n) return `${path.basename(file)}:-`;
  const { st, head } = r;
  return `${path.basename(file)}:${st.dev}:${st.ino}:${st.size}:${st.mtimeNs}:${head.toString('hex')}`;
}

/**
 * Synchronous on purpose: it runs inside the backup's progress handler, while the write lock is held. In WAL mode a
 * commit appends to (or resets) the -wal; in rollback mode it bumps the header's change counter: both show here.
 */
export function liveFingerprintSync(dbPath: string): string {
  return `${fileFingerprintSync(dbPath, { lockedFile: true })}|${fileFingerprintSync(`${dbPath}-wal`)}`;
}

function sizeOf(file: string): number | null {
  try {
    return statSync(file).size;
  } catch {
    return null;
  }
}

/** True when SQLite would see no database at all: missing, or 0 bytes with no WAL/journal data beside it. */
export function isAbsentDatabase(dbPath: string): boolean {
  const main = sizeOf(dbPath);
  if (main === null) return true;
  return main === 0 && !sizeOf(`${dbPath}-wal`) && !sizeOf(`${dbPath}-journal`);
}

export interface LiveReading {
  /** Taken before the snapshot: a commit during the snapshot shows later as a different fingerprint. */
  fingerprint: string;
  contentSha256: string | null;
  snapshot?: Snapshot;
  /**
   * The fingerprint did not move while the snapshot was taken, so it describes exactly this content. (Our own
   * connection closing last checkpoints a WAL database and moves it once; a busy app moves it every time.)
   */
  stable: boolean;
}

/** The live content now, with the fingerprint that describes it. */
export async function readLive(
  dbPath: string,
  opts: {
    tmpParent?: string;
    check?: boolean;
    pageHashes?: boolean;
    contentOnly?: boolean;
    skipCheck?: (contentSha256: string) => boolean;
  } = {},
): Promise<LiveReading> {
  const fingerprint = liveFingerprintSync(dbPath);
  if (isAbsentDatabase(dbPath))
    return { fingerprint, contentSha256: null, stable: liveFingerprintSync(dbPath) === fingerprint };
  const snapshot = await takeSnapshot(dbPath, opts);
  return {
    fingerprint,
    contentSha256: snapshot.contentSha256,
    snapshot,
    stable: liveFingerprintSync(dbPath) === fingerprint,
  };
}

/** Journal mode from the header (bytes 18/19: 2 = WAL), without opening a connection. */
function headerJournalIsWal(file: string): boolean | null {
  const head = statAndHeadSync(file, 20, { lockedFile: true })?.head;
  if (!head || head.length < 20) return null;
  return head[18] === 2 && head[19] === 2;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

class MovedUnderLock extends Error {}

/**
 * Replaces the content of the live database with `incomingPath` (a private copy the caller verified with
 * verifyDatabase and may modify), as
 * one SQLite transaction under the live database's write lock, after checking `expect` inside that lock and keeping a
 * backup of what is replaced. Creates the live database exclusively when missing. Verifies the result.
 */
export async function replaceLiveDatabase(
  incomingPath: string,
  livePath: string,
  opts: ReplaceOptions = {},
): Promise<ReplaceResult> {
  const deadline = Date.now() + (opts.lockWaitMs ?? 30_000);
  await fsp.mkdir(path.dirname(livePath), { recursive: true, mode: 0o700 });
  // Never rename over or truncate an existing file: create it only if absent. An app that creates it meanwhile is
  // seen by the content check below like any other change.
  await fsp.writeFile(livePath, Buffer.alloc(0), { flag: 'wx', mode: 0o600 }).catch((err: NodeJS.ErrnoException) => {
    if (err.code !== 'EEXIST') throw err;
  });

  // The incoming copy takes the live database's journal mode, so the header the backup copies keeps the app's mode.
  // Written into the header (bytes 18-19) of the closed private file: what the pragma writes when there is no WAL
  // content, without its commit, whose fsync flushed the whole freshly written file (about 1 s for 200 MB here).
  const liveWal = headerJournalIsWal(livePath);
  if (liveWal !== null) {
    if (sizeOf(`${incomingPath}-wal`)) {
      const db = new Database(incomingPath, { fileMustExist: true });
      try {
        db.pragma(`journal_mode = ${liveWal ? 'wal' : 'delete'}`);
      } finally {
        db.close();
      }
    } else {
      const fh = await fsp.open(incomingPath, 'r+');
      try {
        const mode = liveWal ? 2 : 1;
        await fh.write(Buffer.from([mode, mode]), 0, 2, 18);
      } finally {
        await fh.close();
      }
    }
    await fsp.rm(`${incomingPath}-wal`, { force: true });
    await fsp.rm(`${incomingPath}-shm`, { force: true });
  }
  // The copies below are only hashed and compared: the caller verified the incoming file (quick_check), the plan
  // checked the live content it expects, and the read-back must hash exactly like the verified incoming file. The
  // incoming file is private and closed, so it is hashed as it is (no copy through SQLite first): a copy's page N is
  // the file's page N and the header fields a copy rewrites are the volatile ones the content hash leaves out; were
  // that ever not so, the read-back below would refuse the result (a conflict keeping both), never accept it.
  const incoming = opts.incomingContentSha256
    ? { contentSha256: opts.incomingContentSha256 }
    : await hashSqliteFile(incomingPath, { contentOnly: true });
  await opts.beforeReplace?.(incoming.contentSha256);

  let backupPath: string | null = null;
  let busyRounds = 0;
  let current = opts.current;
  for (;;) {
    // 1. Outside the lock: what does the live database hold? Must be what the plan saw. The plan's own reading
    // serves when the fingerprint has not moved since it was taken (stable): the same evidence a fresh reading gives,
    // since that is also only tied to the lock by the fingerprint checked inside it (step 3). Once: a retry reads.
    const reused = current && liveFingerprintSync(livePath) === current.fingerprint ? current : undefined;
    current = undefined;
    const now: LiveReading = reused
      ? {
          fingerprint: reused.fingerprint,
          contentSha256: reused.snapshot.contentSha256,
          snapshot: reused.snapshot,
          stable: true,
        }
      : await readLive(livePath, { tmpParent: opts.tmpParent, check: false });
    try {
      if (
        opts.expect &&
        now.contentSha256 !== opts.expect.contentSha256 &&
        !(now.contentSha256 && opts.expect.aliases?.includes(now.contentSha256))
      ) {
        throw new LocalChangedError(msg('db.local_database_changed_since'));
      }
      // 2. Keep what is about to be replaced (once: the content is the same on every retry).
      if (now.snapshot && backupPath === null && opts.keepBackup) backupPath = await opts.keepBackup(now.snapshot);
    } finally {
      if (!reused) await now.snapshot?.dispose();
    }
    const checked = now.fingerprint;
    let moved = !now.stable;

    // 3. Inside the lock: nothing moved since step 1, then the copy, in one transaction.
    const src = new Database(incomingPath, { readonly: true, fileMustExist: true });
    src.pragma(SMALL_CACHE);
    let result: { totalPages: number; remainingPages: number } | null = null;
    try {
      if (moved) throw new MovedUnderLock();
      result = await src.backup(livePath, {
        progress: () => {
          if (liveFingerprintSync(livePath) !== checked) throw new MovedUnderLock();
          return 0x7fffffff; // everything in the next step: the lock is held until it commits
        },
      });
    } catch (err) {
      if (!(err instanceof MovedUnderLock)) throw mapSqliteError(err);
      moved = true;
    } finally {
      src.close();
    }
    if (!moved && result && result.totalPages > 0) break;
    // Busy (the app holds its lock) or moved (it committed, or checkpointed, between step 1 and the lock): retry.
    busyRounds++;
    if (Date.now() > deadline) {
      throw new SyncError('LOCKED', msg('db.local_database_busy_another'), { details: { rounds: busyRounds } });
    }
    await sleep(moved ? 50 : 100 + Math.floor(Math.random() * 200));
  }

  // 4. Read back: the live database must hold exactly the incoming content.
  const after = await readLive(livePath, { tmpParent: opts.tmpParent, check: false, contentOnly: true });
  await after.snapshot?.dispose();
  if (after.contentSha256 !== incoming.contentSha256) {
    // Either the app committed in the instant after our commit (its rows sit on top of the pulled ones) or the
    // replace did not take: both are kept by the caller as a conflict, never recorded as a clean pull.
    throw new LocalChangedError(msg('db.local_database_not_match_received'));
  }
  return { contentSha256: incoming.contentSha256, backupPath };
}

function mapSqliteError(err: unknown): SyncError {
  if (err instanceof SyncError) return err;
  const code = (err as { code?: string }).code ?? '';
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
    return new SyncError('LOCKED', msg('db.local_database_locked_another'), { cause: err });
  }
  return new SyncError('INTERNAL', msg('db.could_not_replace_local_database', { message: (err as Error).message }), {
    cause: err,
  });
}

/**
 * Like copyToUniqueFile, but moves `src` (a private file nothing else uses, e.g. a snapshot about to be disposed):
 * a hard link under the unique name, then `src` is unlinked; no second copy of the bytes. Across filesystems (EXDEV)
 * it copies.
 */
export async function moveToUniqueFile(src: string, dir: string, stem: string, ext: string): Promise<string> {
  await fsp.mkdir(dir, { recursive: true, mode: 0o700 });
  for (let n = 1; ; n++) {
    const dest = path.join(dir, `${stem}${n > 1 ? `-${n}` : ''}${ext}`);
    try {
      await fsp.link(src, dest); // never overwrites: EEXIST
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EXDEV' || code === 'EPERM' || code === 'ENOTSUP') return copyToUniqueFile(src, dir, stem, ext);
      if (code !== 'EEXIST' || n > 1000) throw err;
      continue;
    }
    await fsp.chmod(dest, 0o600);
    const fh = await fsp.open(dest, 'r+');
    await fh.sync().finally(() => fh.close());
    await fsp.rm(src, { force: true });
    return dest;
  }
}

/** A unique, never-overwritten file name in `dir` (exclusive create), e.g. for backups and conflict copies. */
export async function copyToUniqueFile(src: string, dir: string, stem: string, ext: string): Promise<string> {
  await fsp.mkdir(dir, { recursive: true, mode: 0o700 });
  for (let n = 1; ; n++) {
    const dest = path.join(dir, `${stem}${n > 1 ? `-${n}` : ''}${ext}`);
    try {
      await fsp.copyFile(src, dest, fsc.COPYFILE_EXCL);
      await fsp.chmod(dest, 0o600);
      const fh = await fsp.open(dest, 'r+');
      await fh.sync().finally(() => fh.close());
      return dest;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || n > 1000) throw err;
    }
  }
}
