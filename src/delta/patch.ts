/**
 * The patch format: the pages of an SQLite database that changed from one version (the base) to the next (the
 * result). SQLite pages never shift (page N is always at offset (N-1)*pageSize), so fixed page-aligned blocks are all
 * a delta needs (no rolling checksums).
 *
 *   offset 0   magic "CDXPATCH" (8 bytes)
 *          8   format version u16 (1), flags u16 (0)
 *         12   page size u32, pages before u32, pages after u32, changed pages u32
 *         28   sha256 of the base file (32 bytes), 60: sha256 of the result file (32 bytes)
 *         92   body, raw deflate (node:zlib): per changed page, in ascending order, u32 page number (1-based) + bytes
 *
 * Written and applied as streams: memory stays at a few pages whatever the database size. A patch is applied only to
 * a file whose sha256 is its base, and the result must hash to its result (checked by the caller that owns the
 * chain: see applyChain), so a patch can never turn one database into a guess.
 */
import type { Text } from '../messages/text.js';
import { msg } from '../messages/index.js';
import { once } from 'node:events';
import { createReadStream, createWriteStream, promises as fsp } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { createDeflateRaw, createInflateRaw, type DeflateRaw } from 'node:zlib';
import { SyncError } from '../errors.js';

export const PATCH_MAGIC = Buffer.from('CDXPATCH', 'latin1');
export const PATCH_VERSION = 1;
export const PATCH_HEADER_SIZE = 92;
/** SQLite's page sizes: powers of two from 512 to 65536. */
export const MAX_PAGE_SIZE = 65536;

export interface PatchHeader {
  pageSize: number;
  pagesBefore: number;
  pagesAfter: number;
  changedPages: number;
  baseSha256: string;
  resultSha256: string;
}

export function badPatch(why: Text): SyncError {
  return new SyncError('VERIFY_FAILED', msg('delta.bad_patch', { why }));
}

export function encodeHeader(h: PatchHeader): Buffer {
  const b = Buffer.alloc(PATCH_HEADER_SIZE);
  PATCH_MAGIC.copy(b, 0);
  b.writeUInt16BE(PATCH_VERSION, 8);
  b.writeUInt16BE(0, 10);
  b.writeUInt32BE(h.pageSize === MAX_PAGE_SIZE ? 0 : h.pageSize, 12);
  b.writeUInt32BE(h.pagesBefore, 16);
  b.writeUInt32BE(h.pagesAfter, 20);
  b.writeUInt32BE(h.changedPages, 24);
  Buffer.from(h.baseSha256, 'hex').copy(b, 28);
  Buffer.from(h.resultSha256, 'hex').copy(b, 60);
  return b;
}

export function decodeHeader(b: Buffer): PatchHeader {
  if (b.length < PATCH_HEADER_SIZE || !b.subarray(0, 8).equals(PATCH_MAGIC))
    throw badPatch(msg('delta.why.unknown_header'));
  if (b.readUInt16BE(8) !== PATCH_VERSION) throw badPatch(msg('delta.why.unknown_version'));
  const raw = b.readUInt32BE(12);
  const pageSize = raw === 0 ? MAX_PAGE_SIZE : raw;
  if (pageSize < 512 || pageSize > MAX_PAGE_SIZE || (pageSize & (pageSize - 1)) !== 0)
    throw badPatch(msg('delta.why.page_size'));
  const h: PatchHeader = {
    pageSize,
    pagesBefore: b.readUInt32BE(16),
    pagesAfter: b.readUInt32BE(20),
    changedPages: b.readUInt32BE(24),
    baseSha256: b.subarray(28, 60).toString('hex'),
    resultSha256: b.subarray(60, 92).toString('hex'),
  };
  if (h.changedPages > h.pagesAfter) throw badPatch(msg('delta.why.too_many_pages'));
  return h;
}

export async function readPatchHeader(file: string): Promise<PatchHeader> {
  const fh = await fsp.open(file, 'r');
  try {
    const b = Buffer.alloc(PATCH_HEADER_SIZE);
    const { bytesRead } = await fh.read(b, 0, PATCH_HEADER_SIZE, 0);
    return decodeHeader(b.subarray(0, bytesRead));
  } finally {
    await fh.close();
  }
}

/** Streams changed pages into a patch file; the header is written last, when the result's hash is known. */
export class PatchWriter {
  private readonly deflate: DeflateRaw;
  private readonly done: Promise<void>;
  private count = 0;
  private failed: unknown = null;

  constructor(
    readonly file: string,
    private readonly pageSize: number,
  ) {
    this.deflate = createDeflateRaw({ level: 6 });
    // The header's 92 bytes are left as a hole and filled in by finish().
    const out = createWriteStream(file, { start: PATCH_HEADER_SIZE, flags: 'w', mode: 0o600 });
    this.done = pipeline(this.deflate, out);
    this.done.catch((err) => {
      this.failed = err;
    });
  }

  get pages(): number {
    return this.count;
  }

  async add(pageNo: number, page: Buffer): Promise<void> {
    if (this.failed) throw this.failed;
    const no = Buffer.alloc(4);
    no.writeUInt32BE(pageNo, 0);
    this.deflate.write(no);
    if (!this.deflate.write(page)) await Promise.race([once(this.deflate, 'drain'), this.done]);
    this.count++;
  }

  /** Ends the body, writes the header and fsyncs; returns the patch file's size. */
  async finish(h: Omit<PatchHeader, 'changedPages' | 'pageSize'>): Promise<number> {
    this.deflate.end();
    await this.done;
    const fh = await fsp.open(this.file, 'r+');
    try {
      await fh.write(
        encodeHeader({ ...h, pageSize: this.pageSize, changedPages: this.count }),
        0,
        PATCH_HEADER_SIZE,
        0,
      );
      await fh.sync();
      return (await fh.stat()).size;
    } finally {
      await fh.close();
    }
  }

  /** Stops writing (the caller removes the file). */
  abort(): void {
    this.deflate.destroy();
  }
}

/**
 * Writes a patch's pages into `target` (a copy of its base, opened read-write) and sets the result's length. The
 * caller has checked the base's hash and checks the result's. Page numbers must ascend and stay within the result.
 */
export async function writePatchPages(patchFile: string, target: string): Promise<PatchHeader> {
  const h = await readPatchHeader(patchFile);
  const rec = 4 + h.pageSize;
  const fh = await fsp.open(target, 'r+');
  try {
    let pending: Buffer[] = [];
    let pendingLen = 0;
    let seen = 0;
    let last = 0;
    const inflate = createInflateRaw();
    const body = createReadStream(patchFile, { start: PATCH_HEADER_SIZE, highWaterMark: 256 * 1024 });
    const chunks = body.pipe(inflate);
    body.on('error', (err) => inflate.destroy(err));
    for await (const chunk of chunks) {
      pending.push(chunk as Buffer);
      pendingLen += (chunk as Buffer).length;
      if (pendingLen < rec) continue;
      const buf = pending.length === 1 ? pending[0] : Buffer.concat(pending, pendingLen);
      let off = 0;
      for (; off + rec <= buf.length; off += rec) {
        const no = buf.readUInt32BE(off);
        if (no <= last || no > h.pagesAfter || ++seen > h.changedPages)
          throw badPatch(msg('delta.why.page_out_of_order'));
        last = no;
        await fh.write(buf, off + 4, h.pageSize, (no - 1) * h.pageSize);
      }
      pending = off < buf.length ? [buf.subarray(off)] : [];
      pendingLen = buf.length - off;
    }
    if (pendingLen !== 0 || seen !== h.changedPages) throw badPatch(msg('delta.why.truncated_body'));
    await fh.truncate(h.pagesAfter * h.pageSize);
    await fh.sync();
    return h;
  } catch (err) {
    if (err instanceof SyncError) throw err;
    throw badPatch(msg('delta.why.other', { detail: (err as Error).message }));
  } finally {
    await fh.close();
  }
}
