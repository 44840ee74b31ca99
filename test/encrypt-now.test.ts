// "Cifrar ahora" in the engine (SyncEngine.encryptRemote) over a folder remote: after plaintext versions (and the
// first push after turning encryption on, a whole encrypted base), it leaves only age objects on the server, no row
// text anywhere on it, the local database as it was, a computer already in sync sees no change (no conflict), and
// every computer with the key keeps syncing; when the commit of the encrypted version fails, nothing on the server
// is deleted or changed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { SyncError } from '../src/errors.js';
import { SyncEngine } from '../src/engine/engine.js';
import type { EncryptionConfig } from '../src/config/schema.js';
import type { FileTransport, RemoteManifest } from '../src/transports/types.js';
import { plan } from '../src/engine/plan.js';
import { folderRemote, makeDevice } from './helpers/engine.js';
import { x25519Encryption, x25519Keys } from './helpers/age.js';
import { addRows, makeTestDb, readRows, sha256File, tmpDir } from './helpers/system.js';

const AGE_HEADER = Buffer.from('age-encryption.org/v1\n');
const SQLITE = Buffer.from('SQLite format 3\0', 'latin1');

function walk(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)],
  );
}

/** Every file of the remote with a hash of its bytes: "nothing changed on the server". */
function remoteState(root: string): Record<string, string> {
  return Object.fromEntries(
    walk(root).map((f) => [path.relative(root, f), createHash('sha256').update(readFileSync(f)).digest('hex')]),
  );
}

/** Three plaintext versions (a base and two patches), then encryption on and one more change. */
async function plaintextHistory(root: string, transport: () => FileTransport, enc: EncryptionConfig) {
  const plain = makeDevice('recepcion', transport());
  makeTestDb(plain.db, 60, { tag: 'cliente' });
  assert.equal((await plain.engine.sync()).action, 'push');
  addRows(plain.db, ['cita 1']);
  assert.equal((await plain.engine.sync()).action, 'push');
  addRows(plain.db, ['cita 2']);
  assert.equal((await plain.engine.sync()).action, 'push');
  await plain.engine.close();
  // The same computer turns encryption on (same database, state and log).
  const engine = new SyncEngine({
    transport: transport(),
    databasePath: plain.db,
    statePath: path.join(plain.home, 'sync_state.json'),
    device: 'recepcion',
    log: plain.log,
    keepVersions: 10,
    direction: 'bidirectional',
    encryption: enc,
  });
  addRows(plain.db, ['cita cifrada']);
  assert.equal((await engine.sync()).action, 'push');
  // The first push after turning encryption on is a whole encrypted database, never an encrypted patch on the
  // plaintext base (no device could rebuild that chain: the delta fetch decrypts every link).
  const head = JSON.parse(readFileSync(path.join(root, 'cordiax-sync.json'), 'utf8')) as {
    file: string;
    delta?: unknown;
  };
  assert.match(head.file, /\.db\.age$/);
  assert.equal(head.delta, undefined);
  const plaintextObjects = walk(path.join(root, 'versions')).filter(
    (f) => !readFileSync(f).subarray(0, AGE_HEADER.length).equals(AGE_HEADER),
  );
  assert.ok(plaintextObjects.length >= 1, 'the remote should still hold plaintext before "Cifrar ahora"');
  return { db: plain.db, engine };
}

test('Cifrar ahora: solo objetos age en el servidor, la base local igual, otro equipo con la clave la recibe', async () => {
  const remote = folderRemote();
  const k = x25519Keys(tmpDir());
  const enc = x25519Encryption(k.recipient, k.file);
  const a = await plaintextHistory(remote.root, remote.transport, enc);
  assert.ok(((await a.engine.plaintextOnRemote()) ?? []).length >= 1);
  // A second computer with the key is in sync before "Cifrar ahora".
  const b = makeDevice('oficina', remote.transport(), { encryption: enc });
  assert.equal((await b.engine.sync()).action, 'pull');
  const localBefore = { sha: await sha256File(a.db), rows: readRows(a.db) };

  const out = await a.engine.encryptRemote();
  assert.equal(out.action, 'push');
  assert.equal(out.reason, 'encrypt-now');

  const files = walk(path.join(remote.root, 'versions'));
  assert.ok(files.length >= 1);
  for (const f of files)
    assert.ok(readFileSync(f).subarray(0, AGE_HEADER.length).equals(AGE_HEADER), `${path.basename(f)} is plaintext`);
  // No file on the server holds the SQLite header or a row's text (commit records carry hashes, not rows).
  for (const f of walk(remote.root)) {
    const b = readFileSync(f);
    assert.equal(b.includes(SQLITE), false, `${f} holds an SQLite header`);
    for (const t of ['cliente-1', 'cita 1', 'cita cifrada'])
      assert.equal(b.includes(Buffer.from(t)), false, `${f}: ${t}`);
  }
  assert.deepEqual(await a.engine.plaintextOnRemote(), []);
  const manifest = JSON.parse(readFileSync(path.join(remote.root, 'cordiax-sync.json'), 'utf8')) as {
    encrypted: boolean;
    file: string;
    delta?: unknown;
    versions?: Array<{ file: string }>;
  };
  assert.equal(manifest.encrypted, true);
  assert.equal(manifest.delta, undefined, 'the encrypted version is a whole database, not a patch');
  for (const v of manifest.versions ?? []) assert.match(v.file, /\.age$/);
  // The local database is exactly as it was; the next sync has nothing to do.
  assert.equal(await sha256File(a.db), localBefore.sha);
  assert.deepEqual(readRows(a.db), localBefore.rows);
  assert.equal((await a.engine.sync()).action, 'none');

  // The other computer sees no change of content (the same database, encrypted): nothing to do, no conflict; its
  // edits then go on top of the encrypted version; a third computer receives everything.
  const bSync = await b.engine.sync();
  assert.deepEqual([bSync.action, bSync.reason], ['none', 'unchanged']);
  assert.deepEqual(readRows(b.db), localBefore.rows);
  addRows(b.db, ['cambio en oficina']);
  assert.equal((await b.engine.sync()).action, 'push');
  const c = makeDevice('almacen', remote.transport(), { encryption: enc });
  assert.equal((await c.engine.sync()).action, 'pull');
  assert.deepEqual(readRows(c.db), readRows(b.db));
  await c.engine.close();
  assert.equal((await a.engine.sync()).action, 'pull');
  assert.ok(readRows(a.db).includes('cambio en oficina'));
  for (const f of walk(path.join(remote.root, 'versions')))
    assert.ok(readFileSync(f).subarray(0, AGE_HEADER.length).equals(AGE_HEADER));
  await a.engine.close();
  await b.engine.close();
});

test('Cifrar ahora: si no se puede publicar la versión cifrada, no se borra ni cambia nada del servidor', async () => {
  const remote = folderRemote();
  const k = x25519Keys(tmpDir());
  const enc = x25519Encryption(k.recipient, k.file);
  // Commit records cannot be created from the moment the flag is set (a server that refuses the commit).
  let refuseCommits = false;
  const failing = (): FileTransport => {
    const t = remote.transport();
    const create = t.createExclusive.bind(t);
    t.createExclusive = async (p, data, opts) => {
      if (refuseCommits && p.startsWith('commits/'))
        throw new SyncError('PERMISSION_DENIED', { es: 'rechazado (prueba)', en: 'refused (test)' });
      return create(p, data, opts);
    };
    return t;
  };
  const a = await plaintextHistory(remote.root, failing, enc);
  const before = remoteState(remote.root);
  const localBefore = await sha256File(a.db);
  refuseCommits = true;
  await assert.rejects(a.engine.encryptRemote(), (e: unknown) => e instanceof SyncError);
  // Nothing that was there is removed or changed. The encrypted object may stay: once its commit record may exist
  // it is only removed on proof that it does not (remote-layout push); a later push prunes it.
  const after = remoteState(remote.root);
  for (const [f, sha] of Object.entries(before)) assert.equal(after[f], sha, `${f} was removed or changed`);
  for (const f of Object.keys(after).filter((x) => !(x in before))) {
    assert.match(f, /^versions\/000005-.*\.db\.age$/);
    assert.ok(readFileSync(path.join(remote.root, f)).subarray(0, AGE_HEADER.length).equals(AGE_HEADER));
  }
  assert.equal(await sha256File(a.db), localBefore);
  // The plaintext is still reported, so the page keeps saying so.
  assert.ok(((await a.engine.plaintextOnRemote()) ?? []).length >= 1);
  await a.engine.close();
});

test('plan: una versión «Cifrar ahora» de la base no es un cambio; una que no sea su hija directa, sí', () => {
  const sha = (c: string) => c.repeat(64);
  const base = { generation: 4, remoteSha256: sha('a'), localSha256: sha('1') };
  const head = (over: Partial<RemoteManifest> = {}): RemoteManifest => ({
    format: 'cordiax-sync/1',
    generation: 5,
    sha256: sha('b'),
    size: 10,
    encrypted: true,
    device: 'x',
    time: '',
    file: 'versions/000005-x.db.age',
    parent: { generation: 4, sha256: sha('a') },
    reencrypts: { generation: 4, sha256: sha('a') },
    ...over,
  });
  const run = (remote: RemoteManifest, local: string) =>
    plan({ localSha256: local, remote, base, direction: 'bidirectional' });
  assert.deepEqual(run(head(), sha('1')), { action: 'none', reason: 'unchanged' });
  assert.deepEqual(run(head(), sha('2')), { action: 'push', reason: 'local-changed' });
  // Claims that do not name the base as the direct parent are a change like any other.
  assert.equal(run(head({ reencrypts: { generation: 4, sha256: sha('c') } }), sha('2')).action, 'conflict');
  assert.equal(run(head({ parent: { generation: 4, sha256: sha('c') } }), sha('2')).action, 'conflict');
  assert.equal(run(head({ generation: 6, parent: { generation: 5, sha256: sha('a') } }), sha('2')).action, 'conflict');
  assert.equal(run(head({ reencrypts: undefined }), sha('2')).action, 'conflict');
});

test('cordiax-sync encrypt-now: sin --yes (sin terminal) no toca nada; con --yes deja solo objetos age', async () => {
  const { spawnSync } = await import('node:child_process');
  const { writeFileSync } = await import('node:fs');
  const bin = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', 'bin', 'cordiax-sync.js');
  const home = tmpDir('cx-encnow-cli-');
  const root = tmpDir('cx-encnow-cli-remote-');
  const cli = (...args: string[]) =>
    spawnSync(process.execPath, [bin, ...args], {
      env: { ...process.env, CORDIAX_HOME: home, CORDIAX_LANG: 'es' },
      encoding: 'utf8',
      input: '',
    });
  const db = path.join(home, 'cordiax.db');
  makeTestDb(db, 40, { tag: 'cli' });
  writeFileSync(
    path.join(home, 'sync_config.json'),
    JSON.stringify({ enabled: false, protocol: 'folder', folder: { path: root } }),
    { mode: 0o600 },
  );
  assert.equal(cli('sync').status, 0);
  addRows(db, ['cita sin cifrar']);
  assert.equal(cli('sync').status, 0);
  const key = path.join(home, 'clave.txt');
  const kg = cli('keygen', '-o', key, '--json');
  assert.equal(kg.status, 0, kg.stderr);
  const recipient = /age1[0-9a-z]+/.exec(kg.stdout)?.[0];
  assert.ok(recipient, kg.stdout);
  assert.equal(cli('config', 'set', 'encryption.recipients', JSON.stringify([recipient])).status, 0);
  assert.equal(cli('config', 'set', 'encryption.identity_file', key).status, 0);
  assert.equal(cli('config', 'set', 'encryption.enabled', 'true').status, 0);
  addRows(db, ['cita cifrada']);
  assert.equal(cli('sync').status, 0);
  const rowsBefore = readRows(db);
  const before = remoteState(root);
  assert.ok(
    walk(path.join(root, 'versions')).some((f) => readFileSync(f).subarray(0, SQLITE.length).equals(SQLITE)),
    'the remote should still hold plaintext',
  );
  const refused = cli('encrypt-now');
  assert.notEqual(refused.status, 0);
  assert.match(refused.stderr + refused.stdout, /--yes/);
  assert.deepEqual(remoteState(root), before, 'the server changed without confirmation');
  const done = cli('encrypt-now', '--yes', '--json');
  assert.equal(done.status, 0, done.stderr);
  assert.equal((JSON.parse(done.stdout) as { left: number }).left, 0);
  const objects = walk(path.join(root, 'versions'));
  assert.ok(objects.length > 0);
  for (const f of objects)
    assert.ok(readFileSync(f).subarray(0, AGE_HEADER.length).equals(AGE_HEADER), `${f} is not an age file`);
  assert.deepEqual(readRows(db), rowsBefore);
});
