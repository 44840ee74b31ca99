import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';

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

/** Streams a file through sha256 (1 MiB reads: bounded memory at any size). */
export async function sha256File(file: string): Promise<{ sha256: string; size: number }> {
  const meter = new HashMeter();
  for await (const chunk of createReadStream(file, { highWaterMark: 1024 * 1024 })) meter.update(chunk as Buffer);
  const { bytes, sha256 } = meter.done();
  return { sha256, size: bytes };
}
