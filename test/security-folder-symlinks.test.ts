/**
 * Issue 14: a folder remote never follows a symbolic link out of the remote folder. The attacks are performed as the
 * review did: another local user (nobody, via setpriv) plants links in a shared, world-writable remote folder, and
 * our sync (root here) must refuse (PROTOCOL, a hostile remote state) instead of writing, deleting or reading through them.
 */
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { makeDevice } from './helpers/engine.js';
import { addRows, makeTestDb, tmpDir, unavailable } from './helpers/system.js';
import { asNobody, secondUserUnavailable, sharedFolder } from './helpers/second-user.js';
import { FolderTransport } from '../src/transports/folder/index.js';
import { MANIFEST_FILE } from '../src/engine/remote-layout.js';
import { toSyncError } from '../src/errors.js';
import type { RemoteManifest } from '../src/transports/types.js';

/** The share's owner opens it to everyone, as a permissive network drive is. */
function shareWithEveryone(dir: string): void {
  assert.equal(spawnSync('chmod', ['-R', 'a+rwX', dir]).status, 0);
}

const ctx = (device: string) => ({ log: { emit() {} }, tmpDir: tmpDir(), device });

function snapshotOf(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const n of readdirSync(dir).sort()) out[n] = readFileSync(path.join(dir, n), 'hex');
  return out;
}

async function refusal(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    return toSyncError(err).code;
  }
  return 'no error';
}

test('a versions/ link planted by another user: the push is refused and nothing is written or pruned outside', async (t) => {
  const why = secondUserUnavailable();
  if (why) return unavailable(t, why);
  const { shared } = sharedFolder('remote');
  // The victim's own files outside the remote, with names like version objects (pruning deletes by name).
  const victim = tmpDir('cx-victim-');
  writeFileSync(path.join(victim, '000001-aaaaaaaaaaaa.db'), 'victim data 1');
  writeFileSync(path.join(victim, 'notes.txt'), 'victim data 2');
  const before = snapshotOf(victim);

  const root = path.join(shared, 'cordiax_sync');
  asNobody(['mkdir', '-m', '0777', root]);
  asNobody(['ln', '-s', victim, path.join(root, 'versions')]);

  const a = makeDevice('equipoA', new FolderTransport(root, ctx('equipoA')), { keepVersions: 1 });
  makeTestDb(a.db, 20, { tag: 'A' });
  assert.equal(await refusal(a.engine.sync()), 'PROTOCOL');
  assert.deepEqual(snapshotOf(victim), before, 'nothing written or removed in the folder the link points to');
  assert.equal(existsSync(path.join(root, MANIFEST_FILE)), false, 'nothing published');
});

test('versions/ swapped for a link after a push: the next push and its pruning are refused', async (t) => {
  const why = secondUserUnavailable();
  if (why) return unavailable(t, why);
  const { shared } = sharedFolder('remote');
  const root = path.join(shared, 'cordiax_sync');
  const a = makeDevice('equipoA', new FolderTransport(root, ctx('equipoA')), { keepVersions: 1 });
  makeTestDb(a.db, 20, { tag: 'A' });
  assert.equal((await a.engine.sync()).action, 'push');
  const m1 = JSON.parse(readFileSync(path.join(root, MANIFEST_FILE), 'utf8')) as RemoteManifest;

  // A world-writable share (as its owner set it up): the other user moves versions/ away and points the name at the victim's folder, which
  // holds a file with the name the manifest gives the object (keep_versions 1: the next push would prune it).
  shareWithEveryone(root);
  const victim = tmpDir('cx-victim-');
  writeFileSync(path.join(victim, path.basename(m1.file)), 'victim data');
  const before = snapshotOf(victim);
  asNobody(['mv', path.join(root, 'versions'), path.join(root, 'versions.old')]);
  asNobody(['ln', '-s', victim, path.join(root, 'versions')]);

  addRows(a.db, ['A-2']);
  assert.equal(await refusal(a.engine.sync()), 'PROTOCOL');
  assert.deepEqual(snapshotOf(victim), before, 'the file outside the remote was neither overwritten nor pruned');
  const m = JSON.parse(readFileSync(path.join(root, MANIFEST_FILE), 'utf8')) as RemoteManifest;
  assert.equal(m.generation, 1, 'no generation published through the link');
});

test('a version object replaced by a link to a file outside the remote: the pull refuses to read it', async (t) => {
  const why = secondUserUnavailable();
  if (why) return unavailable(t, why);
  const { shared } = sharedFolder('remote');
  const root = path.join(shared, 'cordiax_sync');
  const a = makeDevice('equipoA', new FolderTransport(root, ctx('equipoA')));
  makeTestDb(a.db, 20, { tag: 'A' });
  assert.equal((await a.engine.sync()).action, 'push');
  const m1 = JSON.parse(readFileSync(path.join(root, MANIFEST_FILE), 'utf8')) as RemoteManifest;
  const object = path.join(root, m1.file);

  // The link points at an exact copy outside the remote (same bytes, same hash): without the refusal the pull
  // would verify and install it, i.e. read a file outside the remote folder.
  const outside = tmpDir('cx-outside-');
  copyFileSync(object, path.join(outside, 'copy.db'));
  shareWithEveryone(root);
  asNobody(['rm', object]);
  asNobody(['ln', '-s', path.join(outside, 'copy.db'), object]);

  const b = makeDevice('equipoB', new FolderTransport(root, ctx('equipoB')));
  assert.equal(await refusal(b.engine.sync()), 'PROTOCOL');
  assert.equal(existsSync(b.db), false, 'nothing installed from outside the remote');

  // The transport itself, each entry point: download, readSmall, stat, list, remove.
  const tr = new FolderTransport(root, ctx('equipoB'));
  const dest = path.join(tmpDir(), 'x.db');
  assert.equal(await refusal(tr.download(m1.file, dest)), 'PROTOCOL');
  assert.equal(existsSync(dest), false);
  assert.equal(await refusal(tr.readSmall(m1.file)), 'PROTOCOL');
  assert.equal(await refusal(tr.stat(m1.file)), 'PROTOCOL');
  assert.equal(await refusal(tr.list('versions')), 'PROTOCOL');
  assert.equal(await refusal(tr.remove(m1.file)), 'PROTOCOL');
  assert.ok(existsSync(path.join(outside, 'copy.db')), 'the outside file is still there');
});

test('the configured folder itself may be a link (a mount alias); links below it are refused with a bilingual message', async () => {
  const real = tmpDir('cx-real-');
  const alias = path.join(tmpDir('cx-alias-'), 'remote');
  symlinkSync(real, alias);
  const a = makeDevice('equipoA', new FolderTransport(alias, ctx('equipoA')));
  makeTestDb(a.db, 5, { tag: 'A' });
  assert.equal((await a.engine.sync()).action, 'push');
  assert.ok(existsSync(path.join(real, MANIFEST_FILE)));

  const elsewhere = tmpDir('cx-elsewhere-');
  mkdirSync(path.join(real, 'sub'));
  renameSync(path.join(real, 'sub'), path.join(real, 'sub.old'));
  symlinkSync(elsewhere, path.join(real, 'sub'));
  try {
    await new FolderTransport(alias, ctx('equipoA')).writeSmall('sub/file.json', Buffer.from('{}'));
    assert.fail('expected a refusal');
  } catch (err) {
    const e = toSyncError(err);
    assert.equal(e.code, 'PROTOCOL');
    assert.match(e.text.es, /enlace simbólico \(sub en /);
    assert.match(e.text.en, /symbolic link \(sub in /);
  }
  assert.deepEqual(readdirSync(elsewhere), []);
});
