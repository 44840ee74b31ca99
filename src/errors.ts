/**
 * One error type for everything a user may read. Each error carries a stable `code` (for programs and tests),
 * a Spanish and an English message, and a hint that says what to check. `message` is in the current language
 * (Spanish unless CORDIAX_LANG=en or setLanguage('en')), so a plain `console.error(err.message)` is already right.
 */
import { msg } from './messages/index.js';
import type { Language, Text } from './messages/text.js';

export type { Language, Text } from './messages/text.js';

let currentLanguage: Language = process.env.CORDIAX_LANG === 'en' ? 'en' : 'es';
export function setLanguage(lang: Language): void {
  currentLanguage = lang;
}
export function getLanguage(): Language {
  return currentLanguage;
}

export function t(text: Text, lang: Language = currentLanguage): string {
  return text[lang];
}

/** Stable error codes shared by every part of the program; each has a title `error.<CODE>` in the catalogue. */
export const ERROR_CODES = [
  'CONFIG_INVALID', // the config file breaks a rule
  'CONFIG_PARSE', // the config file is not valid JSON
  'AUTH_FAILED', // wrong user or password / token refused
  'ACCOUNT_LOCKED',
  'PERMISSION_DENIED', // 403, ACCESS_DENIED, EACCES
  'NOT_FOUND', // remote path, share or file missing
  'ALREADY_EXISTS',
  'PRECONDITION_FAILED', // lost-update protection refused a write (someone else wrote first)
  'LOCKED', // 423, sharing violation, lock file held
  'NOT_SUPPORTED', // 405, method or feature the server lacks
  'STORAGE_FULL', // 507, DISK_FULL, ENOSPC
  'DNS', // host name not found
  'CONNECTION_REFUSED',
  'CONNECTION_RESET', // dropped mid-transfer
  'TIMEOUT',
  'TLS', // certificate problems
  'PROTOCOL', // the server said something we cannot understand (malformed, hostile)
  'TOO_LARGE', // the server's size limit
  'VERIFY_FAILED', // what landed does not match what we sent (size/hash)
  'CORRUPT_DATABASE', // not SQLite, or integrity check failed
  'EMPTY_DATABASE', // guard: refusing to replace with an empty/truncated database
  'CONFLICT', // both sides changed: a conflict copy was kept
  'ENCRYPTION', // wrong key, tampered ciphertext, plaintext about to leave
  'UNAVAILABLE', // a protocol's dependency is missing
  'CANCELLED',
  'INTERNAL',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/** What kind of failure a code is, in a few words (a heading above the message). */
export function codeTitle(code: ErrorCode): Text {
  return msg(`error.${code}`);
}

export class SyncError extends Error {
  readonly code: ErrorCode;
  readonly text: Text;
  readonly hint?: Text;
  /** Extra, non-secret facts for logs and the UI (HTTP status, NTSTATUS name, path...). */
  readonly details?: Record<string, unknown>;

  constructor(
    code: ErrorCode,
    text: Text,
    opts: { hint?: Text; cause?: unknown; details?: Record<string, unknown> } = {},
  ) {
    super(t(text), opts.cause !== undefined ? { cause: opts.cause } : undefined);
    this.name = 'SyncError';
    this.code = code;
    this.text = text;
    this.hint = opts.hint;
    this.details = opts.details;
  }

  /** The message followed by the hint, in the given language. */
  describe(lang: Language = currentLanguage): string {
    return this.hint ? `${this.text[lang]} ${this.hint[lang]}` : this.text[lang];
  }

  toJSON(): Record<string, unknown> {
    return {
      code: this.code,
      message: this.text.es,
      message_en: this.text.en,
      hint: this.hint?.es,
      hint_en: this.hint?.en,
      details: this.details,
    };
  }
}

export function isSyncError(err: unknown, code?: ErrorCode): err is SyncError {
  return err instanceof SyncError && (code === undefined || err.code === code);
}

/** Wraps anything thrown into a SyncError (keeping SyncErrors as they are). */
export function toSyncError(err: unknown): SyncError {
  if (err instanceof SyncError) return err;
  const e = err as NodeJS.ErrnoException | undefined;
  const raw = e?.message ?? String(err);
  switch (e?.code) {
    case 'ENOSPC':
    case 'EDQUOT':
      return new SyncError('STORAGE_FULL', msg('error.ENOSPC'), { cause: err });
    case 'EACCES':
    case 'EPERM':
      return new SyncError('PERMISSION_DENIED', msg('error.EACCES', { raw }), { cause: err });
    case 'ENOENT':
      return new SyncError('NOT_FOUND', msg('error.ENOENT', { raw }), { cause: err });
    case 'ECONNREFUSED':
      return new SyncError('CONNECTION_REFUSED', msg('error.ECONNREFUSED'), { cause: err });
    case 'ECONNRESET':
    case 'EPIPE':
      return new SyncError('CONNECTION_RESET', msg('error.ECONNRESET'), { cause: err });
    case 'ETIMEDOUT':
      return new SyncError('TIMEOUT', msg('error.ETIMEDOUT'), { cause: err });
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new SyncError('DNS', msg('error.ENOTFOUND'), { cause: err });
  }
  if (e?.name === 'AbortError') {
    return new SyncError('CANCELLED', msg('common.operation_cancelled'), { cause: err });
  }
  return new SyncError('INTERNAL', msg('error.unexpected', { raw }), { cause: err });
}
