/** The few node:crypto primitives age v1 is made of, in the shapes the header and the payload need. */
import { createCipheriv, createDecipheriv, hkdfSync } from 'node:crypto';

export const TAG_SIZE = 16;

export function hkdf(ikm: Uint8Array, salt: Uint8Array, info: string): Buffer {
  return Buffer.from(hkdfSync('sha256', ikm, salt, info, 32));
}

/** ChaCha20-Poly1305 seal: ciphertext followed by the 16-byte tag, as age lays it out. */
export function aeadSeal(key: Uint8Array, nonce: Uint8Array, plain: Uint8Array): Buffer[] {
  const c = createCipheriv('chacha20-poly1305', key, nonce, { authTagLength: TAG_SIZE });
  const body = c.update(plain);
  c.final();
  return [body, c.getAuthTag()];
}

/** ChaCha20-Poly1305 open of ciphertext||tag; null when the tag does not verify. */
export function aeadOpen(key: Uint8Array, nonce: Uint8Array, sealed: Uint8Array): Buffer | null {
  if (sealed.length < TAG_SIZE) return null;
  const d = createDecipheriv('chacha20-poly1305', key, nonce, { authTagLength: TAG_SIZE });
  d.setAuthTag(sealed.subarray(sealed.length - TAG_SIZE));
  const out = d.update(sealed.subarray(0, sealed.length - TAG_SIZE));
  try {
    d.final();
  } catch {
    out.fill(0); // unauthenticated plaintext: never let it travel further
    return null;
  }
  return out;
}

/** Unpadded standard base64, as age writes it. */
export function b64(data: Uint8Array): string {
  return Buffer.from(data).toString('base64').replace(/=+$/, '');
}

const B64_CHARS = /^[A-Za-z0-9+/]*$/;
/** Strict unpadded base64: rejects padding, stray characters and non-canonical trailing bits (age requires this). */
export function b64Decode(s: string): Buffer | null {
  if (!B64_CHARS.test(s) || s.length % 4 === 1) return null;
  const out = Buffer.from(s, 'base64');
  return b64(out) === s ? out : null;
}
