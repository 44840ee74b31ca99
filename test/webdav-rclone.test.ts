// The WebDAV transport against `rclone serve webdav`: a lenient server that ignores If-Match / If-None-Match.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { isSyncError } from '../src/errors.js';
import type { FileTransport } from '../src/transports/types.js';
import { curlPut, davTransport, memoryLogger, raceConditionalWrites, randomFile } from './helpers/apache.js';
import { startRclone, type RcloneServer } from './helpers/rclone.js';
import { sha256File, tmpDir } from './helpers/system.js';

let r: RcloneServer;
const work = tmpDir('cx-rc-work-');
const open: FileTransport[] = [];
function dav(webdav: Record<string, unknown>): FileTransport {
  const t = davTransport({ url: r.url, username: r.user, password: r.password, ...webdav }, memoryLogger());
  open.push(t);
  return t;
}

before(async () => {
  r = await startRclone();
});
after(async () => {
  for (const t of open) await t.close();
  r.stop();
});

test('rclone: missing folder created, upload/download verified by bytes and hash', async () => {
  const t = dav({ remote_path: '/a/b/cordiax_sync/' });
  await t.mkdirp('versions');
  assert.ok(statSync(path.join(r.dataDir, 'a', 'b', 'cordiax_sync', 'versions')).isDirectory());
  const file = await randomFile(path.join(work, 'f.bin'), 2 * 1024 * 1024 + 3);
  const sha256 = await sha256File(file);
  const up = await t.upload(file, 'versions/1.db', { size: 2 * 1024 * 1024 + 3, sha256 });
  assert.equal(up.sha256, sha256);
  assert.equal(await sha256File(path.join(r.dataDir, 'a', 'b', 'cordiax_sync', 'versions', '1.db')), sha256);
  assert.deepEqual(readdirSync(path.join(r.dataDir, 'a', 'b', 'cordiax_sync', 'versions')), ['1.db']);
  const back = path.join(work, 'f.back');
  assert.deepEqual(await t.download('versions/1.db', back), { size: 2 * 1024 * 1024 + 3, sha256 });
  await assert.rejects(t.upload(file, 'versions/1.db', { size: 2 * 1024 * 1024 + 3, sha256 }), (e) =>
    isSyncError(e, 'ALREADY_EXISTS'),
  );
});

test('rclone: conditional writes are detected as NOT enforced; the connection test says so; best-effort checks still refuse stale versions', async () => {
  const t = dav({ remote_path: '/cond/' });
  const g = await t.guarantees();
  assert.equal(g.conditionalWrite, false);
  // No If-None-Match, but rclone enforces a LOCK on the missing file itself: creates are serialised under it.
  assert.equal(g.lockMode, 'target');
  assert.equal(g.exclusiveCreate, true);
  const rep = await t.test();
  assert.equal(rep.ok, true, JSON.stringify(rep.error));
  assert.equal(rep.facts.if_match, false);
  assert.match(rep.steps.find((s) => s.id === 'if-match')!.text.es, /NO respeta/);
  assert.equal(rep.guarantees?.conditionalWrite, false);
  const v1 = await t.writeSmall('m.json', Buffer.from('uno'), { ifVersion: null });
  await assert.rejects(t.writeSmall('m.json', Buffer.from('dos'), { ifVersion: null }), (e) =>
    isSyncError(e, 'PRECONDITION_FAILED'),
  );
  // Someone else rewrites it on the server: our stale version is refused by the stat-before-write check.
  assert.equal(curlPut(`${r.url}cond/m.json`, r.user, r.password, 'de otro equipo'), 201);
  await assert.rejects(t.writeSmall('m.json', Buffer.from('tres'), { ifVersion: v1.version! }), (e) =>
    isSyncError(e, 'PRECONDITION_FAILED'),
  );
  assert.equal(readFileSync(path.join(r.dataDir, 'cond', 'm.json'), 'utf8'), 'de otro equipo');
  const cur = await t.readSmall('m.json');
  await t.writeSmall('m.json', Buffer.from('cuatro'), { ifVersion: cur!.version! });
  assert.equal(readFileSync(path.join(r.dataDir, 'cond', 'm.json'), 'utf8'), 'cuatro');
  assert.equal(await t.createExclusive('lock.json', Buffer.from('a')), true);
  assert.equal(await t.createExclusive('lock.json', Buffer.from('b')), false);
  assert.equal(readFileSync(path.join(r.dataDir, 'cond', 'lock.json'), 'utf8'), 'a');
});

test('rclone: six devices racing for the same conditional write: exactly one wins (check + write under a WebDAV LOCK)', async () => {
  const racers = Array.from({ length: 6 }, (_, i) =>
    davTransport(
      { url: r.url, username: r.user, password: r.password, remote_path: '/race/' },
      memoryLogger(),
      `equipo${i}`,
    ),
  );
  open.push(...racers);
  await raceConditionalWrites(racers, path.join(r.dataDir, 'race'), 4);
});

test('rclone: wrong password is AUTH_FAILED, never success', async () => {
  const t = dav({ password: 'incorrecta', remote_path: '/x/' });
  await assert.rejects(t.open(), (e) => isSyncError(e, 'AUTH_FAILED'));
  const rep = await t.test();
  assert.equal(rep.ok, false);
  assert.equal(rep.error?.code, 'AUTH_FAILED');
});
