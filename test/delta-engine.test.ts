// Delta sync through the engine against real remotes (folder target, Apache WebDAV): the scenarios of
// test/helpers/delta-scenarios.ts (Samba: test/delta-smb.serial.test.ts).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { MANIFEST_FILE } from '../src/engine/remote-layout.js';
import type { FileTransport, RemoteManifest } from '../src/transports/types.js';
import { folderRemote, makeDevice } from './helpers/engine.js';
import { davTransport, memoryLogger, startApache, type ApacheServer } from './helpers/apache.js';
import { type DeltaTarget, deltaScenarios } from './helpers/delta-scenarios.js';
import { sha256File } from './helpers/system.js';
import Database from 'better-sqlite3';

let apache: ApacheServer | null = null;
const opened: FileTransport[] = [];
before(async () => {
  apache = await startApache();
});
after(async () => {
  for (const t of opened) await t.close().catch(() => {});
  await apache?.stop();
});

let folders = 0;
const targets: Array<{ name: string; make: () => DeltaTarget }> = [
  {
    name: 'folder',
    make: () => {
      const r = folderRemote();
      return { name: 'folder', root: r.root, transport: () => r.transport() };
    },
  },
  {
    name: 'Apache WebDAV',
    make: () => {
      const folder = `delta-${process.pid}-${++folders}`;
      const a = apache!;
      return {
        name: 'Apache WebDAV',
        root: path.join(a.dataDir, folder),
        transport: (device) => {
          const t = davTransport(
            { url: `${a.origin}/dav/`, username: a.user, password: a.password, remote_path: `/${folder}/` },
            memoryLogger(),
            device,
          );
          opened.push(t);
          return t;
        },
      };
    },
  },
];

for (const { name, make } of targets) describe(`delta sync (${name})`, () => deltaScenarios(make));

test('sha256File helper agrees with the manifest of a base (sanity)', async () => {
  const r = folderRemote();
  const a = makeDevice('equipoA', r.transport());
  const db = new Database(a.db);
  db.exec('CREATE TABLE notas (id INTEGER PRIMARY KEY, texto TEXT)');
  db.close();
  await a.engine.sync();
  const m = JSON.parse(readFileSync(path.join(r.root, MANIFEST_FILE), 'utf8')) as RemoteManifest;
  assert.equal(await sha256File(path.join(r.root, m.file)), m.sha256);
});

test('upload verification: large objects by size (auto), patches read back, everything read back with verify "full"', async () => {
  const { makeLargeDb, addRows } = await import('./helpers/system.js');
  for (const verify of ['auto', 'full'] as const) {
    const r = folderRemote();
    const t = r.transport();
    const seen: Array<{ rel: string; verify: string | undefined }> = [];
    const upload = t.upload.bind(t);
    t.upload = (local, rel, expected, opts) => {
      seen.push({ rel, verify: opts?.verify });
      return upload(local, rel, expected, opts);
    };
    const a = makeDevice('equipoA', t, { verify });
    makeLargeDb(a.db, 20 * 1024 * 1024);
    const db = new Database(a.db);
    db.exec('CREATE TABLE IF NOT EXISTS notas (id INTEGER PRIMARY KEY, texto TEXT)');
    db.close();
    assert.equal((await a.engine.sync()).action, 'push');
    addRows(a.db, ['uno']);
    assert.equal((await a.engine.sync()).action, 'push');
    assert.deepEqual(
      seen.map((s) => `${s.rel.endsWith('.patch') ? 'patch' : 'base'}:${s.verify}`),
      verify === 'full' ? ['base:full', 'patch:full'] : ['base:size', 'patch:full'],
    );
  }
});

test('a locked device without an identity never puts an encrypted patch in place of its .enc: the version waits', async () => {
  const { x25519Encryption, x25519Keys } = await import('./helpers/age.js');
  const { addRows, makeTestDb } = await import('./helpers/system.js');
  const { copyFileSync, existsSync } = await import('node:fs');
  const r = folderRemote();
  const k = x25519Keys((await import('./helpers/system.js')).tmpDir());
  const a = makeDevice('equipoA', r.transport(), { encryption: x25519Encryption(k.recipient, k.file) });
  makeTestDb(a.db, 200);
  assert.equal((await a.engine.sync()).action, 'push');
  // C holds only the .enc of generation 1 and no identity (it can encrypt, not decrypt).
  const c = makeDevice('equipoC', r.transport(), { encryption: x25519Encryption(k.recipient) });
  const m1 = JSON.parse(readFileSync(path.join(r.root, MANIFEST_FILE), 'utf8')) as RemoteManifest;
  copyFileSync(path.join(r.root, m1.file), `${c.db}.enc`);
  assert.equal((await c.engine.sync()).action, 'none');
  addRows(a.db, ['nueva']);
  assert.equal((await a.engine.sync()).action, 'push');
  assert.ok((JSON.parse(readFileSync(path.join(r.root, MANIFEST_FILE), 'utf8')) as RemoteManifest).delta);
  const before = readFileSync(`${c.db}.enc`);
  const out = await c.engine.sync();
  assert.equal(out.action, 'pending');
  assert.ok(readFileSync(`${c.db}.enc`).equals(before), 'the .enc is untouched');
  assert.equal(existsSync(c.db), false, 'nothing plaintext');
});

test('a delta pull is checked and hashed once (handed to the restore); an unchanged local skips quick_check, a changed one never does', async () => {
  const { addRows, makeTestDb } = await import('./helpers/system.js');
  const { LocalDb } = await import('../src/engine/local-db.js');
  const snapshots = await import('../src/db/snapshot.js');
  const r = folderRemote();
  const a = makeDevice('equipoA', r.transport());
  const b = makeDevice('equipoB', r.transport());
  makeTestDb(a.db, 300);
  assert.equal((await a.engine.sync()).action, 'push');
  assert.equal((await b.engine.sync()).action, 'pull');
  addRows(a.db, ['una fila']);
  assert.equal((await a.engine.sync()).action, 'push');

  const handed: Array<{ contentSha256: string } | undefined> = [];
  const apply = LocalDb.prototype.applyDownload;
  LocalDb.prototype.applyDownload = function (this: InstanceType<typeof LocalDb>, ...args) {
    handed.push(args[5]);
    return apply.apply(this, args);
  };
  try {
    const out = await b.engine.sync();
    assert.equal(out.action, 'pull');
    assert.ok(out.delta?.patches, 'pulled as a patch');
  } finally {
    LocalDb.prototype.applyDownload = apply;
  }
  assert.equal(handed.length, 1);
  const sa = await snapshots.takeSnapshot(a.db);
  const sb = await snapshots.takeSnapshot(b.db);
  assert.equal(sb.sha256, sa.sha256, 'B holds exactly what A pushed');
  assert.equal(handed[0]?.contentSha256, sb.contentSha256, 'the restore was handed the checked content hash');
  await sa.dispose();
  await sb.dispose();

  // B's next plan: its content is the one it verified at the pull, so its snapshot skips quick_check...
  const local = new LocalDb({ databasePath: b.db, backupsDir: path.join(b.home, 'backups'), log: { emit() {} } });
  const st = await b.engine.targetState();
  const same = await local.contentHash({ verified: st.base?.localSha256 });
  assert.equal(same.snapshot?.checked, false);
  await same.snapshot?.dispose();
  // ...while a changed one is checked, and a corrupt changed one is never pushed.
  addRows(b.db, ['otra']);
  const changed = await local.contentHash({ verified: st.base?.localSha256 });
  assert.equal(changed.snapshot?.checked, true);
  await changed.snapshot?.dispose();
  const bytes = readFileSync(b.db);
  const pageSize = bytes.readUInt16BE(16) === 1 ? 65536 : bytes.readUInt16BE(16);
  bytes.fill(0x5a, pageSize, 2 * pageSize);
  const { writeFileSync } = await import('node:fs');
  writeFileSync(b.db, bytes);
  const head = JSON.parse(readFileSync(path.join(r.root, MANIFEST_FILE), 'utf8')) as RemoteManifest;
  await assert.rejects(b.engine.sync(), { code: 'CORRUPT_DATABASE' });
  const after = JSON.parse(readFileSync(path.join(r.root, MANIFEST_FILE), 'utf8')) as RemoteManifest;
  assert.equal(after.generation, head.generation, 'nothing was pushed');
});
