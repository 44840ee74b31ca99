/** src/delta against real SQLite databases: page-identical snapshots, the patch format, apply, chains, compaction. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { takeSnapshot } from '../src/db/snapshot.js';
import { replaceLiveDatabase } from '../src/db/live.js';
import { loadIndex, saveIndex, scanDatabase, scanKnown } from '../src/delta/page-index.js';
import { PATCH_HEADER_SIZE, readPatchHeader } from '../src/delta/patch.js';
import { applyChain, baseNeeded, chainTo, rebuildBase, retainedFor, COMPACT_MAX_PATCHES } from '../src/delta/chain.js';
import type { RemoteManifest } from '../src/transports/types.js';
import { sha256File, tmpDir } from './helpers/system.js';

/** A Cordiax-like database: appointments with an index, patients with a text column, ~`rows` rows. */
function makeClinicDb(file: string, rows: number, opts: { autoVacuum?: boolean } = {}): void {
  const db = new Database(file);
  if (opts.autoVacuum) db.pragma('auto_vacuum = FULL');
  db.pragma('journal_mode = WAL');
  db.exec(`CREATE TABLE citas (id INTEGER PRIMARY KEY, paciente TEXT, fecha TEXT, notas TEXT);
           CREATE INDEX citas_fecha ON citas(fecha);`);
  const ins = db.prepare('INSERT INTO citas (paciente, fecha, notas) VALUES (?, ?, ?)');
  db.transaction(() => {
    for (let i = 0; i < rows; i++)
      ins.run(`paciente ${i}`, `2026-${(i % 12) + 1}-${(i % 28) + 1} ${i}`, 'x'.repeat(80));
  })();
  db.close();
}

function exec(file: string, sql: string, ...params: unknown[]): void {
  const db = new Database(file);
  try {
    db.prepare(sql).run(...params);
  } finally {
    db.close();
  }
}

async function snapshotTo(db: string, out: string): Promise<string> {
  const s = await takeSnapshot(db);
  copyFileSync(s.path, out);
  await s.dispose();
  return out;
}

test('snapshots are deterministic and one indexed insert changes a handful of pages; the patch rebuilds it exactly', async () => {
  const dir = tmpDir();
  const live = path.join(dir, 'live.db');
  makeClinicDb(live, 20000);
  const v1 = await snapshotTo(live, path.join(dir, 'v1.db'));
  const again = await snapshotTo(live, path.join(dir, 'again.db'));
  assert.equal(await sha256File(v1), await sha256File(again), 'same content, same bytes');
  exec(live, 'INSERT INTO citas (paciente, fecha, notas) VALUES (?, ?, ?)', 'nuevo', '2026-06-15 nuevo', 'n');
  const v2 = await snapshotTo(live, path.join(dir, 'v2.db'));

  const i1 = await scanDatabase(v1);
  const patch = path.join(dir, 'p.patch');
  const s2 = await scanDatabase(v2, { previous: i1.index, patchPath: patch });
  assert.ok(s2.patch);
  assert.ok(s2.changedPages >= 2 && s2.changedPages <= 8, `changed pages: ${s2.changedPages}`);
  assert.equal(s2.patch.pages, s2.changedPages);
  assert.ok(s2.patch.size < 16 * 1024, `patch bytes: ${s2.patch.size}`);
  const h = await readPatchHeader(patch);
  assert.equal(h.baseSha256, await sha256File(v1));
  assert.equal(h.resultSha256, await sha256File(v2));
  assert.equal(h.pagesAfter * h.pageSize, readFileSync(v2).length);

  const work = path.join(dir, 'work.db');
  copyFileSync(v1, work);
  assert.equal((await applyChain(work, i1.sha256, [patch])).sha256, s2.sha256);
  assert.ok(readFileSync(work).equals(readFileSync(v2)), 'byte for byte');
});

test('after a pull restored through the backup API, the live database rebuilds the exact version from its index', async () => {
  const dir = tmpDir();
  const src = path.join(dir, 'src.db');
  makeClinicDb(src, 5000);
  const version = await snapshotTo(src, path.join(dir, 'version.db'));
  const idx = (await scanDatabase(version)).index;
  // Another device's live database (WAL, with older content) receives the version.
  const live = path.join(dir, 'live.db');
  makeClinicDb(live, 300);
  copyFileSync(version, path.join(dir, 'incoming.db'));
  await replaceLiveDatabase(path.join(dir, 'incoming.db'), live);
  const snap = await snapshotTo(live, path.join(dir, 'snap.db'));
  // Every page but page 1 (SQLite's header counters) is the version's page.
  const a = readFileSync(snap);
  const b = readFileSync(version);
  assert.equal(a.length, b.length);
  assert.ok(a.subarray(idx.pageSize).equals(b.subarray(idx.pageSize)), 'pages 2..N identical');
  assert.equal(await rebuildBase(snap, idx), true);
  assert.equal(await sha256File(snap), idx.sha256);
  // A local edit is never mistaken for the base.
  exec(live, "UPDATE citas SET notas = 'editada' WHERE id = 7");
  const edited = await snapshotTo(live, path.join(dir, 'edited.db'));
  assert.equal(await rebuildBase(edited, idx), false);
});

test('growing and shrinking databases: page counts follow, and the result passes quick_check', async () => {
  const dir = tmpDir();
  const live = path.join(dir, 'live.db');
  makeClinicDb(live, 3000, { autoVacuum: true });
  const v1 = await snapshotTo(live, path.join(dir, 'v1.db'));
  exec(live, 'DELETE FROM citas WHERE id > 1000'); // auto_vacuum=FULL truncates the file
  const v2 = await snapshotTo(live, path.join(dir, 'v2.db'));
  exec(live, "INSERT INTO citas (paciente, fecha, notas) SELECT paciente, fecha, notas || 'y' FROM citas");
  const v3 = await snapshotTo(live, path.join(dir, 'v3.db'));
  const s1 = await scanDatabase(v1);
  const s2 = await scanDatabase(v2, { previous: s1.index, patchPath: path.join(dir, '12.patch') });
  const s3 = await scanDatabase(v3, { previous: s2.index, patchPath: path.join(dir, '23.patch') });
  assert.ok(s2.index.pageCount < s1.index.pageCount, 'shrank');
  assert.ok(s3.index.pageCount > s2.index.pageCount, 'grew');
  const work = path.join(dir, 'work.db');
  copyFileSync(v1, work);
  await applyChain(work, s1.sha256, [path.join(dir, '12.patch'), path.join(dir, '23.patch')]);
  assert.ok(readFileSync(work).equals(readFileSync(v3)));
  const db = new Database(work, { readonly: true });
  assert.equal(db.pragma('quick_check', { simple: true }), 'ok');
  assert.equal((db.prepare('SELECT count(*) AS n FROM citas').get() as { n: number }).n, 2000);
  db.close();
});

test('a patch is refused on a base that is not its own, and when its body is corrupt or truncated', async () => {
  const dir = tmpDir();
  const live = path.join(dir, 'live.db');
  makeClinicDb(live, 4000);
  const v1 = await snapshotTo(live, path.join(dir, 'v1.db'));
  exec(live, "UPDATE citas SET notas = 'cambio' WHERE id % 97 = 0");
  const v2 = await snapshotTo(live, path.join(dir, 'v2.db'));
  const s1 = await scanDatabase(v1);
  const patch = path.join(dir, 'p.patch');
  await scanDatabase(v2, { previous: s1.index, patchPath: patch });
  const original = readFileSync(v1);

  // Base mismatch: another database (or v1 with one byte changed) is not touched.
  const other = path.join(dir, 'other.db');
  const changed = Buffer.from(original);
  changed[changed.length - 10] ^= 1;
  writeFileSync(other, changed);
  await assert.rejects(applyChain(other, s1.sha256, [patch]), { code: 'VERIFY_FAILED' });
  assert.ok(readFileSync(other).equals(changed), 'a refused base is left as it was');

  // Corrupt body: a flipped byte in the compressed pages.
  const bytes = readFileSync(patch);
  const corrupt = Buffer.from(bytes);
  corrupt[PATCH_HEADER_SIZE + Math.floor((bytes.length - PATCH_HEADER_SIZE) / 2)] ^= 0xff;
  writeFileSync(path.join(dir, 'corrupt.patch'), corrupt);
  const w1 = path.join(dir, 'w1.db');
  copyFileSync(v1, w1);
  await assert.rejects(applyChain(w1, s1.sha256, [path.join(dir, 'corrupt.patch')]), { code: 'VERIFY_FAILED' });

  // Truncated: half the patch.
  writeFileSync(path.join(dir, 'short.patch'), bytes.subarray(0, Math.floor(bytes.length / 2)));
  const w2 = path.join(dir, 'w2.db');
  copyFileSync(v1, w2);
  await assert.rejects(applyChain(w2, s1.sha256, [path.join(dir, 'short.patch')]), { code: 'VERIFY_FAILED' });

  // Not a patch at all.
  writeFileSync(path.join(dir, 'junk.patch'), Buffer.from('SQLite format 3\0 and more'));
  await assert.rejects(applyChain(w2, s1.sha256, [path.join(dir, 'junk.patch')]), { code: 'VERIFY_FAILED' });
});

test('the page-hash index round-trips through its file and is 16 bytes a page', async () => {
  const dir = tmpDir();
  const live = path.join(dir, 'live.db');
  makeClinicDb(live, 3000);
  const v = await snapshotTo(live, path.join(dir, 'v.db'));
  const s = await scanDatabase(v);
  const file = path.join(dir, 'x.idx');
  await saveIndex(file, { ...s.index, generation: 7, objectSha256: 'ab'.repeat(32) });
  const back = await loadIndex(file);
  assert.ok(back);
  assert.equal(back.generation, 7);
  assert.equal(back.sha256, s.sha256);
  assert.ok(back.hashes.equals(s.index.hashes));
  assert.equal(back.hashes.length, 16 * s.index.pageCount);
  writeFileSync(file, Buffer.from('damaged'));
  assert.equal(await loadIndex(file), null, 'a damaged index is no index (one full transfer)');
});

function entry(generation: number, parent: number | null, size = 100): RemoteManifest {
  return {
    format: 'cordiax-sync/1',
    generation,
    sha256: String(generation).padStart(64, '0'),
    size,
    encrypted: false,
    device: 'd',
    time: '',
    file: `versions/${generation}`,
    ...(parent ? { delta: { parent, pages: 1, db_size: 1000 } } : {}),
  };
}

test('chains: walk to the base, retained links for kept versions, compaction thresholds', () => {
  const all = [entry(1, null), entry(2, 1), entry(3, 2), entry(4, null), entry(5, 4), entry(6, 5)];
  assert.deepEqual(
    chainTo(6, all)?.map((e) => e.generation),
    [4, 5, 6],
  );
  assert.deepEqual(
    chainTo(3, all)?.map((e) => e.generation),
    [1, 2, 3],
  );
  assert.equal(chainTo(3, all.slice(1)), null, 'a missing base is no chain');
  // keep_versions 2 shows 6 and 5; 4 (their base) is retained, 1-3 are not.
  const head: RemoteManifest = { ...entry(6, 5), versions: [entry(5, 4)] };
  const prev: RemoteManifest = { ...entry(5, 4), versions: [entry(4, null), entry(3, 2), entry(2, 1)] };
  assert.deepEqual(
    retainedFor(head, prev).map((e) => e.generation),
    [4],
  );
  // Compaction: patch bytes beyond half the database, or too many patches, ask for a base.
  const h: RemoteManifest = { ...entry(6, 5, 100), versions: [entry(5, 4, 100), entry(4, null, 1000)] };
  assert.equal(baseNeeded(h, 100, 1000), null);
  assert.equal(baseNeeded(h, 301, 1000), 'patch-bytes');
  const long: RemoteManifest = {
    ...entry(COMPACT_MAX_PATCHES + 1, COMPACT_MAX_PATCHES, 1),
    versions: Array.from({ length: COMPACT_MAX_PATCHES }, (_, i) => {
      const g = COMPACT_MAX_PATCHES - i;
      return entry(g, g > 1 ? g - 1 : null, 1);
    }),
  };
  assert.equal(baseNeeded(long, 1, 1e9), 'patch-count');
});

test('plan: a remote patch version whose database is byte-identical to the local snapshot is in sync', async () => {
  const { plan } = await import('../src/engine/plan.js');
  const remote = { ...entry(4, 3), delta: { parent: 3, pages: 2, db_size: 1000, db_sha256: 'd'.repeat(64) } };
  const same = plan({
    localSha256: 'c'.repeat(64),
    localBytesSha256: 'd'.repeat(64),
    remote,
    base: null,
    direction: 'bidirectional',
  });
  assert.deepEqual(same, { action: 'none', reason: 'same-content' });
  const other = plan({
    localSha256: 'c'.repeat(64),
    localBytesSha256: 'e'.repeat(64),
    remote,
    base: null,
    direction: 'bidirectional',
  });
  assert.equal(other.action, 'conflict');
});

test('page hashes taken with the snapshot: the same index and patch as a scan, and the same base check', async () => {
  const dir = tmpDir();
  const src = path.join(dir, 'src.db');
  makeClinicDb(src, 5000);
  const v1 = await snapshotTo(src, path.join(dir, 'v1.db'));
  const i1 = (await scanDatabase(v1)).index;
  exec(src, "UPDATE citas SET notas = 'cambiada' WHERE id = 9");
  exec(src, "INSERT INTO citas (paciente, fecha, notas) VALUES ('p', '2026-12-01', 'nueva')");
  const snap = await takeSnapshot(src, { pageHashes: true });
  try {
    assert.ok(snap.pages);
    const scanned = await scanDatabase(snap.path, { previous: i1, patchPath: path.join(dir, 'scan.patch') });
    const known = await scanKnown(
      snap.path,
      { sha256: snap.sha256, size: snap.size, pages: snap.pages },
      { previous: i1, patchPath: path.join(dir, 'known.patch') },
    );
    assert.equal(known.sha256, scanned.sha256);
    assert.ok(known.index.hashes.equals(scanned.index.hashes), 'same page hashes');
    assert.ok(known.index.page1.equals(scanned.index.page1));
    assert.equal(known.changedPages, scanned.changedPages);
    assert.ok(known.changedPages > 0 && known.changedPages < 20, `${known.changedPages} pages changed`);
    assert.ok(readFileSync(known.patch!.path).equals(readFileSync(scanned.patch!.path)), 'byte-identical patches');
    const work = path.join(dir, 'work.db');
    copyFileSync(v1, work);
    assert.equal((await applyChain(work, i1.sha256, [known.patch!.path])).sha256, snap.sha256);
  } finally {
    await snap.dispose();
  }

  // rebuildBase from page hashes: the live database restored from v1 rebuilds it; an edit or a damaged page-1 copy
  // in the index does not.
  const live = path.join(dir, 'live.db');
  makeClinicDb(live, 300);
  copyFileSync(v1, path.join(dir, 'incoming.db'));
  await replaceLiveDatabase(path.join(dir, 'incoming.db'), live);
  const same = await takeSnapshot(live, { pageHashes: true });
  assert.equal(await rebuildBase(same.path, i1, same.pages), true);
  assert.equal(await sha256File(same.path), i1.sha256, 'the rebuilt file is the base, byte for byte');
  const damaged = { ...i1, page1: Buffer.from(i1.page1) };
  damaged.page1[200] ^= 0xff;
  assert.equal(await rebuildBase(same.path, damaged, same.pages), false);
  await same.dispose();
  exec(live, "UPDATE citas SET notas = 'editada' WHERE id = 7");
  const edited = await takeSnapshot(live, { pageHashes: true });
  assert.equal(await rebuildBase(edited.path, i1, edited.pages), false);
  await edited.dispose();
});
