/**
 * The web UI's gate. It runs on desktops next to browsers, so every request must prove it comes from the person who
 * started it (the token printed once, then an HttpOnly cookie), through an address of this machine (Host check
 * against DNS rebinding), from our own page (Origin / Sec-Fetch-Site), and writes also carry a CSRF header.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import net from 'node:net';
import type { IncomingMessage } from 'node:http';

/** Header that state-changing requests carry; a foreign page cannot set it without a CORS preflight we never grant. */
export const CSRF_HEADER = 'x-cordiax-csrf';

export interface Gate {
  /** The bearer token for scripts (Authorization: Bearer). Never a cookie, never in a URL. */
  token: string;
  /** Derived from the token: what the page sends back in CSRF_HEADER. */
  csrf: string;
  /** Per port, since browsers share cookies between ports of one host. */
  cookieName: string;
  port: number;
  /** Host names accepted besides IP literals and localhost (the configured ui.host, the certificate's names). */
  extraHosts: string[];
  /** Served over HTTPS: origins are https://, the cookie is Secure. */
  secure: boolean;
}

export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

export function makeGate(
  token: string,
  port: number,
  bindHost: string,
  tls: { dnsNames: string[] } | null = null,
): Gate {
  const extra = bindHost && net.isIP(bindHost) === 0 && bindHost !== 'localhost' ? [bindHost.toLowerCase()] : [];
  // The names a certificate was made for are the names people type; a rebinding name has no certificate of ours.
  if (tls) extra.push(...tls.dnsNames);
  return {
    token,
    csrf: createHmac('sha256', token).update('csrf').digest('base64url'),
    cookieName: `cordiax_ui_${port}`,
    port,
    extraHosts: extra,
    secure: tls !== null,
  };
}

/** Constant-time comparison of two secrets of any length. */
export function secretEquals(a: string | undefined, b: string): boolean {
  if (typeof a !== 'string') return false;
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb);
}

/**
 * DNS rebinding needs a host NAME that an attacker controls: IP literals and "localhost" are safe to accept, any
 * other name only if it is the configured ui.host. The port must be ours.
 */
export function hostAllowed(hostHeader: string | undefined, gate: Gate): boolean {
  if (!hostHeader) return false;
  const m = /^(\[[0-9a-f:.]+\]|[^:[\]]+):(\d+)$/i.exec(hostHeader.trim());
  if (!m) return false;
  if (Number(m[2]) !== gate.port) return false;
  const name = m[1]!.toLowerCase().replace(/^\[|\]$/g, '');
  return net.isIP(name) !== 0 || name === 'localhost' || gate.extraHosts.includes(name);
}

/** An Origin, when sent, must be this very server as the browser reached it (scheme included). */
export function originAllowed(origin: string | undefined, hostHeader: string, secure = false): boolean {
  if (origin === undefined) return true;
  return origin.toLowerCase() === `${secure ? 'https' : 'http'}://${hostHeader.toLowerCase()}`;
}

export function parseCookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (header ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i > 0) out[part.slice(0, i).trim()] = part.slice(i + 1).trim();
  }
  return out;
}

/** A session older than this gets a fresh cookie on its next request; the old one lives on for ROTATE_GRACE_MS. */
export const ROTATE_MS = 30 * 60 * 1000;
const ROTATE_GRACE_MS = 2 * 60 * 1000;
/** A session nobody used for this long ends (the page asks for its status every 30 s while open). */
const IDLE_MS = 12 * 60 * 60 * 1000;
const MAX_SESSIONS = 16;
const MAX_CODES = 16;

/** What survives a restart of a session: its hash (never the cookie value itself) and its times. */
export interface StoredSession {
  hash: string;
  created: number;
  used: number;
  endsAt: number | null;
}

/** Where sessions are kept between restarts (a 0600 file under the home, see session-file.ts). */
export interface SessionStore {
  load(): StoredSession[];
  save(sessions: StoredSession[]): void;
}

const sessionHash = (id: string) => createHash('sha256').update(id).digest('hex');
/** `used` is saved again only when it moved this much (a page asks every 30 s; the idle limit is 12 h). */
const SAVE_USED_EVERY_MS = 10 * 60 * 1000;

/**
 * The browser's credentials, apart from the bearer token: sessions (cookie values, random, rotated) and one-time
 * login codes (what the printed address and the launcher page carry; each opens one session, once).
 * Browsers send a cookie to every port of 127.0.0.1, so whatever else listens there may see a session: it is not
 * valid as a bearer token, it ends on rotation, and the token itself never travels in a cookie or a URL.
 * Sessions are kept by the hash of their cookie value, and with a store they survive a restart of the service: an
 * open tab and a bookmark keep working (issue 15, "a stable way back"); the store never holds a usable cookie.
 */
export class Sessions {
  private readonly live = new Map<string, { created: number; used: number; endsAt: number; savedUsed: number }>();
  private readonly codes = new Set<string>();

  constructor(
    private readonly now: () => number = Date.now,
    private readonly store: SessionStore | null = null,
  ) {
    const t = now();
    for (const s of store?.load() ?? []) {
      const endsAt = s.endsAt ?? Number.POSITIVE_INFINITY;
      if (t <= endsAt && t - s.used <= IDLE_MS) this.live.set(s.hash, { ...s, endsAt, savedUsed: s.used });
    }
  }

  /** A new one-time login code. */
  newCode(): string {
    const code = newToken();
    this.codes.add(code);
    if (this.codes.size > MAX_CODES) this.codes.delete(this.codes.values().next().value as string);
    return code;
  }

  /** Spends a login code: true once per code (constant-time over the outstanding ones). */
  redeem(code: string): boolean {
    let hit: string | undefined;
    for (const c of this.codes) if (secretEquals(code, c)) hit = c;
    if (hit === undefined) return false;
    this.codes.delete(hit);
    return true;
  }

  /** Opens a session (a login): its cookie value. */
  open(): string {
    const id = newToken();
    const t = this.now();
    this.live.set(sessionHash(id), { created: t, used: t, endsAt: Number.POSITIVE_INFINITY, savedUsed: t });
    while (this.live.size > MAX_SESSIONS) this.live.delete(this.live.keys().next().value as string);
    this.save();
    return id;
  }

  /** 'ok', 'rotate' (valid, but give it a new cookie now) or null (unknown, ended or expired). */
  check(id: string | undefined): 'ok' | 'rotate' | null {
    if (!id) return null;
    const t = this.now();
    const wanted = sessionHash(id);
    let found: string | undefined;
    let dropped = false;
    for (const [k, s] of this.live) {
      if (t > s.endsAt || t - s.used > IDLE_MS) {
        this.live.delete(k);
        dropped = true;
      } else if (secretEquals(wanted, k)) found = k;
    }
    const s = found === undefined ? undefined : this.live.get(found);
    if (s) s.used = t;
    if (dropped || (s && t - s.savedUsed > SAVE_USED_EVERY_MS)) this.save();
    if (!s) return null;
    return s.endsAt === Number.POSITIVE_INFINITY && t - s.created > ROTATE_MS ? 'rotate' : 'ok';
  }

  /** Replaces a session by a new one; the old cookie stays valid a little (requests already on their way). */
  rotate(id: string): string {
    const old = this.live.get(sessionHash(id));
    if (old) old.endsAt = Math.min(old.endsAt, this.now() + ROTATE_GRACE_MS);
    return this.open();
  }

  private save(): void {
    if (!this.store) return;
    const out: StoredSession[] = [];
    for (const [hash, s] of this.live) {
      s.savedUsed = s.used;
      out.push({ hash, created: s.created, used: s.used, endsAt: Number.isFinite(s.endsAt) ? s.endsAt : null });
    }
    this.store.save(out);
  }
}

/**
 * Cookie (the browser: a session from Sessions, never the token) or "Authorization: Bearer <token>" (scripts; no
 * ambient credential, so no CSRF needed; a session value is not accepted there).
 */
export function authenticate(
  req: IncomingMessage,
  gate: Gate,
  sessions: Sessions,
): { via: 'cookie'; session: string; rotate: boolean } | { via: 'bearer' } | null {
  const cookie = parseCookies(req.headers.cookie)[gate.cookieName];
  const state = sessions.check(cookie);
  if (state && cookie) return { via: 'cookie', session: cookie, rotate: state === 'rotate' };
  const auth = req.headers.authorization;
  if (auth?.startsWith('Bearer ') && secretEquals(auth.slice(7).trim(), gate.token)) return { via: 'bearer' };
  return null;
}

export function sessionCookie(gate: Gate, session: string): string {
  // Secure over HTTPS: the browser then never sends the session over plain HTTP (another server on the same host).
  return `${gate.cookieName}=${session}; HttpOnly; SameSite=Strict; Path=/${gate.secure ? '; Secure' : ''}`;
}

/** Headers on every answer, errors included. No Access-Control-* header ever: no CORS. */
export const SECURITY_HEADERS: Record<string, string> = {
  'Content-Security-Policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; manifest-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Permissions-Policy': 'camera=(), microphone=(), geolocation=(), usb=(), serial=()',
  'Cache-Control': 'no-store',
};
