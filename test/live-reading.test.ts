/**
 * A live reading (src/db/live-reading.ts) gives exactly what a snapshot of the same content gives (sha256, content
 * hash, size, every page hash, the patch from an index), in WAL and rollback-journal mode and every page size; and it
 * gives way to a snapshot whenever the database file may not be the committed content: a commit by another process
 * while it reads, WAL frames a reader keeps from being copied, a corrupt database. A real second process commits.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { takeSnapshot } from '../src/db/snapshot.js';
import { readLivePages, type ReadingRefusal } from '../src/db/live-reading.js';
import { liveFingerprintSync } from '../src/db/live.js';
import { writePatchPages } from '../src/delta/patch.js';
import { tmpDir } from './helpers/system.js';
import { makeDb } from './helpers/page-db.js';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

for (const pageSize of [512, 4096, 65536]) {
  test(`a live reading equals a snapshot, and its patch rebuilds it (page size ${pageSize})`, async () => {
    const dir = tmpDir();
    for (const wal of [true, false]) {
      const live = makeDb(path.join(dir, `live-${wal}.db`), pageSize, wal);
      const base = await takeSnapshot(live, { pageHashes: true });
      const baseBytes = readFileSync(base.path);
      // An app edits it (left open, WAL frames not yet copied: the reading's checkpoint copies them).
      const app = new Database(live);
      app.prepare('INSERT INTO t (a, b) VALUES (?, randomblob(100))').run('nueva');
      app.prepare("UPDATE t SET a = 'cambiada' WHERE id = 7").run();
      const refusals: ReadingRefusal[] = [];
      const index = {
        generation: 4,
        objectSha256: 'x'.repeat(64),
        sha256: base.sha256,
        size: base.size,
        ...base.pages!,
      };
      const r = await readLivePages(live, { against: index, refused: (w) => refusals.push(w) });
      app.close();
      assert.deepEqual(refusals, []);
      assert.ok(r, 'the reading was refused');
      const snap = await takeSnapshot(live, { pageHashes: true });
      try {
        assert.equal(r.sha256, snap.sha256, `sha256 (wal ${wal})`);
        assert.equal(r.sha256, sha(readFileSync(snap.path)));
        assert.equal(r.contentSha256, snap.contentSha256);
        assert.equal(r.size, snap.size);
        assert.equal(r.pages.pageCount, snap.pages!.pageCount);
        assert.ok(r.pages.page1.equals(snap.pages!.page1));
        assert.ok(r.pages.hashes.equals(snap.pages!.hashes));
        assert.equal(r.rows, 3001);
        // The patch turns the base's bytes into the snapshot's bytes exactly.
        assert.ok(r.patch);
        assert.deepEqual(r.patch.against, { generation: 4, objectSha256: 'x'.repeat(64) });
        assert.ok(r.changedPages >= 2 && r.changedPages < r.pages.pageCount / 2, `${r.changedPages} pages changed`);
        const out = path.join(dir, `rebuilt-${wal}.db`);
        writeFileSync(out, baseBytes);
        await writePatchPages(r.patch.path, out);
        assert.equal(sha(readFileSync(out)), snap.sha256);
        // With a copy asked for (a whole upload), the copy taken in the same read has exactly those bytes.
        const copy = path.join(dir, `copy-${wal}.db`);
        const c = await readLivePages(live, { copyTo: copy, refused: (w) => refusals.push(w) });
        assert.ok(c, refusals.join());
        assert.equal(sha(readFileSync(copy)), snap.sha256);
        assert.equal(c.sha256, snap.sha256);
        await c.dispose();
      } finally {
        await r.dispose();
        await snap.dispose();
        await base.dispose();
      }
    }
  });
}

test('a commit by another process while the database is read: refused, nothing left behind', async () => {
  const dir = tmpDir();
  for (const wal of [true, false]) {
    const live = makeDb(path.join(dir, `live-${wal}.db`), 4096, wal);
    const refusals: ReadingRefusal[] = [];
    const tmp = path.join(dir, `tmp-${wal}`);
    const r = await readLivePages(live, {
      tmpParent: tmp,
      against: null,
      refused: (w) => refusals.push(w),
      inside: () => {
        if (!wal) return; // rollback mode: our SHARED lock keeps every writer out (checked below)
        const w = spawnSync(
          'sqlite3',
          ['-cmd', '.timeout 100', live, "INSERT INTO t (a, b) VALUES ('durante', x'00');"],
          { encoding: 'utf8' },
        );
        assert.equal(w.status, 0, w.stderr);
      },
    });
    if (wal) {
      assert.equal(r, null);
      assert.deepEqual(refusals, ['committed-meanwhile']);
    } else {
      assert.ok(r);
      await r.dispose();
    }
  }
  // Rollback mode: a writer that starts while the reading holds the database waits for it, then commits.
  const live = makeDb(path.join(dir, 'live-hold.db'), 4096, false);
  let writer: ReturnType<typeof spawn> | null = null;
  let exited = false;
  const held: ReadingRefusal[] = [];
  const r = await readLivePages(live, {
    refused: (w) => held.push(w),
    inside: async () => {
      writer = spawn('sqlite3', ['-cmd', '.timeout 5000', live, "INSERT INTO t (a, b) VALUES ('esperó', x'00');"]);
      writer.on('exit', () => {
        exited = true;
      });
      await new Promise((res) => setTimeout(res, 300));
      assert.equal(exited, false, 'a writer got past a held reading in rollback mode');
    },
  });
  // The writer commits the moment the reading lets go, before its last check: refused then, or read whole.
  await r?.dispose();
  await new Promise((res) => (exited ? res(null) : writer!.on('exit', res)));
  assert.ok(r ? held.length === 0 : held.join() === 'committed-meanwhile', held.join());
  const db = new Database(live, { readonly: true });
  assert.equal(db.prepare("SELECT count(*) FROM t WHERE a = 'esperó'").pluck().get(), 1);
  db.close();
});

test('WAL frames a reader keeps from being copied: refused (a snapshot is taken instead)', async () => {
  const dir = tmpDir();
  const live = makeDb(path.join(dir, 'live.db'), 4096, true);
  const reader = new Database(live);
  const writer = new Database(live);
  reader.exec('BEGIN');
  reader.prepare('SELECT count(*) FROM t').get(); // an old snapshot held open
  writer.prepare("INSERT INTO t (a, b) VALUES ('nueva', x'00')").run();
  const refusals: ReadingRefusal[] = [];
  const r = await readLivePages(live, { refused: (w) => refusals.push(w) });
  assert.equal(r, null);
  assert.deepEqual(refusals, ['wal-not-copied']);
  reader.exec('COMMIT');
  reader.close();
  writer.close();
});

test('a corrupt database is refused by the reading (the snapshot path then reports it)', async () => {
  const dir = tmpDir();
  const live = makeDb(path.join(dir, 'live.db'), 4096, false);
  const bytes = readFileSync(live);
  bytes.fill(0x5a, 4096 * 3, 4096 * 4); // a b-tree page
  writeFileSync(live, bytes);
  const refusals: ReadingRefusal[] = [];
  const r = await readLivePages(live, { refused: (w) => refusals.push(w) });
  assert.equal(r, null);
  assert.equal(refusals.length, 1);
  assert.ok(['check-failed', 'error'].includes(refusals[0]!), refusals[0]);
});

test('reading the live file while our connection holds its lock keeps the lock (POSIX: a close drops them all)', () => {
  const dir = tmpDir();
  const live = makeDb(path.join(dir, 'live.db'), 4096, false, 10);
  const db = new Database(live);
  const writer = () =>
    spawnSync('sqlite3', ['-cmd', '.timeout 50', live, "INSERT INTO t (a, b) VALUES ('intrusa', x'00');"], {
      encoding: 'utf8',
    });
  try {
    db.exec('BEGIN EXCLUSIVE');
    db.prepare("INSERT INTO t (a, b) VALUES ('nuestra', x'00')").run();
    assert.notEqual(writer().status, 0);
    // What the restore does inside its lock (and a live reading while it reads): the fingerprint reads the file.
    for (let i = 0; i < 3; i++) liveFingerprintSync(live);
    const w = writer();
    assert.notEqual(w.status, 0, 'another process wrote while our connection held EXCLUSIVE');
    assert.match(w.stderr, /locked/);
    db.exec('COMMIT');
  } finally {
    db.close();
  }
  const check = new Database(live, { readonly: true });
  assert.deepEqual(check.prepare("SELECT a FROM t WHERE a IN ('nuestra', 'intrusa')").pluck().all(), ['nuestra']);
  assert.equal(check.pragma('integrity_check', { simple: true }), 'ok');
  check.close();
});
