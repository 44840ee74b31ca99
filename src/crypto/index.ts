/**
 * age v1 (https://age-encryption.org/v1) on node:crypto: X25519 and scrypt recipients, HMAC'd header, STREAM
 * payload of 64 KiB ChaCha20-Poly1305 chunks. Interoperable with the `age` CLI; streams with bounded memory.
 */
export { AGE_HEADER, MAX_SCRYPT_WORK_FACTOR, SCRYPT_WORK_FACTOR } from './header.js';
export { decryptFile, encryptFile, isAgeFile, startsWithAgeHeader, verifyFile, type FileOptions } from './age.js';
export { DecryptStream, EncryptStream, type DecryptOptions, type EncryptOptions } from './stream.js';
export { generateX25519Identity, identityToRecipient, parseRecipient } from './keys.js';
export { loadIdentityFile, promptPassphrase, readPassphrase } from './secrets.js';
export { encryptionError, encryptionReason, type EncryptionReason } from './errors.js';

import { DecryptStream, EncryptStream, type DecryptOptions, type EncryptOptions } from './stream.js';

/** Transform: plaintext in, age file out (for transports that stream, e.g. Socket.IO). */
export function encryptStream(opts: EncryptOptions): EncryptStream {
  return new EncryptStream(opts);
}

/** Transform: age file in, verified plaintext out. On error, discard everything it produced. */
export function decryptStream(opts: DecryptOptions): DecryptStream {
  return new DecryptStream(opts);
}
