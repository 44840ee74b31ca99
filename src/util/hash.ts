import { createHash } from 'node:crypto';
import { promises as fsp } from 'node:fs';

/**
 * The streaming hash meter: hashes (SHA-256) and counts the bytes of a transfer as they pass, reporting progress
 * after each chunk. Every transport's "what passed through" check is this one.
 */
export class HashMeter {
  private readonly hash = createHash('sha256');
  private count = 0;

  constructor(
    private readonly onProgress?: (p: { bytes: number; total?: number }) => void,
    private readonly total?: number,
  ) {}

  /** Bytes seen so far. */
  get bytes(): number {
    return this.count;
  }

  /** Takes one chunk; a throwing progress observer throws here, after the chunk was counted. */
  update(chunk: Buffer): void {
    this.hash.update(chunk);
    this.count += chunk.length;
    this.onProgress?.({ bytes: this.count, total: this.total });
  }

  /** The byte count and hex digest of everything seen (once: the hash is finished). */
  done(): { bytes: number; sha256: string } {
    return { bytes: this.count, sha256: this.hash.digest('hex') };
  }
}

/**
 * Reads a file in order into one reused 1 MiB buffer, calling `use` with each piece (valid only during the call):
 * memory stays flat at any size, and a full read leaves no megabytes of garbage behind as a read stream does.
 */
export async function readFileInPieces(file: string, use: (piece: Buffer) => void): Promise<number> {
  const fh = await fsp.open(file, 'r');
  try {
    const buf = Buffer.allocUnsafe(1024 * 1024);
    let pos = 0;
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, buf.length, pos);
      if (bytesRead === 0) return pos;
      use(buf.subarray(0, bytesRead));
      pos += bytesRead;
    }
  } finally {
    await fh.close();
  }
}

/** sha256 and size of a file (1 MiB reads: bounded memory at any size). */
export async function sha256File(file: string): Promise<{ sha256: string; size: number }> {
  const meter = new HashMeter();
  await readFileInPieces(file, (piece) => meter.update(piece));
  const { bytes, sha256 } = meter.done();
  return { sha256, size: bytes };
}
