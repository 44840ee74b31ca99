/**
 * Page patches over our Socket.IO server (protocol 2 feature 'patch'), against the real server on 127.0.0.1 and the
 * real engine: a one-row change on a ~5 MB database moves kilobytes up and down (bytes counted at the server), the
 * server's stored head is the local snapshot's bytes, a second device ends with identical rows and tables; a head
 * replaced in between (lost swap) keeps both sides' rows and falls back to a whole download; a patch the server
 * cannot apply falls back to the whole file with its reason logged; a pushed patch whose base moved between its
 * begin and its end is refused by the commit's compare-and-swap; encryption on moves whole files and the server
 * only ever stores ciphertext.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { SyncEngine } from '../src/engine/engine.js';
import type { EncryptionConfig } from '../src/config/schema.js';
import { takeSnapshot } from '../src/db/snapshot.js';
import { startSyncServer, type SyncServer } from '../src/server/server.js';
import { Storage, type StoreError } from '../src/server/storage.js';
import type { RemoteManifest } from '../src/transports/types.js';
import { x25519Encryption, x25519Keys } from './helpers/age.js';
import { endpoint, memoryLogger, type ServerChild, startServerChild } from './helpers/socketio.js';
import {
  addRows,
  freePort,
  killGroup,
  makeLargeDb,
  makeTestDb,
  readRows,
  sha256File,
  startDaemon,
  tmpDir,
  unavailable,
  waitForPort,
} from './helpers/system.js';

const KIB = 1024;
const DB_BYTES = 5 * 1024 * 1024;

function device(serverUrl: string, databasePath: string, name: string, encryption?: EncryptionConfig) {
  const dir = tmpDir();
  const { ep, log: epLog } = endpoint(serverUrl, {}, {}, name);
  const log = memoryLogger();
  const engine = new SyncEngine({
    transport: ep,
    databasePath,
    statePath: path.join(dir, 'state.json'),
    device: name,
    log,
    tmpDir: dir,
    ...(encryption ? { encryption } : {}),
  });
  return { ep, engine, log, epLog };
}

/** A Cordiax-like database of about 5 MB: table `notas` plus incompressible blobs. */
function bigDb(tag: string): string {
  const file = makeTestDb(path.join(tmpDir(), 'cordiax.db'), 200, { tag });
  return makeLargeDb(file, DB_BYTES);
}

/** A content hash of both tables (rows in id order, every column). */
function tablesHash(file: string): string {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const h = createHash('sha256');
    for (const r of db.prepare('SELECT id, texto, relleno FROM notas ORDER BY id').iterate() as Iterable<{
      id: number;
      texto: string;
      relleno: Buffer | null;
    }>)
      h.update(`${r.id}\0${r.texto}\0`).update(r.relleno ?? Buffer.alloc(0));
    for (const r of db.prepare('SELECT id, datos FROM grande ORDER BY id').iterate() as Iterable<{
      id: number;
      datos: Buffer;
    }>)
      h.update(`${r.id}\0`).update(r.datos);
    return h.digest('hex');
  } finally {
    db.close();
  }
}

function storedHead(storageDir: string): { manifest: RemoteManifest; file: string } {
  const manifest = JSON.parse(
    readFileSync(path.join(storageDir, 'default', 'manifest.json'), 'utf8'),
  ) as RemoteManifest;
  return { manifest, file: path.join(storageDir, 'default', manifest.file) };
}

async function snapshotSha(db: string): Promise<string> {
  const s = await takeSnapshot(db, { tmpParent: tmpDir() });
  try {
    return s.sha256;
  } finally {
    await s.dispose();
  }
}

const codes = (log: { events: Array<{ code?: string }> }) => log.events.map((e) => e.code);

test('a one-row change on a 5 MB database moves kilobytes up and down; the server stores the exact snapshot; the second device ends identical', {
  timeout: 180_000,
}, async (t) => {
  const storageDir = tmpDir();
  const server: SyncServer = await startSyncServer({ host: '127.0.0.1', port: 0, storageDir });
  const dbA = bigDb('oficina');
  const dbB = path.join(tmpDir(), 'cordiax.db'); // a new device
  const a = device(server.url, dbA, 'equipo-a');
  const b = device(server.url, dbB, 'equipo-b');
  try {
    assert.ok(statSync(dbA).size >= DB_BYTES, 'the database is about 5 MB');
    assert.equal(await a.ep.patchSupport(), true, 'our server announces patches');
    assert.equal((await a.ep.test()).facts.pagePatches, true, '"Probar Conexión" says so');

    const first = await a.engine.sync();
    assert.equal(first.action, 'push');
    assert.ok(server.stats().bytesIn >= DB_BYTES, 'the first push is whole');
    assert.equal(server.stats().patchPushes, 0);

    // A one-row change: only the changed pages go.
    addRows(dbA, ['una-cita-nueva']);
    const before = server.stats();
    const second = await a.engine.sync();
    assert.equal(second.action, 'push');
    const up = server.stats().bytesIn - before.bytesIn;
    assert.ok(up > 0 && up < 64 * KIB, `bytes up for a one-row change: ${up}`);
    assert.equal(server.stats().patchPushes, 1, 'committed from a patch');
    assert.equal(second.delta?.patches, 1);
    assert.ok(second.delta && second.delta.pages >= 1 && second.delta.bytes === second.bytesUp);
    assert.equal(second.bytesUp, up, 'the engine reports what went');

    // The server stores a whole database: the local snapshot's exact bytes, readable by protocol 1 readers.
    const head = storedHead(storageDir);
    assert.equal(head.manifest.generation, 2);
    assert.equal(await sha256File(head.file), head.manifest.sha256);
    assert.equal(head.manifest.sha256, await snapshotSha(dbA), "the stored head hashes as A's snapshot");
    assert.deepEqual(readRows(head.file), readRows(dbA));
    assert.equal(statSync(head.file).size, head.manifest.size);

    // A new device: the whole version first (nothing to patch on).
    const outB = before.bytesOut;
    assert.equal((await b.engine.sync()).action, 'pull');
    assert.ok(server.stats().bytesOut - outB >= DB_BYTES, 'a new device downloads the whole version');
    assert.equal(tablesHash(dbB), tablesHash(dbA));

    // A's next one-row change reaches B as a patch.
    addRows(dbA, ['otra-cita']);
    assert.equal((await a.engine.sync()).action, 'push');
    assert.equal(server.stats().patchPushes, 2);
    const beforePull = server.stats();
    const pulled = await b.engine.sync();
    assert.equal(pulled.action, 'pull');
    const down = server.stats().bytesOut - beforePull.bytesOut;
    assert.ok(down > 0 && down < 64 * KIB, `bytes down for a one-row change: ${down}`);
    assert.equal(server.stats().patchPulls, beforePull.patchPulls + 1);
    t.diagnostic(`database ${statSync(dbA).size} bytes; one-row change: up ${up} bytes, down ${down} bytes`);
    assert.equal(pulled.delta?.patches, 1);
    assert.deepEqual(readRows(dbB), readRows(dbA));
    assert.equal(readRows(dbB).at(-1), 'otra-cita');
    assert.equal(tablesHash(dbB), tablesHash(dbA), 'identical tables on both devices');
    assert.equal(await snapshotSha(dbB), storedHead(storageDir).manifest.sha256, "B's database is the server's head");

    // And back: B's change reaches A as a patch both ways.
    addRows(dbB, ['desde-b']);
    const beforeB = server.stats();
    assert.equal((await b.engine.sync()).action, 'push');
    assert.ok(server.stats().bytesIn - beforeB.bytesIn < 64 * KIB);
    const pulledA = await a.engine.sync();
    assert.equal(pulledA.action, 'pull');
    assert.ok(server.stats().bytesOut - beforeB.bytesOut < 64 * KIB);
    assert.equal(tablesHash(dbA), tablesHash(dbB));
    assert.ok(!codes(a.log).includes('DELTA_FULL_PULL') && !codes(b.log).includes('DELTA_FULL_PUSH'));
  } finally {
    await a.ep.close();
    await b.ep.close();
    await server.close();
  }
});

test('the head replaced by another device between the read and the push: both rows kept (conflict), the pull falls back to whole, logged', {
  timeout: 180_000,
}, async () => {
  const storageDir = tmpDir();
  const server = await startSyncServer({ host: '127.0.0.1', port: 0, storageDir });
  const dbA = bigDb('oficina');
  const dbB = path.join(tmpDir(), 'cordiax.db');
  const a = device(server.url, dbA, 'equipo-a');
  const b = device(server.url, dbB, 'equipo-b');
  try {
    assert.equal((await a.engine.sync()).action, 'push');
    assert.equal((await b.engine.sync()).action, 'pull');
    const stale = await b.ep.head();
    assert.ok(stale);

    addRows(dbA, ['solo-a']);
    assert.equal((await a.engine.sync()).action, 'push');
    addRows(dbB, ['solo-b']);
    // B read the head just before A's commit (the race): its plan is a patch on the old head.
    const realHead = b.ep.head.bind(b.ep);
    let once = true;
    b.ep.head = async () => {
      if (once) {
        once = false;
        return stale;
      }
      return realHead();
    };
    const outcome = await b.engine.sync();
    assert.equal(outcome.action, 'conflict');
    assert.ok(outcome.conflictCopy && existsSync(outcome.conflictCopy));
    assert.equal(readRows(dbB).at(-1), 'solo-b', "B's row stays in B's database");
    assert.deepEqual(readRows(outcome.conflictCopy), readRows(dbA), "A's version is kept beside it, whole");
    assert.equal(storedHead(storageDir).manifest.device, 'equipo-a', "the server still has A's version");
    assert.deepEqual(readRows(storedHead(storageDir).file), readRows(dbA));
    assert.equal(server.stats().patchPushes, 1, "only A's patch was committed");
    // B's database differs from the version its index describes: the conflict copy came whole, said why.
    const full = b.log.events.find((e) => e.code === 'DELTA_FULL_PULL');
    assert.ok(full, 'the fallback to a whole download is logged');
    assert.match(String((full.data as { reason?: string }).reason), /local-differs-from-base/);
  } finally {
    await a.ep.close();
    await b.ep.close();
    await server.close();
  }
});

test('a patch the server refuses (its base is not the head) makes the endpoint send the whole file, with the reason logged', {
  timeout: 120_000,
}, async () => {
  const storageDir = tmpDir();
  const server = await startSyncServer({ host: '127.0.0.1', port: 0, storageDir });
  const db = bigDb('oficina');
  const { ep, log } = endpoint(server.url, {}, {}, 'equipo-a');
  try {
    const snap = await takeSnapshot(db, { tmpParent: tmpDir() });
    const r1 = await ep.push(snap.path, {
      sha256: snap.sha256,
      size: snap.size,
      encrypted: false,
      device: 'equipo-a',
      baseGeneration: null,
    });
    assert.equal(r1.manifest?.generation, 1);
    await snap.dispose();
    addRows(db, ['fila']);
    const snap2 = await takeSnapshot(db, { tmpParent: tmpDir() });
    // A "patch" that names another base: the server refuses it before any byte of it moves.
    const bogus = path.join(tmpDir(), 'bogus.patch');
    writeFileSync(bogus, Buffer.alloc(200, 7));
    const before = server.stats();
    const r2 = await ep.push(snap2.path, {
      sha256: snap2.sha256,
      size: snap2.size,
      encrypted: false,
      device: 'equipo-a',
      baseGeneration: 1,
      patch: {
        path: bogus,
        size: 200,
        sha256: createHash('sha256').update(readFileSync(bogus)).digest('hex'),
        baseSha256: 'f'.repeat(64),
        pages: 1,
      },
    });
    assert.equal(r2.patched, false);
    assert.equal(r2.manifest?.generation, 2);
    assert.equal(r2.manifest?.sha256, snap2.sha256);
    assert.ok(server.stats().bytesIn - before.bytesIn === snap2.size, 'the whole file went, nothing of the patch');
    const warn = log.events.find((e) => e.code === 'DELTA_FULL_PUSH');
    assert.ok(warn, 'logged');
    assert.match(String((warn.data as { reason?: string }).reason), /PATCH_REFUSED/);
    assert.equal(await sha256File(storedHead(storageDir).file), snap2.sha256);

    // A patch on the right head whose bytes are not a patch: it travels, the server refuses it at the end (it does
    // not apply), nothing of it is stored, and the whole file goes.
    addRows(db, ['otra']);
    const snap3 = await takeSnapshot(db, { tmpParent: tmpDir() });
    const before3 = server.stats();
    const r3 = await ep.push(snap3.path, {
      sha256: snap3.sha256,
      size: snap3.size,
      encrypted: false,
      device: 'equipo-a',
      baseGeneration: 2,
      patch: {
        path: bogus,
        size: 200,
        sha256: createHash('sha256').update(readFileSync(bogus)).digest('hex'),
        baseSha256: snap2.sha256,
        pages: 1,
      },
    });
    assert.equal(r3.patched, false);
    assert.equal(r3.manifest?.generation, 3);
    assert.equal(server.stats().bytesIn - before3.bytesIn, 200 + snap3.size, 'the patch went, then the whole file');
    assert.equal(server.stats().patchPushes, 0);
    assert.equal(await sha256File(storedHead(storageDir).file), snap3.sha256);
    assert.equal(log.events.filter((e) => e.code === 'DELTA_FULL_PUSH').length, 2);
    assert.deepEqual(readdirSync(path.join(storageDir, 'default', 'uploads')), [], 'nothing left behind');
    await snap2.dispose();
    await snap3.dispose();
  } finally {
    await ep.close();
    await server.close();
  }
});

test('storage: a pushed patch whose base moved between begin and end is refused by the compare-and-swap; a patch that does not rebuild the announced result is refused and nothing is stored', {
  timeout: 120_000,
}, async () => {
  const root = tmpDir();
  const storage = new Storage(root, { keepVersions: 5, maxBytes: 64 * 1024 * 1024 });
  await storage.init();
  const dbFile = makeTestDb(path.join(tmpDir(), 'c.db'), 300, { tag: 'base' });
  const s1 = await takeSnapshot(dbFile, { tmpParent: tmpDir() });
  const whole = async (file: string, sha256: string, size: number, baseGeneration: number | null) => {
    const b = await storage.begin({
      databaseId: 'default',
      sha256,
      size,
      encrypted: false,
      device: 'x',
      baseGeneration,
    });
    await storage.chunk('default', b.uploadId, 0, readFileSync(file), 8 * 1024 * 1024);
    return (await storage.end('default', b.uploadId, sha256)).manifest;
  };
  try {
    const g1 = await whole(s1.path, s1.sha256, s1.size, null);
    // A real patch from generation 1 to a one-row change, built by the server's own diff (the pull path).
    addRows(dbFile, ['cambio']);
    const s2 = await takeSnapshot(dbFile, { tmpParent: tmpDir() });
    const g2tmp = await whole(s2.path, s2.sha256, s2.size, 1);
    const p = await storage.patchBetween('default', 1, g1.sha256, 2);
    assert.ok(p.size < s2.size / 4 && p.pages >= 1);
    const patchBytes = Buffer.concat(
      [await storage.patches.read('default', p.patchId, 0, 8 * 1024 * 1024)].map((r) => r.data),
    );
    assert.equal(createHash('sha256').update(patchBytes).digest('hex'), p.sha256);
    assert.equal(g2tmp.generation, 2);

    // That patch, pushed on generation 1 while generation 2 is the head: refused before any byte (CAS).
    const beginPatch = (baseGeneration: number, baseSha256: string, resultSha256: string) =>
      storage.begin({
        databaseId: 'default',
        sha256: p.sha256,
        size: p.size,
        encrypted: false,
        device: 'x',
        baseGeneration,
        patch: { baseSha256, resultSha256, resultSize: s2.size },
      });
    await assert.rejects(
      beginPatch(1, g1.sha256, 'b'.repeat(64)),
      (e: unknown) => (e as StoreError).code === 'CONFLICT',
    );

    // Begun on the head, then another device commits before its end: the end loses the swap, nothing is stored.
    addRows(dbFile, ['tercera']);
    const s3 = await takeSnapshot(dbFile, { tmpParent: tmpDir() });
    const q = await storage.patchBetween('default', 2, s2.sha256, 2); // an empty patch (2 -> 2) has a header only
    assert.equal(q.pages, 0);
    const up = await beginPatch(2, s2.sha256, s3.sha256);
    await whole(s3.path, s3.sha256, s3.size, 2); // the other device: generation 3
    await storage.chunk('default', up.uploadId, 0, patchBytes, 8 * 1024 * 1024);
    await assert.rejects(storage.end('default', up.uploadId, p.sha256), (e: unknown) => {
      const se = e as StoreError;
      return se.code === 'CONFLICT' && se.extra.manifest?.generation === 3;
    });
    const head = await storage.head('default');
    assert.equal(head?.generation, 3);
    assert.equal(head?.sha256, s3.sha256);

    // On the right head, but its pages were made on another base (generation 1): PATCH_REFUSED, head unchanged, no temp files left.
    addRows(dbFile, ['cuarta']);
    const up2 = await storage.begin({
      databaseId: 'default',
      sha256: p.sha256,
      size: p.size,
      encrypted: false,
      device: 'x',
      baseGeneration: 3,
      patch: { baseSha256: s3.sha256, resultSha256: 'a'.repeat(64), resultSize: s2.size },
    });
    await storage.chunk('default', up2.uploadId, 0, patchBytes, 8 * 1024 * 1024);
    await assert.rejects(
      storage.end('default', up2.uploadId, p.sha256),
      (e: unknown) => (e as StoreError).code === 'PATCH_REFUSED',
    );
    assert.equal((await storage.head('default'))?.generation, 3);
    assert.deepEqual(readdirSync(path.join(root, 'default', 'uploads')), [], 'no partial or rebuilt file left');
    for (const s of [s2, s3]) await s.dispose();
  } finally {
    await s1.dispose();
    await storage.close();
  }
});

test('encryption on: whole files both ways, the server only ever stores ciphertext, said at debug level', {
  timeout: 180_000,
}, async () => {
  const storageDir = tmpDir();
  const server = await startSyncServer({ host: '127.0.0.1', port: 0, storageDir });
  const keys = x25519Keys(tmpDir());
  const enc = x25519Encryption(keys.recipient, keys.file);
  const dbA = bigDb('cifrada');
  const dbB = path.join(tmpDir(), 'cordiax.db');
  const a = device(server.url, dbA, 'equipo-a', enc);
  const b = device(server.url, dbB, 'equipo-b', enc);
  try {
    assert.equal((await a.engine.sync()).action, 'push');
    assert.equal((await b.engine.sync()).action, 'pull');
    addRows(dbA, ['secreta']);
    const before = server.stats();
    assert.equal((await a.engine.sync()).action, 'push');
    assert.ok(server.stats().bytesIn - before.bytesIn >= DB_BYTES, 'the whole (encrypted) file went');
    const pulled = await b.engine.sync();
    assert.equal(pulled.action, 'pull');
    assert.ok(server.stats().bytesOut - before.bytesOut >= DB_BYTES, 'the whole (encrypted) file came');
    assert.equal(server.stats().patchPushes + server.stats().patchPulls, 0);
    assert.deepEqual(readRows(dbB), readRows(dbA));
    const versions = path.join(storageDir, 'default', 'versions');
    const stored = readdirSync(versions);
    assert.ok(stored.length >= 2);
    for (const f of stored)
      assert.ok(
        readFileSync(path.join(versions, f)).subarray(0, 22).equals(Buffer.from('age-encryption.org/v1\n')),
        `${f} is ciphertext`,
      );
    const note = a.log.events.find((e) => e.code === 'DELTA_ENCRYPTED_WHOLE');
    assert.equal(note?.level, 'debug');
  } finally {
    await a.ep.close();
    await b.ep.close();
    await server.close();
  }
});

test('pull patches kept by the server: within a disk budget (oldest go first), deleted once unused for their lifetime', {
  timeout: 120_000,
}, async () => {
  const root = tmpDir();
  const storage = new Storage(root, { keepVersions: 10, maxBytes: 64 * 1024 * 1024, patches: { ttlMs: 60_000 } });
  await storage.init();
  const dbFile = makeTestDb(path.join(tmpDir(), 'c.db'), 300, { tag: 'base' });
  const shas: string[] = [];
  try {
    for (let g = 1; g <= 3; g++) {
      if (g > 1) addRows(dbFile, [`fila-${g}`]);
      const s = await takeSnapshot(dbFile, { tmpParent: tmpDir() });
      const b = await storage.begin({
        databaseId: 'default',
        sha256: s.sha256,
        size: s.size,
        encrypted: false,
        device: 'x',
        baseGeneration: g === 1 ? null : g - 1,
      });
      await storage.chunk('default', b.uploadId, 0, readFileSync(s.path), 8 * 1024 * 1024);
      await storage.end('default', b.uploadId, s.sha256);
      shas.push(s.sha256);
      await s.dispose();
    }
    const dir = path.join(root, 'default', 'patches');
    const p13 = await storage.patchBetween('default', 1, shas[0]!, 3);
    const again = await storage.patchBetween('default', 1, shas[0]!, 3);
    assert.deepEqual(again, p13, 'asked again: the same kept patch');
    assert.deepEqual(readdirSync(dir), [`${p13.patchId}.patch`]);
    await assert.rejects(storage.patchBetween('default', 1, 'c'.repeat(64), 3), (e: unknown) => {
      return (e as StoreError).code === 'NOT_FOUND';
    });
    // A budget that holds one patch: the next one pushes the oldest out.
    const tight = new Storage(root, {
      keepVersions: 10,
      maxBytes: 64 * 1024 * 1024,
      patches: { budgetBytes: p13.size + 10 },
    });
    const p23 = await tight.patchBetween('default', 2, shas[1]!, 3);
    assert.deepEqual(readdirSync(dir), [`${p23.patchId}.patch`], 'the oldest patch went to make room');
    await assert.rejects(tight.patches.read('default', p13.patchId, 0, 1024), (e: unknown) => {
      return (e as StoreError).code === 'NOT_FOUND';
    });
    // Unused for longer than its lifetime: swept.
    const expiring = new Storage(root, { keepVersions: 10, maxBytes: 64 * 1024 * 1024, patches: { ttlMs: 0 } });
    await new Promise((r) => setTimeout(r, 20));
    await expiring.patches.sweep();
    assert.deepEqual(readdirSync(dir), []);
  } finally {
    await storage.close();
  }
});

const REDIS = '/usr/bin/redis-server';

test('scale-out (two server processes, one storage, redis): concurrent patch pushes on one base through both servers commit exactly once; the other keeps both (conflict); patches flow across servers', {
  timeout: 180_000,
}, async (t) => {
  if (!existsSync(REDIS)) return unavailable(t, 'redis-server is not installed');
  const redisPort = await freePort();
  const redis = startDaemon(REDIS, [
    '--port',
    String(redisPort),
    '--bind',
    '127.0.0.1',
    '--save',
    '',
    '--appendonly',
    'no',
    '--dir',
    tmpDir(),
  ]);
  const storageDir = tmpDir();
  let servers: ServerChild[] = [];
  const devices: Array<ReturnType<typeof device>> = [];
  try {
    await waitForPort(redisPort);
    const redisUrl = `redis://127.0.0.1:${redisPort}`;
    servers = await Promise.all([
      startServerChild({ storageDir, redisUrl }),
      startServerChild({ storageDir, redisUrl }),
    ]);
    const dbA = bigDb('oficina');
    const dbB = path.join(tmpDir(), 'cordiax.db');
    const a = device(servers[0]!.url, dbA, 'equipo-a');
    const b = device(servers[1]!.url, dbB, 'equipo-b');
    devices.push(a, b);
    assert.equal((await a.engine.sync()).action, 'push');
    assert.equal((await b.engine.sync()).action, 'pull');
    // A patch pushed through server 1 is pulled as a patch through server 2.
    addRows(dbA, ['por-servidor-1']);
    const up = await a.engine.sync();
    assert.equal(up.action, 'push');
    assert.equal(up.delta?.patches, 1, 'pushed as a patch');
    const down = await b.engine.sync();
    assert.equal(down.action, 'pull');
    assert.equal(down.delta?.patches, 1, 'pulled as a patch from the other server');
    assert.equal(tablesHash(dbB), tablesHash(dbA));

    // Both change and push at once, each through its own server, on the same base.
    addRows(dbA, ['carrera-a']);
    addRows(dbB, ['carrera-b']);
    const [ra, rb] = await Promise.all([a.engine.sync(), b.engine.sync()]);
    const actions = [ra.action, rb.action].sort();
    assert.deepEqual(actions, ['conflict', 'push'], `one commits, the other keeps both: ${actions}`);
    const winner = ra.action === 'push' ? { out: ra, db: dbA } : { out: rb, db: dbB };
    const loser =
      ra.action === 'push' ? { out: rb, db: dbB, row: 'carrera-b' } : { out: ra, db: dbA, row: 'carrera-a' };
    const commits = readdirSync(path.join(storageDir, 'default', 'commits')).filter((f) => f.endsWith('.json'));
    assert.equal(commits.length, 3, 'exactly one commit record for the contested generation');
    const head = storedHead(storageDir);
    assert.equal(head.manifest.generation, 3);
    assert.equal(await sha256File(head.file), head.manifest.sha256);
    assert.deepEqual(readRows(head.file), readRows(winner.db), "the stored head is the winner's database");
    assert.equal(readRows(loser.db).at(-1), loser.row, "the loser's row stays in its database");
    assert.ok(loser.out.conflictCopy && existsSync(loser.out.conflictCopy));
    assert.deepEqual(readRows(loser.out.conflictCopy), readRows(winner.db), "the winner's version kept beside it");
  } finally {
    for (const d of devices) await d.ep.close();
    for (const s of servers) await s.stop();
    killGroup(redis);
  }
});
