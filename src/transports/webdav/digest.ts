/**
 * HTTP authentication headers: Basic, and Digest (RFC 7616: MD5, SHA-256 and their -sess variants, qop=auth).
 * A Digest challenge is kept and reused with an increasing nonce count, so each request costs one round trip.
 */
import { createHash, randomBytes } from 'node:crypto';

interface Challenge {
  scheme: string; // lower case: 'basic', 'digest', ...
  params: Record<string, string>;
}

/** Parses WWW-Authenticate header values (one per raw header line; a line may hold several challenges). */
export function parseChallenges(values: string[]): Challenge[] {
  const out: Challenge[] = [];
  for (const value of values) {
    // token (SP auth-param *( "," auth-param ))... ; a new challenge starts where a bare token is followed by a space.
    const re = /\s*,?\s*([A-Za-z0-9!#$%&'*+.^_`|~-]+)(?:\s*=\s*("((?:[^"\\]|\\.)*)"|[^,\s]*))?/gy;
    let current: Challenge | undefined;
    let guard = 0;
    for (;;) {
      const m = re.exec(value);
      if (m === null || guard++ >= 200) break;
      if (m[0].length === 0) break;
      const name = m[1]!;
      if (m[2] === undefined) {
        current = { scheme: name.toLowerCase(), params: {} };
        out.push(current);
      } else if (current) {
        const v = m[3] !== undefined ? m[3].replace(/\\(.)/g, '$1') : m[2];
        current.params[name.toLowerCase()] = v;
      }
      if (re.lastIndex >= value.length) break;
    }
  }
  return out;
}

export function basicHeader(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}`;
}

export class DigestSession {
  private nc = 0;
  readonly algorithm: string;
  readonly qop: 'auth' | undefined;

  /** `cnonce` is only given by tests (known-answer vectors). */
  constructor(
    readonly challenge: Challenge,
    private readonly cnonce = randomBytes(12).toString('hex'),
  ) {
    this.algorithm = (challenge.params.algorithm ?? 'MD5').toUpperCase();
    const qops = (challenge.params.qop ?? '')
      .split(',')
      .map((q) => q.trim().toLowerCase())
      .filter(Boolean);
    this.qop = qops.includes('auth') ? 'auth' : undefined;
  }

  /** Null when this challenge cannot be answered safely (unknown algorithm, only auth-int). */
  static supported(ch: Challenge): string | null {
    const alg = (ch.params.algorithm ?? 'MD5').toUpperCase();
    if (!['MD5', 'MD5-SESS', 'SHA-256', 'SHA-256-SESS'].includes(alg)) return `algorithm ${alg}`;
    if (!ch.params.nonce || ch.params.realm === undefined) return 'nonce/realm missing';
    const qops = (ch.params.qop ?? '')
      .split(',')
      .map((q) => q.trim().toLowerCase())
      .filter(Boolean);
    if (qops.length > 0 && !qops.includes('auth')) return `qop ${qops.join(',')}`;
    return null;
  }

  header(method: string, uri: string, user: string, password: string): string {
    const p = this.challenge.params;
    const hashName = this.algorithm.startsWith('SHA-256') ? 'sha256' : 'md5';
    const H = (s: string) => createHash(hashName).update(s, 'utf8').digest('hex');
    const nonce = p.nonce!;
    const realm = p.realm!;
    let ha1 = H(`${user}:${realm}:${password}`);
    if (this.algorithm.endsWith('-SESS')) ha1 = H(`${ha1}:${nonce}:${this.cnonce}`);
    const ha2 = H(`${method}:${uri}`);
    this.nc++;
    const nc = this.nc.toString(16).padStart(8, '0');
    const response = this.qop
      ? H(`${ha1}:${nonce}:${nc}:${this.cnonce}:${this.qop}:${ha2}`)
      : H(`${ha1}:${nonce}:${ha2}`);
    const q = (s: string) => `"${s.replace(/(["\\])/g, '\\$1')}"`;
    const parts = [
      `username=${q(user)}`,
      `realm=${q(realm)}`,
      `nonce=${q(nonce)}`,
      `uri=${q(uri)}`,
      `response=${q(response)}`,
    ];
    if (p.algorithm) parts.push(`algorithm=${p.algorithm}`);
    if (p.opaque !== undefined) parts.push(`opaque=${q(p.opaque)}`);
    if (this.qop) parts.push(`qop=${this.qop}`, `nc=${nc}`, `cnonce=${q(this.cnonce)}`);
    return `Digest ${parts.join(', ')}`;
  }
}
