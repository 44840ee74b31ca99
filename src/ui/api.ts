/**
 * The UI's HTTP API: small handlers over the public SyncService methods, every body validated with zod, every answer
 * passed through the redaction before it leaves. Routes are listed in ROUTES; src/ui/server.ts does transport and
 * security, this file only does what each button means.
 */
import { promises as fsp, readFileSync } from 'node:fs';
import { z } from 'zod';
import type { SyncService } from '../service.js';
import type { Protocol } from '../transports/registry.js';
import { SyncError, toSyncError } from '../errors.js';
import { MAX_POLLING_INTERVAL, MIN_POLLING_INTERVAL, resolvedDeviceName } from '../config/schema.js';
import { secretFields, transportDeclarations, transportViews } from '../transports/registry.js';
import { redact, redactString } from '../log/redact.js';
import type {
  ApiError,
  EncryptNowResponse,
  KeygenResponse,
  PassphraseResponse,
  PublicConfig,
  SampleDbResponse,
  SaveResponse,
  StateResponse,
} from './api-types.js';
import { createSampleDatabase } from './sample-db.js';
import { msg } from '../messages/index.js';

export interface ApiResult {
  status: number;
  body: unknown;
}

export type Handler = (svc: SyncService, body: unknown, query: URLSearchParams) => Promise<ApiResult>;

const VERSION = (() => {
  try {
    // Same relative place from src/ui (tsx) and dist/ui (built).
    return (
      (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string })
        .version ?? ''
    );
  } catch {
    return '';
  }
})();

/** The registered protocols and their secret fields (built per request: the registry can grow at run time). */
function requestSchemas() {
  const protocols = transportDeclarations().map((d) => d.name) as [string, ...string[]];
  const secretKeys = secretFields().map(([b, k]) => `${b}.${k}`) as [string, ...string[]];
  const clear = z.array(z.enum(secretKeys)).max(secretKeys.length).optional();
  return {
    config: z.object({ config: z.record(z.string(), z.unknown()), clear }),
    test: z.object({ protocol: z.enum(protocols), config: z.record(z.string(), z.unknown()).optional(), clear }),
  };
}
/** `choice` (the four options); `keep` is the older spelling of 'local' | 'remote'. */
const resolveRequest = z
  .object({
    choice: z.enum(['both', 'local', 'remote', 'merge']).optional(),
    keep: z.enum(['local', 'remote']).optional(),
    confirm: z.boolean().optional(),
  })
  .refine((b) => (b.choice ?? b.keep) !== undefined, { message: 'choice' });
const undoRequest = z.object({ id: z.string().max(100).optional() });
const restoreRequest = z.object({ generation: z.number().int().min(0) });
const autoRequest = z.object({ run: z.boolean() });
const remoteAnswerRequest = z.object({ answer: z.enum(['use-new', 'go-back']) });
const passphraseRequest = z.object({ passphrase: z.string().min(1).max(1024) });

function httpStatusFor(code: string): number {
  if (code === 'CONFIG_INVALID' || code === 'CONFIG_PARSE' || code === 'BAD_REQUEST') return 400;
  if (code === 'NOT_FOUND') return 404;
  if (code === 'ALREADY_EXISTS' || code === 'CONFLICT' || code === 'PRECONDITION_FAILED' || code === 'LOCKED')
    return 409;
  if (code === 'UNAVAILABLE') return 503;
  if (code === 'INTERNAL') return 500;
  return 502; // the remote or the local file system said no
}

export function errorResult(err: unknown): ApiResult {
  const e = toSyncError(err);
  const raw = (e.details as { problems?: Array<{ key: string; text: { es: string; en: string } }> } | undefined)
    ?.problems;
  const body: ApiError = {
    error: {
      code: e.code,
      message: e.text.es,
      message_en: e.text.en,
      ...(e.hint ? { hint: e.hint.es, hint_en: e.hint.en } : {}),
      ...(raw ? { problems: raw.map((p) => ({ key: p.key, text: p.text })) } : {}),
    },
  };
  return { status: httpStatusFor(e.code), body };
}

export function badRequest(issues: z.core.$ZodIssue[]): ApiResult {
  const detail = issues.map((i) => `${i.path.join('.') || '(cuerpo)'}: ${i.message}`).join('; ');
  const invalid = msg('api.invalid_request', { detail });
  const body: ApiError = {
    error: { code: 'BAD_REQUEST', message: invalid.es, message_en: invalid.en },
  };
  return { status: 400, body };
}

/** Validates a body with a zod schema, or answers 400. */
function parse<T>(schema: z.ZodType<T>, body: unknown): { ok: true; value: T } | { ok: false; result: ApiResult } {
  const r = schema.safeParse(body);
  return r.success ? { ok: true, value: r.data } : { ok: false, result: badRequest(r.error.issues) };
}

/**
 * Every string in an answer goes through the redaction (registered secrets, user:pass@ URLs); key-based masking
 * too, except for the config, whose secrets publicConfig() already blanked and whose *_file paths must stay visible.
 */
export function safeBody(body: unknown, keyBased: boolean): unknown {
  if (keyBased) return redact(body);
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return redactString(v);
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object')
      return Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  return walk(body);
}

const publicConfig = (svc: SyncService) => svc.publicConfig() as PublicConfig;

async function stateOf(svc: SyncService): Promise<StateResponse> {
  const status = await svc.status();
  // Encryption on and the server not checked since this process started: count its plaintext now, in the
  // background (the answer does not wait; an event redraws the page when the count is known).
  if (svc.config().encryption?.enabled && status.remotePlaintext === null && status.state !== 'unconfigured')
    void svc.checkRemotePlaintext().catch(() => {});
  return {
    config: publicConfig(svc),
    status,
    device: resolvedDeviceName(svc.config()),
    minInterval: MIN_POLLING_INTERVAL,
    maxInterval: MAX_POLLING_INTERVAL,
    version: VERSION,
    transports: transportViews(),
  };
}

const ok = (body: unknown, status = 200): ApiResult => ({ status, body });

/** Wraps a handler so a thrown SyncError becomes its JSON answer. */
const guarded =
  (fn: Handler): Handler =>
  async (svc, body, query) => {
    try {
      return await fn(svc, body, query);
    } catch (err) {
      return errorResult(err);
    }
  };

export const ROUTES: Record<string, Handler> = {
  'GET /api/state': guarded(async (svc) => ok(await stateOf(svc))),

  'GET /api/status': guarded(async (svc) => ok(await svc.status())),

  'GET /api/events': guarded(async (svc, _b, q) =>
    ok(svc.log.recent(Math.min(1000, Number(q.get('limit')) || 200), Number(q.get('after')) || 0)),
  ),

  'POST /api/config': guarded(async (svc, body) => {
    const p = parse(requestSchemas().config, body);
    if (!p.ok) return p.result;
    await svc.saveConfig(p.value.config, { clear: p.value.clear });
    const res: SaveResponse = {
      config: publicConfig(svc),
      status: await svc.status(),
      readiness: await svc.readiness(),
    };
    return ok(res);
  }),

  /** An unusable config file is never overwritten: this sets it aside (renamed, kept) so the form can start anew. */
  'POST /api/config/set-aside': guarded(async (svc) => {
    if (svc.configState !== 'invalid') throw new SyncError('NOT_FOUND', msg('api.current_configuration_valid_nothing'));
    const kept = `${svc.configFile}.invalid-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    await fsp.rename(svc.configFile, kept);
    await svc.reloadConfig();
    const res: SaveResponse = { config: publicConfig(svc), status: await svc.status(), invalidBackup: kept };
    return ok(res);
  }),

  'POST /api/test': guarded(async (svc, body) => {
    const p = parse(requestSchemas().test, body);
    if (!p.ok) return p.result;
    const report = await svc.test(
      p.value.protocol as Protocol,
      p.value.config ? svc.withStoredSecrets(p.value.config, p.value.clear) : undefined,
    );
    return ok(report);
  }),

  'POST /api/sync': guarded(async (svc) => ok(await svc.syncNow())),

  'POST /api/auto': guarded(async (svc, body) => {
    const p = parse(autoRequest, body);
    if (!p.ok) return p.result;
    let started = false;
    if (p.value.run) started = await svc.start();
    else svc.stop();
    return ok({ started, status: await svc.status() });
  }),

  /** The conflict, what differs per table, the merge preview, and what the last resolution can still undo. */
  'GET /api/conflict': guarded(async (svc) =>
    ok({ conflict: await svc.conflict(), undo: await svc.conflictUndoable() }),
  ),

  /** Replacing the live database ('remote', 'merge') needs `confirm: true`; the answer says where the backup is. */
  'POST /api/resolve': guarded(async (svc, body) => {
    const p = parse(resolveRequest, body);
    if (!p.ok) return p.result;
    const choice = (p.value.choice ?? p.value.keep)!;
    const result = await svc.resolve(choice, { confirm: p.value.confirm });
    return ok({ result, status: await svc.status() });
  }),

  'POST /api/resolve/undo': guarded(async (svc, body) => {
    const p = parse(undoRequest, body ?? {});
    if (!p.ok) return p.result;
    const result = await svc.undoConflict(p.value.id);
    return ok({ result, status: await svc.status() });
  }),

  /** "¿Es el mismo servidor?": the user's answer (src/ui/web/remote-question.ts). */
  'POST /api/remote-question': guarded(async (svc, body) => {
    const p = parse(remoteAnswerRequest, body);
    if (!p.ok) return p.result;
    const outcome = await svc.answerRemoteQuestion(p.value.answer);
    return ok({ outcome, status: await svc.status() });
  }),

  /** "Cifrar ahora": an encrypted version, then the server's plaintext versions removed (after the page asked). */
  'POST /api/encryption/encrypt-now': guarded(async (svc) => {
    const r = await svc.encryptNow();
    const res: EncryptNowResponse = { generation: r.outcome.generation, status: await svc.status() };
    return ok(res);
  }),

  /** "Generar clave": a new identity file (0600) under the Cordiax home; the recipient is public. */
  'POST /api/encryption/keygen': guarded(async (svc) => {
    const res: KeygenResponse = await svc.generateKey();
    return ok(res);
  }),

  /** The passphrase field: written to a 0600 file, never sent back; the answer is the file's path. */
  'POST /api/encryption/passphrase': guarded(async (svc, body) => {
    const p = parse(passphraseRequest, body);
    if (!p.ok) return p.result;
    const res: PassphraseResponse = { file: await svc.savePassphrase(p.value.passphrase) };
    return ok(res);
  }),

  'GET /api/versions': guarded(async (svc) => ok(await svc.versions())),

  'POST /api/restore': guarded(async (svc, body) => {
    const p = parse(restoreRequest, body);
    if (!p.ok) return p.result;
    const result = await svc.restoreVersion(p.value.generation);
    return ok({ result, status: await svc.status() });
  }),

  /** Cancelar: 200 when the running sync or restore will stop with nothing changed; 409 with the reason if not. */
  'POST /api/cancel': guarded(async (svc) => {
    const a = svc.cancel();
    if (!a.ok) throw new SyncError('PRECONDITION_FAILED', a.reason);
    return ok({ cancelling: true, status: await svc.status() });
  }),

  'POST /api/sample-db': guarded(async (svc) => {
    const file = await createSampleDatabase((await svc.status()).databasePath);
    svc.log.emit({
      type: 'info',
      code: 'SAMPLE_DB_CREATED',
      text: msg('event.SAMPLE_DB_CREATED', { file }),
    });
    const res: SampleDbResponse = { path: file, status: await svc.status() };
    return ok(res);
  }),
};

/** Routes whose answer is the config (secrets blanked by publicConfig, *_file paths kept). */
export const CONFIG_ROUTES = new Set(['GET /api/state', 'POST /api/config', 'POST /api/config/set-aside']);
