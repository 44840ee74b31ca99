/** Token checks (constant time), token -> database bindings, the failed-attempt limiter and per-client rate limits. */
import { createHash, timingSafeEqual } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import type { Text } from '../errors.js';
import type { Logger } from '../log/events.js';
import { msg } from '../messages/index.js';

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

/** What a token line allows: every database (null) or only the ids listed after the token. */
interface TokenEntry {
  digest: Buffer;
  databases: ReadonlySet<string> | null;
}

/**
 * One line of a tokens file (or one item of the tokens list): `<token>` alone allows every database id;
 * `<token> <id> [<id> ...]` (separated by spaces or tabs) allows only those ids.
 */
function parseEntry(line: string): TokenEntry | null {
  const [token, ...ids] = line.trim().split(/\s+/);
  if (!token) return null;
  return { digest: digest(token), databases: ids.length ? new Set(ids) : null };
}

type TokenCheck = { ok: true; key: string; databases: ReadonlySet<string> | null } | { ok: false; key: string };

/**
 * Tokens from a list or a file (one per line, '#' comments, optional database ids after the token), re-read when
 * the file changes so a token can be added, bound or revoked without a restart. Comparison hashes both sides to
 * equal length and checks every token, so neither the length nor the position of a match shows in the timing.
 */
export class TokenSet {
  private entries: TokenEntry[] = [];
  private mtimeMs = -1;

  constructor(private readonly source: { tokens?: string[]; tokensFile?: string }) {
    if (source.tokens) this.entries = source.tokens.map(parseEntry).filter((e): e is TokenEntry => e !== null);
  }

  get enabled(): boolean {
    return !!this.source.tokensFile || this.entries.length > 0;
  }

  async refresh(): Promise<void> {
    const file = this.source.tokensFile;
    if (!file) return;
    const st = await fsp.stat(file);
    if (st.mtimeMs === this.mtimeMs) return;
    const text = await fsp.readFile(file, 'utf8');
    this.entries = text
      .split(/\r?\n/)
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'))
      .map(parseEntry)
      .filter((e): e is TokenEntry => e !== null);
    this.mtimeMs = st.mtimeMs;
  }

  /**
   * Checks a presented token. `key` names the presented token without revealing it (a hash prefix), for the limiter
   * and for counting uploads per token; with authentication off every client shares the key 'anonymous'.
   */
  async verify(token: unknown): Promise<TokenCheck> {
    if (this.enabled) await this.refresh();
    return this.match(token);
  }

  /** verify() against the tokens as last read (synchronous: see Gatekeeper.admit). */
  match(token: unknown): TokenCheck {
    if (!this.enabled) return { ok: true, key: 'anonymous', databases: null };
    const given = digest(typeof token === 'string' ? token : '');
    const key = given.subarray(0, 12).toString('hex');
    let match: TokenEntry | null = null;
    for (const e of this.entries) if (timingSafeEqual(e.digest, given)) match = e;
    if (!match || typeof token !== 'string' || token.length === 0) return { ok: false, key };
    return { ok: true, key, databases: match.databases };
  }

  async check(token: unknown): Promise<boolean> {
    return (await this.verify(token)).ok;
  }
}

/** A token bucket per key: `burst` at once, then `perSecond`. */
export class RateLimiter {
  private buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly burst: number,
    private readonly perSecond: number,
  ) {}

  /** Whether `cost` is available now, without taking it. */
  peek(key: string, cost = 1): boolean {
    const b = this.buckets.get(key);
    if (!b) return this.burst >= cost;
    return Math.min(this.burst, b.tokens + ((Date.now() - b.at) / 1000) * this.perSecond) >= cost;
  }

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

/**
 * Failed authentications, limited per address and per (address, token): only failures spend the budget, so a
 * flood of bad tokens from one address (everyone behind one proxy) never locks out a token that has already
 * authenticated from that address. A token new to an address under attack waits until the failures stop.
 */
class AuthFailureLimiter {
  private readonly perAddress: RateLimiter;
  private readonly perPair: RateLimiter;
  /** `address token-key` pairs that authenticated recently: never refused by the failure budget. */
  private readonly known = new Map<string, number>();

  constructor(burst: number, perSecond: number) {
    this.perAddress = new RateLimiter(burst, perSecond);
    // One token retried from one address (a misconfigured device) is slowed down sooner.
    this.perPair = new RateLimiter(Math.max(1, Math.ceil(burst / 4)), perSecond / 4);
  }

  /** Whether an attempt may be checked at all. */
  allowed(address: string, key: string): boolean {
    const pair = `${address} ${key}`;
    const seen = this.known.get(pair);
    if (seen !== undefined && Date.now() - seen < 24 * 3600_000) return true;
    return this.perAddress.peek(address) && this.perPair.peek(pair);
  }

  failed(address: string, key: string): void {
    this.perAddress.take(address);
    this.perPair.take(`${address} ${key}`);
  }

  succeeded(address: string, key: string): void {
    const pair = `${address} ${key}`;
    this.known.delete(pair);
    this.known.set(pair, Date.now());
    // Oldest first (insertion order): the table stays small.
    while (this.known.size > 10_000) this.known.delete(this.known.keys().next().value as string);
  }
}

type Admission =
  | { ok: true; key: string; databases: ReadonlySet<string> | null }
  | { ok: false; code: 'rate_limited' | 'unauthorized'; message: Text };

/**
 * Who may connect. Without tokens every attempt counts against the address (a connection flood); with tokens only
 * failures do, per address and per (address, token), and a token that authenticated from an address is never locked
 * out by others' failures there (AuthFailureLimiter).
 */
export class Gatekeeper {
  private readonly attempts: RateLimiter;
  private readonly failures: AuthFailureLimiter;

  constructor(
    private readonly tokens: TokenSet,
    limits: { burst: number; perSecond: number },
    private readonly log: Logger,
  ) {
    this.attempts = new RateLimiter(limits.burst, limits.perSecond);
    this.failures = new AuthFailureLimiter(limits.burst, limits.perSecond);
  }

  async admit(address: string, token: unknown): Promise<Admission> {
    const refused: Admission = {
      ok: false,
      code: 'unauthorized',
      message: msg('server.invalid_token'),
    };
    if (!this.tokens.enabled) {
      if (this.attempts.take(address)) return { ok: true, key: 'anonymous', databases: null };
      return {
        ok: false,
        code: 'rate_limited',
        message: msg('server.too_many_connection_attempts'),
      };
    }
    try {
      await this.tokens.refresh();
    } catch {
      this.log.emit({
        type: 'error',
        code: 'TOKENS_FILE',
        text: msg('event.TOKENS_FILE'),
      });
      return refused;
    }
    // From here on synchronous: concurrent attempts cannot all pass the budget before any failure is counted.
    const check = this.tokens.match(token);
    // Checked before the answer shows: over the budget, even a right token (unknown from here) learns nothing.
    if (!this.failures.allowed(address, check.key))
      return {
        ok: false,
        code: 'rate_limited',
        message: msg('server.too_many_failed_attempts'),
      };
    if (!check.ok) {
      this.failures.failed(address, check.key);
      this.log.emit({
        type: 'warning',
        code: 'AUTH_FAILED',
        text: msg('server.token_refused', { ip: address }),
      });
      return refused;
    }
    this.failures.succeeded(address, check.key);
    return check;
  }
}
