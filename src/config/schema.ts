/**
 * The config file `$CORDIAX_HOME/sync_config.json`, exactly in the spec's shape, plus our optional keys.
 * Unknown keys are kept (a file written by another version keeps its keys when we save).
 *
 * Two levels of checking:
 *  - `parseConfig` (structural): types and ranges. A file that fails it is not used and never overwritten.
 *  - `completenessProblems`: what the selected protocol still needs before it can sync (an empty server...).
 *    The spec's own default file (empty URL) loads fine but cannot sync yet; check-config lists both kinds.
 */
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import type { Text } from '../errors.js';

export const PROTOCOLS = ['webdav', 'smb', 'socketio', 'folder'] as const;
export type Protocol = (typeof PROTOCOLS)[number];
export const MIN_POLLING_INTERVAL = 60;
export const MAX_POLLING_INTERVAL = 7 * 24 * 3600;

/** A bilingual message packed into zod's single message string. */
const SEP = '\u0001';
function msg(es: string, en: string): string {
  return `${es}${SEP}${en}`;
}

const MAX_STR = 4096;
const str = (max = MAX_STR) =>
  z
    .string({ error: msg('debe ser un texto', 'must be a string') })
    .max(max, { error: msg(`no puede superar ${max} caracteres`, `must be at most ${max} characters`) });
const bool = () => z.boolean({ error: msg('debe ser true o false', 'must be true or false') });

const httpUrl = (what: string) =>
  str(2048).refine((v) => v === '' || /^https?:\/\/[^\s/?#]+/i.test(v), {
    error: msg(
      `${what}: debe empezar por http:// o https:// (ej: https://cloud.example.com/remote.php/dav)`,
      `${what}: must start with http:// or https:// (e.g. https://cloud.example.com/remote.php/dav)`,
    ),
  });

/** A folder inside the remote: '/'-separated, no '..', no control characters. Backslashes are accepted as separators. */
const remotePath = () =>
  str(1024)
    .refine((v) => !/[\u0000-\u001f\u007f]/.test(v), {
      error: msg('contiene caracteres de control', 'contains control characters'),
    })
    .refine((v) => !v.replace(/\\/g, '/').split('/').includes('..'), {
      error: msg(
        "no puede contener '..' (no se permite salir de la carpeta remota)",
        "must not contain '..' (leaving the remote folder is not allowed)",
      ),
    })
    .default('/cordiax_sync/');

const port = () =>
  z
    .number({ error: msg('debe ser un número', 'must be a number') })
    .int({ error: msg('debe ser un número entero', 'must be an integer') })
    .min(1, { error: msg('debe estar entre 1 y 65535', 'must be between 1 and 65535') })
    .max(65535, { error: msg('debe estar entre 1 y 65535', 'must be between 1 and 65535') });

export const webdavSchema = z
  .object({
    url: httpUrl('url').default(''),
    username: str(256).default(''),
    password: str(1024).default(''),
    remote_path: remotePath(),
    /** 'basic' (default), 'digest' or 'auto' (whatever the server asks for). */
    auth: z
      .enum(['basic', 'digest', 'auto'], {
        error: msg("debe ser 'basic', 'digest' o 'auto'", "must be 'basic', 'digest' or 'auto'"),
      })
      .optional(),
    /** PEM file with a private CA to trust. */
    ca_file: str(1024).optional(),
    /** Skips TLS certificate verification. Dangerous: logged loudly on every connection. */
    insecure_skip_tls_verify: bool().optional(),
    timeout_seconds: z.number().min(1).max(3600).optional(),
  })
  .loose();

export const smbSchema = z
  .object({
    server: str(255).default(''),
    share_name: str(255).default(''),
    username: str(256).default(''),
    password: str(1024).default(''),
    domain: str(255).default(''),
    remote_path: remotePath(),
    /** Default: 445, then 139. */
    port: port().optional(),
    timeout_seconds: z.number().min(1).max(3600).optional(),
  })
  .loose();

export const socketioSchema = z
  .object({
    server_url: httpUrl('server_url').default('http://localhost:5000'),
    namespace: str(256)
      .refine((v) => v.startsWith('/'), {
        error: msg(
          "debe empezar por '/' (por defecto: /cordiax-sync/)",
          "must start with '/' (default: /cordiax-sync/)",
        ),
      })
      .default('/cordiax-sync/'),
    /** Auth token sent in the handshake (our server). */
    token: str(1024).optional(),
    /** File holding the token (re-read on every reconnect). */
    token_file: str(1024).optional(),
    /** Database id on our server (default: 'default'). */
    database_id: str(128).optional(),
  })
  .loose();

export const folderSchema = z
  .object({
    path: str(1024).default(''),
  })
  .loose();

export const encryptionSchema = z
  .object({
    enabled: bool().default(false),
    /** 'x25519' (age public keys, default) or 'passphrase' (age scrypt). */
    mode: z
      .enum(['x25519', 'passphrase'], {
        error: msg("debe ser 'x25519' o 'passphrase'", "must be 'x25519' or 'passphrase'"),
      })
      .default('x25519'),
    recipients: z
      .array(
        str(200).refine((v) => /^age1[02-9ac-hj-np-z]{58}$/.test(v), {
          error: msg('no es una clave pública age válida (age1...)', 'is not a valid age public key (age1...)'),
        }),
        {
          error: msg('debe ser una lista de claves públicas age', 'must be a list of age public keys'),
        },
      )
      .max(100)
      .default([]),
    identity_file: str(1024).default(''),
    passphrase_file: str(1024).optional(),
    passphrase_env: str(256).optional(),
  })
  .loose();

export const uiSchema = z
  .object({
    host: str(255).default('127.0.0.1'),
    port: z.number().int().min(0).max(65535).default(8484),
  })
  .loose();

export const configSchema = z
  .object({
    enabled: bool().default(false),
    protocol: z
      .enum(PROTOCOLS, {
        error: msg(
          `protocolo desconocido; use uno de: ${PROTOCOLS.join(', ')}`,
          `unknown protocol; use one of: ${PROTOCOLS.join(', ')}`,
        ),
      })
      .default('webdav'),
    polling_interval: z
      .number({ error: msg('debe ser un número de segundos', 'must be a number of seconds') })
      .int({ error: msg('debe ser un número entero de segundos', 'must be a whole number of seconds') })
      .min(MIN_POLLING_INTERVAL, {
        error: msg(
          `debe ser al menos ${MIN_POLLING_INTERVAL} segundos`,
          `must be at least ${MIN_POLLING_INTERVAL} seconds`,
        ),
      })
      .max(MAX_POLLING_INTERVAL, {
        error: msg(
          `no puede superar ${MAX_POLLING_INTERVAL} segundos (7 días)`,
          `must be at most ${MAX_POLLING_INTERVAL} seconds (7 days)`,
        ),
      })
      .default(300),
    webdav: webdavSchema.default(() => webdavSchema.parse({})),
    smb: smbSchema.default(() => smbSchema.parse({})),
    socketio: socketioSchema.default(() => socketioSchema.parse({})),
    // Our additions: all optional, with defaults.
    database_path: str(1024).optional(),
    direction: z
      .enum(['bidirectional', 'push', 'pull'], {
        error: msg("debe ser 'bidirectional', 'push' o 'pull'", "must be 'bidirectional', 'push' or 'pull'"),
      })
      .optional(),
    folder: folderSchema.optional(),
    encryption: encryptionSchema.optional(),
    device_name: str(64)
      .refine((v) => /^[\p{L}\p{N}._-]+$/u.test(v), {
        error: msg('solo letras, números, punto, guion y guion bajo', 'letters, digits, dot, dash and underscore only'),
      })
      .optional(),
    keep_versions: z
      .number()
      .int({ error: msg('debe ser un número entero', 'must be an integer') })
      .min(1, { error: msg('debe ser al menos 1', 'must be at least 1') })
      .max(1000, { error: msg('no puede superar 1000', 'must be at most 1000') })
      .optional(),
    language: z.enum(['es', 'en'], { error: msg("debe ser 'es' o 'en'", "must be 'es' or 'en'") }).optional(),
    /** Upload verification on file remotes: 'full' reads every object back; 'auto' (default) see README. */
    verify: z.enum(['full', 'auto'], { error: msg("debe ser 'full' o 'auto'", "must be 'full' or 'auto'") }).optional(),
    ui: uiSchema.optional(),
  })
  .loose();

export type SyncConfig = z.infer<typeof configSchema>;
export type WebdavConfig = z.infer<typeof webdavSchema>;
export type SmbConfig = z.infer<typeof smbSchema>;
export type SocketioConfig = z.infer<typeof socketioSchema>;
export type EncryptionConfig = z.infer<typeof encryptionSchema>;

export interface ConfigProblem {
  /** Dotted key, e.g. 'webdav.url' or 'polling_interval'. */
  key: string;
  text: Text;
  /** 'error': the file cannot be used; 'incomplete': valid, but the selected protocol cannot sync yet. */
  severity: 'error' | 'incomplete';
}

function issueText(issue: z.core.$ZodIssue): Text {
  const m = issue.message ?? '';
  if (m.includes(SEP)) {
    const [es, en] = m.split(SEP);
    return { es: es!, en: en! };
  }
  switch (issue.code) {
    case 'invalid_type':
      return { es: `tipo no válido (se esperaba ${issue.expected})`, en: `invalid type (expected ${issue.expected})` };
    case 'too_small':
      return {
        es: `demasiado pequeño (mínimo ${String(issue.minimum)})`,
        en: `too small (minimum ${String(issue.minimum)})`,
      };
    case 'too_big':
      return {
        es: `demasiado grande (máximo ${String(issue.maximum)})`,
        en: `too big (maximum ${String(issue.maximum)})`,
      };
    case 'invalid_value':
      return {
        es: `valor no permitido (use: ${issue.values.map(String).join(', ')})`,
        en: `value not allowed (use: ${issue.values.map(String).join(', ')})`,
      };
    default:
      return { es: `valor no válido (${m})`, en: `invalid value (${m})` };
  }
}

export type ParseResult = { ok: true; config: SyncConfig } | { ok: false; problems: ConfigProblem[] };

/** Limits on what unknown keys may carry: a config is small; deep or huge structures are hostile or damaged. */
export const MAX_CONFIG_DEPTH = 16;
export const MAX_CONFIG_NODES = 5000;

/** Measures nesting and size without recursion (a 100k-deep value must not blow the stack). */
function shapeProblem(raw: unknown): ConfigProblem | null {
  const stack: Array<[unknown, number]> = [[raw, 1]];
  let nodes = 0;
  while (stack.length) {
    const [v, depth] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (depth > MAX_CONFIG_DEPTH) {
      return {
        key: '(estructura)',
        severity: 'error',
        text: {
          es: `demasiado anidado (más de ${MAX_CONFIG_DEPTH} niveles)`,
          en: `nested too deeply (more than ${MAX_CONFIG_DEPTH} levels)`,
        },
      };
    }
    const children = Array.isArray(v) ? v : Object.values(v as Record<string, unknown>);
    nodes += children.length;
    if (nodes > MAX_CONFIG_NODES) {
      return {
        key: '(estructura)',
        severity: 'error',
        text: {
          es: `demasiados elementos (más de ${MAX_CONFIG_NODES})`,
          en: `too many elements (more than ${MAX_CONFIG_NODES})`,
        },
      };
    }
    for (const c of children) if (c !== null && typeof c === 'object') stack.push([c, depth + 1]);
  }
  return null;
}

/** Structural validation of an already-parsed JSON value. */
export function parseConfig(raw: unknown): ParseResult {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    return {
      ok: false,
      problems: [
        {
          key: '(raíz)',
          severity: 'error',
          text: {
            es: 'el archivo debe contener un objeto JSON { ... }',
            en: 'the file must contain a JSON object { ... }',
          },
        },
      ],
    };
  }
  const shape = shapeProblem(raw);
  if (shape) return { ok: false, problems: [shape] };
  const r = configSchema.safeParse(raw);
  if (r.success) return { ok: true, config: r.data };
  return {
    ok: false,
    problems: r.error.issues.map((issue) => ({
      key: issue.path.map(String).join('.') || '(raíz)',
      severity: 'error' as const,
      text: issueText(issue),
    })),
  };
}

export function defaultConfig(): SyncConfig {
  const r = configSchema.parse({});
  return r;
}

/** What the selected protocol (and encryption) still need before a sync can run. */
export function completenessProblems(cfg: SyncConfig, protocol: Protocol = cfg.protocol): ConfigProblem[] {
  const out: ConfigProblem[] = [];
  const need = (key: string, value: string | undefined, es: string, en: string) => {
    if (!value || value.trim() === '') out.push({ key, severity: 'incomplete', text: { es, en } });
  };
  switch (protocol) {
    case 'webdav':
      need(
        'webdav.url',
        cfg.webdav.url,
        'está vacío: indique la URL del servidor WebDAV',
        'is empty: enter the WebDAV server URL',
      );
      need('webdav.username', cfg.webdav.username, 'está vacío: indique el usuario', 'is empty: enter the user name');
      break;
    case 'smb':
      need(
        'smb.server',
        cfg.smb.server,
        'está vacío: indique la IP o el nombre del servidor SMB',
        'is empty: enter the SMB server address or name',
      );
      need(
        'smb.share_name',
        cfg.smb.share_name,
        'está vacío: indique el recurso compartido',
        'is empty: enter the share name',
      );
      need('smb.username', cfg.smb.username, 'está vacío: indique el usuario', 'is empty: enter the user name');
      break;
    case 'socketio':
      need(
        'socketio.server_url',
        cfg.socketio.server_url,
        'está vacío: indique la URL del servidor',
        'is empty: enter the server URL',
      );
      break;
    case 'folder':
      need(
        'folder.path',
        cfg.folder?.path,
        'está vacío: indique la carpeta de destino',
        'is empty: enter the target folder',
      );
      if (cfg.folder?.path && !path.isAbsolute(cfg.folder.path)) {
        out.push({
          key: 'folder.path',
          severity: 'incomplete',
          text: { es: 'debe ser una ruta absoluta', en: 'must be an absolute path' },
        });
      }
      break;
  }
  const enc = cfg.encryption;
  if (enc?.enabled) {
    if (enc.mode === 'x25519' && enc.recipients.length === 0) {
      out.push({
        key: 'encryption.recipients',
        severity: 'incomplete',
        text: {
          es: 'la encriptación está activada pero no hay ninguna clave pública (age1...)',
          en: 'encryption is on but there is no public key (age1...)',
        },
      });
    }
    if (enc.mode === 'passphrase' && !enc.passphrase_file && !enc.passphrase_env) {
      out.push({
        key: 'encryption.passphrase_file',
        severity: 'incomplete',
        text: {
          es: 'modo frase de paso: indique passphrase_file o passphrase_env',
          en: 'passphrase mode: set passphrase_file or passphrase_env',
        },
      });
    }
  }
  return out;
}

/** Resolved values of our optional keys. */
export function cordiaxHome(): string {
  return process.env.CORDIAX_HOME || path.join(os.homedir(), '_SuperCordiax');
}
export function resolvedDatabasePath(cfg: SyncConfig, home = cordiaxHome()): string {
  return cfg.database_path ? path.resolve(home, cfg.database_path) : path.join(home, 'cordiax.db');
}
export function resolvedDeviceName(cfg: SyncConfig): string {
  if (cfg.device_name) return cfg.device_name;
  const h = os
    .hostname()
    .replace(/[^\p{L}\p{N}._-]+/gu, '-')
    .slice(0, 64);
  return h || 'equipo';
}
export function resolvedDirection(cfg: SyncConfig): 'bidirectional' | 'push' | 'pull' {
  return cfg.direction ?? 'bidirectional';
}
export function resolvedKeepVersions(cfg: SyncConfig): number {
  return cfg.keep_versions ?? 10;
}
