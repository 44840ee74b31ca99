/**
 * age v1 encryption and decryption, incremental: header, 16-byte nonce, then the STREAM payload (64 KiB chunks, ChaCha20-Poly1305,
 * nonce = 11-byte big-endian counter + last-chunk flag). Memory stays at a few chunks whatever the file size.
 *
 * STREAM rules enforced on decryption (they are what make truncation detectable):
 * - only the final chunk may be shorter than 64 KiB, and it carries the last-chunk flag;
 * - the final chunk may be empty only when it is the only chunk (an empty payload);
 * - nothing may follow the final chunk.
 *
 * AgeEncryptor/AgeDecryptor hold the logic and never keep a reference to an input buffer after update() returns,
 * so file loops can reuse their read buffers; the Transform classes wrap them for stream users.
 */
import { randomBytes } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { encryptionError } from './errors.js';
import { buildHeader, openHeader, parseHeader, toUnlockers, type HeaderRecipients, type Unlockers } from './header.js';
import { parseRecipient } from './keys.js';
import { aeadOpen, aeadSeal, hkdf, TAG_SIZE } from './primitives.js';

const CHUNK_SIZE = 64 * 1024;
const ENC_CHUNK_SIZE = CHUNK_SIZE + TAG_SIZE;
const PAYLOAD_NONCE_SIZE = 16;
/** Read and write size: ~1 MiB per I/O measured twice as fast as 64 KiB. */
export const IO_SIZE = 1024 * 1024;

/** FIFO of buffers that hands out exact-size slices, copying only when a slice spans two buffers. */
class ByteQueue {
  private bufs: Buffer[] = [];
  length = 0;

  push(b: Buffer): void {
    if (b.length) {
      this.bufs.push(b);
      this.length += b.length;
    }
  }

  take(n: number): Buffer {
    this.length -= n;
    const head = this.bufs[0];
    if (head && head.length >= n) {
      const out = head.subarray(0, n);
      if (head.length === n) this.bufs.shift();
      else this.bufs[0] = head.subarray(n);
      return out;
    }
    const out = Buffer.allocUnsafe(n);
    let off = 0;
    while (off < n) {
      const b = this.bufs[0]!;
      const k = Math.min(b.length, n - off);
      b.copy(out, off, 0, k);
      off += k;
      if (k === b.length) this.bufs.shift();
      else this.bufs[0] = b.subarray(k);
    }
    return out;
  }

  /** Copies what is left (at most a chunk) so the caller may reuse its input buffers. */
  detach(): void {
    const n = this.length;
    if (!n) return;
    this.bufs = [Buffer.from(this.take(n))];
    this.length = n;
  }
}

/** The per-chunk nonce: counter in bytes 5..10 (2^48 chunks is far beyond any file), flag in byte 11. */
class ChunkNonce {
  readonly bytes = Buffer.alloc(12);
  counter = 0;
  set(last: boolean): Buffer {
    this.bytes.writeUIntBE(this.counter, 5, 6);
    this.bytes[11] = last ? 1 : 0;
    return this.bytes;
  }
}

function payloadKey(fileKey: Buffer, nonce: Buffer): Buffer {
  return hkdf(fileKey, nonce, 'payload');
}

export interface EncryptOptions {
  /** age1... public keys. */
  recipients?: readonly string[];
  /** Passphrase mode (scrypt); cannot be combined with recipients. */
  passphrase?: string;
  /** scrypt log2(N); age's default (18) when omitted. Tests use a low value to stay fast. */
  scryptWorkFactor?: number;
}

/** Validates what to encrypt to before any file is touched. */
function resolveRecipients(opts: EncryptOptions): HeaderRecipients {
  const recipients = opts.recipients ?? [];
  if (opts.passphrase !== undefined) {
    if (recipients.length) throw encryptionError('mixed-modes');
    if (opts.passphrase === '') throw encryptionError('passphrase-missing');
    return { passphrase: opts.passphrase, workFactor: opts.scryptWorkFactor };
  }
  if (!recipients.length) throw encryptionError('no-recipients');
  return { recipients: recipients.map((r, i) => parseRecipient(r, i)) };
}

/** What the file loop and the Transforms drive: bytes in, output pieces out. */
export interface AgeCodec {
  update(data: Buffer): Promise<Buffer[]>;
  final(): Promise<Buffer[]>;
}

/** Plaintext in, age v1 file out. The constructor throws on bad recipients; the header is written lazily. */
export class AgeEncryptor implements AgeCodec {
  private readonly ready: Promise<void>;
  private prefix: Buffer | null = null;
  private key: Buffer | null = null;
  private readonly nonce = new ChunkNonce();
  private readonly queue = new ByteQueue();

  constructor(opts: EncryptOptions) {
    const to = resolveRecipients(opts);
    this.ready = (async () => {
      const fileKey = randomBytes(16);
      const nonce = randomBytes(PAYLOAD_NONCE_SIZE);
      this.prefix = Buffer.concat([await buildHeader(fileKey, to), nonce]);
      this.key = payloadKey(fileKey, nonce);
    })();
    this.ready.catch(() => {}); // reported by the first update()/final()
  }

  private seal(plain: Buffer, last: boolean, out: Buffer[]): void {
    out.push(...aeadSeal(this.key!, this.nonce.set(last), plain));
    this.nonce.counter++;
  }

  private start(): Buffer[] {
    const out = this.prefix ? [this.prefix] : [];
    this.prefix = null;
    return out;
  }

  async update(data: Buffer): Promise<Buffer[]> {
    await this.ready;
    const out = this.start();
    this.queue.push(data);
    // Keep at least one byte back: a chunk is final only if nothing follows it, and we cannot know that yet.
    while (this.queue.length > CHUNK_SIZE) this.seal(this.queue.take(CHUNK_SIZE), false, out);
    this.queue.detach();
    return out;
  }

  async final(): Promise<Buffer[]> {
    await this.ready;
    const out = this.start();
    // Between 1 and 64 KiB remain here, or 0 for an empty input: the only case where the last chunk is empty.
    this.seal(this.queue.take(this.queue.length), true, out);
    return out;
  }
}

export interface DecryptOptions {
  /** AGE-SECRET-KEY-1... identities. */
  identities?: readonly string[];
  passphrase?: string;
}

/**
 * age v1 file in, plaintext out. Each chunk is released only after its tag verified, but a later chunk can still
 * fail: callers must discard everything on error (decryptFile deletes its output).
 */
export class AgeDecryptor implements AgeCodec {
  private readonly unlockers: Unlockers;
  /** Header bytes gathered so far; null once the header is open. */
  private headerBuf: Buffer | null = Buffer.alloc(0);
  /** Between the header and the payload nonce. */
  private fileKey: Buffer | null = null;
  private key: Buffer | null = null;
  private readonly queue = new ByteQueue();
  private readonly nonce = new ChunkNonce();

  constructor(opts: DecryptOptions) {
    this.unlockers = toUnlockers(opts);
    if (!this.unlockers.identities.length && this.unlockers.passphrase === undefined) throw encryptionError('no-key');
  }

  /** Consumes header bytes; true once the header is open and the bytes after it are queued. */
  private async readHeader(chunk: Buffer | null): Promise<boolean> {
    if (!this.headerBuf) return true;
    const buf = chunk ? Buffer.concat([this.headerBuf, chunk]) : this.headerBuf;
    const header = parseHeader(buf, chunk === null);
    if (!header) {
      this.headerBuf = buf;
      return false;
    }
    this.headerBuf = null;
    this.fileKey = await openHeader(header, this.unlockers);
    this.queue.push(buf.subarray(header.length));
    return true;
  }

  /** Takes the payload nonce once 16 bytes are queued. */
  private readNonce(): boolean {
    if (this.key) return true;
    if (this.queue.length < PAYLOAD_NONCE_SIZE) return false;
    this.key = payloadKey(this.fileKey!, Buffer.from(this.queue.take(PAYLOAD_NONCE_SIZE)));
    this.fileKey = null;
    return true;
  }

  private open(sealed: Buffer, last: boolean): Buffer | null {
    return aeadOpen(this.key!, this.nonce.set(last), sealed);
  }

  private drain(): Buffer[] {
    const out: Buffer[] = [];
    if (!this.readNonce()) return out;
    // A full chunk with more bytes after it cannot be the final one.
    while (this.queue.length > ENC_CHUNK_SIZE) {
      const sealed = this.queue.take(ENC_CHUNK_SIZE);
      const plain = this.open(sealed, false);
      if (!plain) {
        // Authentic as a final chunk, yet bytes follow: data was appended after the end.
        if (this.open(sealed, true)) throw encryptionError('trailing-data', { chunk: this.nonce.counter });
        throw encryptionError('payload', { chunk: this.nonce.counter });
      }
      out.push(plain);
      this.nonce.counter++;
    }
    return out;
  }

  async update(data: Buffer): Promise<Buffer[]> {
    if (this.headerBuf) {
      if (!(await this.readHeader(data))) return [];
    } else {
      this.queue.push(data);
    }
    const out = this.drain();
    this.queue.detach();
    return out;
  }

  async final(): Promise<Buffer[]> {
    // Open the header first, so a wrong key is reported as such even when the payload is also cut short.
    await this.readHeader(null);
    if (!this.readNonce()) throw encryptionError('truncated', { where: 'payload nonce' });
    const out = this.drain();
    const n = this.queue.length;
    if (n === 0) throw encryptionError('truncated', { where: 'no payload chunk' });
    const sealed = this.queue.take(n);
    if (n === TAG_SIZE && this.nonce.counter > 0)
      throw encryptionError('payload', { chunk: this.nonce.counter, what: 'empty final chunk' });
    const plain = this.open(sealed, true);
    if (!plain) {
      // A whole chunk that verifies as non-final: everything present is authentic, but the end is missing.
      if (n === ENC_CHUNK_SIZE && this.open(sealed, false))
        throw encryptionError('truncated', { where: 'after chunk', chunk: this.nonce.counter });
      throw encryptionError('payload', { chunk: this.nonce.counter });
    }
    out.push(plain);
    return out;
  }
}

/** A Transform around a codec: one push per output piece. */
class CodecStream extends Transform {
  constructor(private readonly codec: AgeCodec) {
    super({ readableHighWaterMark: 2 * IO_SIZE });
  }

  private emitAll(p: Promise<Buffer[]>, cb: TransformCallback): void {
    p.then((out) => {
      for (const b of out) if (b.length) this.push(b);
      cb();
    }, cb);
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.emitAll(this.codec.update(chunk), cb);
  }

  override _flush(cb: TransformCallback): void {
    this.emitAll(this.codec.final(), cb);
  }
}

/** Transform: plaintext in, age v1 file out. Throws synchronously on bad recipients. */
export class EncryptStream extends CodecStream {
  constructor(opts: EncryptOptions) {
    super(new AgeEncryptor(opts));
  }
}

/** Transform: age v1 file in, verified plaintext out. On error, discard everything it produced. */
export class DecryptStream extends CodecStream {
  constructor(opts: DecryptOptions) {
    super(new AgeDecryptor(opts));
  }
}
