import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { makeDevice, folderRemote, counting } from './helpers/engine.js';
import { makeTestDb, readRows, addRows, sha256File } from './helpers/system.js';
import { MANIFEST_FILE } from '../src/engine/remote-layout.js';
import type { RemoteManifest } from '../src/transports/types.js';

function manifest(root: string): RemoteManifest {
  return JSON.parse(readFileSync(path.join(root, MANIFEST_FILE), 'utf8'));
}

test('push, idle poll, pull, push back: bytes and rows travel verified', async () => {
  const remote = folderRemote();
  const a = makeDevice('equipoA', remote.transport());
  const b = makeDevice('equipoB', remote.transport());
  makeTestDb(a.db, 50, { tag: 'A' });

  const r1 = await a.engine.sync();
  assert.equal(r1.action, 'push');
  assert.equal(r1.generation, 1);
  const m1 = manifest(remote.root);
  assert.equal(m1.generation, 1);
  assert.equal(m1.device, 'equipoA');
  const obj = path.join(remote.root, m1.file);
  assert.equal(await sha256File(obj), m1.sha256);
  assert.equal(statSync(obj).size, m1.size);
  assert.equal(r1.bytesUp, m1.size);

  // Idle poll: only the manifest is read; no data moves, no file changes.
  const counted = counting(remote.transport());
  // A second engine on A's files, with a counting transport.
  const { SyncEngine } = await import('../src/engine/engine.js');
  const idleEngine = new SyncEngine({
    transport: counted.t,
    databasePath: a.db,
    statePath: path.join(a.home, 'sync_state.json'),
    device: 'equipoA',
    log: a.log,
  });
  const listing = readdirSync(path.join(remote.root, 'versions'));
  const idle = await idleEngine.sync();
  assert.equal(idle.action, 'none');
  assert.equal(idle.bytesUp + idle.bytesDown, 0);
  assert.deepEqual(Object.keys(counted.calls).sort(), ['open', 'readSmall']);
  assert.deepEqual(readdirSync(path.join(remote.root, 'versions')), listing);

  // B has no database: it pulls A's.
  const r2 = await b.engine.sync();
  assert.equal(r2.action, 'pull');
  assert.deepEqual(readRows(b.db), readRows(a.db));
  assert.equal((await b.engine.sync()).action, 'none');

  // B writes, pushes; A pulls, with a local backup kept first.
  addRows(b.db, ['B-nueva-1', 'B-nueva-2']);
  assert.equal((await b.engine.sync()).action, 'push');
  assert.equal(manifest(remote.root).generation, 2);
  const r3 = await a.engine.sync();
  assert.equal(r3.action, 'pull');
  assert.deepEqual(readRows(a.db).slice(-2), ['B-nueva-1', 'B-nueva-2']);
  const backups = readdirSync(path.join(a.home, 'backups'));
  assert.equal(backups.length, 1);
  assert.equal(readRows(path.join(a.home, 'backups', backups[0]!)).length, 50);
  assert.equal(statSync(path.join(a.home, 'backups', backups[0]!)).mode & 0o777, 0o600);
  // Event log: start and end of each sync, in Spanish and English.
  const ends = a.log.recent(100).filter((e) => e.type === 'sync_end');
  assert.ok(ends.length >= 3);
  assert.match(ends.at(-1)!.message, /recibida la versión remota/);
  assert.match(ends.at(-1)!.message_en, /remote version \d+ received/);
  // A pull into an existing database is recognised afterwards: nothing goes back up.
  assert.equal((await a.engine.sync()).action, 'none');
  assert.equal((await b.engine.sync()).action, 'none');
});

test('both sides changed: conflict copy, nothing overwritten, resolve keep local then remote', async () => {
  const remote = folderRemote();
  const a = makeDevice('equipoA', remote.transport());
  const b = makeDevice('equipoB', remote.transport());
  makeTestDb(a.db, 20, { tag: 'base' });
  await a.engine.sync();
  await b.engine.sync();
  addRows(a.db, ['solo-A']);
  addRows(b.db, ['solo-B']);
  assert.equal((await a.engine.sync()).action, 'push');
  const remoteBefore = manifest(remote.root);
  const bRowsBefore = readRows(b.db);

  const c = await b.engine.sync();
  assert.equal(c.action, 'conflict');
  assert.ok(c.conflictCopy && existsSync(c.conflictCopy));
  assert.match(path.basename(c.conflictCopy), /^cordiax\.conflict-equipoA-\d{8}-\d{6}\.db$/);
  assert.deepEqual(readRows(b.db), bRowsBefore, 'the local database is untouched');
  assert.ok(readRows(c.conflictCopy).includes('solo-A'));
  assert.deepEqual(manifest(remote.root), remoteBefore, 'the remote is untouched');
  const warn = b.log.recent(50).find((e) => e.type === 'conflict');
  assert.ok(warn && warn.level === 'warn' && /CONFLICTO/.test(warn.message));

  // Until resolved, syncs move nothing.
  const again = await b.engine.sync();
  assert.equal(again.action, 'conflict');
  assert.deepEqual(manifest(remote.root), remoteBefore);

  await b.engine.resolve('local');
  const pushed = await b.engine.sync();
  assert.equal(pushed.action, 'push');
  assert.equal(manifest(remote.root).generation, remoteBefore.generation + 1);
  assert.equal((await a.engine.sync()).action, 'pull');
  assert.ok(readRows(a.db).includes('solo-B'));
  assert.ok(!readRows(a.db).includes('solo-A'), "A took B's version; solo-A lives on in B's conflict copy");
  assert.ok(readRows(c.conflictCopy).includes('solo-A'));

  // A second conflict, resolved with the remote version.
  addRows(a.db, ['A2']);
  addRows(b.db, ['B2']);
  await a.engine.sync();
  const c2 = await b.engine.sync();
  assert.equal(c2.action, 'conflict');
  await b.engine.resolve('remote');
  assert.ok(readRows(b.db).includes('A2'));
  assert.ok(!readRows(b.db).includes('B2'));
  assert.equal((await b.engine.sync()).action, 'none');
  const backups = readdirSync(path.join(b.home, 'backups'));
  assert.ok(
    backups.some((f) => readRows(path.join(b.home, 'backups', f)).includes('B2')),
    'the replaced local version was backed up',
  );
});

test('compare-and-swap lost between our read and our commit -> conflict, the winner is kept', async () => {
  const remote = folderRemote();
  const a = makeDevice('equipoA', remote.transport());
  const c = makeDevice('equipoC', remote.transport());
  makeTestDb(a.db, 10, { tag: 'base' });
  await a.engine.sync();
  await c.engine.sync();
  addRows(c.db, ['C-gana']);
  addRows(a.db, ['A-pierde']);
  // A's transport lets C commit while A is uploading (after A read the manifest).
  const t = remote.transport();
  const orig = t.upload.bind(t);
  let raced = false;
  t.upload = async (...args) => {
    if (!raced) {
      raced = true;
      assert.equal((await c.engine.sync()).action, 'push');
    }
    return orig(...args);
  };
  const { SyncEngine } = await import('../src/engine/engine.js');
  const racing = new SyncEngine({
    transport: t,
    databasePath: a.db,
    statePath: path.join(a.home, 'sync_state.json'),
    device: 'equipoA',
    log: a.log,
  });
  const r = await racing.sync();
  assert.equal(r.action, 'conflict');
  const m = manifest(remote.root);
  assert.equal(m.device, 'equipoC');
  assert.equal(m.generation, 2);
  // Only the winner's object is left for generation 2.
  const gen2 = readdirSync(path.join(remote.root, 'versions')).filter((f) => f.startsWith('000002-'));
  assert.equal(gen2.length, 1);
  assert.equal(await sha256File(path.join(remote.root, m.file)), m.sha256);
  assert.ok(readRows(r.conflictCopy!).includes('C-gana'));
  assert.ok(readRows(a.db).includes('A-pierde'));
});

test('guards: an empty local database is not pushed; a corrupt or damaged remote is not applied', async () => {
  const remote = folderRemote();
  const a = makeDevice('equipoA', remote.transport());
  // A 0-byte file (an app creates one at launch) holds no database: nothing is pushed, and the log says so.
  writeFileSync(a.db, '');
  const r0 = await a.engine.sync();
  assert.equal(r0.action, 'none');
  assert.equal(r0.bytesUp, 0);
  assert.equal(existsSync(path.join(remote.root, MANIFEST_FILE)), false);
  const warn = a.log.recent(10).find((e) => e.type === 'warning');
  assert.equal(warn?.code, 'NO_LOCAL_DATABASE');

  // A hostile remote whose manifest matches a non-database object.
  const b = makeDevice('equipoB', remote.transport());
  makeTestDb(b.db, 5, { tag: 'bueno' });
  await b.engine.sync();
  const m = manifest(remote.root);
  const junk = Buffer.from(`SQLite format 3\0${'x'.repeat(5000)}`);
  writeFileSync(path.join(remote.root, 'versions', 'evil.db'), junk);
  const { createHash } = await import('node:crypto');
  writeFileSync(
    path.join(remote.root, MANIFEST_FILE),
    JSON.stringify({
      ...m,
      generation: m.generation + 1,
      file: 'versions/evil.db',
      size: junk.length,
      sha256: createHash('sha256').update(junk).digest('hex'),
    }),
  );
  const before = readFileSync(b.db);
  await assert.rejects(b.engine.sync(), { code: 'CORRUPT_DATABASE' });
  assert.deepEqual(readFileSync(b.db), before);

  // A damaged manifest is reported and never overwritten.
  writeFileSync(path.join(remote.root, MANIFEST_FILE), '{"format": "cordiax-sync/1", "generation": "x"');
  addRows(b.db, ['nueva']);
  await assert.rejects(b.engine.sync(), { code: 'PROTOCOL' });
  assert.equal(
    readFileSync(path.join(remote.root, MANIFEST_FILE), 'utf8'),
    '{"format": "cordiax-sync/1", "generation": "x"',
  );
  // A manifest whose object does not match its hash is not applied either.
  writeFileSync(path.join(remote.root, MANIFEST_FILE), JSON.stringify({ ...m, generation: m.generation + 5 }));
  writeFileSync(path.join(remote.root, m.file), Buffer.alloc(m.size, 1));
  const c = makeDevice('equipoC', remote.transport());
  await assert.rejects(c.engine.sync(), { code: 'VERIFY_FAILED' });
  assert.equal(existsSync(c.db), false);
});

test('keep_versions prunes old objects and keeps the history in the manifest', async () => {
  const remote = folderRemote();
  const a = makeDevice('equipoA', remote.transport(), { keepVersions: 3 });
  makeTestDb(a.db, 5);
  for (let i = 0; i < 5; i++) {
    addRows(a.db, [`v${i}`]);
    assert.equal((await a.engine.sync()).action, 'push');
  }
  const m = manifest(remote.root);
  assert.equal(m.generation, 5);
  assert.deepEqual(
    m.versions!.map((v) => v.generation),
    [4, 3],
  );
  // Versions 2-5 are patches (src/delta): the shown ones (5, 4, 3) still need 2 and the base 1, which stay as
  // retained links; pruning removes only what no kept version needs (see test/delta-engine.test.ts).
  assert.deepEqual(
    (m.retained ?? []).map((v) => v.generation),
    [2, 1],
  );
  const files = readdirSync(path.join(remote.root, 'versions')).sort();
  assert.deepEqual(
    files.map((f) => Number(f.slice(0, 6))),
    [1, 2, 3, 4, 5],
  );
  // Restoring an older version brings its rows back locally (the next sync publishes it as new).
  await a.engine.restoreVersion(3);
  assert.equal(readRows(a.db).at(-1), 'v2');
  assert.equal((await a.engine.sync()).action, 'push');
});
