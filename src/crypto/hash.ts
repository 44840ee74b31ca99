/**
 * SHA-256 computed on a worker thread. Hashing the ciphertext on the main thread halved encryption throughput
 * (ChaCha20-Poly1305 and SHA-256 run at similar speeds here); on a second core they overlap. Data reaches the worker
 * through a fixed shared ring (one copy, no per-message allocation: cloned messages left tens of MB of garbage in
 * the worker), so memory stays bounded by RING_SIZE.
 */
import { Worker } from 'node:worker_threads';

// CommonJS source; execArgv is emptied so a parent's --input-type=module (or loader flags) cannot change that.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const ring = Buffer.from(workerData);
const h = require('node:crypto').createHash('sha256');
parentPort.on('message', (m) => {
  if (m === null) parentPort.postMessage(h.digest('hex'));
  else { h.update(ring.subarray(m[0], m[0] + m[1])); parentPort.postMessage(m[1]); }
});
`;
const RING_SIZE = 4 * 1024 * 1024;
/** Pieces small enough that the worker starts hashing while the rest is copied. */
const PIECE = RING_SIZE / 8;

export class ParallelSha256 {
  private readonly shared = new SharedArrayBuffer(RING_SIZE);
  private readonly ring = Buffer.from(this.shared);
  private readonly worker = new Worker(WORKER_SOURCE, { eval: true, workerData: this.shared, execArgv: [] });
  private head = 0;
  private inFlight = 0;
  private failure: Error | null = null;
  private waiter: (() => void) | null = null;
  private result: { resolve(hex: string): void; reject(err: Error): void } | null = null;

  constructor() {
    this.worker.on('message', (m: number | string) => {
      if (typeof m === 'string') this.result?.resolve(m);
      else this.inFlight -= m;
      this.wake();
    });
    const fail = (err: Error) => {
      this.failure ??= err;
      this.result?.reject(this.failure);
      this.wake();
    };
    this.worker.on('error', fail);
    this.worker.on('exit', () => fail(new Error('hash worker exited')));
  }

  private wake(): void {
    const w = this.waiter;
    this.waiter = null;
    w?.();
  }

  /** Copies `chunk` into the ring for the worker; waits only while the ring is full. */
  async update(chunk: Buffer): Promise<void> {
    for (let off = 0; off < chunk.length; ) {
      const n = Math.min(chunk.length - off, RING_SIZE - this.head, PIECE);
      while (RING_SIZE - this.inFlight < n && !this.failure) await new Promise<void>((r) => (this.waiter = r));
      if (this.failure) throw this.failure;
      chunk.copy(this.ring, this.head, off, off + n);
      this.worker.postMessage([this.head, n]);
      this.inFlight += n;
      this.head = (this.head + n) % RING_SIZE;
      off += n;
    }
  }

  /** The hex digest of everything queued; the worker ends afterwards. */
  async digest(): Promise<string> {
    if (this.failure) throw this.failure;
    const hex = new Promise<string>((resolve, reject) => (this.result = { resolve, reject }));
    this.worker.postMessage(null);
    try {
      return await hex;
    } finally {
      await this.close();
    }
  }

  async close(): Promise<void> {
    this.worker.removeAllListeners('exit');
    await this.worker.terminate();
  }
}
