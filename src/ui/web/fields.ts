/**
 * The config form: every field of the spec's blocks (with the spec's examples as placeholders) plus our optional
 * keys, described once here; the page builds inputs from these and reads them back into the config object.
 */
import type { Text } from '../../messages/text.js';
import { tr, uiText } from './i18n.js';

export type Protocol = 'webdav' | 'smb' | 'socketio' | 'folder';
export const PROTOCOLS: Protocol[] = ['webdav', 'smb', 'socketio', 'folder'];

export interface Field {
  /** Dotted config key, e.g. 'webdav.url'. */
  key: string;
  label: Text;
  kind: 'text' | 'url' | 'password' | 'number' | 'checkbox' | 'select' | 'lines';
  placeholder?: string;
  help?: Text;
  /** value, label. */
  options?: Array<[string, Text]>;
  /** Our optional keys: an empty value removes the key instead of saving ''. */
  optional?: boolean;
  min?: number;
  max?: number;
  /** Shown inside "Opciones avanzadas". */
  advanced?: boolean;
  /** The protocol cannot sync without it. */
  required?: boolean;
  /** A long field that takes the whole row. */
  wide?: boolean;
}

export const PROTOCOL_INFO: Record<Protocol, { name: Text; what: Text }> = {
  webdav: {
    name: uiText('ui.protocol.webdav'),
    what: uiText('ui.protocol.webdav.what'),
  },
  smb: {
    name: uiText('ui.protocol.smb'),
    what: uiText('ui.protocol.smb.what'),
  },
  socketio: {
    name: uiText('ui.protocol.socketio'),
    what: uiText('ui.protocol.socketio.what'),
  },
  folder: {
    name: uiText('ui.protocol.folder'),
    what: uiText('ui.protocol.folder.what'),
  },
};

const remotePath = (block: string): Field => ({
  key: `${block}.remote_path`,
  label: uiText('ui.field.remote_path'),
  kind: 'text',
  placeholder: '/cordiax_sync/',
  help: uiText('ui.field.remote_path.help'),
});
const timeout = (block: string): Field => ({
  key: `${block}.timeout_seconds`,
  label: uiText('ui.field.timeout_seconds'),
  kind: 'number',
  placeholder: '60',
  optional: true,
  min: 1,
  max: 3600,
  advanced: true,
});

export const PROTOCOL_FIELDS: Record<Protocol, Field[]> = {
  webdav: [
    {
      key: 'webdav.url',
      label: uiText('ui.field.webdav.url'),
      kind: 'url',
      placeholder: 'https://cloud.example.com/remote.php/dav',
      required: true,
      wide: true,
      help: uiText('ui.field.webdav.url.help'),
    },
    {
      key: 'webdav.username',
      label: uiText('ui.field.webdav.username'),
      kind: 'text',
      placeholder: 'usuario',
      required: true,
    },
    { key: 'webdav.password', label: uiText('ui.field.webdav.password'), kind: 'password' },
    remotePath('webdav'),
    {
      key: 'webdav.auth',
      label: uiText('ui.field.webdav.auth'),
      kind: 'select',
      optional: true,
      advanced: true,
      options: [
        ['', uiText('ui.field.webdav.auth.default')],
        ['digest', uiText('ui.field.webdav.auth.digest')],
        ['auto', uiText('ui.field.webdav.auth.auto')],
      ],
    },
    {
      key: 'webdav.ca_file',
      label: uiText('ui.field.webdav.ca_file'),
      kind: 'text',
      placeholder: '/ruta/a/ca.pem',
      optional: true,
      advanced: true,
    },
    {
      key: 'webdav.insecure_skip_tls_verify',
      label: uiText('ui.field.webdav.insecure_skip_tls_verify'),
      kind: 'checkbox',
      optional: true,
      advanced: true,
    },
    timeout('webdav'),
  ],
  smb: [
    {
      key: 'smb.server',
      label: uiText('ui.field.smb.server'),
      kind: 'text',
      placeholder: '192.168.1.10',
      required: true,
      help: uiText('ui.field.smb.server.help'),
    },
    {
      key: 'smb.share_name',
      label: uiText('ui.field.smb.share_name'),
      kind: 'text',
      placeholder: 'compartido',
      required: true,
    },
    {
      key: 'smb.username',
      label: uiText('ui.field.smb.username'),
      kind: 'text',
      placeholder: 'usuario',
      required: true,
    },
    { key: 'smb.password', label: uiText('ui.field.smb.password'), kind: 'password' },
    {
      key: 'smb.domain',
      label: uiText('ui.field.smb.domain'),
      kind: 'text',
      placeholder: 'EMPRESA',
      help: uiText('ui.field.smb.domain.help'),
    },
    remotePath('smb'),
    {
      key: 'smb.port',
      label: uiText('ui.field.smb.port'),
      kind: 'number',
      placeholder: '445',
      optional: true,
      min: 1,
      max: 65535,
      advanced: true,
      help: uiText('ui.field.smb.port.help'),
    },
    timeout('smb'),
  ],
  socketio: [
    {
      key: 'socketio.server_url',
      label: uiText('ui.field.socketio.server_url'),
      kind: 'url',
      placeholder: 'http://localhost:5000',
      required: true,
      wide: true,
      help: uiText('ui.field.socketio.server_url.help'),
    },
    {
      key: 'socketio.namespace',
      label: uiText('ui.field.socketio.namespace'),
      kind: 'text',
      placeholder: '/cordiax-sync/',
      help: uiText('ui.field.socketio.namespace.help'),
    },
    {
      key: 'socketio.token',
      label: uiText('ui.field.socketio.token'),
      kind: 'password',
      optional: true,
      advanced: true,
      help: uiText('ui.field.socketio.token.help'),
    },
    {
      key: 'socketio.token_file',
      label: uiText('ui.field.socketio.token_file'),
      kind: 'text',
      placeholder: '/ruta/al/token',
      optional: true,
      advanced: true,
    },
    {
      key: 'socketio.database_id',
      label: uiText('ui.field.socketio.database_id'),
      kind: 'text',
      placeholder: 'default',
      optional: true,
      advanced: true,
    },
  ],
  folder: [
    {
      key: 'folder.path',
      label: uiText('ui.field.folder.path'),
      kind: 'text',
      placeholder: '/media/copias/cordiax_sync',
      required: true,
      wide: true,
      help: uiText('ui.field.folder.path.help'),
    },
  ],
};

export const AUTO_FIELDS: Field[] = [
  { key: 'enabled', label: uiText('ui.field.enabled'), kind: 'checkbox' },
  {
    key: 'polling_interval',
    label: uiText('ui.field.polling_interval'),
    kind: 'number',
    placeholder: '300',
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
    placeholder: '10',
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
    placeholder: 'age1…',
    wide: true,
  },
  {
    key: 'encryption.identity_file',
    label: uiText('ui.field.encryption.identity_file'),
    kind: 'text',
    placeholder: '/ruta/a/identidad.txt',
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

export const ALL_FIELDS: Field[] = [
  ...PROTOCOLS.flatMap((p) => PROTOCOL_FIELDS[p]),
  ...AUTO_FIELDS,
  ...ADVANCED_FIELDS,
  ...ENCRYPTION_FIELDS,
];

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
