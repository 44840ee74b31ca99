// Every transport declares itself (src/transports/<name>/declaration.ts) and the rest of the program reads the
// declarations: this checks each built-in declaration is complete (secrets blanked by the API and masked in logs,
// form fields in both languages and present in the schema, a stable target id), and the paper test of a new
// transport: a tiny "memory" transport declared here and registered, which config validation, secret blanking, the
// API's form description and "Probar Conexión" pick up without any edit elsewhere.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { completenessProblems, defaultConfig, parseConfig, type SyncConfig } from '../src/config/schema.js';
import { str } from '../src/config/schema-parts.js';
import { redactString } from '../src/log/redact.js';
import { SyncService } from '../src/service.js';
import { ROUTES, safeBody } from '../src/ui/api.js';
import type { StateResponse } from '../src/ui/api-types.js';
import type { AnyTransportDeclaration, TransportDeclaration } from '../src/transports/declaration.js';
import type { FormField } from '../src/transports/form.js';
import {
  BUILT_IN,
  availability,
  createTransport,
  registerTransport,
  secretFields,
  targetId,
  transportDeclarations,
  type Protocol,
} from '../src/transports/registry.js';
import type { ConnectionReport, FileTransport } from '../src/transports/types.js';
import { tmpDir } from './helpers/system.js';

const services: SyncService[] = [];
after(async () => {
  for (const s of services) await s.close();
});

async function serviceWith(config: Record<string, unknown>): Promise<SyncService> {
  const home = tmpDir('cx-decl-');
  writeFileSync(path.join(home, 'sync_config.json'), JSON.stringify(config), { mode: 0o600 });
  const svc = await SyncService.open({ home, embeddedServer: false });
  services.push(svc);
  return svc;
}

async function apiState(svc: SyncService): Promise<StateResponse> {
  const r = await ROUTES['GET /api/state']!(svc, undefined, new URLSearchParams());
  assert.equal(r.status, 200);
  // What leaves the server: the config route's answer passes the string redaction too (src/ui/server.ts).
  return safeBody(r.body, false) as StateResponse;
}

const bothLanguages = (pair: readonly [string, string] | undefined, what: string) => {
  assert.ok(pair, `${what}: missing`);
  assert.equal(pair.length, 2, what);
  for (const s of pair) assert.ok(typeof s === 'string' && s.trim().length > 0, `${what}: empty text`);
};

function checkField(d: AnyTransportDeclaration, f: FormField): void {
  const what = `${d.name}.${f.key}`;
  bothLanguages(f.label, `${what} label`);
  if (f.placeholder) bothLanguages(f.placeholder, `${what} placeholder`);
  if (f.help) bothLanguages(f.help, `${what} help`);
  for (const [value, es, en] of f.options ?? []) bothLanguages([es, en], `${what} option ${value}`);
  assert.ok(d.schema.shape[f.key], `${what}: the form shows a key the schema does not have`);
}

/** A value for every secret of every transport, distinct and long enough to be registered for masking. */
function configWithSecrets(list: readonly AnyTransportDeclaration[]): {
  config: Record<string, unknown>;
  secrets: string[];
} {
  const config: Record<string, unknown> = {};
  const secrets: string[] = [];
  for (const d of list) {
    const block: Record<string, unknown> = {};
    for (const k of d.secrets) {
      block[k] = `Secreto-${d.name}-${k}-ñ42`;
      secrets.push(block[k] as string);
    }
    config[d.name] = block;
  }
  return { config, secrets };
}

test('every built-in transport declares a complete, consistent description of itself', async () => {
  assert.deepEqual(
    transportDeclarations().map((d) => d.name),
    ['webdav', 'smb', 'socketio', 'folder'],
    'the form order',
  );
  for (const d of BUILT_IN as readonly AnyTransportDeclaration[]) {
    const defaults = d.schema.parse({});
    assert.ok(defaults && typeof defaults === 'object', `${d.name}: parse({}) gives the block's defaults`);
    bothLanguages(d.form.title, `${d.name} title`);
    bothLanguages(d.form.what, `${d.name} what`);
    assert.ok(d.form.fields.length > 0, `${d.name}: no form fields`);
    for (const f of d.form.fields) checkField(d, f);
    const keys = d.form.fields.map((f) => f.key);
    assert.equal(new Set(keys).size, keys.length, `${d.name}: a field is declared twice`);
    for (const k of d.secrets) assert.ok(d.schema.shape[k], `${d.name}: secret ${k} is not a key of the block`);
    // A secret is always a write-only field, and a write-only field is always a secret.
    const passwordFields = d.form.fields.filter((f) => f.kind === 'password').map((f) => f.key);
    assert.deepEqual([...passwordFields].sort(), [...d.secrets].sort(), `${d.name}: password fields vs secrets`);
    // Each required field, when empty, is reported as missing under its own key.
    for (const f of d.form.fields.filter((x) => x.required)) {
      const empty = d.schema.parse({ [f.key]: '' });
      assert.ok(
        d.missing(empty).some((m) => m.key === f.key),
        `${d.name}.${f.key} is required but not reported when empty`,
      );
    }
    for (const m of d.missing(defaults)) {
      assert.ok(keys.includes(m.key), `${d.name}: missing ${m.key} has no form field to fill it`);
      bothLanguages([m.text.es, m.text.en], `${d.name}.${m.key} missing text`);
    }
    assert.equal((await availability(d.name as Protocol)).available, true, `${d.name} loads`);
    if (d.capabilities.store === 'files') assert.ok(d.capabilities.guarantees, `${d.name}: guarantees declared`);
  }
});

test('target ids are stable: the state file keys the sync base by them', () => {
  const cfg = parseConfig({
    webdav: { url: 'https://dav.example.com/remote.php/dav/', username: 'ana', remote_path: '/cx/' },
    smb: { server: '10.0.0.5', share_name: 'datos', domain: 'EMPRESA', username: 'ana', remote_path: '/cx/' },
    socketio: { server_url: 'http://sync.local:5000/', namespace: '/cordiax-sync/' },
    folder: { path: '/media/usb/cx' },
  });
  assert.ok(cfg.ok);
  // Pinned: a change here would orphan every user's sync base (they would see a first sync again).
  assert.deepEqual(Object.fromEntries(BUILT_IN.map((d) => [d.name, targetId(cfg.config, d.name)])), {
    webdav: 'webdav:https://dav.example.com/remote.php/dav|ana|/cx/',
    smb: 'smb:10.0.0.5|datos|EMPRESA\\ana|/cx/',
    socketio: 'socketio:http://sync.local:5000|/cordiax-sync/|default',
    folder: 'folder:/media/usb/cx',
  });
  // Without a folder block (the spec's file) the folder target is still defined.
  assert.equal(targetId(defaultConfig(), 'folder'), 'folder:');
  assert.equal(targetId(cfg.config, 'webdav'), targetId(structuredClone(cfg.config), 'webdav'));
});

test("the API blanks every transport's declared secrets, and the log masks them", async () => {
  const { config, secrets } = configWithSecrets(BUILT_IN);
  assert.ok(secrets.length >= 3, 'webdav, smb and socketio declare secrets');
  const svc = await serviceWith({ ...config, folder: { path: '/tmp/x' } });
  const pub = svc.publicConfig() as Record<string, Record<string, unknown>>;
  for (const [block, key] of secretFields()) {
    assert.equal(pub[block]![key], '', `${block}.${key} blanked`);
    assert.equal(pub[block]![`${key}_set`], true, `${block}.${key}_set`);
  }
  const state = await apiState(svc);
  const answer = JSON.stringify(state);
  for (const s of secrets) {
    assert.ok(!answer.includes(s), 'a secret reached the API answer');
    assert.equal(redactString(`fallo con ${s} en medio`), 'fallo con *** en medio');
  }
  // A form that leaves secrets empty keeps the stored ones; `clear` erases one.
  const merged = svc.withStoredSecrets(structuredClone(pub), ['smb.password']) as Record<
    string,
    Record<string, unknown>
  >;
  assert.equal(merged.webdav!.password, 'Secreto-webdav-password-ñ42');
  assert.equal(merged.socketio!.token, 'Secreto-socketio-token-ñ42');
  assert.equal(merged.smb!.password, '');
  assert.equal(merged.webdav!.password_set, undefined, '_set flags are dropped');
  // The API serves each transport's form with dotted keys and its secrets.
  assert.deepEqual(
    state.transports.map((t) => [t.protocol, t.secrets]),
    [
      ['webdav', ['webdav.password']],
      ['smb', ['smb.password']],
      ['socketio', ['socketio.token']],
      ['folder', []],
    ],
  );
  assert.ok(state.transports.every((t) => t.fields.every((f) => f.key.startsWith(`${t.protocol}.`))));
});

test('an emptied optional secret is removed, a spec secret is kept as an empty string', async () => {
  const svc = await serviceWith({ socketio: { token: 'abc-token-1' }, webdav: { password: 'abc-pass-1' } });
  const merged = svc.withStoredSecrets({ socketio: { token: '' }, webdav: { password: '' } }, [
    'socketio.token',
    'webdav.password',
  ]) as Record<string, Record<string, unknown>>;
  assert.equal('token' in merged.socketio!, false, 'socketio.token is optional: absent rather than empty');
  assert.equal(merged.webdav!.password, '', 'webdav.password has a default: stays as ""');
});

// ---------- the paper test: a new transport touches only its own declaration (here) and one registration ----------

const memorySchema = z
  .object({
    bucket: str(63).default(''),
    access_key: str(128).default(''),
    secret_key: str(256).default(''),
  })
  .loose();
type MemoryConfig = z.infer<typeof memorySchema>;

/** The smallest FileTransport there is: a Map. Enough for the connection test's report. */
function memoryTransport(block: MemoryConfig): FileTransport {
  const files = new Map<string, Buffer>();
  const report = async (): Promise<ConnectionReport> => ({
    protocol: 'memory' as Protocol,
    ok: files.size === 0,
    steps: [{ id: 'open', ok: true, text: { es: `Cubo ${block.bucket}.`, en: `Bucket ${block.bucket}.` } }],
    facts: { bucket: block.bucket },
  });
  const unused = async (): Promise<never> => {
    throw new Error('not needed by this test');
  };
  return {
    protocol: 'memory' as Protocol,
    open: async () => {},
    guarantees: async () => ({ conditionalWrite: true, exclusiveCreate: true, atomicReplace: true }),
    stat: async () => null,
    list: async () => [],
    mkdirp: async () => {},
    readSmall: async (p) => (files.has(p) ? { data: files.get(p)! } : null),
    writeSmall: unused,
    createExclusive: unused,
    upload: unused,
    download: unused,
    rename: unused,
    remove: async (p) => void files.delete(p),
    test: report,
    close: async () => {},
  };
}

const memory = {
  name: 'memory',
  block: 'optional',
  schema: memorySchema,
  secrets: ['secret_key'],
  form: {
    title: ['Memoria', 'Memory'],
    what: ['Un almacén en memoria, solo para pruebas.', 'An in-memory store, for tests only.'],
    fields: [
      { key: 'bucket', label: ['Cubo', 'Bucket'], kind: 'text', placeholder: ['copias', 'backups'], required: true },
      { key: 'access_key', label: ['Clave de acceso', 'Access key'], kind: 'text' },
      { key: 'secret_key', label: ['Clave secreta', 'Secret key'], kind: 'password' },
    ],
  },
  targetId: (b) => `memory:${b.bucket}|${b.access_key}`,
  missing: (b) =>
    b.bucket
      ? []
      : [{ key: 'bucket' as const, text: { es: 'está vacío: indique el cubo', en: 'is empty: enter the bucket' } }],
  packages: [],
  capabilities: {
    store: 'files',
    guarantees: { conditionalWrite: true, exclusiveCreate: true, atomicReplace: true },
    atomicWrite: true,
    pushNotifications: false,
  },
  load: async () => ({ create: (block: MemoryConfig) => memoryTransport(block) }),
} satisfies TransportDeclaration<'memory', typeof memorySchema>;

test('paper test: a registered "memory" transport is validated, blanked, served to the form and tested', async (t) => {
  const unregister = registerTransport(memory);
  t.after(unregister);

  // Config validation: the protocol and its block are accepted, with the block's defaults and its own messages.
  const ok = parseConfig({ protocol: 'memory', memory: { bucket: 'copias', secret_key: 'Clave-Secreta-Memoria-7' } });
  assert.ok(ok.ok);
  const cfg = ok.config as SyncConfig & { memory: MemoryConfig };
  assert.deepEqual(cfg.memory, { bucket: 'copias', access_key: '', secret_key: 'Clave-Secreta-Memoria-7' });
  assert.equal('memory' in defaultConfig(), false, 'an optional block stays out of the default file');
  const bad = parseConfig({ protocol: 'memory', memory: { bucket: 7 } });
  assert.equal(bad.ok, false);
  assert.deepEqual(!bad.ok && bad.problems.map((p) => [p.key, p.text.es]), [['memory.bucket', 'debe ser un texto']]);
  const noBlock = parseConfig({ protocol: 'memory' });
  assert.ok(noBlock.ok);
  assert.deepEqual(
    completenessProblems(noBlock.config).map((p) => [p.key, p.text.en]),
    [['memory.bucket', 'is empty: enter the bucket']],
  );
  assert.equal(completenessProblems(cfg, 'memory' as Protocol).length, 0);
  assert.equal(targetId(cfg, 'memory' as Protocol), 'memory:copias|');

  // Secret blanking and masking, through the service and the API.
  const svc = await serviceWith({ protocol: 'memory', memory: cfg.memory });
  const pub = svc.publicConfig() as Record<string, Record<string, unknown>>;
  assert.deepEqual(pub.memory, { bucket: 'copias', access_key: '', secret_key: '', secret_key_set: true });
  const state = await apiState(svc);
  assert.ok(!JSON.stringify(state).includes('Clave-Secreta-Memoria-7'));
  assert.equal(redactString('x Clave-Secreta-Memoria-7 y'), 'x *** y');
  assert.equal(state.status.protocol, 'memory');
  assert.deepEqual(state.status.problems, []);

  // The form: a tab with its fields (dotted keys, both languages) and its secret.
  const view = state.transports.find((v) => v.protocol === 'memory');
  assert.deepEqual(
    view?.fields.map((f) => [f.key, f.kind, ...f.label]),
    [
      ['memory.bucket', 'text', 'Cubo', 'Bucket'],
      ['memory.access_key', 'text', 'Clave de acceso', 'Access key'],
      ['memory.secret_key', 'password', 'Clave secreta', 'Secret key'],
    ],
  );
  assert.deepEqual(view?.secrets, ['memory.secret_key']);
  assert.equal(state.status.availability.find((a) => a.protocol === ('memory' as Protocol))?.available, true);

  // "Probar Conexión" through the API: the request is validated against the registry, secrets merged back in.
  const tested = await ROUTES['POST /api/test']!(
    svc,
    { protocol: 'memory', config: { protocol: 'memory', memory: { bucket: 'otro', secret_key: '' } } },
    new URLSearchParams(),
  );
  assert.equal(tested.status, 200);
  const report = tested.body as ConnectionReport;
  assert.equal(report.ok, true, JSON.stringify(report));
  assert.deepEqual(report.facts, { bucket: 'otro' });
  const cleared = await ROUTES['POST /api/config']!(
    svc,
    { config: { protocol: 'memory', memory: { bucket: 'copias' } }, clear: ['memory.secret_key'] },
    new URLSearchParams(),
  );
  assert.equal(cleared.status, 200);
  assert.equal((svc.config() as SyncConfig & { memory: MemoryConfig }).memory.secret_key, '');
  const transport = await createTransport(svc.config(), { log: svc.log, tmpDir: tmpDir(), device: 'x' });
  assert.equal(transport.protocol, 'memory');

  unregister();
  assert.equal(
    transportDeclarations().some((d) => d.name === 'memory'),
    false,
  );
  assert.equal(parseConfig({ protocol: 'memory' }).ok, false, 'unregistered: the protocol is unknown again');
});
