/**
 * Engine-level sync scenarios over the SMB transport against a real Samba (127.0.0.1:445): push, pull, idle poll
 * (no data moves), conflict, wrong password, missing share, and the serving smbd killed mid-upload (the remote keeps
 * its previous complete version, and the next sync recovers).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { SmbTransport } from '../src/transports/smb/index.js';
import { MANIFEST_FILE } from '../src/engine/remote-layout.js';
import type { RemoteManifest, FileTransport } from '../src/transports/types.js';
import { isSyncError } from '../src/errors.js';
import { startSamba, smbConfig, memoryLog, type SambaServer } from './helpers/samba.js';
import { makeDevice, counting } from './helpers/engine.js';
import { addRows, makeLargeDb, makeTestDb, readRows, sh, sha256File, tmpDir } from './helpers/system.js';

describe('sync engine over SMB (Samba)', () => {
  let s: SambaServer;
  const transports: FileTransport[] = [];
  before(async () => {
    s = await startSamba('default');
  });
  after(async () => {
    for (const t of transports) await t.close().catch(() => {});
    await s?.stop();
  });

  const remoteDir = () => path.join(s.shareDir, 'cordiax_sync');
  const manifest = (): RemoteManifest => JSON.parse(readFileSync(path.join(remoteDir(), MANIFEST_FILE), 'utf8'));
  const logs = new Map<SmbTransport, ReturnType<typeof memoryLog>>();
  const transport = (device: string, extra: Parameters<typeof smbConfig>[1] = {}): SmbTransport => {
    const log = memoryLog();
    const t = new SmbTransport(smbConfig(s, extra), { log, tmpDir: tmpDir(), device });
    logs.set(t, log);
    transports.push(t);
    return t;
  };

  test('push, idle poll (no data moves), pull, push back', async () => {
    const a = makeDevice('equipoA', transport('equipoA'));
    const b = makeDevice('equipoB', transport('equipoB'));
    makeTestDb(a.db, 60, { tag: 'A' });

    const r1 = await a.engine.sync();
    assert.equal(r1.action, 'push');
    const m1 = manifest();
    assert.equal(m1.generation, 1);
    assert.equal(m1.device, 'equipoA');
    assert.equal(await sha256File(path.join(remoteDir(), m1.file)), m1.sha256);
    assert.equal(r1.bytesUp, m1.size);
    assert.ok(!existsSync(path.join(remoteDir(), 'cordiax-sync.lock')), 'the lock is gone after the commit');

    // Idle poll through SMB: only the manifest is read; no data object moves, nothing changes remotely.
    const counted = counting(transport('equipoA'));
    const { SyncEngine } = await import('../src/engine/engine.js');
    const idle = new SyncEngine({
      transport: counted.t,
      databasePath: a.db,
      statePath: path.join(a.home, 'sync_state.json'),
      device: 'equipoA',
      log: a.log,
    });
    const listing = readdirSync(path.join(remoteDir(), 'versions'));
    const r = await idle.sync();
    assert.equal(r.action, 'none');
    assert.equal(r.bytesUp + r.bytesDown, 0);
    assert.deepEqual(Object.keys(counted.calls).sort(), ['open', 'readSmall']);
    assert.deepEqual(readdirSync(path.join(remoteDir(), 'versions')), listing);

    const r2 = await b.engine.sync();
    assert.equal(r2.action, 'pull');
    assert.equal(r2.bytesDown, m1.size);
    assert.deepEqual(readRows(b.db), readRows(a.db));

    addRows(b.db, ['B-1', 'B-2']);
    assert.equal((await b.engine.sync()).action, 'push');
    assert.equal(manifest().generation, 2);
    assert.equal((await a.engine.sync()).action, 'pull');
    assert.deepEqual(readRows(a.db).slice(-2), ['B-1', 'B-2']);
  });

  test('both sides changed: conflict copy kept, remote and local untouched', async () => {
    const a = makeDevice('equipoC', transport('equipoC', { remote_path: '/conflicto/' }));
    const b = makeDevice('equipoD', transport('equipoD', { remote_path: '/conflicto/' }));
    makeTestDb(a.db, 10, { tag: 'base' });
    await a.engine.sync();
    await b.engine.sync();
    addRows(a.db, ['solo-C']);
    addRows(b.db, ['solo-D']);
    assert.equal((await a.engine.sync()).action, 'push');
    const remoteBefore = readFileSync(path.join(s.shareDir, 'conflicto', MANIFEST_FILE), 'utf8');
    const dRows = readRows(b.db);
    const c = await b.engine.sync();
    assert.equal(c.action, 'conflict');
    assert.ok(c.conflictCopy && readRows(c.conflictCopy).includes('solo-C'));
    assert.deepEqual(readRows(b.db), dRows);
    assert.equal(readFileSync(path.join(s.shareDir, 'conflicto', MANIFEST_FILE), 'utf8'), remoteBefore);
  });

  test('wrong password: AUTH_FAILED, no success logged, password nowhere in the log', async () => {
    const a = makeDevice('equipoE', transport('equipoE', { password: 'Contraseña-Mala-1', remote_path: '/e/' }));
    makeTestDb(a.db, 5);
    await assert.rejects(a.engine.sync(), (e) => isSyncError(e, 'AUTH_FAILED'));
    const events = a.log.recent(50);
    assert.ok(!events.some((e) => e.type === 'sync_end'));
    assert.ok(events.some((e) => e.type === 'error' && e.code === 'AUTH_FAILED'));
    assert.ok(!JSON.stringify(events).includes('Contraseña-Mala-1'));
    assert.ok(!existsSync(path.join(s.shareDir, 'e')));
  });

  test('missing share: NOT_FOUND', async () => {
    const a = makeDevice('equipoF', transport('equipoF', { share_name: 'no-existe' }));
    makeTestDb(a.db, 5);
    await assert.rejects(a.engine.sync(), (e) => isSyncError(e, 'NOT_FOUND'));
  });

  test('server process killed mid-upload: the remote keeps its previous complete version; next sync recovers', async () => {
    const t = transport('equipoG', { remote_path: '/killed/' });
    const a = makeDevice('equipoG', t);
    makeTestDb(a.db, 20, { tag: 'v1' });
    assert.equal((await a.engine.sync()).action, 'push');
    const dir = path.join(s.shareDir, 'killed');
    const m1 = JSON.parse(readFileSync(path.join(dir, MANIFEST_FILE), 'utf8')) as RemoteManifest;

    makeLargeDb(a.db, 24 * 1024 * 1024);
    // Kill the smbd process serving this transport once a few MiB of the new version are on the wire.
    const upload = t.upload.bind(t);
    let killed = false;
    t.upload = (local, rel, expected, opts = {}) =>
      upload(local, rel, expected, {
        ...opts,
        onProgress: (p) => {
          opts.onProgress?.(p);
          if (!killed && p.bytes > 4 * 1024 * 1024) {
            killed = true;
            const pids = sh('smbstatus', ['-s', s.conf, '-p'])
              .stdout.split('\n')
              .map((l) => /^\s*(\d+)\s+cxsmb\b/.exec(l)?.[1])
              .filter(Boolean)
              .map(Number);
            process.kill(Math.max(...pids), 'SIGKILL');
          }
        },
      });
    const err = await a.engine.sync().catch((e) => e);
    assert.ok(killed, 'the kill happened during the upload');
    assert.ok(isSyncError(err, 'CONNECTION_RESET') || isSyncError(err, 'TIMEOUT'), String(err));

    // The manifest still names the previous, complete version, and that object is intact.
    const after = JSON.parse(readFileSync(path.join(dir, MANIFEST_FILE), 'utf8')) as RemoteManifest;
    assert.deepEqual(after, m1);
    assert.equal(await sha256File(path.join(dir, m1.file)), m1.sha256);
    // A fresh device pulls exactly that previous version.
    const b = makeDevice('equipoH', transport('equipoH', { remote_path: '/killed/' }));
    assert.equal((await b.engine.sync()).action, 'pull');
    assert.equal(readRows(b.db).length, 20);
    assert.equal(readRows(b.db)[0], 'v1-0');

    // The next sync of the interrupted device reconnects and publishes the new version.
    t.upload = upload;
    const again = await a.engine.sync();
    assert.equal(again.action, 'push');
    const m2 = JSON.parse(readFileSync(path.join(dir, MANIFEST_FILE), 'utf8')) as RemoteManifest;
    assert.equal(m2.generation, m1.generation + 1);
    assert.equal(await sha256File(path.join(dir, m2.file)), m2.sha256);
    assert.ok(m2.size > 20 * 1024 * 1024);
    assert.equal((await b.engine.sync()).action, 'pull');
    assert.ok(statSync(b.db).size > 20 * 1024 * 1024, 'B now holds the large version');
    // The transport said what happened: connected, lost the connection, reconnected.
    const kinds = logs.get(t)!.events.map((e) => `${e.type}${e.level ? `:${e.level}` : ''}`);
    assert.deepEqual(kinds, ['connect', 'disconnect:warn', 'connect']);
    assert.match(logs.get(t)!.events[2].text.es, /Reconectado/);
  });
});
