/**
 * The config form's own fields (automatic sync, advanced options, encryption) and the helpers that move values
 * between inputs and the config object. Each transport's fields are declared in its folder
 * (src/transports/<name>/declaration.ts) and come from GET /api/state (app.transports).
 */
import type { FormField, TransportView } from '../api-types.js';
import { tr } from './i18n.js';

export type Field = FormField;
/** A protocol name as the registry declares it ('webdav', ...). */
export type Protocol = string;

export const AUTO_FIELDS: Field[] = [
  { key: 'enabled', label: ['Habilitar sincronización automática', 'Enable automatic sync'], kind: 'checkbox' },
  {
    key: 'polling_interval',
    label: ['Intervalo de sincronización (segundos)', 'Sync interval (seconds)'],
    kind: 'number',
    placeholder: ['300', '300'],
    min: 60,
    max: 604800,
    help: ['Mínimo 60 segundos.', 'At least 60 seconds.'],
  },
];

export const ADVANCED_FIELDS: Field[] = [
  {
    key: 'database_path',
    label: ['Ruta de la base de datos', 'Database path'],
    kind: 'text',
    optional: true,
    wide: true,
    help: ['Por defecto, cordiax.db en la carpeta de Cordiax.', 'Default: cordiax.db in the Cordiax folder.'],
  },
  {
    key: 'device_name',
    label: ['Nombre de este equipo', 'This computer’s name'],
    kind: 'text',
    optional: true,
    help: ['Aparece en el historial y en los conflictos.', 'Shown in the history and in conflicts.'],
  },
  {
    key: 'direction',
    label: ['Dirección', 'Direction'],
    kind: 'select',
    optional: true,
    options: [
      ['', 'En ambos sentidos (por defecto)', 'Both ways (default)'],
      ['push', 'Solo enviar', 'Send only'],
      ['pull', 'Solo recibir', 'Receive only'],
    ],
  },
  {
    key: 'keep_versions',
    label: ['Versiones que se conservan', 'Versions kept'],
    kind: 'number',
    placeholder: ['10', '10'],
    optional: true,
    min: 1,
    max: 1000,
  },
];

export const ENCRYPTION_FIELDS: Field[] = [
  {
    key: 'encryption.enabled',
    label: ['Cifrar la copia remota', 'Encrypt the remote copy'],
    kind: 'checkbox',
    help: [
      'Solo se sincroniza la versión encriptada de la base de datos.',
      'Only the encrypted version of the database is synced.',
    ],
  },
  {
    key: 'encryption.mode',
    label: ['Modo', 'Mode'],
    kind: 'select',
    options: [
      ['x25519', 'Claves públicas age (recomendado)', 'age public keys (recommended)'],
      ['passphrase', 'Frase de paso', 'Passphrase'],
    ],
  },
  {
    key: 'encryption.recipients',
    label: ['Claves públicas (una por línea)', 'Public keys (one per line)'],
    kind: 'lines',
    placeholder: ['age1…', 'age1…'],
    wide: true,
  },
  {
    key: 'encryption.identity_file',
    label: ['Archivo de identidad (clave privada)', 'Identity file (private key)'],
    kind: 'text',
    placeholder: ['/ruta/a/identidad.txt', '/path/to/identity.txt'],
    wide: true,
  },
  {
    key: 'encryption.passphrase_file',
    label: ['Archivo con la frase de paso', 'Passphrase file'],
    kind: 'text',
    optional: true,
  },
  {
    key: 'encryption.passphrase_env',
    label: ['Variable de entorno con la frase de paso', 'Passphrase environment variable'],
    kind: 'text',
    optional: true,
  },
];

/** Every field of the form: each transport's, then the form's own. */
export function allFields(transports: readonly TransportView[]): Field[] {
  return [...transports.flatMap((t) => t.fields), ...AUTO_FIELDS, ...ADVANCED_FIELDS, ...ENCRYPTION_FIELDS];
}

export type Draft = Record<string, unknown>;

export function getKey(obj: Draft, key: string): unknown {
  let cur: unknown = obj;
  for (const part of key.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

export function setKey(obj: Draft, key: string, value: unknown): void {
  const parts = key.split('.');
  let cur = obj;
  for (const part of parts.slice(0, -1)) {
    if (!cur[part] || typeof cur[part] !== 'object') cur[part] = {};
    cur = cur[part] as Draft;
  }
  const last = parts[parts.length - 1]!;
  if (value === undefined) delete cur[last];
  else cur[last] = value;
}

/** An input's raw value as the config wants it (numbers as numbers, lines as a list, optional empties removed). */
export function toConfigValue(f: Field, raw: string | boolean): unknown {
  if (f.kind === 'checkbox') return raw === false && f.optional ? undefined : Boolean(raw);
  const text = String(raw);
  if (f.kind === 'lines')
    return text
      .split(/\r?\n/)
      .map((s) => s.trim())
      .filter(Boolean);
  if (text.trim() === '') return f.optional ? undefined : f.kind === 'number' ? text : '';
  if (f.kind === 'number') {
    const n = Number(text);
    return Number.isFinite(n) ? n : text; // the server explains a non-number
  }
  return f.kind === 'password' ? text : text.trim();
}

/** The input's text for a config value. */
export function toInputValue(f: Field, v: unknown): string | boolean {
  if (f.kind === 'checkbox') return v === true;
  if (f.kind === 'lines') return Array.isArray(v) ? v.join('\n') : '';
  return v === undefined || v === null ? '' : String(v);
}

/** Inline checks the page can make before asking the server (which checks everything again). */
export function validate(f: Field, v: unknown): string | null {
  if (f.key === 'polling_interval') {
    if (typeof v !== 'number' || !Number.isInteger(v))
      return tr('Indique un número entero de segundos (mínimo 60).', 'Enter a whole number of seconds (at least 60).');
    if (v < (f.min ?? 60))
      return tr(
        `El intervalo mínimo es de ${f.min ?? 60} segundos.`,
        `The minimum interval is ${f.min ?? 60} seconds.`,
      );
    if (v > (f.max ?? Infinity))
      return tr(
        'El intervalo máximo es de 7 días (604800 segundos).',
        'The maximum interval is 7 days (604800 seconds).',
      );
    return null;
  }
  if (v === undefined || v === '') return null;
  if (f.kind === 'url' && typeof v === 'string' && !/^https?:\/\/[^\s/?#]+/i.test(v))
    return tr('Debe empezar por http:// o https://', 'Must start with http:// or https://');
  if (f.kind === 'number') {
    if (typeof v !== 'number' || !Number.isInteger(v))
      return tr('Debe ser un número entero.', 'Must be a whole number.');
    if (f.min !== undefined && v < f.min) return tr(`Mínimo ${f.min}.`, `At least ${f.min}.`);
    if (f.max !== undefined && v > f.max) return tr(`Máximo ${f.max}.`, `At most ${f.max}.`);
  }
  return null;
}
