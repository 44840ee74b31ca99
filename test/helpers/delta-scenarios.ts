/**
 * Delta sync scenarios through the engine (src/delta), run against each real remote: chains over several
 * generations, a device several versions behind, a new device, compaction, pruning, encryption, a base mismatch and
 * a corrupt patch object, a v0.1 remote of bases only, and old versions rebuilt byte for byte.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { takeSnapshot } from '../../src/db/snapshot.js';
import { FileRemote, MANIFEST_FILE } from '../../src/engine/remote-layout.js';
import type { FileTransport, RemoteManifest } from '../../src/transports/types.js';
import { type Device, makeDevice } from './engine.js';
import { memoryLogger } from './apache.js';
import { x25519Encryption, x25519Keys } from './age.js';
import { readRows, tmpDir } from './system.js';

export interface DeltaTarget {
  name: string;
  /** The remote folder on disk. */
  root: string;
  transport: (device: string) => FileTransport;
}

/** A Cordiax-like database of ~`rows` appointments (about 170 bytes each) with an index. */
function makeClinicDb(file: string, rows: number): void {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.exec(`CREATE TABLE IF NOT EXISTS notas (id INTEGER PRIMARY KEY, texto TEXT NOT NULL, relleno BLOB);
           CREATE INDEX IF NOT EXISTS notas_texto ON notas(texto);`);
  const ins = db.prepare('INSERT INTO notas (texto, relleno) VALUES (?, ?)');
  db.transaction(() => {
    for (let i = 0; i < rows; i++) ins.run(`fila-${i}`, Buffer.alloc(120, i % 251));
  })();
  db.close();
}

function sql(file: string, statement: string): void {
  const db = new Database(file);
  try {
    db.pragma('busy_timeout = 5000');
    db.exec(statement);
  } finally {
    db.close();
  }
}

function manifest(t: DeltaTarget): RemoteManifest {
  return JSON.parse(readFileSync(path.join(t.root, MANIFEST_FILE), 'utf8'));
}

/** The deterministic snapshot bytes of a device's database (what a push of it uploads as a whole). */
async function snapshotSha(db: string): Promise<string> {
  const s = await takeSnapshot(db);
  try {
    return s.sha256;
  } finally {
    await s.dispose();
  }
}

function events(d: Device, code: string) {
  return d.log.recent(10000).filter((e) => e.code === code);
}

/** Registers the scenarios (inside the caller's describe); `make` gives a fresh, empty remote folder each time. */
export function deltaScenarios(make: () => DeltaTarget): void {
  test('a chain of patches over several generations; a device behind gets only what it lacks; a new device gets base + patches', async () => {
    const t = make();
    const a = makeDevice('equipoA', t.transport('equipoA'));
    const b = makeDevice('equipoB', t.transport('equipoB'));
    makeClinicDb(a.db, 12000);
    const first = await a.engine.sync();
    assert.equal(first.action, 'push');
    const base = manifest(t);
    assert.equal(base.delta, undefined, 'the first version is a whole database');
    assert.equal((await b.engine.sync()).action, 'pull');

    const sizes: number[] = [];
    const shas: Record<number, string> = { 1: await snapshotSha(a.db) };
    for (let i = 0; i < 3; i++) {
      sql(a.db, `INSERT INTO notas (texto) VALUES ('A-${i}')`);
      const out = await a.engine.sync();
      assert.equal(out.action, 'push');
      const m = manifest(t);
      assert.ok(m.delta, `generation ${m.generation} is a patch`);
      assert.equal(m.delta.parent, m.generation - 1);
      assert.match(m.file, /\.patch$/);
      assert.equal(m.delta.db_sha256, await snapshotSha(a.db), 'the manifest names the database it rebuilds to');
      assert.equal(out.bytesUp, m.size);
      assert.ok(out.bytesUp < 32 * 1024, `one row moved ${out.bytesUp} bytes of ${m.delta.db_size}`);
      sizes.push(m.size);
      shas[m.generation] = m.delta.db_sha256!;
    }
    // Each 1-row push read the live database in place: its patch from the index, no copy of the database at all;
    // the first push took its whole-upload copy in that same read.
    const readings = events(a, 'LIVE_READING').map((e) => e.data);
    assert.deepEqual(readings[0], { copied: true, changedPages: readings[0]?.changedPages, patch: false });
    assert.equal(readings.length, 4);
    for (const r of readings.slice(1)) {
      assert.equal(r?.copied, false);
      assert.equal(r?.patch, true);
      assert.ok((r?.changedPages as number) >= 1 && (r?.changedPages as number) < 20, JSON.stringify(r));
    }
    assert.equal(events(a, 'LIVE_READING_REFUSED').length, 0);
    const last = events(a, 'SYNC_PUSH').at(-1)!;
    // One size format: the decimal comma in Spanish, the point in English (src/messages/format.ts).
    assert.match(last.message, /enviadas \d+ páginas \(\d+(,\d)? KB\) de \d+(,\d)? MB/);
    assert.match(last.message_en ?? '', /\d+ pages sent \(\d+(\.\d)? KB\) of \d+(\.\d)? MB/);

    // B is three versions behind: it downloads the three patches and nothing else.
    const pulled = await b.engine.sync();
    assert.equal(pulled.action, 'pull');
    assert.equal(
      pulled.bytesDown,
      sizes.reduce((x, y) => x + y, 0),
    );
    assert.deepEqual(readRows(b.db), readRows(a.db));
    assert.equal(await snapshotSha(b.db), await snapshotSha(a.db), 'page-identical to the source');
    assert.equal(events(b, 'DELTA_FULL_PULL').length, 0);

    // B answers with a patch of its own, which A applies incrementally.
    sql(b.db, "UPDATE notas SET texto = 'B-editada' WHERE id = 5000");
    const back = await b.engine.sync();
    assert.equal(back.action, 'push');
    assert.ok(manifest(t).delta);
    const aPull = await a.engine.sync();
    assert.equal(aPull.action, 'pull');
    assert.equal(aPull.bytesDown, manifest(t).size);
    assert.deepEqual(readRows(a.db), readRows(b.db));

    // A new device: the base plus every patch, same bytes as the source.
    const c = makeDevice('equipoC', t.transport('equipoC'));
    const cPull = await c.engine.sync();
    assert.equal(cPull.action, 'pull');
    assert.equal(cPull.bytesDown, base.size + sizes.reduce((x, y) => x + y, 0) + manifest(t).size);
    assert.equal(await snapshotSha(c.db), await snapshotSha(b.db));

    // Old versions are rebuilt from base + patches, byte for byte.
    for (const g of [3, 2]) {
      await c.engine.restoreVersion(g);
      assert.equal(await snapshotSha(c.db), shas[g], `version ${g} byte for byte`);
    }
  });

  test('base mismatch falls back to the full chain (logged); a corrupt patch object is refused and nothing changes', async () => {
    const t = make();
    const a = makeDevice('equipoA', t.transport('equipoA'));
    const b = makeDevice('equipoB', t.transport('equipoB'));
    makeClinicDb(a.db, 6000);
    await a.engine.sync();
    await b.engine.sync();
    sql(a.db, "INSERT INTO notas (texto) VALUES ('A-1')");
    await a.engine.sync();
    // B's index no longer matches its database (its page 1 copy damaged): the patch is not applied on a guess.
    const idxDir = path.join(b.home, 'delta');
    const idx = path.join(idxDir, readdirSync(idxDir)[0]);
    const bytes = readFileSync(idx);
    bytes[12 + bytes.readUInt32BE(8) + 200] ^= 0xff; // a byte of the page 1 copy (after magic, length, metadata)
    writeFileSync(idx, bytes);
    const pulled = await b.engine.sync();
    assert.equal(pulled.action, 'pull');
    const fallback = events(b, 'DELTA_FULL_PULL');
    assert.equal(fallback.length, 1);
    assert.match(String(fallback[0].data?.reason), /local-differs-from-base/);
    assert.ok(pulled.bytesDown > manifest(t).size, 'the base travelled too');
    assert.deepEqual(readRows(b.db), readRows(a.db));

    // A corrupt patch object (same size, one byte flipped): refused, B's database untouched.
    sql(a.db, "INSERT INTO notas (texto) VALUES ('A-2')");
    await a.engine.sync();
    const m = manifest(t);
    assert.ok(m.delta);
    const obj = path.join(t.root, m.file);
    const patch = readFileSync(obj);
    patch[patch.length - 5] ^= 0xff;
    writeFileSync(obj, patch);
    const before = readRows(b.db);
    await assert.rejects(b.engine.sync(), { code: 'VERIFY_FAILED' });
    assert.deepEqual(readRows(b.db), before);
  });

  test('compaction writes a new base; pruning keeps every link a kept version needs', async () => {
    const t = make();
    const a = makeDevice('equipoA', t.transport('equipoA'), { keepVersions: 3 });
    makeClinicDb(a.db, 6000);
    await a.engine.sync();
    const shas: Record<number, string> = {};
    for (let i = 0; i < 4; i++) {
      sql(a.db, `INSERT INTO notas (texto) VALUES ('A-${i}')`);
      await a.engine.sync();
      shas[manifest(t).generation] = await snapshotSha(a.db);
    }
    // Generations 3, 4, 5 are shown; 4 and 5 are patches down to the base of generation 1, kept as retained links.
    let m = manifest(t);
    assert.equal(m.generation, 5);
    assert.deepEqual(
      m.versions!.map((v) => v.generation),
      [4, 3],
    );
    assert.deepEqual(
      (m.retained ?? []).map((v) => v.generation),
      [2, 1],
    );
    const kept = () =>
      readdirSync(path.join(t.root, 'versions'))
        .map((f) => Number(f.slice(0, 6)))
        .sort((x, y) => x - y);
    assert.deepEqual(kept(), [1, 2, 3, 4, 5]);

    // A bulk change (every row rewritten) is more than half the database: a new base.
    sql(a.db, "UPDATE notas SET relleno = randomblob(120), texto = texto || '+'");
    const bulk = await a.engine.sync();
    assert.equal(bulk.action, 'push');
    m = manifest(t);
    assert.equal(m.delta, undefined, 'compaction: a whole database');
    assert.match(m.file, /\.db$/);
    assert.ok(events(a, 'DELTA_FULL_PUSH').some((e) => e.data?.reason === 'patch-bytes'));
    // Shown: 6 (base), 5, 4; 5 and 4 still need 1, 2, 3.
    assert.deepEqual(kept(), [1, 2, 3, 4, 5, 6]);
    for (let i = 0; i < 3; i++) {
      sql(a.db, `INSERT INTO notas (texto) VALUES ('after-${i}')`);
      await a.engine.sync();
      shas[manifest(t).generation] = await snapshotSha(a.db);
    }
    // Shown 9, 8, 7: all on the base 6 (retained, not shown); everything older is gone.
    assert.deepEqual(kept(), [6, 7, 8, 9]);
    assert.deepEqual(
      (manifest(t).retained ?? []).map((v) => v.generation),
      [6],
    );
    assert.deepEqual(
      (await a.engine.versions()).map((v) => v.generation),
      [9, 8, 7],
      'what the user sees is unchanged',
    );
    // A new device, then the oldest shown version rebuilt from base + patches, byte for byte.
    const c = makeDevice('equipoC', t.transport('equipoC'));
    await c.engine.sync();
    assert.deepEqual(readRows(c.db), readRows(a.db));
    await c.engine.restoreVersion(7);
    assert.equal(await snapshotSha(c.db), shas[7]);
  });

  test('encryption on: every base and patch is its own age file, no plaintext hash in the manifest', async () => {
    const t = make();
    const keys = x25519Keys(tmpDir());
    const enc = x25519Encryption(keys.recipient, keys.file);
    const a = makeDevice('equipoA', t.transport('equipoA'), { encryption: enc });
    const b = makeDevice('equipoB', t.transport('equipoB'), { encryption: enc });
    makeClinicDb(a.db, 6000);
    await a.engine.sync();
    assert.equal((await b.engine.sync()).action, 'pull');
    for (let i = 0; i < 2; i++) {
      sql(a.db, `INSERT INTO notas (texto) VALUES ('secreto-${i}')`);
      assert.equal((await a.engine.sync()).action, 'push');
    }
    const m = manifest(t);
    assert.ok(m.delta);
    assert.equal(m.encrypted, true);
    assert.equal(m.delta.db_sha256, undefined, 'no plaintext hash');
    assert.match(m.file, /\.patch\.age$/);
    for (const f of readdirSync(path.join(t.root, 'versions'))) {
      const head = readFileSync(path.join(t.root, 'versions', f))
        .subarray(0, 21)
        .toString('latin1');
      assert.equal(head, 'age-encryption.org/v1', `${f} is ciphertext`);
    }
    const raw = readFileSync(path.join(t.root, MANIFEST_FILE), 'utf8');
    assert.ok(!raw.includes(await snapshotSha(a.db)), 'the plaintext hash never leaves');
    const pulled = await b.engine.sync();
    assert.equal(pulled.action, 'pull');
    assert.ok(pulled.bytesDown < 64 * 1024, `two encrypted patches: ${pulled.bytesDown} bytes`);
    assert.deepEqual(readRows(b.db), readRows(a.db));
  });

  test('a v0.1 remote (whole databases only) keeps working and grows patches on top', async () => {
    const t = make();
    const src = path.join(tmpDir(), 'old.db');
    makeClinicDb(src, 3000);
    const old = new FileRemote(t.transport('v01'), { device: 'v01', keepVersions: 10, log: memoryLogger() });
    for (let i = 0; i < 2; i++) {
      sql(src, `INSERT INTO notas (texto) VALUES ('v01-${i}')`);
      const s = await takeSnapshot(src);
      const head = await old.head();
      await old.push(s.path, {
        sha256: s.sha256,
        size: s.size,
        encrypted: false,
        device: 'v01',
        baseGeneration: head?.generation ?? null,
      });
      await s.dispose();
    }
    const a = makeDevice('equipoA', t.transport('equipoA'));
    assert.equal((await a.engine.sync()).action, 'pull');
    assert.deepEqual(readRows(a.db), readRows(src));
    sql(a.db, "INSERT INTO notas (texto) VALUES ('nuevo')");
    assert.equal((await a.engine.sync()).action, 'push');
    assert.ok(manifest(t).delta, 'a patch on top of a v0.1 base');
    const b = makeDevice('equipoB', t.transport('equipoB'));
    assert.equal((await b.engine.sync()).action, 'pull');
    assert.deepEqual(readRows(b.db), readRows(a.db));
    // Restoring the v0.1 version 1 still works: it is a base.
    await b.engine.restoreVersion(1);
    assert.equal(readRows(b.db).at(-1), 'v01-0');
  });
}
