/**
 * The sha256 of a whole SQLite file and the hashes of its pages (src/delta/page-index.ts), computed on a worker
 * thread while the main thread computes the content hash and runs quick_check: a snapshot needs all four, each a full
 * pass over the file, and on one thread they took as long again as the copy itself. The worker reads the file on its
 * own (pages cached by the kernel after the copy), so nothing big crosses threads but the page hashes (16 bytes a
 * page). One worker per process, started on first use and kept (unreferenced while idle, so it never holds the
 * process open); jobs run one at a time in it. When a worker cannot run, the same hashes are computed here.
 */
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
const { createHash } = require('node:crypto');
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
parentPort.on('message', (job) => {
  try {
    const out = run(job);
    // The page hashes (16 bytes a page: 8 MB at 2 GB) move to the main thread instead of being copied.
    parentPort.postMessage(out, out.pages ? [out.pages.hashes.buffer] : []);
  } catch (err) {
    parentPort.postMessage({ id: job.id, error: String((err && err.message) || err) });
  }
});
`;

type Reply = { id: number; error?: string; sha256?: string; size?: number; pages?: PageHashes };

let worker: Worker | null = null;
let nextId = 1;
const waiting = new Map<number, { resolve(r: Reply): void; reject(err: Error): void }>();

function failAll(err: Error): void {
  worker = null;
  for (const w of waiting.values()) w.reject(err);
  waiting.clear();
}

function getWorker(): Worker {
  if (worker) return worker;
  const w = new Worker(WORKER_SOURCE, { eval: true, execArgv: [] });
  w.unref();
  w.on('message', (r: Reply) => {
    const p = waiting.get(r.id);
    waiting.delete(r.id);
    if (waiting.size === 0) w.unref();
    p?.resolve(r);
  });
  w.on('error', (err) => failAll(err));
  w.on('exit', () => failAll(new Error('file hash worker exited')));
  worker = w;
  return w;
}

/** Raised for a file the worker could read but not hash as SQLite pages (the same cases PageHasher throws on). */
export class FileHashError extends Error {}

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
  const id = nextId++;
  const reply = await new Promise<Reply>((resolve, reject) => {
    waiting.set(id, { resolve, reject });
    w.ref(); // a job in flight keeps the process alive until its answer comes
    w.postMessage({ id, file, pages: !!opts.pages });
  });
  if (reply.error !== undefined) throw new FileHashError(reply.error);
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
