/**
 * The config form's own fields (automatic sync, advanced options, encryption) and the helpers that move values
 * between inputs and the config object. Each transport's fields are declared in its folder
 * (src/transports/<name>/declaration.ts) and come from GET /api/state (app.transports).
 */
import type { FormField, TransportView } from '../api-types.js';
import { same } from '../../transports/form.js';
import { tr, uiText } from './i18n.js';

export type Field = FormField;
/** A protocol name as the registry declares it ('webdav', ...). */
export type Protocol = string;

export const AUTO_FIELDS: Field[] = [
  { key: 'enabled', label: uiText('ui.field.enabled'), kind: 'checkbox' },
  {
    key: 'polling_interval',
    label: uiText('ui.field.polling_interval'),
    kind: 'number',
    placeholder: same('300'),
    min: 60,
    max: 604800,
    help: uiText('ui.field.polling_interval.help'),
  },
];

export const ADVANCED_FIELDS: Field[] = [
  {
    key: 'database_path',
    label: uiText('ui.field.database_path'),
    kind: 'text',
    optional: true,
    wide: true,
    help: uiText('ui.field.database_path.help'),
  },
  {
    key: 'device_name',
    label: uiText('ui.field.device_name'),
    kind: 'text',
    optional: true,
    help: uiText('ui.field.device_name.help'),
  },
  {
    key: 'direction',
    label: uiText('ui.field.direction'),
    kind: 'select',
    optional: true,
    options: [
      ['', uiText('ui.field.direction.default')],
      ['push', uiText('ui.field.direction.push')],
      ['pull', uiText('ui.field.direction.pull')],
    ],
  },
  {
    key: 'keep_versions',
    label: uiText('ui.field.keep_versions'),
    kind: 'number',
    placeholder: same('10'),
    optional: true,
    min: 1,
    max: 1000,
  },
];

export const ENCRYPTION_FIELDS: Field[] = [
  {
    key: 'encryption.enabled',
    label: uiText('ui.field.encryption.enabled'),
    kind: 'checkbox',
    help: uiText('ui.field.encryption.enabled.help'),
  },
  {
    key: 'encryption.mode',
    label: uiText('ui.field.encryption.mode'),
    kind: 'select',
    options: [
      ['x25519', uiText('ui.field.encryption.mode.x25519')],
      ['passphrase', uiText('ui.field.encryption.mode.passphrase')],
    ],
  },
  {
    key: 'encryption.recipients',
    label: uiText('ui.field.encryption.recipients'),
    kind: 'lines',
    placeholder: same('age1…'),
    wide: true,
  },
  {
    key: 'encryption.identity_file',
    label: uiText('ui.field.encryption.identity_file'),
    kind: 'text',
    placeholder: uiText('ui.placeholder.identity_file'),
    wide: true,
  },
  {
    key: 'encryption.passphrase_file',
    label: uiText('ui.field.encryption.passphrase_file'),
    kind: 'text',
    optional: true,
  },
  {
    key: 'encryption.passphrase_env',
    label: uiText('ui.field.encryption.passphrase_env'),
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
    if (typeof v !== 'number' || !Number.isInteger(v)) return tr('ui.enter_whole_number_seconds');
    if (v < (f.min ?? 60)) return tr('ui.minimum_interval_seconds', { min: f.min ?? 60 });
    if (v > (f.max ?? Infinity)) return tr('ui.maximum_interval_7_days');
    return null;
  }
  if (v === undefined || v === '') return null;
  if (f.kind === 'url' && typeof v === 'string' && !/^https?:\/\/[^\s/?#]+/i.test(v))
    return tr('ui.must_start_http_https');
  if (f.kind === 'number') {
    if (typeof v !== 'number' || !Number.isInteger(v)) return tr('ui.must_whole_number');
    if (f.min !== undefined && v < f.min) return tr('ui.at_least', { min: f.min });
    if (f.max !== undefined && v > f.max) return tr('ui.at_most', { max: f.max });
  }
  return null;
}
