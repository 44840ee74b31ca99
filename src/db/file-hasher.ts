/**
 * The sha256 of a whole SQLite file and the hashes of its pages (src/delta/page-index.ts), computed on a worker
 * thread while the main thread computes the content hash and runs quick_check: a snapshot needs all four, each a full
 * pass over the file, and on one thread they took as long again as the copy itself. The worker reads the file on its
 * own (pages cached by the kernel after the copy), so nothing big crosses threads but the page hashes (16 bytes a
 * page). One worker per process, started on first use and kept (unreferenced while idle, so it never holds the
 * process open); jobs run one at a time in it. When a worker cannot run, the same hashes are computed here.
 */
import { createRequire as requireFrom } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { PageHashes } from '../delta/page-index.js';

export interface FileHashes {
  sha256: string;
  size: number;
  pages?: PageHashes;
}

// CommonJS source; execArgv is emptied so a parent's loader flags cannot change that (as in src/crypto/hash.ts). The
// page walk is PageHasher's (page-index.ts); test/file-hasher.test.ts checks both give the same bytes.
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { createHash, hash: oneShot } = require('node:crypto');
const fs = require('node:fs');
const CHUNK = 1024 * 1024; // a multiple of every SQLite page size
const buf = Buffer.allocUnsafe(CHUNK);
function fill(fd, pos) {
  let n = 0;
  for (;;) {
    const r = fs.readSync(fd, buf, n, CHUNK - n, pos + n);
    if (r === 0) return n;
    n += r;
    if (n === CHUNK) return n;
  }
}
function run(job) {
  const fd = fs.openSync(job.file, 'r');
  try {
    const size = fs.fstatSync(fd).size;
    const whole = createHash('sha256');
    let pageSize = 0, hashes = null, page1 = null, pageNo = 0, pos = 0;
    for (;;) {
      const n = fill(fd, pos);
      if (n === 0) break;
      const chunk = buf.subarray(0, n);
      whole.update(chunk);
      if (job.pages) {
        if (!pageSize) {
          if (n < 100) throw new Error('not an SQLite file');
          const v = chunk.readUInt16BE(16);
          pageSize = v === 1 ? 65536 : v;
          if (pageSize < 512 || (pageSize & (pageSize - 1)) !== 0) throw new Error('not an SQLite file');
          hashes = Buffer.alloc(Math.ceil(size / pageSize) * 16); // its own ArrayBuffer (never pooled): transferable
        }
        if (n % pageSize !== 0) throw new Error('not a whole number of ' + pageSize + '-byte pages');
        for (let off = 0; off < n; off += pageSize) {
          const page = chunk.subarray(off, off + pageSize);
          if ((pageNo + 1) * 16 > hashes.length) throw new Error('the file grew while it was read');
          createHash('sha256').update(page).digest().copy(hashes, pageNo * 16, 0, 16);
          if (pageNo === 0) page1 = Buffer.from(page);
          pageNo++;
        }
      }
      pos += n;
      if (n < CHUNK) break;
    }
    const out = { id: job.id, sha256: whole.digest('hex'), size: pos };
    if (job.pages) {
      if (!page1) throw new Error('not an SQLite file');
      out.pages = { pageSize, pageCount: pageNo, page1, hashes: hashes.subarray(0, pageNo * 16) };
    }
    return out;
  } finally {
    fs.closeSync(fd);
  }
}
// A database read in place (live-reading.ts): \`pageCount\` pages of \`pageSize\`, page 1 replaced by each of \`heads\` for
// one whole-file sha256 each (the snapshot's normalized header; the content hash's zeroed one), and \`zeroPage\` (the
// page SQLite never writes, at 1 GiB) hashed as the zeros a copy holds there. Pages come from the file, page 1 never.
function runPages(job) {
  // A live database: read through the caller's descriptor, never one opened and closed here (closing any descriptor
  // of the file would drop the SQLite locks this process holds on it, see held-fd.ts).
  const fd = job.fd;
  {
    const ps = job.pageSize, per = Math.max(1, Math.floor(CHUNK / ps));
    const wholes = job.heads.map((h) => createHash('sha256').update(h));
    const hashes = job.pages ? Buffer.alloc(job.pageCount * 16) : null;
    if (hashes) createHash('sha256').update(job.page1).digest().copy(hashes, 0, 0, 16);
    // One-shot hashing where Node has it (20.12+): a quarter less time over 100,000 pages than a Hash object each.
    const pageHash = oneShot ? (b) => oneShot('sha256', b, 'buffer') : (b) => createHash('sha256').update(b).digest();
    const zeros = Buffer.alloc(ps);
    for (let no = 2; no <= job.pageCount; no += per) {
      const n = Math.min(per, job.pageCount - no + 1);
      const want = n * ps;
      let got = 0;
      while (got < want) {
        const r = fs.readSync(fd, buf, got, want - got, (no - 1) * ps + got);
        if (r === 0) throw new Error('the database is shorter than its page count');
        got += r;
      }
      if (job.zeroPage >= no && job.zeroPage < no + n) zeros.copy(buf, (job.zeroPage - no) * ps);
      const chunk = buf.subarray(0, want);
      for (const w of wholes) w.update(chunk);
      if (hashes)
        for (let i = 0; i < n; i++)
          pageHash(chunk.subarray(i * ps, (i + 1) * ps)).copy(hashes, (no - 1 + i) * 16, 0, 16);
    }
    return { id: job.id, wholes: wholes.map((w) => w.digest('hex')), ...(hashes ? { hashes } : {}) };
  }
}
// quick_check of a live database on a connection of this thread, inside its own read transaction (live-reading.ts
// runs it beside the copy taken on the main thread; its data_version check proves both saw the same content).
function runCheck(job) {
  const Database = require(job.module);
  const db = new Database(job.file, { fileMustExist: true, timeout: job.timeout });
  try {
    db.pragma('cache_size = -2048');
    db.exec('BEGIN');
    try {
      db.prepare('SELECT count(*) FROM sqlite_schema').pluck().get();
      const r = db.pragma('quick_check');
      return { id: job.id, ok: r.length === 1 && Object.values(r[0])[0] === 'ok' };
    } finally {
      db.exec('COMMIT');
    }
  } finally {
    db.close();
  }
}
parentPort.on('message', (job) => {
  try {
    if (job.kind === 'check') {
      parentPort.postMessage(runCheck(job));
      return;
    }
    if (job.kind === 'pages') {
      const out = runPages(job);
      parentPort.postMessage(out, out.hashes ? [out.hashes.buffer] : []);
      return;
    }
    const out = run(job);
    // The page hashes (16 bytes a page: 8 MB at 2 GB) move to the main thread instead of being copied.
    parentPort.postMessage(out, out.pages ? [out.pages.hashes.buffer] : []);
  } catch (err) {
    parentPort.postMessage({ id: job.id, error: String((err && err.message) || err) });
  }
});
`;

type Reply = {
  id: number;
  error?: string;
  sha256?: string;
  size?: number;
  pages?: PageHashes;
  wholes?: string[];
  hashes?: Uint8Array;
  ok?: boolean;
};

// Two workers: a live reading (live-reading.ts) hashes on both while quick_check runs here or, while this thread
// copies the database, after the page hashes on the second (a third isolate cost 10 MB of peak memory for nothing:
// the three jobs and the copy are CPU-bound on two cores either way).
const workers: Array<Worker | null> = [null, null];
let nextId = 1;
const waiting = new Map<number, { slot: number; resolve(r: Reply): void; reject(err: Error): void }>();

function failAll(slot: number, err: Error): void {
  workers[slot] = null;
  for (const [id, w] of waiting)
    if (w.slot === slot) {
      waiting.delete(id);
      w.reject(err);
    }
}

function getWorker(slot: 0 | 1 = 0): Worker {
  const have = workers[slot];
  if (have) return have;
  const w = new Worker(WORKER_SOURCE, { eval: true, execArgv: [] });
  w.unref();
  w.on('message', (r: Reply) => {
    const p = waiting.get(r.id);
    waiting.delete(r.id);
    if (![...waiting.values()].some((x) => x.slot === slot)) w.unref();
    p?.resolve(r);
  });
  w.on('error', (err) => failAll(slot, err));
  w.on('exit', () => failAll(slot, new Error('file hash worker exited')));
  workers[slot] = w;
  return w;
}

/** Raised for a file the worker could read but not hash as SQLite pages (the same cases PageHasher throws on). */
export class FileHashError extends Error {}

/** Sends one job to worker `w` (in `slot`) and waits for its reply; a job's own failure throws FileHashError. */
async function ask(w: Worker, slot: number, job: Record<string, unknown>): Promise<Reply> {
  const id = nextId++;
  const reply = await new Promise<Reply>((resolve, reject) => {
    waiting.set(id, { slot, resolve, reject });
    w.ref(); // a job in flight keeps the process alive until its answer comes
    w.postMessage({ ...job, id });
  });
  if (reply.error !== undefined) throw new FileHashError(reply.error);
  return reply;
}

/**
 * sha256 and size of `file`, and with `pages` its page hashes, on the worker thread. `file` must not change while it
 * is read (a private copy).
 */
export async function hashFileInWorker(file: string, opts: { pages?: boolean } = {}): Promise<FileHashes> {
  let w: Worker;
  try {
    w = getWorker();
  } catch {
    return hashFileHere(file, opts);
  }
  const reply = await ask(w, 0, { file, pages: !!opts.pages });
  const pages = reply.pages
    ? {
        ...reply.pages,
        // Structured clone turns Buffers into plain Uint8Arrays.
        page1: Buffer.from(reply.pages.page1.buffer, reply.pages.page1.byteOffset, reply.pages.page1.byteLength),
        hashes: Buffer.from(reply.pages.hashes.buffer, reply.pages.hashes.byteOffset, reply.pages.hashes.byteLength),
      }
    : undefined;
  return { sha256: reply.sha256!, size: reply.size!, ...(pages ? { pages } : {}) };
}

/** The same on this thread (no worker available). */
async function hashFileHere(file: string, opts: { pages?: boolean }): Promise<FileHashes> {
  const { hashSqliteFile } = await import('./snapshot.js');
  const r = await hashSqliteFile(file, { pageHashes: opts.pages });
  return { sha256: r.sha256, size: r.size, ...(r.pages ? { pages: r.pages } : {}) };
}

/** What hashPagesInWorker reads: see runPages in the worker source. */
export interface PagesJob {
  /** A descriptor of the live database that stays open (held-fd.ts); never closed by the worker. */
  fd: number;
  pageSize: number;
  pageCount: number;
  /** Page 1 as each whole-file hash must see it (one sha256 per entry; none: no whole-file hash). */
  heads: Buffer[];
  /** With `page1` (page 1 as the page hashes see it): the page hashes. */
  pages: boolean;
  page1?: Buffer;
  /** A page hashed as zeros (SQLite's lock-byte page), or 0. */
  zeroPage: number;
}

/**
 * The whole-file sha256 for each of `job.heads` and, with `pages`, the page hashes, of a database read in place on
 * worker `slot` (0 or 1). No fallback here: the caller (a live reading) falls back to a snapshot on any error.
 */
export async function hashPagesInWorker(job: PagesJob, slot: 0 | 1): Promise<{ wholes: string[]; hashes?: Buffer }> {
  const reply = await ask(getWorker(slot), slot, { kind: 'pages', ...job });
  const h = reply.hashes;
  return { wholes: reply.wholes!, ...(h ? { hashes: Buffer.from(h.buffer, h.byteOffset, h.byteLength) } : {}) };
}

/**
 * quick_check of the live database `file` on worker `slot` (after the jobs queued there before it), on its own
 * connection inside its own read transaction (see runCheck in the worker source). True when it passed.
 */
export async function checkInWorker(file: string, timeoutMs: number, slot: 0 | 1): Promise<boolean> {
  const reply = await ask(getWorker(slot), slot, { kind: 'check', file, timeout: timeoutMs, module: sqliteModule });
  return reply.ok === true;
}

/** better-sqlite3 as this module resolves it, for the worker's require. */
const sqliteModule = requireFrom(import.meta.url).resolve('better-sqlite3');
