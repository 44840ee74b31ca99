/**
 * The SMB2/3 cryptography, on node:crypto only: SP800-108 key derivation, message signing (HMAC-SHA256 for 2.x,
 * AES-CMAC for 3.x) and the SMB3 TRANSFORM (AES-128-CCM / AES-128-GCM).
 */
import { createCipheriv, createDecipheriv, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** SP800-108 counter-mode KDF with HMAC-SHA256, one 128-bit block (MS-SMB2 3.1.4.2). */
export function kdf(key: Buffer, label: Buffer, context: Buffer, bits = 128): Buffer {
  const h = createHmac('sha256', key);
  const i = Buffer.alloc(4);
  i.writeUInt32BE(1);
  const l = Buffer.alloc(4);
  l.writeUInt32BE(bits);
  h.update(i)
    .update(label)
    .update(Buffer.from([0]))
    .update(context)
    .update(l);
  return h.digest().subarray(0, bits / 8);
}

const ZERO16 = Buffer.alloc(16);

function shiftLeft1(b: Buffer): Buffer {
  const out = Buffer.alloc(16);
  for (let i = 0; i < 16; i++) out[i] = ((b[i] << 1) | (i < 15 ? b[i + 1] >>> 7 : 0)) & 0xff;
  return out;
}
function subkeys(key: Buffer): [Buffer, Buffer] {
  const c = createCipheriv('aes-128-ecb', key, null);
  c.setAutoPadding(false);
  const l = c.update(ZERO16);
  const k1 = shiftLeft1(l);
  if (l[0] & 0x80) k1[15] ^= 0x87;
  const k2 = shiftLeft1(k1);
  if (k1[0] & 0x80) k2[15] ^= 0x87;
  return [k1, k2];
}

/**
 * AES-CMAC (RFC 4493). The bulk of the message goes through OpenSSL's AES-CBC (hardware AES), so signing a 1 MiB
 * write costs one CBC pass; only the last block is handled here.
 */
export function aesCmac(key: Buffer, parts: Buffer | Buffer[]): Buffer {
  const msg = Array.isArray(parts) ? parts : [parts];
  const total = msg.reduce((n, p) => n + p.length, 0);
  const [k1, k2] = subkeys(key);
  const nBlocks = Math.max(1, Math.ceil(total / 16));
  const complete = total > 0 && total % 16 === 0;
  const headLen = (nBlocks - 1) * 16;
  const cbc = createCipheriv('aes-128-cbc', key, ZERO16);
  cbc.setAutoPadding(false);
  let fed = 0;
  let lastEnc: Buffer = ZERO16;
  const last = Buffer.alloc(16);
  let lastLen = 0;
  for (const p of msg) {
    const take = Math.min(p.length, Math.max(0, headLen - fed));
    if (take > 0) {
      const out = cbc.update(p.subarray(0, take));
      if (out.length >= 16) lastEnc = out.subarray(out.length - 16);
      fed += take;
    }
    if (take < p.length) {
      p.copy(last, lastLen, take);
      lastLen += p.length - take;
    }
  }
  if (complete) {
    for (let i = 0; i < 16; i++) last[i] ^= k1[i];
  } else {
    last[lastLen] = 0x80;
    for (let i = 0; i < 16; i++) last[i] ^= k2[i];
  }
  for (let i = 0; i < 16; i++) last[i] ^= lastEnc[i];
  const e = createCipheriv('aes-128-ecb', key, null);
  e.setAutoPadding(false);
  return e.update(last);
}

export type SigningAlgorithm = 'hmac-sha256' | 'aes-cmac' | 'aes-gmac';
export type Cipher = 'aes-128-ccm' | 'aes-128-gcm';

const SIG_OFFSET = 48;

/**
 * Computes the 16-byte signature of a whole SMB2 message (its signature field taken as zero). The message may come
 * in parts (header+body, then write data) so a 1 MiB WRITE is signed without first being copied into one buffer.
 */
export function computeSignature(alg: SigningAlgorithm, key: Buffer, msg: Buffer | Buffer[]): Buffer {
  const parts = Array.isArray(msg) ? msg : [msg];
  const head = Buffer.from(parts[0].subarray(0, 64));
  head.fill(0, SIG_OFFSET, SIG_OFFSET + 16);
  const rest = [parts[0].subarray(64), ...parts.slice(1)];
  if (alg === 'hmac-sha256') {
    const h = createHmac('sha256', key).update(head);
    for (const p of rest) h.update(p);
    return h.digest().subarray(0, 16);
  }
  if (alg === 'aes-gmac') return aesGmac(key, head, rest);
  return aesCmac(key, [head, ...rest]);
}

/**
 * AES-128-GMAC signing (SMB 3.1.1 SIGNING_CAPABILITIES): GCM over no plaintext, the message as additional data.
 * Nonce: MessageId (8 bytes LE), then a 32-bit word with bit 0 = answer (server to client), bit 1 = CANCEL.
 */
function aesGmac(key: Buffer, head: Buffer, rest: Buffer[]): Buffer {
  const nonce = Buffer.alloc(12);
  head.copy(nonce, 0, 24, 32);
  const flags = head.readUInt32LE(16);
  nonce.writeUInt32LE((flags & 1) | (head.readUInt16LE(12) === 12 ? 2 : 0), 8);
  const g = createCipheriv('aes-128-gcm', key, nonce);
  g.setAAD(head);
  for (const p of rest) g.setAAD(p);
  g.final();
  return g.getAuthTag();
}

/** Signs in place (sets the signature bytes of the first part; the caller sets the SIGNED flag before). */
export function signMessage(alg: SigningAlgorithm, key: Buffer, msg: Buffer | Buffer[]): void {
  computeSignature(alg, key, msg).copy(Array.isArray(msg) ? msg[0] : msg, SIG_OFFSET);
}

export function verifySignature(alg: SigningAlgorithm, key: Buffer, msg: Buffer): boolean {
  if (msg.length < 64) return false;
  const expected = computeSignature(alg, key, msg);
  return timingSafeEqual(expected, msg.subarray(SIG_OFFSET, SIG_OFFSET + 16));
}

export const TRANSFORM_PROTOCOL_ID = 0x424d53fd; // 0xFD 'S' 'M' 'B' read little endian
const TRANSFORM_HEADER_SIZE = 52;

/**
 * Nonces never repeat under one key: a random prefix per connection and a counter (MS-SMB2 asks for uniqueness,
 * not unpredictability).
 */
export class NonceSource {
  private readonly prefix = randomBytes(4);
  private counter = 0n;
  next(cipher: Cipher): Buffer {
    const n = Buffer.alloc(16);
    this.prefix.copy(n, 0);
    n.writeBigUInt64LE(this.counter++, 4);
    // CCM uses 11 nonce bytes, GCM 12; the rest of the 16-byte field must be zero.
    n.fill(0, cipher === 'aes-128-ccm' ? 11 : 12);
    return n;
  }
}

/** Wraps a plaintext SMB2 message into a TRANSFORM message (header + ciphertext). */
export function encryptMessage(cipher: Cipher, key: Buffer, nonce: Buffer, sessionId: bigint, plain: Buffer): Buffer {
  const out = Buffer.alloc(TRANSFORM_HEADER_SIZE + plain.length);
  out.writeUInt32LE(TRANSFORM_PROTOCOL_ID, 0);
  nonce.copy(out, 20);
  out.writeUInt32LE(plain.length, 36);
  out.writeUInt16LE(0, 40);
  out.writeUInt16LE(1, 42); // Flags: Encrypted
  out.writeBigUInt64LE(sessionId, 44);
  const aad = out.subarray(20, TRANSFORM_HEADER_SIZE);
  const nonceLen = cipher === 'aes-128-ccm' ? 11 : 12;
  const c = createCipheriv(cipher, key, nonce.subarray(0, nonceLen), {
    authTagLength: 16,
  } as never) as unknown as import('node:crypto').CipherCCM;
  c.setAAD(aad, { plaintextLength: plain.length });
  const body = c.update(plain);
  body.copy(out, TRANSFORM_HEADER_SIZE);
  c.final();
  c.getAuthTag().copy(out, 4);
  return out;
}

/** Unwraps a TRANSFORM message; throws if it was tampered with or is malformed. */
export function decryptMessage(cipher: Cipher, key: Buffer, msg: Buffer): { sessionId: bigint; plain: Buffer } {
  if (msg.length < TRANSFORM_HEADER_SIZE) throw new Error('transform header truncated');
  const size = msg.readUInt32LE(36);
  if (size !== msg.length - TRANSFORM_HEADER_SIZE) throw new Error('transform size mismatch');
  const sessionId = msg.readBigUInt64LE(44);
  const nonceLen = cipher === 'aes-128-ccm' ? 11 : 12;
  const d = createDecipheriv(cipher, key, msg.subarray(20, 20 + nonceLen), {
    authTagLength: 16,
  } as never) as unknown as import('node:crypto').DecipherCCM;
  d.setAuthTag(msg.subarray(4, 20));
  d.setAAD(msg.subarray(20, TRANSFORM_HEADER_SIZE), { plaintextLength: size });
  const plain = d.update(msg.subarray(TRANSFORM_HEADER_SIZE));
  d.final();
  return { sessionId, plain };
}
