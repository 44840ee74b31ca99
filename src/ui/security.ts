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
  token: string;
  /** Derived from the token: what the page sends back in CSRF_HEADER. */
  csrf: string;
  /** Per port, since browsers share cookies between ports of one host. */
  cookieName: string;
  port: number;
  /** Host names accepted besides IP literals and localhost (the configured ui.host). */
  extraHosts: string[];
}

export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

export function makeGate(token: string, port: number, bindHost: string): Gate {
  const extra = bindHost && net.isIP(bindHost) === 0 && bindHost !== 'localhost' ? [bindHost.toLowerCase()] : [];
  return {
    token,
    csrf: createHmac('sha256', token).update('csrf').digest('base64url'),
    cookieName: `cordiax_ui_${port}`,
    port,
    extraHosts: extra,
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

/** An Origin, when sent, must be this very server as the browser reached it. */
export function originAllowed(origin: string | undefined, hostHeader: string): boolean {
  if (origin === undefined) return true;
  return origin.toLowerCase() === `http://${hostHeader.toLowerCase()}`;
}

export function parseCookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (header ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i > 0) out[part.slice(0, i).trim()] = part.slice(i + 1).trim();
  }
  return out;
}

export type AuthResult = 'cookie' | 'bearer' | null;

/** Cookie (the browser) or "Authorization: Bearer <token>" (scripts; no ambient credential, so no CSRF needed). */
export function authenticate(req: IncomingMessage, gate: Gate): AuthResult {
  if (secretEquals(parseCookies(req.headers.cookie)[gate.cookieName], gate.token)) return 'cookie';
  const auth = req.headers.authorization;
  if (auth?.startsWith('Bearer ') && secretEquals(auth.slice(7).trim(), gate.token)) return 'bearer';
  return null;
}

export function sessionCookie(gate: Gate): string {
  return `${gate.cookieName}=${gate.token}; HttpOnly; SameSite=Strict; Path=/`;
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
