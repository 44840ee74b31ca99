/**
 * A real conflict through the folder transport, then each choice: the live database, the remote, the backup and the
 * server's copy afterwards (rows and hashes), undo, and the refusal without confirmation.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, readdirSync, readFileSync, renameSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { makeDevice, folderRemote, type Device } from './helpers/engine.js';
import { execSql, makeTestDb, sha256File, tmpDir } from './helpers/system.js';
import { x25519Encryption, x25519Keys } from './helpers/age.js';
import { decryptFile, encryptFile } from '../src/crypto/index.js';
import { SyncEngine } from '../src/engine/engine.js';
import { MANIFEST_FILE } from '../src/engine/remote-layout.js';
import { ConflictResolver } from '../src/conflict/resolution.js';
import { isSyncError } from '../src/errors.js';
import type { RemoteManifest } from '../src/transports/types.js';

/** Every row of `notas`, blobs as hex: equal dumps mean equal rows, byte for byte. */
function dump(file: string): string[] {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return db
      .prepare("SELECT id || '|' || texto || '|' || ifnull(hex(relleno), '') FROM notas ORDER BY id")
      .pluck()
      .all() as string[];
  } finally {
    db.close();
  }
}

function manifest(root: string): RemoteManifest {
  return JSON.parse(readFileSync(path.join(root, MANIFEST_FILE), 'utf8'));
}

interface Scene {
  remote: ReturnType<typeof folderRemote>;
  a: Device;
  b: Device;
  resolver: ConflictResolver;
  copyPath: string;
  bBefore: string[];
  remoteRows: string[];
}

/** A changes row 3 and pushes; B adds row 100: a conflict on B with disjoint rows. */
async function scene(): Promise<Scene> {
  const remote = folderRemote();
  const a = makeDevice('equipoA', remote.transport());
  const b = makeDevice('equipoB', remote.transport());
  makeTestDb(a.db, 20, { tag: 'base' });
  assert.equal((await a.engine.sync()).action, 'push');
  assert.equal((await b.engine.sync()).action, 'pull');
  execSql(a.db, "UPDATE notas SET texto = 'A-cambia-3' WHERE id = 3");
  assert.equal((await a.engine.sync()).action, 'push');
  execSql(b.db, "INSERT INTO notas (id, texto) VALUES (100, 'B-100')");
  const c = await b.engine.sync();
  assert.equal(c.action, 'conflict');
  const resolver = new ConflictResolver(b.engine, { undoFile: path.join(b.home, 'conflict-undo.json') });
  return { remote, a, b, resolver, copyPath: c.conflictCopy!, bBefore: dump(b.db), remoteRows: dump(a.db) };
}

test('the conflict view: three-way diff against the base the server retains, merge offered with its preview', async () => {
  const s = await scene();
  const v = (await s.resolver.view())!;
  assert.equal(v.base.source, 'remote');
  assert.equal(v.base.generation, 1);
  assert.equal(v.diff!.mode, 'three-way');
  const notas = v.diff!.tables.find((t) => t.table === 'notas')!;
  assert.deepEqual([notas.local!.added, notas.local!.changed, notas.local!.deleted], [1, 0, 0]);
  assert.equal(notas.local!.examples.added[0]!.key.id, '100');
  assert.deepEqual([notas.remote!.added, notas.remote!.changed, notas.remote!.deleted], [0, 1, 0]);
  assert.deepEqual(notas.remote!.examples.changed[0]!.changes, [
    { column: 'texto', before: 'base-2', after: 'A-cambia-3' },
  ]);
  assert.equal(v.diff!.mergeable, true);
  assert.equal(v.merge!.totalRows, 21);
  assert.equal(v.copyEncrypted, false);
  assert.equal(v.conflict.copyPath, s.copyPath);
});

test('"both": nothing replaced, the copy stays beside the database, the local version is sent next', async () => {
  const s = await scene();
  const liveHash = await sha256File(s.b.db);
  const r = await s.resolver.resolve('both');
  assert.equal(r.backupPath, null);
  assert.equal(r.copyPath, s.copyPath);
  assert.equal(await sha256File(s.b.db), liveHash);
  assert.deepEqual(dump(s.copyPath), s.remoteRows);
  const pushed = await s.b.engine.sync();
  assert.equal(pushed.action, 'push');
  assert.equal(manifest(s.remote.root).generation, 3);
  assert.equal((await s.a.engine.sync()).action, 'pull');
  assert.deepEqual(dump(s.a.db), s.bBefore);
  // Undo is over once a sync moved on.
  assert.equal(await s.resolver.undoable(), null);
  await assert.rejects(s.resolver.undo(), (e) => isSyncError(e, 'PRECONDITION_FAILED'));
});

test('"local": the copy moves into the backups (same rows), the local version is sent next; undo puts it back', async () => {
  const s = await scene();
  const r = await s.resolver.resolve('local');
  assert.ok(!existsSync(s.copyPath));
  assert.equal(path.dirname(r.copyPath!), path.join(s.b.home, 'backups'));
  assert.deepEqual(dump(r.copyPath!), s.remoteRows);
  assert.ok(await s.resolver.undoable());
  await s.resolver.undo(r.undoId);
  assert.ok(existsSync(s.copyPath));
  assert.equal((await s.b.engine.targetState()).conflict?.copyPath, s.copyPath);
  assert.equal((await s.b.engine.sync()).action, 'conflict');
  await s.resolver.resolve('local');
  assert.equal((await s.b.engine.sync()).action, 'push');
});

test('"remote": refused without confirmation (live hash unchanged); confirmed, replaced with a backup; undo restores', async () => {
  const s = await scene();
  const liveHash = await sha256File(s.b.db);
  const gen = manifest(s.remote.root).generation;
  await assert.rejects(s.resolver.resolve('remote'), (e) => isSyncError(e, 'PRECONDITION_FAILED'));
  assert.equal(await sha256File(s.b.db), liveHash);
  assert.ok((await s.b.engine.targetState()).conflict);

  const r = await s.resolver.resolve('remote', { confirm: true });
  assert.deepEqual(dump(s.b.db), s.remoteRows);
  assert.ok(r.backupPath && existsSync(r.backupPath));
  assert.deepEqual(dump(r.backupPath), s.bBefore, 'the backup holds the local rows, B-100 included');
  assert.deepEqual(dump(r.copyPath!), s.remoteRows);
  assert.equal(manifest(s.remote.root).generation, gen, 'the remote is untouched');

  const u = await s.resolver.undo(r.undoId);
  assert.deepEqual(dump(s.b.db), s.bBefore, 'undo brings back the exact rows');
  assert.ok(u.backupPath && existsSync(u.backupPath));
  assert.deepEqual(dump(u.backupPath), s.remoteRows, 'what undo replaced was backed up too');
  assert.ok(existsSync(s.copyPath));
  assert.equal((await s.b.engine.sync()).action, 'conflict');
  assert.equal(manifest(s.remote.root).generation, gen);

  await s.resolver.resolve('remote', { confirm: true });
  assert.equal((await s.b.engine.sync()).action, 'none');
  assert.deepEqual(dump(s.b.db), s.remoteRows);
});

test('"merge": both row changes live, backed up first, sent next and received by the other computer', async () => {
  const s = await scene();
  await assert.rejects(s.resolver.resolve('merge'), (e) => isSyncError(e, 'PRECONDITION_FAILED'));
  const r = await s.resolver.resolve('merge', { confirm: true });
  const merged = dump(s.b.db);
  assert.equal(merged.length, 21);
  assert.ok(merged.some((x) => x.startsWith('3|A-cambia-3|')));
  assert.ok(merged.some((x) => x === '100|B-100|'));
  assert.deepEqual(dump(r.backupPath!), s.bBefore);

  // Undo, then merge again and sync: the other computer gets the union.
  await s.resolver.undo();
  assert.deepEqual(dump(s.b.db), s.bBefore);
  await s.resolver.resolve('merge', { confirm: true });
  assert.equal((await s.b.engine.sync()).action, 'push');
  assert.equal((await s.a.engine.sync()).action, 'pull');
  assert.deepEqual(dump(s.a.db), merged);
  assert.equal(manifest(s.remote.root).generation, 3);
});

test('no base anywhere: a two-way diff, no merge', async () => {
  const remote = folderRemote();
  const a = makeDevice('equipoA', remote.transport());
  const b = makeDevice('equipoB', remote.transport());
  makeTestDb(a.db, 5, { tag: 'A' });
  makeTestDb(b.db, 7, { tag: 'B' });
  assert.equal((await a.engine.sync()).action, 'push');
  assert.equal((await b.engine.sync()).action, 'conflict');
  const resolver = new ConflictResolver(b.engine, { undoFile: path.join(b.home, 'conflict-undo.json') });
  const v = (await resolver.view())!;
  assert.equal(v.base.source, null);
  assert.equal(v.diff!.mode, 'two-way');
  assert.equal(v.merge, null);
  const notas = v.diff!.tables.find((t) => t.table === 'notas')!;
  // The server's 5 rows against these 7: texts differ in all 5 shared ids, 2 rows exist only here.
  assert.deepEqual([notas.remote!.added, notas.remote!.changed, notas.remote!.deleted], [0, 5, 2]);
});

test('the base from a local backup whose content is the base (no download), even when the server pruned it', async () => {
  const remote = folderRemote();
  const a = makeDevice('equipoA', remote.transport(), { keepVersions: 1 });
  const b = makeDevice('equipoB', remote.transport());
  makeTestDb(a.db, 10, { tag: 'base' });
  await a.engine.sync();
  await b.engine.sync();
  const kept = await b.engine.local.backupLocal('manual');
  execSql(a.db, 'DELETE FROM notas WHERE id = 1; DELETE FROM notas WHERE id = 2');
  assert.equal((await a.engine.sync()).action, 'push');
  execSql(b.db, "UPDATE notas SET texto = 'B-5' WHERE id = 5");
  assert.equal((await b.engine.sync()).action, 'conflict');
  const v = (await new ConflictResolver(b.engine, { undoFile: path.join(b.home, 'undo.json') }).view())!;
  assert.equal(v.base.source, 'backup');
  assert.equal(v.base.path, kept);
  const notas = v.diff!.tables.find((t) => t.table === 'notas')!;
  assert.deepEqual([notas.local!.changed, notas.remote!.deleted], [1, 2]);
  assert.deepEqual(
    notas.remote!.examples.deleted.map((e) => e.key.id),
    ['1', '2'],
  );
  assert.equal(v.diff!.mergeable, true);
});

test('encrypted at rest (locked): the diff decrypts into a private temp that is gone afterwards; without identity, no diff', async () => {
  const k = x25519Keys(tmpDir());
  const remote = folderRemote();
  const withKey = { encryption: x25519Encryption(k.recipient, k.file) };
  const a = makeDevice('equipoA', remote.transport(), withKey);
  const b = makeDevice('equipoB', remote.transport(), withKey);
  /** What the application does while locked: open the .enc, change it, write it back encrypted. */
  const editLocked = async (db: string, sql: string) => {
    const plain = path.join(tmpDir(), 'p.db');
    await decryptFile(`${db}.enc`, plain, { identities: [k.identity] });
    execSql(plain, sql);
    await encryptFile(plain, `${db}.enc.new`, { recipients: [k.recipient] });
    renameSync(`${db}.enc.new`, `${db}.enc`);
  };
  const src = makeTestDb(path.join(tmpDir(), 'src.db'), 10, { tag: 'cifrada' });
  await encryptFile(src, `${a.db}.enc`, { recipients: [k.recipient] });
  assert.equal((await a.engine.sync()).action, 'push');
  // B is locked too, with the same version (its own copy of the .enc): in sync without a transfer.
  copyFileSync(`${a.db}.enc`, `${b.db}.enc`);
  assert.equal((await b.engine.sync()).action, 'none');
  await editLocked(a.db, "UPDATE notas SET texto = 'A' WHERE id = 2");
  assert.equal((await a.engine.sync()).action, 'push');
  await editLocked(b.db, "INSERT INTO notas (id, texto) VALUES (50, 'B')");
  const c = await b.engine.sync();
  assert.equal(c.action, 'conflict');
  assert.match(c.conflictCopy!, /\.db\.age$/);
  assert.ok(!existsSync(b.db), 'locked: no plaintext database appeared');

  const v = (await new ConflictResolver(b.engine, { undoFile: path.join(b.home, 'undo.json') }).view())!;
  assert.equal(v.copyEncrypted, true);
  assert.equal(v.diff!.mode, 'three-way');
  const notas = v.diff!.tables.find((t) => t.table === 'notas')!;
  assert.deepEqual([notas.local!.added, notas.remote!.changed], [1, 1]);
  assert.deepEqual(readdirSync(path.join(b.home, 'tmp')), [], 'no decrypted copy is left behind');
  assert.ok(!existsSync(b.db));

  // The same conflict seen by an engine with no identity: no diff, the choices still work.
  const blind = new SyncEngine({
    transport: remote.transport(),
    databasePath: b.db,
    statePath: path.join(b.home, 'sync_state.json'),
    device: 'equipoB',
    log: b.log,
    encryption: x25519Encryption(k.recipient),
  });
  const r = new ConflictResolver(blind, { undoFile: path.join(b.home, 'undo.json') });
  const blindView = (await r.view())!;
  assert.equal(blindView.diff, null);
  assert.equal(blindView.diffUnavailable, 'no-identity');
  const encBefore = await sha256File(`${b.db}.enc`);
  await r.resolve('both');
  assert.equal(await sha256File(`${b.db}.enc`), encBefore);
  assert.equal((await blind.sync()).action, 'push');
});
