/**
 * Every failure of the encryption layer, as SyncError('ENCRYPTION') with a stable `details.reason` so the engine and
 * the tests can tell them apart without parsing text. Messages never carry key material or passphrases.
 */
import { SyncError, type Text } from '../errors.js';
import { msg } from '../messages/index.js';

/** Why an encryption operation failed; each reason has a message `crypto.<reason>` (and maybe `.hint`). */
export const ENCRYPTION_REASONS = [
  'not-age', // no age header: not encrypted, or another format
  'armored', // ASCII-armored age (age -a): not read here
  'unsupported-version', // age-encryption.org/v2 or later
  'header', // malformed header
  'header-mac', // header authentication failed: tampered header
  'no-matching-identity', // wrong key: none of our identities opens the file
  'wrong-passphrase',
  'needs-passphrase', // the file is passphrase-protected, we only have keys
  'needs-identity', // the file is for keys, we only have a passphrase
  'no-key', // nothing to decrypt with
  'work-factor', // scrypt cost above what we accept
  'payload', // a payload chunk failed authentication: tampered or damaged
  'truncated', // the payload ends early
  'trailing-data', // bytes after the final chunk
  'bad-recipient',
  'bad-identity',
  'no-recipients',
  'mixed-modes', // recipients and a passphrase at once
  'identity-file-missing',
  'identity-file-insecure',
  'identity-file-invalid',
  'passphrase-missing',
  'passphrase-file-insecure',
  'no-terminal',
] as const;
export type EncryptionReason = (typeof ENCRYPTION_REASONS)[number];

const TEXTS: Record<EncryptionReason, { text: Text; hint?: Text }> = {
  'not-age': {
    text: msg('crypto.not-age'),
    hint: msg('crypto.not-age.hint'),
  },
  armored: {
    text: msg('crypto.armored'),
    hint: msg('crypto.armored.hint'),
  },
  'unsupported-version': {
    text: msg('crypto.unsupported-version'),
    hint: msg('crypto.unsupported-version.hint'),
  },
  header: {
    text: msg('crypto.header'),
    hint: msg('crypto.header.hint'),
  },
  'header-mac': {
    text: msg('crypto.header-mac'),
    hint: msg('crypto.header-mac.hint'),
  },
  'no-matching-identity': {
    text: msg('crypto.no-matching-identity'),
    hint: msg('crypto.no-matching-identity.hint'),
  },
  'wrong-passphrase': {
    text: msg('crypto.wrong-passphrase'),
    hint: msg('crypto.wrong-passphrase.hint'),
  },
  'needs-passphrase': {
    text: msg('crypto.needs-passphrase'),
    hint: msg('crypto.needs-passphrase.hint'),
  },
  'needs-identity': {
    text: msg('crypto.needs-identity'),
    hint: msg('crypto.needs-identity.hint'),
  },
  'no-key': {
    text: msg('crypto.no-key'),
    hint: msg('crypto.no-key.hint'),
  },
  'work-factor': {
    text: msg('crypto.work-factor'),
    hint: msg('crypto.work-factor.hint'),
  },
  payload: {
    text: msg('crypto.payload'),
    hint: msg('crypto.payload.hint'),
  },
  truncated: {
    text: msg('crypto.truncated'),
    hint: msg('crypto.truncated.hint'),
  },
  'trailing-data': {
    text: msg('crypto.trailing-data'),
    hint: msg('crypto.trailing-data.hint'),
  },
  'bad-recipient': {
    text: msg('crypto.bad-recipient'),
    hint: msg('crypto.bad-recipient.hint'),
  },
  'bad-identity': {
    text: msg('crypto.bad-identity'),
    hint: msg('crypto.bad-identity.hint'),
  },
  'no-recipients': {
    text: msg('crypto.no-recipients'),
    hint: msg('crypto.no-recipients.hint'),
  },
  'mixed-modes': {
    text: msg('crypto.mixed-modes'),
    hint: msg('crypto.mixed-modes.hint'),
  },
  'identity-file-missing': {
    text: msg('crypto.identity-file-missing'),
    hint: msg('crypto.identity-file-missing.hint'),
  },
  'identity-file-insecure': {
    text: msg('crypto.identity-file-insecure'),
    hint: msg('crypto.file-insecure.hint'),
  },
  'identity-file-invalid': {
    text: msg('crypto.identity-file-invalid'),
    hint: msg('crypto.identity-file-invalid.hint'),
  },
  'passphrase-missing': {
    text: msg('crypto.passphrase-missing'),
    hint: msg('crypto.passphrase-missing.hint'),
  },
  'passphrase-file-insecure': {
    text: msg('crypto.passphrase-file-insecure'),
    hint: msg('crypto.file-insecure.hint'),
  },
  'no-terminal': {
    text: msg('crypto.no-terminal'),
    hint: msg('crypto.no-terminal.hint'),
  },
};

/** Builds the SyncError for a reason; `details` must hold no secrets (paths and counts only). */
export function encryptionError(
  reason: EncryptionReason,
  details: Record<string, unknown> = {},
  cause?: unknown,
): SyncError {
  const { text, hint } = TEXTS[reason];
  return new SyncError('ENCRYPTION', text, { hint, details: { reason, ...details }, cause });
}

/** The reason of an encryption error, or undefined for anything else. */
export function encryptionReason(err: unknown): EncryptionReason | undefined {
  if (err instanceof SyncError && err.code === 'ENCRYPTION') return err.details?.reason as EncryptionReason | undefined;
  return undefined;
}
