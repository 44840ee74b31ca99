/**
 * age X25519 keys: identities (AGE-SECRET-KEY-1..., 32-byte scalars) and recipients (age1..., 32-byte points),
 * on node:crypto KeyObjects. Raw keys are wrapped in fixed DER prefixes (PKCS#8 / SPKI for OID 1.3.101.110).
 */
import { createPrivateKey, createPublicKey, diffieHellman, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { bech32Decode, bech32Encode } from './bech32.js';
import { encryptionError } from './errors.js';

const PKCS8_PREFIX = Buffer.from('302e020100300506032b656e04220420', 'hex');
const SPKI_PREFIX = Buffer.from('302a300506032b656e032100', 'hex');
const IDENTITY_HRP = 'age-secret-key-';
const RECIPIENT_HRP = 'age';

function privateKeyFromRaw(raw: Uint8Array): KeyObject {
  return createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, raw]), format: 'der', type: 'pkcs8' });
}

export function publicKeyFromRaw(raw: Uint8Array): KeyObject {
  return createPublicKey({ key: Buffer.concat([SPKI_PREFIX, raw]), format: 'der', type: 'spki' });
}

export function rawPublicKey(key: KeyObject): Buffer {
  return key.export({ format: 'der', type: 'spki' }).subarray(SPKI_PREFIX.length);
}

function rawPrivateKey(key: KeyObject): Buffer {
  return key.export({ format: 'der', type: 'pkcs8' }).subarray(PKCS8_PREFIX.length);
}

/**
 * X25519(scalar, point). Returns null for a low-order point (all-zero shared secret), which age treats as an error:
 * OpenSSL refuses to derive it, and we check the output as well in case a build does not.
 */
export function x25519(priv: KeyObject, pub: KeyObject): Buffer | null {
  let secret: Buffer;
  try {
    secret = diffieHellman({ privateKey: priv, publicKey: pub });
  } catch {
    return null;
  }
  return secret.every((b) => b === 0) ? null : secret;
}

/** A parsed identity: the private key and its recipient's raw public key (needed by the stanza's HKDF salt). */
export interface X25519Identity {
  key: KeyObject;
  publicRaw: Buffer;
}

/** Parses an AGE-SECRET-KEY-1... string. The error says which one failed by position only, never its text. */
export function parseIdentity(s: string, index = 0): X25519Identity {
  const d = bech32Decode(s.trim());
  if (!d || d.hrp !== IDENTITY_HRP || d.data.length !== 32) throw encryptionError('bad-identity', { index });
  const key = privateKeyFromRaw(d.data);
  return { key, publicRaw: rawPublicKey(createPublicKey(key)) };
}

/** Parses an age1... recipient into its raw 32-byte public key. */
export function parseRecipient(s: string, index = 0): Buffer {
  // Echo the text only when it looks public: an identity pasted by mistake must not reach a log.
  const details = { index, recipient: /^age1[0-9a-z]{0,80}$/.test(s.trim()) ? s.trim() : undefined };
  const d = bech32Decode(s.trim());
  if (!d || d.hrp !== RECIPIENT_HRP || d.data.length !== 32) throw encryptionError('bad-recipient', details);
  // Reject points OpenSSL cannot use, now rather than at encryption time.
  try {
    publicKeyFromRaw(d.data);
  } catch {
    throw encryptionError('bad-recipient', details);
  }
  return d.data;
}

function encodeRecipient(raw: Uint8Array): string {
  return bech32Encode(RECIPIENT_HRP, raw);
}

/** The public key (age1...) of an identity, as `age-keygen -y` prints it. */
export function identityToRecipient(identity: string): string {
  return encodeRecipient(parseIdentity(identity).publicRaw);
}

/** A fresh identity and its recipient, as `age-keygen` makes them. */
export function generateX25519Identity(): { identity: string; recipient: string } {
  const { privateKey, publicKey } = generateKeyPairSync('x25519');
  return {
    identity: bech32Encode(IDENTITY_HRP, rawPrivateKey(privateKey)).toUpperCase(),
    recipient: encodeRecipient(rawPublicKey(publicKey)),
  };
}
