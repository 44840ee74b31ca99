/** Token checks (constant time) and per-client rate limits for the sync server. */
import { createHash, timingSafeEqual } from 'node:crypto';
import { promises as fsp } from 'node:fs';

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

/**
 * Tokens from a list or a file (one per line, '#' comments), re-read when the file changes so a token can be
 * added or revoked without a restart. Comparison hashes both sides to equal length and checks every token,
 * so neither the length nor the position of a match shows in the timing.
 */
export class TokenSet {
  private digests: Buffer[] = [];
  private mtimeMs = -1;

  constructor(private readonly source: { tokens?: string[]; tokensFile?: string }) {
    if (source.tokens) this.digests = source.tokens.filter((t) => t.length > 0).map(digest);
  }

  get enabled(): boolean {
    return !!this.source.tokensFile || this.digests.length > 0;
  }

  async refresh(): Promise<void> {
    const file = this.source.tokensFile;
    if (!file) return;
    const st = await fsp.stat(file);
    if (st.mtimeMs === this.mtimeMs) return;
    const text = await fsp.readFile(file, 'utf8');
    this.digests = text
      .split(/\r?\n/)
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'))
      .map(digest);
    this.mtimeMs = st.mtimeMs;
  }

  async check(token: unknown): Promise<boolean> {
    if (!this.enabled) return true;
    await this.refresh();
    const given = digest(typeof token === 'string' ? token : '');
    let ok = false;
    for (const d of this.digests) ok = timingSafeEqual(d, given) || ok;
    return ok && typeof token === 'string' && token.length > 0;
  }
}

/** A token bucket per key: `burst` at once, then `perSecond`. */
export class RateLimiter {
  private buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly burst: number,
    private readonly perSecond: number,
  ) {}

  take(key: string, cost = 1): boolean {
    const now = Date.now();
    const b = this.buckets.get(key) ?? { tokens: this.burst, at: now };
    b.tokens = Math.min(this.burst, b.tokens + ((now - b.at) / 1000) * this.perSecond);
    b.at = now;
    this.buckets.set(key, b);
    if (this.buckets.size > 10_000) this.sweep(now);
    if (b.tokens < cost) return false;
    b.tokens -= cost;
    return true;
  }

  forget(key: string): void {
    this.buckets.delete(key);
  }

  private sweep(now: number): void {
    for (const [k, b] of this.buckets) if (now - b.at > 60_000) this.buckets.delete(k);
  }
}
