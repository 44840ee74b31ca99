import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync, truncateSync, copyFileSync, statSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { takeSnapshot, verifyDatabase, restoreInto, sha256File } from '../src/db/snapshot.js';
import { tmpDir, makeTestDb, readRows, addRows } from './helpers/system.js';

function startWriter(file: string, mode: string) {
  const child = spawn(process.execPath, [path.resolve('test/fixtures/busy-writer.mjs'), file, mode], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const ready = new Promise<void>((resolve) => child.stdout!.once('data', () => resolve()));
  return { child, ready };
}

for (const mode of ['wal', 'delete']) {
  test(`snapshots under a busy writer always pass integrity_check (${mode} mode)`, async () => {
    const dir = tmpDir();
    const db = makeTestDb(path.join(dir, 'cordiax.db'), 2000, { wal: mode === 'wal' });
    const w = startWriter(db, mode);
    await w.ready;
    try {
      const hashes = new Set<string>();
      for (let i = 0; i < 6; i++) {
        await new Promise((r) => setTimeout(r, 80));
        const s = await takeSnapshot(db);
        try {
          await verifyDatabase(s.path, { full: true });
          // The snapshot folder is private and holds only the snapshot.
          assert.equal(statSync(path.dirname(s.path)).mode & 0o777, 0o700);
          assert.deepEqual(readdirSync(path.dirname(s.path)), [path.basename(s.path)]);
          assert.equal((await sha256File(s.path)).sha256, s.sha256);
          hashes.add(s.sha256);
        } finally {
          await s.dispose();
        }
      }
      // The writer kept committing, so the snapshots saw different states: the test really ran under load.
      assert.ok(hashes.size >= 2, 'the writer should have changed the database between snapshots');
    } finally {
      w.child.kill('SIGKILL');
    }
  });
}

test('a snapshot leaves the source byte-identical and no stray -wal/-shm', async () => {
  const dir = tmpDir();
  const db = makeTestDb(path.join(dir, 'cordiax.db'), 300);
  const before = readFileSync(db);
  const s = await takeSnapshot(db);
  await s.dispose();
  assert.deepEqual(readFileSync(db), before);
  assert.deepEqual(readdirSync(dir), ['cordiax.db']);
  // Same content, same snapshot hash (idle polls can compare hashes).
  const a = await takeSnapshot(db);
  const b = await takeSnapshot(db);
  assert.equal(a.sha256, b.sha256);
  await a.dispose();
  await b.dispose();
});

test('the guard refuses empty, truncated, corrupt and non-SQLite files', async () => {
  const dir = tmpDir();
  const good = makeTestDb(path.join(dir, 'good.db'), 500, { wal: false });
  await verifyDatabase(good);
  const empty = path.join(dir, 'empty.db');
  writeFileSync(empty, '');
  await assert.rejects(verifyDatabase(empty), { code: 'EMPTY_DATABASE' });
  const notdb = path.join(dir, 'notdb.db');
  writeFileSync(notdb, 'hola, esto no es SQLite'.repeat(100));
  await assert.rejects(verifyDatabase(notdb), { code: 'CORRUPT_DATABASE' });
  const trunc = path.join(dir, 'trunc.db');
  copyFileSync(good, trunc);
  truncateSync(trunc, Math.floor(statSync(good).size / 2));
  await assert.rejects(verifyDatabase(trunc), { code: 'CORRUPT_DATABASE' });
  const corrupt = path.join(dir, 'corrupt.db');
  const bytes = readFileSync(good);
  bytes.fill(0x5a, 4096, 4096 + 64); // scribble over the header of a b-tree page
  writeFileSync(corrupt, bytes);
  await assert.rejects(verifyDatabase(corrupt, { full: true }), { code: 'CORRUPT_DATABASE' });
});

test('restoreInto replaces the content of a database another connection holds open', async () => {
  const dir = tmpDir();
  const live = makeTestDb(path.join(dir, 'live.db'), 10, { tag: 'viejo' });
  const incoming = makeTestDb(path.join(dir, 'incoming.db'), 25, { tag: 'nuevo' });
  const app = new Database(live); // the application keeps its connection
  app.pragma('busy_timeout = 5000');
  await restoreInto(incoming, live);
  const rows = (app.prepare('SELECT texto FROM notas ORDER BY id').all() as Array<{ texto: string }>).map(
    (r) => r.texto,
  );
  assert.equal(rows.length, 25);
  assert.equal(rows[0], 'nuevo-0');
  app.prepare('INSERT INTO notas (texto) VALUES (?)').run('después');
  app.close();
  assert.equal(readRows(live).at(-1), 'después');
  assert.equal(app.open, false);
  addRows(live, ['otra']);
  await verifyDatabase(live, { full: true });
});
