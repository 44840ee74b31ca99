// Engine-level sync over WebDAV against real servers: push, pull, the idle poll (requests and bytes counted in
// Apache's access log), and a concurrent writer that replaces the remote manifest with curl between our read of the
// manifest and our commit: the engine must report a conflict and overwrite nothing. Run on Apache and on rclone.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync, utimesSync } from 'node:fs';
import path from 'node:path';
import { MANIFEST_FILE } from '../src/engine/remote-layout.js';
import type { FileTransport, RemoteManifest } from '../src/transports/types.js';
import { counting, makeDevice } from './helpers/engine.js';
import { curlPut, davTransport, memoryLogger, startApache, type ApacheServer } from './helpers/apache.js';
import { startRclone, type RcloneServer } from './helpers/rclone.js';
import { addRows, makeLargeDb, makeTestDb, readRows, sha256File, tmpDir } from './helpers/system.js';

interface Peer {
  name: string;
  /** Base URL of the DAV folder (ends in '/'). */
  url: string;
  /** Folder on disk that the URL serves. */
  dataDir: string;
  user: string;
  password: string;
  apache?: ApacheServer;
}

let apache: ApacheServer;
let rclone: RcloneServer;
const transports: FileTransport[] = [];

before(async () => {
  [apache, rclone] = await Promise.all([startApache(), startRclone()]);
});
after(async () => {
  for (const t of transports) await t.close();
  await apache.stop();
  rclone.stop();
});

function peers(): Peer[] {
  return [
    {
      name: 'Apache',
      url: `${apache.origin}/dav/`,
      dataDir: apache.dataDir,
      user: apache.user,
      password: apache.password,
      apache,
    },
    { name: 'rclone', url: rclone.url, dataDir: rclone.dataDir, user: rclone.user, password: rclone.password },
  ];
}

function dav(p: Peer, folder: string, device: string): FileTransport {
  const t = davTransport(
    { url: p.url, username: p.user, password: p.password, remote_path: `/${folder}/` },
    memoryLogger(),
    device,
  );
  transports.push(t);
  return t;
}

const manifestOf = (p: Peer, folder: string): RemoteManifest =>
  JSON.parse(readFileSync(path.join(p.dataDir, folder, MANIFEST_FILE), 'utf8'));

for (const which of ['Apache', 'rclone']) {
  describe(`sync over WebDAV (${which})`, () => {
    const peer = () => peers().find((p) => p.name === which)!;

    test('push, idle poll (one small request, no database bytes), pull, push back', async () => {
      const p = peer();
      const folder = `sync-${which}`;
      const a = makeDevice('equipoA', dav(p, folder, 'equipoA'));
      makeTestDb(a.db, 200, { tag: 'A' });
      const r1 = await a.engine.sync();
      assert.equal(r1.action, 'push');
      assert.equal(r1.generation, 1);
      const m1 = manifestOf(p, folder);
      assert.equal(m1.generation, 1);
      assert.equal(m1.device, 'equipoA');
      assert.equal(await sha256File(path.join(p.dataDir, folder, m1.file)), m1.sha256);
      assert.equal(statSync(path.join(p.dataDir, folder, m1.file)).size, m1.size);

      // Idle poll: nothing changed on either side.
      const counted = counting(dav(p, folder, 'equipoA'));
      const { SyncEngine } = await import('../src/engine/engine.js');
      const idleEngine = new SyncEngine({
        transport: counted.t,
        databasePath: a.db,
        statePath: path.join(a.home, 'sync_state.json'),
        device: 'equipoA',
        log: a.log,
      });
      await counted.t.open(); // the first connection resolves and checks the folder once; polls after it are what we count
      await p.apache?.mark();
      const linesBefore = p.apache?.accessLines().length ?? 0;
      const idle = await idleEngine.sync();
      await p.apache?.mark();
      assert.equal(idle.action, 'none');
      assert.equal(idle.bytesUp + idle.bytesDown, 0);
      assert.deepEqual(Object.keys(counted.calls).sort(), ['open', 'readSmall']);
      if (p.apache) {
        const lines = p.apache.accessLines().slice(linesBefore);
        // The manifest, and the next commit record (absent): a commit whose manifest is not written yet is seen.
        assert.deepEqual(
          lines.map((l) => `${l.method} ${l.status} ${l.path}`),
          [`GET 200 /dav/${folder}/${MANIFEST_FILE}`, `GET 404 /dav/${folder}/commits/000002.json`],
        );
        const bytes = lines.reduce((n, l) => n + l.bytesIn + l.bytesOut, 0);
        assert.ok(bytes < 4096 && bytes < m1.size / 10, `idle poll moved ${bytes} bytes (database: ${m1.size})`);
      }

      const b = makeDevice('equipoB', dav(p, folder, 'equipoB'));
      const r2 = await b.engine.sync();
      assert.equal(r2.action, 'pull');
      assert.equal(r2.bytesDown, m1.size);
      assert.deepEqual(readRows(b.db), readRows(a.db));

      addRows(b.db, ['B-1', 'B-2']);
      assert.equal((await b.engine.sync()).action, 'push');
      assert.equal(manifestOf(p, folder).generation, 2);
      assert.equal((await a.engine.sync()).action, 'pull');
      assert.deepEqual(readRows(a.db).slice(-2), ['B-1', 'B-2']);
      assert.equal((await a.engine.sync()).action, 'none');
    });

    test('a concurrent writer replaces the manifest (curl) between our read and our commit: conflict, nothing overwritten', async () => {
      const p = peer();
      const folder = `race-${which}`;
      const base = `${p.url}${folder}/`;
      const a = makeDevice('equipoA', dav(p, folder, 'equipoA'));
      makeTestDb(a.db, 30, { tag: 'base' });
      assert.equal((await a.engine.sync()).action, 'push');
      const m1 = manifestOf(p, folder);

      // Another device's version, ready to be published behind our back.
      const other = makeTestDb(path.join(tmpDir('cx-other-'), 'otro.db'), 40, { tag: 'C', wal: false });
      const otherSha = await sha256File(other);
      const otherFile = 'versions/000002-otro-equipo.db';
      const otherManifest: RemoteManifest = {
        format: 'cordiax-sync/1',
        generation: 2,
        sha256: otherSha,
        size: statSync(other).size,
        encrypted: false,
        device: 'equipoC',
        time: new Date().toISOString(),
        file: otherFile,
        versions: [
          { generation: 1, sha256: m1.sha256, size: m1.size, device: m1.device, time: m1.time, file: m1.file },
        ],
      };

      // A's transport publishes the other version right after A's upload lands, before A's commit.
      const t = dav(p, folder, 'equipoA');
      const upload = t.upload.bind(t);
      let raced = false;
      t.upload = async (...args: Parameters<FileTransport['upload']>) => {
        const r = await upload(...args);
        if (!raced) {
          raced = true;
          assert.equal(curlPut(`${base}${otherFile}`, p.user, p.password, readFileSync(other)), 201);
          assert.ok(
            [201, 204].includes(curlPut(`${base}${MANIFEST_FILE}`, p.user, p.password, JSON.stringify(otherManifest))),
          );
        }
        return r;
      };
      // The same device (A's database and state, so the base is generation 1), through the racing transport. (A
      // copied state file would describe another database file: the engine refuses to push from it.)
      const a2 = {
        ...makeDevice('equipoA', t, { databasePath: a.db, statePath: path.join(a.home, 'sync_state.json') }),
        db: a.db,
      };
      addRows(a2.db, ['A-local-1']);
      const rowsBefore = readRows(a2.db);

      const out = await a2.engine.sync();
      assert.ok(raced, 'the concurrent writer ran');
      assert.equal(out.action, 'conflict');
      // The other device's manifest and object are intact; our uploaded object was removed.
      assert.deepEqual(manifestOf(p, folder), otherManifest);
      assert.equal(await sha256File(path.join(p.dataDir, folder, otherFile)), otherSha);
      assert.deepEqual(
        readdirSync(path.join(p.dataDir, folder, 'versions')).sort(),
        [m1.file.split('/')[1]!, otherFile.split('/')[1]!].sort(),
      );
      // Both versions kept: the local database untouched, the remote one saved beside it.
      assert.deepEqual(readRows(a2.db), rowsBefore);
      assert.ok(out.conflictCopy);
      assert.equal(await sha256File(out.conflictCopy!), otherSha);
      assert.ok(!readdirSync(path.join(p.dataDir, folder)).includes('cordiax-sync.lock'));
    });
  });
}

test('Apache killed in the middle of a push: the sync fails, the remote keeps the previous version; the next sync pushes and cleans up', async () => {
  const p = peers()[0]!;
  const folder = 'crash-push';
  const t = dav(p, folder, 'equipoA');
  // Armed, the transport kills Apache once 4 MiB of the upload are on their way.
  let armed = false;
  let killed: Promise<void> | undefined;
  const upload = t.upload.bind(t);
  t.upload = (local, rel, expected, opts = {}) =>
    upload(local, rel, expected, {
      ...opts,
      onProgress: (pr) => {
        opts.onProgress?.(pr);
        if (armed && !killed && pr.bytes >= 4 * 1024 * 1024) killed = apache.kill();
      },
    });
  const a = makeDevice('equipoA', t);
  makeTestDb(a.db, 20, { tag: 'v1' });
  assert.equal((await a.engine.sync()).action, 'push');
  const m1 = manifestOf(p, folder);

  makeLargeDb(a.db, 24 * 1024 * 1024); // a push big enough to be cut in the middle
  armed = true;
  await assert.rejects(a.engine.sync(), (e: { code?: string }) =>
    ['CONNECTION_RESET', 'CONNECTION_REFUSED'].includes(e.code ?? ''),
  );
  assert.ok(killed);
  await killed;
  armed = false;
  await apache.restart();
  assert.deepEqual(manifestOf(p, folder), m1);
  assert.equal(await sha256File(path.join(p.dataDir, folder, m1.file)), m1.sha256);
  // Another device still gets the previous version, whole.
  const b = makeDevice('equipoB', dav(p, folder, 'equipoB'));
  assert.equal((await b.engine.sync()).action, 'pull');
  assert.equal(readRows(b.db).length, 20);

  // Apache never renamed its own temporary file into our name, so nothing of ours was left half-written.
  const versions = path.join(p.dataDir, folder, 'versions');
  assert.deepEqual(
    readdirSync(versions).filter((n) => n.endsWith('.cxtmp')),
    [],
  );
  // Where a server writes in place (rclone), a cut upload leaves '.<name>.<rand>.cxtmp': once a day old, the next
  // push removes it; a recent one (maybe another device's upload in progress) stays.
  for (const n of ['.000009-viejo.db.aaaaaa.cxtmp', '.000009-reciente.db.bbbbbb.cxtmp']) {
    assert.equal(curlPut(`${p.url}${folder}/versions/${n}`, p.user, p.password, 'parcial'), 201);
  }
  const old = new Date(Date.now() - 2 * 24 * 3600 * 1000);
  utimesSync(path.join(versions, '.000009-viejo.db.aaaaaa.cxtmp'), old, old);
  const r = await a.engine.sync();
  assert.equal(r.action, 'push');
  assert.equal(manifestOf(p, folder).generation, 2);
  assert.deepEqual(
    readdirSync(versions).filter((n) => n.endsWith('.cxtmp')),
    ['.000009-reciente.db.bbbbbb.cxtmp'],
  );
});
