// The boundary with the live database, tested the way the application really behaves: a separate app process that
// opens, writes, holds read and write transactions, creates the database during a first pull, switches journal
// mode and crashes with SIGKILL, around our syncs; in both journal modes; on the folder remote and on Apache WebDAV.
// Every row the app or another device committed goes into a ledger, and each test audits where every row ended up:
// in a live database, a conflict copy, a local backup or the remote's current version. Never lost.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { MANIFEST_FILE } from '../src/engine/remote-layout.js';
import type { FileTransport, RemoteManifest } from '../src/transports/types.js';
import { folderRemote, makeDevice, type Device } from './helpers/engine.js';
import { davTransport, memoryLogger, startApache, type ApacheServer } from './helpers/apache.js';
import { AppProcess } from './helpers/app-process.js';
import { addRows, makeTestDb, readRows, tmpDir } from './helpers/system.js';
import { remoteDatabaseSync } from './helpers/remote-db.js';

let apache: ApacheServer;
const apps: AppProcess[] = [];
const transports: FileTransport[] = [];
before(async () => {
  apache = await startApache();
});
after(async () => {
  for (const a of apps) await a.stop();
  for (const t of transports) await t.close();
  await apache.stop();
});

function app(): AppProcess {
  const a = new AppProcess();
  apps.push(a);
  return a;
}

interface Remote {
  name: string;
  /** A new transport on the same remote folder. */
  transport(device: string): FileTransport;
  /** Folder on disk holding the remote layout. */
  root: string;
}

function remotes(): Array<[string, () => Remote]> {
  return [
    [
      'folder',
      () => {
        const r = folderRemote();
        return { name: 'folder', root: r.root, transport: () => r.transport() };
      },
    ],
    [
      'webdav',
      () => {
        const folder = `live-${Math.random().toString(36).slice(2, 10)}`;
        return {
          name: 'webdav',
          root: path.join(apache.dataDir, folder),
          transport: (device) => {
            const t = davTransport(
              {
                url: `${apache.origin}/dav/`,
                username: apache.user,
                password: apache.password,
                remote_path: `/${folder}/`,
              },
              memoryLogger(),
              device,
            );
            transports.push(t);
            return t;
          },
        };
      },
    ],
  ];
}

const manifestOf = (r: Remote): RemoteManifest => JSON.parse(readFileSync(path.join(r.root, MANIFEST_FILE), 'utf8'));
/** Rows of the remote's head, rebuilt from its base and patches when it is a patch (src/delta). */
const remoteRows = (r: Remote): string[] => {
  const file = path.join(tmpDir(), 'remote-head.db');
  writeFileSync(file, remoteDatabaseSync(r.root));
  return readRows(file);
};

function integrityOk(file: string): void {
  const db = new Database(file, { fileMustExist: true });
  try {
    assert.equal(db.pragma('integrity_check', { simple: true }), 'ok');
  } finally {
    db.close();
  }
}

/** Every .db beside the live database and in the backups folder (conflict copies, backups). */
function keptCopies(d: Device): string[] {
  const dirs = [path.dirname(d.db), path.join(d.home, 'backups')];
  return dirs.flatMap((dir) =>
    existsSync(dir)
      ? readdirSync(dir)
          .filter((n) => /\.(conflict-.*|.*before-replace.*)\.db$|before-replace.*\.db$|\.conflict-.*\.db$/.test(n))
          .map((n) => path.join(dir, n))
      : [],
  );
}

/** One sync of `d` in which `act` runs right after each download lands (the app's move while we hold the file). */
async function syncWithAfterDownload(d: Device, act: () => Promise<unknown>) {
  const t = (d.engine.remote as unknown as { transport: FileTransport }).transport;
  const download = t.download.bind(t);
  let acted = false;
  // Once: a pull may download several objects (a base and its patches, src/delta).
  t.download = async (...args: Parameters<FileTransport['download']>) => {
    const res = await download(...args);
    if (!acted) {
      acted = true;
      await act();
    }
    return res;
  };
  try {
    return await d.engine.sync();
  } finally {
    t.download = download;
  }
}

/** The audit: each ledgered row is in a live database, a kept copy or the remote's current version. */
function auditLedger(ledger: string[], devices: Device[], r: Remote): void {
  const where = new Set<string>();
  for (const d of devices) {
    if (existsSync(d.db)) for (const x of readRows(d.db)) where.add(x);
    for (const c of keptCopies(d)) for (const x of readRows(c)) where.add(x);
  }
  if (existsSync(path.join(r.root, MANIFEST_FILE))) for (const x of remoteRows(r)) where.add(x);
  const lost = ledger.filter((x) => !where.has(x));
  assert.deepEqual(lost, [], `rows lost: ${lost.join(', ')}`);
}

for (const [remoteName, makeRemote] of remotes()) {
  for (const journal of ['wal', 'delete'] as const) {
    const label = `${remoteName}, ${journal} mode`;
    describe(`live database boundary (${label})`, () => {
      /** Device B publishes a version with row B-1 on top of A's; A then pulls it while its app does things. */
      async function setup(): Promise<{ r: Remote; a: Device; b: Device; ledger: string[] }> {
        const r = makeRemote();
        const a = makeDevice('equipoA', r.transport('equipoA'), { lockWaitMs: 3000 });
        makeTestDb(a.db, 20, { tag: 'base', wal: journal === 'wal' });
        assert.equal((await a.engine.sync()).action, 'push');
        const b = makeDevice('equipoB', r.transport('equipoB'));
        assert.equal((await b.engine.sync()).action, 'pull');
        addRows(b.db, ['B-1']);
        assert.equal((await b.engine.sync()).action, 'push');
        return { r, a, b, ledger: [...readRows(a.db), 'B-1'] };
      }

      test('a restore into a database the app holds write-locked never reports success without applying', async () => {
        const { r, a, b, ledger } = await setup();
        const cordiax = app();
        await cordiax.open(a.db, { journal });
        await cordiax.beginWrite();
        await cordiax.insert('A-app-uncommitted');
        // The app holds its write lock longer than the sync waits: nothing is replaced, the sync says so.
        await assert.rejects(a.engine.sync(), { code: 'LOCKED' });
        await cordiax.commit();
        ledger.push(...cordiax.committed);
        assert.ok(readRows(a.db).includes('A-app-uncommitted'));
        assert.ok(!readRows(a.db).includes('B-1'));
        // Now the local side changed too: the next sync keeps both.
        const out = await a.engine.sync();
        assert.equal(out.action, 'conflict');
        assert.ok(readRows(out.conflictCopy!).includes('B-1'));
        assert.ok(readRows(a.db).includes('A-app-uncommitted'));
        await cordiax.close();
        auditLedger(ledger, [a, b], r);
        integrityOk(a.db);
      });

      test('a write lock released without a commit: the pull waits for it, applies, and reads back exactly the remote version', async () => {
        const { r, a, b, ledger } = await setup();
        const cordiax = app();
        await cordiax.open(a.db, { journal });
        await cordiax.beginWrite();
        const sync = a.engine.sync();
        await new Promise((res) => setTimeout(res, 300));
        await cordiax.rollback();
        const out = await sync;
        assert.equal(out.action, 'pull');
        assert.deepEqual(readRows(a.db), remoteRows(r));
        assert.deepEqual(
          await cordiax.rows(),
          remoteRows(r),
          'the app sees the pulled rows through its open connection',
        );
        await cordiax.insert('A-after-pull');
        ledger.push(...cordiax.committed);
        assert.equal((await a.engine.sync()).action, 'push');
        await cordiax.close();
        auditLedger(ledger, [a, b], r);
        integrityOk(a.db);
      });

      test(
        journal === 'delete'
          ? 'an open read transaction (rollback mode) holds the restore off; released, it applies'
          : 'an open read transaction (WAL mode) does not block the restore; the reader keeps its view',
        async () => {
          const { r, a, b, ledger } = await setup();
          const cordiax = app();
          await cordiax.open(a.db, { journal });
          await cordiax.beginRead();
          const sync = a.engine.sync();
          if (journal === 'delete') {
            await new Promise((res) => setTimeout(res, 300));
            await cordiax.commit();
          }
          const out = await sync;
          if (journal === 'wal') await cordiax.commit();
          assert.equal(out.action, 'pull');
          assert.deepEqual(readRows(a.db), remoteRows(r));
          await cordiax.close();
          auditLedger(ledger, [a, b], r);
          integrityOk(a.db);
        },
      );

      test('an app that committed and keeps its connection open (frames not yet checkpointed) does not hold the pull off', async () => {
        const { r, a, b, ledger } = await setup();
        const cordiax = app();
        await cordiax.open(a.db, { journal, timeout: 0 });
        await cordiax.insert('A-before-pull');
        ledger.push(...cordiax.committed);
        // Local and remote both changed: a conflict, decided inside the lock (not a LOCKED timeout).
        const out = await a.engine.sync();
        assert.equal(out.action, 'conflict');
        await a.engine.resolve('remote');
        assert.deepEqual(readRows(a.db), remoteRows(r));
        assert.deepEqual(await cordiax.rows(), remoteRows(r), 'the open connection sees the server version');
        await cordiax.close();
        auditLedger(ledger, [a, b], r);
        integrityOk(a.db);
      });

      test('the app commits while the download runs: a conflict keeps both, nothing is overwritten', async () => {
        const { r, a, b, ledger } = await setup();
        const cordiax = app();
        await cordiax.open(a.db, { journal });
        const out = await syncWithAfterDownload(a, () => cordiax.insert('A-during-download'));
        ledger.push(...cordiax.committed);
        assert.equal(out.action, 'conflict');
        assert.ok(readRows(a.db).includes('A-during-download'));
        assert.ok(readRows(out.conflictCopy!).includes('B-1'));
        await cordiax.close();
        auditLedger(ledger, [a, b], r);
        integrityOk(a.db);
      });

      test('an app that opens, writes and crashes (SIGKILL) around syncs keeps every committed row (its WAL is never deleted)', async () => {
        const { r, a, b, ledger } = await setup();
        // Sync A to the latest first, then let the app work while A syncs repeatedly.
        assert.equal((await a.engine.sync()).action, 'pull');
        for (let round = 0; round < 6; round++) {
          const cordiax = app();
          const syncing = (async () => {
            for (let i = 0; i < 3; i++) await a.engine.sync().catch(() => {});
          })();
          await cordiax.open(a.db, { journal });
          for (let i = 0; i < 5; i++) await cordiax.insert(`A-${round}-${i}`);
          ledger.push(...cordiax.committed);
          await syncing;
          if (round % 2 === 0) await cordiax.crash();
          else await cordiax.close();
        }
        // After the app is gone, a last sync settles (a conflict is allowed; nothing may be missing).
        const last = await a.engine.sync();
        assert.ok(['push', 'none', 'conflict'].includes(last.action));
        auditLedger(ledger, [a, b], r);
        integrityOk(a.db);
        for (let round = 0; round < 6; round++)
          assert.ok(readRows(a.db).includes(`A-${round}-4`), `A-${round}-4 is in the live database`);
      });

      test('first pull onto a new PC while the app creates the database: the app keeps its database, the remote is a conflict copy', async () => {
        const { r, b, ledger } = await setup();
        const c = makeDevice('equipoC', r.transport('equipoC'), { lockWaitMs: 3000 });
        const cordiax = app();
        const out = await syncWithAfterDownload(c, async () => {
          await cordiax.open(c.db, { journal });
          await cordiax.insert('C-app-first');
        });
        ledger.push(...cordiax.committed);
        assert.equal(out.action, 'conflict');
        assert.deepEqual(readRows(c.db), ['C-app-first']);
        assert.ok(readRows(out.conflictCopy!).includes('B-1'));
        // The remote's current version is untouched (the app's tiny database was not pushed over it).
        assert.ok(remoteRows(r).includes('B-1'));
        await cordiax.crash();
        integrityOk(c.db);
        auditLedger(ledger, [b, c], r);
      });

      test('first pull onto a new PC with an empty file from the app: applied in place, never renamed over', async () => {
        const { r } = await setup();
        const c = makeDevice('equipoC', r.transport('equipoC'));
        writeFileSync(c.db, '');
        const { statSync } = await import('node:fs');
        const ino = statSync(c.db).ino;
        const out = await c.engine.sync();
        assert.equal(out.action, 'pull');
        assert.equal(statSync(c.db).ino, ino, 'the same file (inode) the app may have open');
        assert.deepEqual(readRows(c.db), remoteRows(r));
      });

      test('the app switches journal mode between syncs: pulls keep its mode and every row', async () => {
        const { r, a, b, ledger } = await setup();
        const cordiax = app();
        await cordiax.open(a.db, { journal });
        await cordiax.journal(journal === 'wal' ? 'delete' : 'wal');
        await cordiax.close();
        assert.equal((await a.engine.sync()).action, 'pull');
        const db = new Database(a.db);
        assert.equal(db.pragma('journal_mode', { simple: true }), journal === 'wal' ? 'delete' : 'wal');
        db.close();
        auditLedger(ledger, [a, b], r);
        integrityOk(a.db);
      });
    });
  }
}

describe('backups, direction and the guard against wiping rows (folder)', () => {
  test('two replacements in the same second keep two distinct backups; a renamed database never prunes its newest', async () => {
    const r = folderRemote();
    const a = makeDevice('equipoA', r.transport(), {});
    makeTestDb(a.db, 5, { tag: 'v1' });
    await a.engine.sync();
    await a.engine.local.backupLocal('manual');
    addRows(a.db, ['v2']);
    await a.engine.local.backupLocal('manual');
    const backups = readdirSync(path.join(a.home, 'backups'));
    assert.equal(backups.length, 2);
    const contents = backups.map((n) => readRows(path.join(a.home, 'backups', n)).join(','));
    assert.notEqual(contents[0], contents[1]);
    // Eleven more backups of another database whose name sorts first: each newest one survives its own pruning.
    const { LocalDb } = await import('../src/engine/local-db.js');
    const other = path.join(path.dirname(a.db), 'aaa.db');
    makeTestDb(other, 3, { tag: 'aaa' });
    const local = new LocalDb({ databasePath: other, backupsDir: path.join(a.home, 'backups'), log: { emit() {} } });
    let newest = '';
    for (let i = 0; i < 12; i++) newest = (await local.backupLocal('manual'))!;
    assert.ok(existsSync(newest), 'the newest backup is kept');
    const all = readdirSync(path.join(a.home, 'backups'));
    assert.equal(all.filter((n) => n.startsWith('cordiax-')).length, 2, "the other database's backups are not touched");
  });

  for (const direction of ['push', 'pull'] as const) {
    test(`direction "${direction}" with changes on both sides keeps both (conflict copy and a warning)`, async () => {
      const r = folderRemote();
      const a = makeDevice('equipoA', r.transport(), { direction });
      const b = makeDevice('equipoB', r.transport());
      // The base both devices share: "push" devices publish it, "pull" devices receive it.
      const [first, second] = direction === 'push' ? [a, b] : [b, a];
      makeTestDb(first.db, 5, { tag: 'base' });
      assert.equal((await first.engine.sync()).action, 'push');
      assert.equal((await second.engine.sync()).action, 'pull');
      addRows(a.db, ['A-1']);
      addRows(b.db, ['B-1']);
      await b.engine.sync();
      const out = await a.engine.sync();
      assert.equal(out.action, 'conflict');
      assert.ok(readRows(a.db).includes('A-1'));
      assert.ok(readRows(out.conflictCopy!).includes('B-1'));
      assert.ok(remoteRows({ name: 'folder', root: r.root, transport: () => r.transport() }).includes('B-1'));
    });
  }

  test('a schema-only or mostly emptied database is held as a conflict, not pushed; "keep local" then sends it', async () => {
    const r = folderRemote();
    const a = makeDevice('equipoA', r.transport());
    makeTestDb(a.db, 40, { tag: 'datos' });
    assert.equal((await a.engine.sync()).action, 'push');
    const db = new Database(a.db);
    db.exec('DELETE FROM notas');
    db.close();
    const head = manifestOf({ name: 'folder', root: r.root, transport: () => r.transport() });
    const out = await a.engine.sync();
    assert.equal(out.action, 'conflict');
    assert.equal(out.reason, 'would-wipe-rows');
    assert.deepEqual(
      manifestOf({ name: 'folder', root: r.root, transport: () => r.transport() }),
      head,
      'the remote is untouched',
    );
    assert.equal(readRows(out.conflictCopy!).length, 40);
    assert.ok(a.log.recent(20).some((e) => e.code === 'PUSH_WOULD_WIPE_ROWS'));
    await a.engine.resolve('local');
    const sent = await a.engine.sync();
    assert.equal(sent.action, 'push');
    assert.deepEqual(remoteRows({ name: 'folder', root: r.root, transport: () => r.transport() }), []);
  });

  test('a state file copied onto another PC with its own older database does not push over the newer version', async () => {
    const r = folderRemote();
    const a = makeDevice('equipoA', r.transport());
    makeTestDb(a.db, 10, { tag: 'base' });
    await a.engine.sync();
    const older = path.join(tmpDir('cx-old-'), 'cordiax.db');
    const { copyFileSync } = await import('node:fs');
    copyFileSync(a.db, older);
    addRows(a.db, ['A-new']);
    await a.engine.sync();
    // The other PC: A's state file, its own older database with an edit of its own.
    const pc2 = makeDevice('equipoA', r.transport());
    copyFileSync(older, pc2.db);
    copyFileSync(path.join(a.home, 'sync_state.json'), path.join(pc2.home, 'sync_state.json'));
    addRows(pc2.db, ['PC2-edit']);
    const out = await pc2.engine.sync();
    assert.equal(out.action, 'conflict');
    assert.ok(remoteRows({ name: 'folder', root: r.root, transport: () => r.transport() }).includes('A-new'));
    assert.ok(readRows(pc2.db).includes('PC2-edit'));
  });
});
