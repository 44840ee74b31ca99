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
import type { AnyTransportDeclaration } from '../transports/declaration.js';
import {
  BUILT_IN,
  PROTOCOLS,
  type Protocol,
  blockOf,
  declarationOf,
  transportDeclarations,
} from '../transports/registry.js';
import { MESSAGE_SEPARATOR as SEP, bool, msg, str } from './schema-parts.js';

export { PROTOCOLS, type Protocol };
export type { WebdavConfig } from '../transports/webdav/declaration.js';
export type { SmbConfig } from '../transports/smb/declaration.js';
export type { SocketioConfig } from '../transports/socketio/declaration.js';
export const MIN_POLLING_INTERVAL = 60;
export const MAX_POLLING_INTERVAL = 7 * 24 * 3600;

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

/** Each transport's block as its declaration says: a spec block is always there (defaults), ours only when used. */
type BuiltIn = (typeof BUILT_IN)[number];
type SpecBlocks = {
  [D in BuiltIn as D['block'] extends 'spec' ? D['name'] : never]: z.ZodDefault<D['schema']>;
};
type OptionalBlocks = {
  [D in BuiltIn as D['block'] extends 'optional' ? D['name'] : never]: z.ZodOptional<D['schema']>;
};

function transportBlocks(list: readonly AnyTransportDeclaration[], kind: 'spec' | 'optional') {
  return Object.fromEntries(
    list
      .filter((d) => d.block === kind)
      .map((d) => [d.name, kind === 'spec' ? d.schema.default(() => d.schema.parse({})) : d.schema.optional()]),
  );
}

/** The whole file's schema over a list of transports (key order as the spec's file, our keys after). */
function buildConfigSchema(list: readonly AnyTransportDeclaration[]) {
  const names = list.map((d) => d.name) as unknown as typeof PROTOCOLS;
  return z
    .object({
      enabled: bool().default(false),
      protocol: z
        .enum(names, {
          error: msg(
            `protocolo desconocido; use uno de: ${names.join(', ')}`,
            `unknown protocol; use one of: ${names.join(', ')}`,
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
      ...(transportBlocks(list, 'spec') as SpecBlocks),
      // Our additions: all optional, with defaults.
      database_path: str(1024).optional(),
      direction: z
        .enum(['bidirectional', 'push', 'pull'], {
          error: msg("debe ser 'bidirectional', 'push' o 'pull'", "must be 'bidirectional', 'push' or 'pull'"),
        })
        .optional(),
      ...(transportBlocks(list, 'optional') as OptionalBlocks),
      encryption: encryptionSchema.optional(),
      device_name: str(64)
        .refine((v) => /^[\p{L}\p{N}._-]+$/u.test(v), {
          error: msg(
            'solo letras, números, punto, guion y guion bajo',
            'letters, digits, dot, dash and underscore only',
          ),
        })
        .optional(),
      keep_versions: z
        .number()
        .int({ error: msg('debe ser un número entero', 'must be an integer') })
        .min(1, { error: msg('debe ser al menos 1', 'must be at least 1') })
        .max(1000, { error: msg('no puede superar 1000', 'must be at most 1000') })
        .optional(),
      language: z.enum(['es', 'en'], { error: msg("debe ser 'es' o 'en'", "must be 'es' or 'en'") }).optional(),
      ui: uiSchema.optional(),
    })
    .loose();
}

/** The schema over the built-in transports (its type is SyncConfig). */
export const configSchema = buildConfigSchema(BUILT_IN);

/** The schema over the registered transports (the built-in ones, plus any registered at run time). */
let active: { list: readonly AnyTransportDeclaration[]; schema: typeof configSchema } = {
  list: BUILT_IN,
  schema: configSchema,
};
function activeSchema(): typeof configSchema {
  const list = transportDeclarations();
  if (active.list !== list) active = { list, schema: buildConfigSchema(list) };
  return active.schema;
}

export type SyncConfig = z.infer<typeof configSchema>;
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
  const r = activeSchema().safeParse(raw);
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
  return activeSchema().parse({});
}

/** What the selected protocol (and encryption) still need before a sync can run. */
export function completenessProblems(cfg: SyncConfig, protocol: Protocol = cfg.protocol): ConfigProblem[] {
  const out: ConfigProblem[] = [];
  const d = declarationOf(protocol);
  for (const m of d.missing(blockOf(cfg, protocol)))
    out.push({ key: `${d.name}.${m.key}`, severity: 'incomplete', text: m.text });
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
