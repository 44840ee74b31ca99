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
import { msg } from '../messages/index.js';
import { MESSAGE_SEPARATOR as SEP, bool, str, zodText } from './schema-parts.js';

export { PROTOCOLS, type Protocol };
export type { WebdavConfig } from '../transports/webdav/declaration.js';
export type { SmbConfig } from '../transports/smb/declaration.js';
export type { SocketioConfig } from '../transports/socketio/declaration.js';
export const MIN_POLLING_INTERVAL = 60;
export const MAX_POLLING_INTERVAL = 7 * 24 * 3600;

const encryptionSchema = z
  .object({
    enabled: bool().default(false),
    /** 'x25519' (age public keys, default) or 'passphrase' (age scrypt). */
    mode: z
      .enum(['x25519', 'passphrase'], {
        error: zodText(msg('config.must_x25519_passphrase')),
      })
      .default('x25519'),
    recipients: z
      .array(
        str(200).refine((v) => /^age1[02-9ac-hj-np-z]{58}$/.test(v), {
          error: zodText(msg('config.not_valid_age_public_key')),
        }),
        {
          error: zodText(msg('config.must_list_age_public')),
        },
      )
      .max(100)
      .default([]),
    identity_file: str(1024).default(''),
    passphrase_file: str(1024).optional(),
    passphrase_env: str(256).optional(),
  })
  .loose();

const uiSchema = z
  .object({
    host: str(255).default('127.0.0.1'),
    port: z.number().int().min(0).max(65535).default(8484),
    /** Lets ui.host be a non-loopback address (HTTP in clear over the network): an explicit opt-in, warned about. */
    allow_remote: bool().optional(),
    /** HTTPS for the UI (PEM; relative to CORDIAX_HOME unless absolute); both or neither, checked at UI start. */
    tls_cert_file: str(1024).optional(),
    tls_key_file: str(1024).optional(),
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
          error: zodText(msg('config.unknown_protocol_use_one', { PROTOCOLS: names.join(', ') })),
        })
        .default('webdav'),
      polling_interval: z
        .number({ error: zodText(msg('config.must_number_seconds')) })
        .int({ error: zodText(msg('config.must_whole_number_seconds')) })
        .min(MIN_POLLING_INTERVAL, {
          error: zodText(msg('config.must_least_seconds', { MIN_POLLING_INTERVAL })),
        })
        .max(MAX_POLLING_INTERVAL, {
          error: zodText(msg('config.must_most_seconds_7', { MAX_POLLING_INTERVAL })),
        })
        .default(300),
      ...(transportBlocks(list, 'spec') as SpecBlocks),
      // Our additions: all optional, with defaults.
      database_path: str(1024).optional(),
      direction: z
        .enum(['bidirectional', 'push', 'pull'], {
          error: zodText(msg('config.must_bidirectional_push_pull')),
        })
        .optional(),
      ...(transportBlocks(list, 'optional') as OptionalBlocks),
      encryption: encryptionSchema.optional(),
      device_name: str(64)
        .refine((v) => /^[\p{L}\p{N}._-]+$/u.test(v), {
          error: zodText(msg('config.letters_digits_dot_dash')),
        })
        .optional(),
      keep_versions: z
        .number()
        .int({ error: zodText(msg('config.must_integer')) })
        .min(1, { error: zodText(msg('config.must_least_1')) })
        .max(1000, { error: zodText(msg('config.must_most_1000')) })
        .optional(),
      language: z.enum(['es', 'en'], { error: zodText(msg('config.must_es_en')) }).optional(),
      /** Upload verification on file remotes: 'full' reads every object back; 'auto' (default) see README. */
      verify: z.enum(['full', 'auto'], { error: zodText(msg('config.must_full_auto')) }).optional(),
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
      return msg('config.invalid_type_expected', { expected: issue.expected });
    case 'too_small':
      return msg('config.too_small_minimum', { minimum: String(issue.minimum) });
    case 'too_big':
      return msg('config.too_big_maximum', { maximum: String(issue.maximum) });
    case 'invalid_value':
      return msg('config.value_not_allowed_use', { values: issue.values.map(String).join(', ') });
    default:
      return msg('config.invalid_value', { reason: m });
  }
}

type ParseResult = { ok: true; config: SyncConfig } | { ok: false; problems: ConfigProblem[] };

/** Limits on what unknown keys may carry: a config is small; deep or huge structures are hostile or damaged. */
const MAX_CONFIG_DEPTH = 16;
const MAX_CONFIG_NODES = 5000;

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
        text: msg('config.nested_too_deeply_more', { MAX_CONFIG_DEPTH }),
      };
    }
    const children = Array.isArray(v) ? v : Object.values(v as Record<string, unknown>);
    nodes += children.length;
    if (nodes > MAX_CONFIG_NODES) {
      return {
        key: '(estructura)',
        severity: 'error',
        text: msg('config.too_many_elements_more', { MAX_CONFIG_NODES }),
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
          text: msg('config.file_must_contain_json_object'),
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
        text: msg('config.encryption_but_there_no_public'),
      });
    }
    if (enc.mode === 'passphrase' && !enc.passphrase_file && !enc.passphrase_env) {
      out.push({
        key: 'encryption.passphrase_file',
        severity: 'incomplete',
        text: msg('config.passphrase_mode_set_passphrase'),
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
