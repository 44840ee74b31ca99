/**
 * The config form: every field of the spec's blocks (with the spec's examples as placeholders) plus our optional
 * keys, described once here; the page builds inputs from these and reads them back into the config object.
 */
import { tr } from './i18n.js';

export type Protocol = 'webdav' | 'smb' | 'socketio' | 'folder';
export const PROTOCOLS: Protocol[] = ['webdav', 'smb', 'socketio', 'folder'];

export interface Field {
  /** Dotted config key, e.g. 'webdav.url'. */
  key: string;
  label: [string, string];
  kind: 'text' | 'url' | 'password' | 'number' | 'checkbox' | 'select' | 'lines';
  placeholder?: string;
  help?: [string, string];
  /** value, Spanish, English. */
  options?: Array<[string, string, string]>;
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

export const PROTOCOL_INFO: Record<Protocol, { name: [string, string]; what: [string, string] }> = {
  webdav: {
    name: ['WebDAV', 'WebDAV'],
    what: [
      'Sincronización mediante polling periódico. Compatible con servidores WebDAV estándar (Nextcloud, ownCloud, etc.).',
      'Periodic polling. Works with standard WebDAV servers (Nextcloud, ownCloud, etc.).',
    ],
  },
  smb: {
    name: ['SMB/CIFS', 'SMB/CIFS'],
    what: [
      'Sincronización con recursos compartidos de Windows o Samba, con soporte para dominios de Active Directory.',
      'Windows or Samba shares, with Active Directory domain support.',
    ],
  },
  socketio: {
    name: ['Flask-SocketIO', 'Flask-SocketIO'],
    what: [
      'Sincronización en tiempo real: al conectar y cuando hay cambios. Ideal para redes locales.',
      'Real-time sync: on connect and on every change. Best on local networks.',
    ],
  },
  folder: {
    name: ['Carpeta', 'Folder'],
    what: [
      'Una carpeta de este equipo o de una unidad montada (disco USB, unidad de red).',
      'A folder on this computer or a mounted drive (USB disk, network drive).',
    ],
  },
};

const remotePath = (block: string): Field => ({
  key: `${block}.remote_path`,
  label: ['Ruta remota', 'Remote path'],
  kind: 'text',
  placeholder: '/cordiax_sync/',
  help: ['Directorio donde se almacenará la base de datos.', 'Folder where the database is stored.'],
});
const timeout = (block: string): Field => ({
  key: `${block}.timeout_seconds`,
  label: ['Tiempo de espera (segundos)', 'Timeout (seconds)'],
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
      label: ['URL del servidor', 'Server URL'],
      kind: 'url',
      placeholder: 'https://cloud.example.com/remote.php/dav',
      required: true,
      wide: true,
      help: ['URL completa del servidor WebDAV.', 'Full URL of the WebDAV server.'],
    },
    { key: 'webdav.username', label: ['Usuario', 'User name'], kind: 'text', placeholder: 'usuario', required: true },
    { key: 'webdav.password', label: ['Contraseña', 'Password'], kind: 'password' },
    remotePath('webdav'),
    {
      key: 'webdav.auth',
      label: ['Autenticación', 'Authentication'],
      kind: 'select',
      optional: true,
      advanced: true,
      options: [
        ['', 'Basic (por defecto)', 'Basic (default)'],
        ['digest', 'Digest', 'Digest'],
        ['auto', 'Automática (la que pida el servidor)', 'Automatic (whatever the server asks)'],
      ],
    },
    {
      key: 'webdav.ca_file',
      label: ['Certificado de CA propio (PEM)', 'Private CA certificate (PEM)'],
      kind: 'text',
      placeholder: '/ruta/a/ca.pem',
      optional: true,
      advanced: true,
    },
    {
      key: 'webdav.insecure_skip_tls_verify',
      label: ['No verificar el certificado TLS (peligroso)', 'Skip TLS certificate verification (dangerous)'],
      kind: 'checkbox',
      optional: true,
      advanced: true,
    },
    timeout('webdav'),
  ],
  smb: [
    {
      key: 'smb.server',
      label: ['Servidor', 'Server'],
      kind: 'text',
      placeholder: '192.168.1.10',
      required: true,
      help: ['Dirección IP o nombre del servidor SMB.', 'IP address or name of the SMB server.'],
    },
    {
      key: 'smb.share_name',
      label: ['Recurso compartido', 'Share name'],
      kind: 'text',
      placeholder: 'compartido',
      required: true,
    },
    { key: 'smb.username', label: ['Usuario', 'User name'], kind: 'text', placeholder: 'usuario', required: true },
    { key: 'smb.password', label: ['Contraseña', 'Password'], kind: 'password' },
    {
      key: 'smb.domain',
      label: ['Dominio', 'Domain'],
      kind: 'text',
      placeholder: 'EMPRESA',
      help: ['Dominio de Active Directory (opcional).', 'Active Directory domain (optional).'],
    },
    remotePath('smb'),
    {
      key: 'smb.port',
      label: ['Puerto', 'Port'],
      kind: 'number',
      placeholder: '445',
      optional: true,
      min: 1,
      max: 65535,
      advanced: true,
      help: ['Por defecto 445 y, si no responde, 139.', 'Default 445, then 139.'],
    },
    timeout('smb'),
  ],
  socketio: [
    {
      key: 'socketio.server_url',
      label: ['URL del servidor', 'Server URL'],
      kind: 'url',
      placeholder: 'http://localhost:5000',
      required: true,
      wide: true,
      help: ['URL del servidor Flask-SocketIO.', 'URL of the Flask-SocketIO server.'],
    },
    {
      key: 'socketio.namespace',
      label: ['Namespace', 'Namespace'],
      kind: 'text',
      placeholder: '/cordiax-sync/',
      help: ['Namespace del servidor (por defecto: /cordiax-sync/).', 'Server namespace (default: /cordiax-sync/).'],
    },
    {
      key: 'socketio.token',
      label: ['Token de acceso', 'Access token'],
      kind: 'password',
      optional: true,
      advanced: true,
      help: [
        'Para el servidor de cordiax-sync; el de Flask del ejemplo no lo usa.',
        'For the cordiax-sync server; the example Flask server does not use it.',
      ],
    },
    {
      key: 'socketio.token_file',
      label: ['Archivo con el token', 'Token file'],
      kind: 'text',
      placeholder: '/ruta/al/token',
      optional: true,
      advanced: true,
    },
    {
      key: 'socketio.database_id',
      label: ['Identificador de la base de datos', 'Database id'],
      kind: 'text',
      placeholder: 'default',
      optional: true,
      advanced: true,
    },
  ],
  folder: [
    {
      key: 'folder.path',
      label: ['Carpeta de destino', 'Target folder'],
      kind: 'text',
      placeholder: '/media/copias/cordiax_sync',
      required: true,
      wide: true,
      help: [
        'Ruta absoluta de una carpeta (por ejemplo, un disco USB o una unidad de red montada).',
        'Absolute path of a folder (for example a USB disk or a mounted network drive).',
      ],
    },
  ],
};

export const AUTO_FIELDS: Field[] = [
  { key: 'enabled', label: ['Habilitar sincronización automática', 'Enable automatic sync'], kind: 'checkbox' },
  {
    key: 'polling_interval',
    label: ['Intervalo de sincronización (segundos)', 'Sync interval (seconds)'],
    kind: 'number',
    placeholder: '300',
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
    placeholder: '10',
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
    placeholder: 'age1…',
    wide: true,
  },
  {
    key: 'encryption.identity_file',
    label: ['Archivo de identidad (clave privada)', 'Identity file (private key)'],
    kind: 'text',
    placeholder: '/ruta/a/identidad.txt',
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
