/**
 * One error type for everything a user may read. Each error carries a stable `code` (for programs and tests),
 * a Spanish and an English message, and a hint that says what to check. `message` is in the current language
 * (Spanish unless CORDIAX_LANG=en or setLanguage('en')), so a plain `console.error(err.message)` is already right.
 */
export type Language = 'es' | 'en';

let currentLanguage: Language = process.env.CORDIAX_LANG === 'en' ? 'en' : 'es';
export function setLanguage(lang: Language): void {
  currentLanguage = lang;
}
export function getLanguage(): Language {
  return currentLanguage;
}

/** A message in both languages. */
export interface Text {
  es: string;
  en: string;
}
export function t(text: Text, lang: Language = currentLanguage): string {
  return text[lang];
}

/** Stable error codes shared by every part of the program. */
export type ErrorCode =
  | 'CONFIG_INVALID' // the config file breaks a rule
  | 'CONFIG_PARSE' // the config file is not valid JSON
  | 'AUTH_FAILED' // wrong user or password / token refused
  | 'ACCOUNT_LOCKED'
  | 'PERMISSION_DENIED' // 403, ACCESS_DENIED, EACCES
  | 'NOT_FOUND' // remote path, share or file missing
  | 'ALREADY_EXISTS'
  | 'PRECONDITION_FAILED' // lost-update protection refused a write (someone else wrote first)
  | 'LOCKED' // 423, sharing violation, lock file held
  | 'NOT_SUPPORTED' // 405, method or feature the server lacks
  | 'STORAGE_FULL' // 507, DISK_FULL, ENOSPC
  | 'DNS' // host name not found
  | 'CONNECTION_REFUSED'
  | 'CONNECTION_RESET' // dropped mid-transfer
  | 'TIMEOUT'
  | 'TLS' // certificate problems
  | 'PROTOCOL' // the server said something we cannot understand (malformed, hostile)
  | 'TOO_LARGE' // the server's size limit
  | 'VERIFY_FAILED' // what landed does not match what we sent (size/hash)
  | 'CORRUPT_DATABASE' // not SQLite, or integrity check failed
  | 'EMPTY_DATABASE' // guard: refusing to replace with an empty/truncated database
  | 'CONFLICT' // both sides changed: a conflict copy was kept
  | 'ENCRYPTION' // wrong key, tampered ciphertext, plaintext about to leave
  | 'UNAVAILABLE' // a protocol's dependency is missing
  | 'CANCELLED'
  | 'INTERNAL';

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
      return new SyncError(
        'STORAGE_FULL',
        { es: 'No queda espacio en el destino.', en: 'No space left on the target.' },
        { cause: err },
      );
    case 'EACCES':
    case 'EPERM':
      return new SyncError(
        'PERMISSION_DENIED',
        { es: `Permiso denegado: ${raw}`, en: `Permission denied: ${raw}` },
        { cause: err },
      );
    case 'ENOENT':
      return new SyncError('NOT_FOUND', { es: `No existe: ${raw}`, en: `Not found: ${raw}` }, { cause: err });
    case 'ECONNREFUSED':
      return new SyncError(
        'CONNECTION_REFUSED',
        {
          es: 'El servidor rechazó la conexión (¿está en marcha? ¿puerto correcto?).',
          en: 'The server refused the connection (is it running? right port?).',
        },
        { cause: err },
      );
    case 'ECONNRESET':
    case 'EPIPE':
      return new SyncError(
        'CONNECTION_RESET',
        { es: 'La conexión se cortó durante la transferencia.', en: 'The connection dropped during the transfer.' },
        { cause: err },
      );
    case 'ETIMEDOUT':
      return new SyncError(
        'TIMEOUT',
        { es: 'El servidor no respondió a tiempo.', en: 'The server did not answer in time.' },
        { cause: err },
      );
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new SyncError(
        'DNS',
        {
          es: 'No se encuentra el nombre del servidor (revise la dirección).',
          en: 'The server name cannot be resolved (check the address).',
        },
        { cause: err },
      );
  }
  if (e?.name === 'AbortError') {
    return new SyncError('CANCELLED', { es: 'Operación cancelada.', en: 'Operation cancelled.' }, { cause: err });
  }
  return new SyncError('INTERNAL', { es: `Error inesperado: ${raw}`, en: `Unexpected error: ${raw}` }, { cause: err });
}
