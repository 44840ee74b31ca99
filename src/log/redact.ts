/**
 * Redaction in one place: every event, error and API answer passes through here before a person or a file sees it.
 * Two rules: values under secret-looking keys are replaced, and every registered secret string is replaced wherever
 * it appears (in messages, URLs, error texts).
 */
const SECRET_KEY = /pass(word|phrase)?|secret|token|authorization|cookie|api[_-]?key|private[_-]?key|identity_key/i;
const REDACTED = '***';

const secrets = new Set<string>();

/** Registers a secret so it is masked wherever it appears. Short strings (< 3 chars) are ignored to keep logs readable. */
export function registerSecret(value: string | undefined | null): void {
  if (typeof value === 'string' && value.length >= 3) secrets.add(value);
}
export function clearSecrets(): void {
  secrets.clear();
}

export function redactString(s: string): string {
  let out = s;
  for (const secret of secrets) {
    if (out.includes(secret)) out = out.split(secret).join(REDACTED);
    // URL-encoded forms leak through URLs and form bodies.
    const enc = encodeURIComponent(secret);
    if (enc !== secret && out.includes(enc)) out = out.split(enc).join(REDACTED);
  }
  // user:password@host in URLs.
  return out.replace(/(\b[a-z][a-z0-9+.-]*:\/\/[^/\s:@]+:)[^@\s/]+@/gi, `$1${REDACTED}@`);
}

export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key);
}

/** Deep copy with secrets masked. Non-empty secret values become "***"; empty ones stay empty (so "not set" shows). */
export function redact<T>(value: T, depth = 0): T {
  if (depth > 20) return '[…]' as unknown as T;
  if (typeof value === 'string') return redactString(value) as unknown as T;
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1)) as unknown as T;
  if (value instanceof Error) {
    return {
      name: value.name,
      message: redactString(value.message),
      code: (value as { code?: unknown }).code,
    } as unknown as T;
  }
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      if (isSecretKey(k) && typeof v === 'string') out[k] = v === '' ? '' : REDACTED;
      else if (isSecretKey(k) && v !== null && typeof v === 'object') out[k] = REDACTED;
      else out[k] = redact(v, depth + 1);
    }
    return out as T;
  }
  return value;
}
