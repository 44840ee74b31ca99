/**
 * The snapshot's hashes on a worker thread (src/db/file-hasher.ts) beside the content hash and quick_check
 * (analyzeSqliteFile): the same bytes as the one-thread hashSqliteFile, every page size; failures surface; a
 * snapshot whose check was skipped is checked before anything is uploaded; an idle worker never holds the process.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { analyzeSqliteFile, hashSqliteFile, takeSnapshot } from '../src/db/snapshot.js';
import { FileHashError, hashFileInWorker } from '../src/db/file-hasher.js';
import { LocalDb } from '../src/engine/local-db.js';
import { tmpDir } from './helpers/system.js';
import { makeDb } from './helpers/page-db.js';

/** Overwrites page 2 (a b-tree page) with garbage: the header still says SQLite, quick_check must not pass. */
function corruptPage2(src: string, out: string, pageSize: number): string {
  const bytes = readFileSync(src);
  bytes.fill(0x5a, pageSize, 2 * pageSize);
  writeFileSync(out, bytes);
  return out;
}

for (const pageSize of [512, 4096, 65536]) {
  test(`worker hashes equal the one-thread hashes (page size ${pageSize})`, async () => {
    const dir = tmpDir();
    for (const wal of [true, false]) {
      const live = makeDb(path.join(dir, `live-${wal}.db`), pageSize, wal);
      const snap = await takeSnapshot(live, { pageHashes: true });
      try {
        const here = await hashSqliteFile(snap.path, { pageHashes: true });
        const there = await hashFileInWorker(snap.path, { pages: true });
        assert.equal(there.sha256, here.sha256);
        assert.equal(there.size, here.size);
        assert.ok(there.pages && here.pages);
        assert.equal(there.pages.pageSize, pageSize);
        assert.equal(there.pages.pageCount, here.pages.pageCount);
        assert.ok(there.pages.page1.equals(here.pages.page1));
        assert.ok(there.pages.hashes.equals(here.pages.hashes));
        // What takeSnapshot returned came through the same two threads.
        assert.equal(snap.sha256, here.sha256);
        assert.equal(snap.contentSha256, here.contentSha256);
        assert.ok(snap.pages?.hashes.equals(here.pages.hashes));
        assert.equal(snap.checked, true);
        const a = await analyzeSqliteFile(snap.path, { pageHashes: true });
        assert.equal(a.contentSha256, here.contentSha256);
        assert.equal(a.checked, true);
      } finally {
        await snap.dispose();
      }
    }
  });
}

test('a file that is not whole pages fails in the worker; a corrupt database fails the check or reports it', async () => {
  const dir = tmpDir();
  const good = makeDb(path.join(dir, 'good.db'), 4096, false);
  const ragged = path.join(dir, 'ragged.db');
  writeFileSync(ragged, Buffer.concat([readFileSync(good), Buffer.alloc(100)]));
  await assert.rejects(hashFileInWorker(ragged, { pages: true }), FileHashError);
  const corrupt = corruptPage2(good, path.join(dir, 'corrupt.db'), 4096);
  await assert.rejects(analyzeSqliteFile(corrupt, { pageHashes: true }), { code: 'CORRUPT_DATABASE' });
  const reported = await analyzeSqliteFile(corrupt, { pageHashes: true, reportCheck: true });
  assert.equal(reported.checked, false);
  assert.equal(reported.sha256, (await hashSqliteFile(corrupt)).sha256, 'hashes still taken');
  // The worker survives a failed job.
  assert.equal((await hashFileInWorker(good)).sha256, (await hashSqliteFile(good)).sha256);
});

test('a snapshot that skipped quick_check (content verified before) is checked before any upload', async () => {
  const dir = tmpDir();
  const good = makeDb(path.join(dir, 'good.db'), 4096, false);
  const corrupt = corruptPage2(good, path.join(dir, 'corrupt.db'), 4096);
  await assert.rejects(takeSnapshot(corrupt), { code: 'CORRUPT_DATABASE' });
  let seen = '';
  const snap = await takeSnapshot(corrupt, {
    pageHashes: true,
    skipCheck: (h) => {
      seen = h;
      return true; // as if this content had passed at the last sync
    },
  });
  assert.equal(snap.checked, false);
  assert.equal(seen, snap.contentSha256);
  const local = new LocalDb({ databasePath: corrupt, backupsDir: path.join(dir, 'backups'), log: { emit() {} } });
  await assert.rejects(local.outgoing(snap, snap.contentSha256), { code: 'CORRUPT_DATABASE' });
  // A sound database that skipped the check goes out after passing it.
  const ok = await takeSnapshot(good, { skipCheck: () => true });
  assert.equal(ok.checked, false);
  const out = await new LocalDb({ databasePath: good, backupsDir: path.join(dir, 'b2'), log: { emit() {} } }).outgoing(
    ok,
    ok.contentSha256,
  );
  assert.equal(ok.checked, true);
  assert.equal(out.sha256, ok.sha256);
  await out.dispose();
});

test('an idle hash worker does not keep the process alive', () => {
  const dir = tmpDir();
  const db = makeDb(path.join(dir, 'db.db'), 4096, true, 200);
  const script = `
    const { takeSnapshot } = await import(${JSON.stringify(path.resolve('src/db/snapshot.ts'))});
    const s = await takeSnapshot(${JSON.stringify(db)}, { pageHashes: true });
    console.log(s.pages.pageCount);
    await s.dispose();
  `;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    encoding: 'utf8',
    timeout: 120_000,
  });
  assert.equal(r.status, 0, `exited by itself: ${r.signal ?? ''} ${r.stderr}`);
  assert.ok(Number(r.stdout.trim()) > 1, r.stdout);
});
