// The commit protocol at the layout level (FileRemote) against real servers: a folder, Apache mod_dav and rclone
// serve webdav. Racing writers (ledger: exactly one commit per generation, every loser told), lineage (restored
// backup, deleted manifest, emptied remote), a v0.1 remote upgraded in place, and the connection test's guarantee.
import test, { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { checkLineage, recordAfterSync } from '../src/engine/lineage.js';
import { COMMITS_DIR, FileRemote, ID_FILE, MANIFEST_FILE, commitPath } from '../src/engine/remote-layout.js';
import { FolderTransport } from '../src/transports/folder/index.js';
import type { FileTransport, RemoteManifest } from '../src/transports/types.js';
import { davTransport, memoryLogger, startApache, type ApacheServer } from './helpers/apache.js';
import { startRclone, type RcloneServer } from './helpers/rclone.js';
import { checkLedger, type Attempt } from './helpers/commit-ledger.js';
import { isRoot, sh, tmpDir } from './helpers/system.js';

let apache: ApacheServer;
let rclone: RcloneServer;
const open: FileTransport[] = [];

before(async () => {
  apache = await startApache();
  // The tests edit and restore files on disk behind the server's back, as an administrator would: no listing cache.
  rclone = await startRclone(['--dir-cache-time', '0s']);
});
after(async () => {
  for (const t of open) await t.close().catch(() => {});
  await apache?.stop();
  rclone?.stop();
});

interface Peer {
  name: string;
  /** A new transport (one per device) on `folder` of this peer. */
  transport(folder: string, device: string): FileTransport;
  /** Where `folder` lives on disk. */
  dir(folder: string): string;
  guarantee: string;
}

const peers = (): Peer[] => [
  {
    name: 'folder',
    transport: (folder, device) =>
      new FolderTransport(path.join(folderRoot, folder), { log: memoryLogger(), tmpDir: tmpDir(), device }),
    dir: (folder) => path.join(folderRoot, folder),
    guarantee: 'atomic-create',
  },
  {
    name: 'apache',
    transport: (folder, device) =>
      davTransport(
        { url: `${apache.origin}/dav/`, username: apache.user, password: apache.password, remote_path: `/${folder}/` },
        memoryLogger(),
        device,
      ),
    dir: (folder) => path.join(apache.dataDir, folder),
    guarantee: 'atomic-create',
  },
  {
    name: 'rclone',
    transport: (folder, device) =>
      davTransport(
        { url: rclone.url, username: rclone.user, password: rclone.password, remote_path: `/${folder}/` },
        memoryLogger(),
        device,
      ),
    dir: (folder) => path.join(rclone.dataDir, folder),
    // rclone ignores If-None-Match but enforces a LOCK on the missing file itself: creates are serialised under it.
    guarantee: 'atomic-create',
  },
];
const folderRoot = tmpDir('cx-commit-folder-');

/** Files put back on disk by the test belong to the server again (Apache runs as www-data when we are root). */
function serverOwns(p: Peer, dir: string): void {
  if (p.name === 'apache' && isRoot) assert.equal(sh('chown', ['-R', 'www-data:www-data', dir]).status, 0);
}

function remoteFor(p: Peer, folder: string, device: string): FileRemote {
  const t = p.transport(folder, device);
  open.push(t);
  return new FileRemote(t, { device, keepVersions: 50, log: memoryLogger() });
}

/** A file of random bytes: each device's "database" is different, so every version has its own sha256. */
function payload(dir: string, name: string): { file: string; sha256: string; size: number } {
  const data = randomBytes(2048 + Math.floor(Math.random() * 2048));
  const file = path.join(dir, name);
  writeFileSync(file, data);
  return { file, sha256: createHash('sha256').update(data).digest('hex'), size: data.length };
}

async function attempt(r: FileRemote, device: string, work: string, base: number | null): Promise<Attempt> {
  const p = payload(work, `${device}-${randomBytes(4).toString('hex')}.db`);
  try {
    const out = await r.push(p.file, {
      sha256: p.sha256,
      size: p.size,
      encrypted: false,
      device,
      baseGeneration: base,
    });
    if (out.manifest) return { result: 'ok', device, sha256: p.sha256, base, generation: out.manifest.generation };
    return { result: 'conflict', device, sha256: p.sha256, base };
  } catch (err) {
    return { result: 'error', device, sha256: p.sha256, base, code: (err as { code?: string }).code ?? String(err) };
  }
}

for (const p of peers()) {
  test(`${p.name}: 5 devices racing for the same generation, 8 rounds: exactly one commit per generation, every loser told`, async () => {
    const folder = `race-${randomBytes(3).toString('hex')}`;
    const work = tmpDir('cx-commit-work-');
    const devices = Array.from({ length: 5 }, (_, i) => remoteFor(p, folder, `equipo${i}`));
    const attempts: Attempt[] = [];
    for (let round = 0; round < 8; round++) {
      const base = (await devices[0]!.head())?.generation ?? null;
      attempts.push(...(await Promise.all(devices.map((d, i) => attempt(d, `equipo${i}`, work, base)))));
    }
    // LOCKED: a device that waited too long for the lock on a lock-based server: told, nothing written.
    const s = await checkLedger(devices[0]!, p.dir(folder), attempts, ['LOCKED']);
    assert.equal(s.generations, 8, JSON.stringify(s));
    assert.equal(s.okAtPush + s.conflicts + s.errors + s.caughtByLineage, 40);
    // Nothing left behind that is not referenced: no stray objects, no lock.
    const head = (await devices[0]!.head())!;
    const referenced = new Set([head.file, ...(head.versions ?? []).map((v) => v.file)].map((f) => f.split('/')[1]));
    assert.deepEqual(
      readdirSync(path.join(p.dir(folder), 'versions'))
        .filter((f) => !f.startsWith('.'))
        .sort(),
      [...referenced].sort(),
    );
    assert.equal(existsSync(path.join(p.dir(folder), 'cordiax-sync.lock')), false);
    console.log(`[commit-race] ${p.name}: ${JSON.stringify(s)}`);
  });

  test(`${p.name}: the commit record is the commit point; a deleted manifest loses nothing; records written before the manifest are seen`, async () => {
    const folder = `head-${randomBytes(3).toString('hex')}`;
    const work = tmpDir('cx-commit-work-');
    const a = remoteFor(p, folder, 'equipoA');
    const attempts = [
      await attempt(a, 'A', work, null),
      await attempt(a, 'A', work, 1),
      await attempt(a, 'A', work, 2),
    ];
    assert.deepEqual(
      attempts.map((x) => x.result),
      ['ok', 'ok', 'ok'],
    );
    const dir = p.dir(folder);
    const head = JSON.parse(readFileSync(path.join(dir, MANIFEST_FILE), 'utf8')) as RemoteManifest;
    assert.equal(head.generation, 3);
    assert.deepEqual(
      readFileSync(path.join(dir, commitPath(3))),
      readFileSync(path.join(dir, MANIFEST_FILE)),
      'the manifest is a copy of the newest record',
    );
    assert.deepEqual(head.parent, { generation: 2, sha256: attempts[1]!.sha256 });
    assert.match(head.remote_id ?? '', /^[A-Za-z0-9_-]{22}$/);
    assert.equal(
      (JSON.parse(readFileSync(path.join(dir, ID_FILE), 'utf8')) as { remote_id: string }).remote_id,
      head.remote_id,
    );

    // Manifest deleted: the head is still generation 3 (from the records), nothing to re-push.
    rmSync(path.join(dir, MANIFEST_FILE));
    const b = remoteFor(p, folder, 'equipoB');
    assert.equal((await b.head())?.sha256, attempts[2]!.sha256);
    // A manifest behind the records (a writer died between record and manifest): the record wins.
    writeFileSync(path.join(dir, MANIFEST_FILE), readFileSync(path.join(dir, commitPath(2))));
    assert.equal((await b.head())?.generation, 3);
    assert.equal((await attempt(b, 'B', work, 2)).result, 'conflict', 'a push based on the stale manifest is refused');
    assert.equal((await attempt(b, 'B', work, 3)).result, 'ok');
    assert.equal((JSON.parse(readFileSync(path.join(dir, MANIFEST_FILE), 'utf8')) as RemoteManifest).generation, 4);
  });

  test(`${p.name}: lineage catches a remote restored from an older backup and an emptied remote`, async () => {
    const folder = `lineage-${randomBytes(3).toString('hex')}`;
    const work = tmpDir('cx-commit-work-');
    const dir = p.dir(folder);
    const a = remoteFor(p, folder, 'equipoA');
    await attempt(a, 'A', work, null);
    await attempt(a, 'A', work, 1);
    const backup = path.join(tmpDir('cx-commit-backup-'), 'copy');
    cpSync(dir, backup, { recursive: true, preserveTimestamps: true });
    const third = await attempt(a, 'A', work, 2);
    assert.equal(third.result, 'ok');
    const record = recordAfterSync(null, (await a.head())!, true);
    assert.equal(checkLineage({ recorded: record, head: await a.head() }).verdict, 'ok');

    // Restored from the backup (generation 3 -> 2), same identity: went back, a conflict, never a silent pull.
    rmSync(dir, { recursive: true });
    cpSync(backup, dir, { recursive: true, preserveTimestamps: true });
    serverOwns(p, dir);
    const restored = await a.head();
    assert.equal(restored?.generation, 2);
    assert.equal(restored?.remote_id, record.remoteId);
    const v1 = checkLineage({ recorded: record, head: restored });
    assert.equal(v1.verdict, 'generation-went-back');
    assert.equal(v1.conflict, true);
    // ...and after someone pushes on top of the restored copy (generation 3 again, other bytes): our commit is lost.
    const b = remoteFor(p, folder, 'equipoB');
    assert.equal((await attempt(b, 'B', work, 2)).result, 'ok');
    const entry = await a.lineageEntry(3);
    assert.equal(
      checkLineage({ recorded: record, head: await a.head(), entries: entry ? [entry] : [] }).verdict,
      'our-commit-lost',
    );

    // Everything deleted: "remote empty" is never taken at face value by a device that synced with it.
    for (const f of readdirSync(dir)) rmSync(path.join(dir, f), { recursive: true });
    assert.equal(await a.head(), null);
    assert.equal(checkLineage({ recorded: record, head: null }).verdict, 'manifest-disappeared');
    // Recreated by a device that pushes anew: another identity.
    assert.equal((await attempt(b, 'B', work, null)).result, 'ok');
    assert.equal(
      checkLineage({ recorded: { ...record, highestGeneration: 1, lastSynced: null }, head: await a.head() }).verdict,
      'remote-identity-changed',
    );
  });

  test(`${p.name}: a remote written by v0.1 (manifest + versions/, no commits/) keeps working and upgrades in place`, async () => {
    const folder = `v01-${randomBytes(3).toString('hex')}`;
    const work = tmpDir('cx-commit-work-');
    const dir = p.dir(folder);
    // Lay it out through the transport (the server's own permissions), exactly as v0.1 did.
    const t = p.transport(folder, 'viejo');
    open.push(t);
    await t.open();
    await t.mkdirp('versions');
    const old = payload(work, 'old.db');
    await t.upload(old.file, 'versions/000001-20250101T000000Z-abc.db', { size: old.size, sha256: old.sha256 });
    const v01 = {
      format: 'cordiax-sync/1',
      generation: 1,
      sha256: old.sha256,
      size: old.size,
      encrypted: false,
      device: 'viejo',
      time: '2025-01-01T00:00:00.000Z',
      file: 'versions/000001-20250101T000000Z-abc.db',
      versions: [],
    };
    await t.writeSmall(MANIFEST_FILE, Buffer.from(JSON.stringify(v01, null, 2)));
    const a = remoteFor(p, folder, 'equipoA');
    const h1 = await a.head();
    assert.equal(h1?.generation, 1);
    assert.equal(h1?.remote_id, undefined, 'no identity yet: unknown, not a violation');
    assert.equal(h1?.parent, undefined);
    const up = await attempt(a, 'A', work, 1);
    assert.equal(up.result, 'ok');
    const rec = JSON.parse(readFileSync(path.join(dir, commitPath(2)), 'utf8')) as RemoteManifest;
    assert.deepEqual(rec.parent, { generation: 1, sha256: old.sha256 });
    assert.ok(rec.remote_id);
    assert.deepEqual(
      readdirSync(path.join(dir, COMMITS_DIR)).filter((f) => !f.startsWith('.')),
      ['000002.json'],
    );
    // A v0.1 client writes generation 3 over the manifest (it drops the lineage fields): still read, identity kept.
    const again = payload(work, 'again.db');
    await t.upload(again.file, 'versions/000003-20250101T000000Z-def.db', { size: again.size, sha256: again.sha256 });
    await t.writeSmall(
      MANIFEST_FILE,
      Buffer.from(
        JSON.stringify({
          ...v01,
          generation: 3,
          sha256: again.sha256,
          size: again.size,
          file: 'versions/000003-20250101T000000Z-def.db',
        }),
      ),
    );
    const h3 = await a.head();
    assert.equal(h3?.generation, 3);
    assert.equal(h3?.remote_id, rec.remote_id, 'the identity comes from cordiax-sync.id');
    assert.equal((await attempt(a, 'A', work, 3)).result, 'ok');
    assert.equal((await a.head())?.remote_id, rec.remote_id);
  });

  test(`${p.name}: the connection test states the commit guarantee in Spanish and English`, async () => {
    const t = p.transport(`probe-${randomBytes(3).toString('hex')}`, 'equipoA');
    open.push(t);
    const rep = await t.test();
    assert.equal(rep.ok, true, JSON.stringify(rep.error));
    assert.equal(rep.facts.commit_guarantee, p.guarantee);
    const step = rep.steps.find((s) => s.id === 'commit');
    assert.ok(step?.ok);
    assert.match(step!.text.es, p.guarantee === 'atomic-create' ? /^Creación atómica/ : /^Bloqueo/);
    assert.match(step!.text.en, p.guarantee === 'atomic-create' ? /^Atomic create/ : /^Lock/);
  });
}

test('a damaged lineage field is refused, never trusted; a missing one is unknown', async () => {
  const dir = tmpDir('cx-commit-damaged-');
  mkdirSync(path.join(dir, 'r'));
  const t = new FolderTransport(path.join(dir, 'r'), { log: memoryLogger(), tmpDir: tmpDir(), device: 'x' });
  const r = new FileRemote(t, { device: 'x', keepVersions: 5, log: memoryLogger() });
  const base = {
    format: 'cordiax-sync/1',
    generation: 2,
    sha256: 'a'.repeat(64),
    size: 1,
    encrypted: false,
    device: 'x',
    time: '',
    file: 'versions/x.db',
  };
  writeFileSync(
    path.join(dir, 'r', MANIFEST_FILE),
    JSON.stringify({ ...base, parent: { generation: 5, sha256: 'b'.repeat(64) } }),
  );
  await assert.rejects(r.head(), { code: 'PROTOCOL' });
  writeFileSync(path.join(dir, 'r', MANIFEST_FILE), JSON.stringify({ ...base, remote_id: '../../etc' }));
  await assert.rejects(r.head(), { code: 'PROTOCOL' });
  writeFileSync(path.join(dir, 'r', MANIFEST_FILE), JSON.stringify(base));
  assert.equal((await r.head())?.parent, undefined);
});
