import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, readdirSync, readFileSync, statSync, mkdirSync, copyFileSync } from 'node:fs';
import path from 'node:path';
import { makeDevice, folderRemote } from './helpers/engine.js';
import { x25519Encryption, x25519Keys } from './helpers/age.js';
import { makeTestDb, readRows, addRows, sha256File, tmpDir } from './helpers/system.js';
import { encryptFile } from '../src/crypto/index.js';
import { takeSnapshot } from '../src/db/snapshot.js';
import { MANIFEST_FILE } from '../src/engine/remote-layout.js';
import type { FileTransport } from '../src/transports/types.js';

const SQLITE = Buffer.from('SQLite format 3\0', 'latin1');

/** Every file under dir (recursive). */
function walk(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)],
  );
}

/** No remote file may hold the SQLite header or any row text. */
function assertNoPlaintext(root: string, rowTexts: string[]) {
  const files = walk(root);
  assert.ok(files.length > 0);
  for (const f of files) {
    const b = readFileSync(f);
    assert.equal(b.includes(SQLITE), false, `${f} holds an SQLite header`);
    for (const t of rowTexts) assert.equal(b.includes(Buffer.from(t)), false, `${f} holds row text ${t}`);
  }
}

/** Snapshot of a folder's files and their bytes, to prove "exactly the original state". */
function stateOf(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of readdirSync(dir))
    if (!['sync_state.json'].includes(f) && statSync(path.join(dir, f)).isFile())
      out[f] = readFileSync(path.join(dir, f)).toString('base64').slice(0, 64) + statSync(path.join(dir, f)).size;
  return out;
}

/** A transport that checks every upload starts with the age header, whatever the engine believes. */
function ageOnly(t: FileTransport): FileTransport {
  const up = t.upload.bind(t);
  t.upload = async (local, remote, expected, opts) => {
    assert.ok(
      readFileSync(local).subarray(0, 22).equals(Buffer.from('age-encryption.org/v1\n')),
      'plaintext about to leave',
    );
    return up(local, remote, expected, opts);
  };
  return t;
}

test('unlocked: only ciphertext leaves, the local state is exactly restored, another device decrypts', async () => {
  const remote = folderRemote();
  const k = x25519Keys(tmpDir());
  const work = tmpDir('cx-work-');
  const a = makeDevice('equipoA', ageOnly(remote.transport()), {
    encryption: x25519Encryption(k.recipient),
    tmpDir: work,
  });
  makeTestDb(a.db, 40, { tag: 'secreto-fila' });
  const before = stateOf(a.home);
  const r = await a.engine.sync();
  assert.equal(r.action, 'push');
  assert.deepEqual(stateOf(a.home), before);
  assert.deepEqual(readdirSync(work), [], 'no temp files left');
  const rows = readRows(a.db);
  assertNoPlaintext(remote.root, rows.slice(0, 5));
  const m = JSON.parse(readFileSync(path.join(remote.root, MANIFEST_FILE), 'utf8'));
  assert.equal(m.encrypted, true);
  assert.match(m.file, /\.db\.age$/);
  assert.equal(await sha256File(path.join(remote.root, m.file)), m.sha256, 'the manifest carries the ciphertext hash');
  const snap = await takeSnapshot(a.db);
  assert.notEqual(m.sha256, snap.sha256);
  const logText = readFileSync(path.join(a.home, 'logs', 'events.jsonl'), 'utf8');
  assert.ok(!logText.includes(snap.sha256), 'no plaintext hash in the log');
  await snap.dispose();

  // Device B, with the identity, receives and decrypts into a plain database.
  const b = makeDevice('equipoB', remote.transport(), { encryption: x25519Encryption(k.recipient, k.file) });
  assert.equal((await b.engine.sync()).action, 'pull');
  assert.deepEqual(readRows(b.db), rows);
  assert.equal((await b.engine.sync()).action, 'none');
  addRows(b.db, ['de-B']);
  assert.equal((await b.engine.sync()).action, 'push');
  assertNoPlaintext(remote.root, ['de-B', 'secreto-fila-1']);
  assert.equal((await a.engine.sync()).action, 'pending', 'A has no identity: the download waits');
  assert.deepEqual(stateOf(a.home), before, 'the local database is untouched');
  const st = await a.engine.targetState();
  assert.ok(st.pending && existsSync(st.pending.path));
  assert.equal(statSync(st.pending.path).mode & 0o777, 0o600);
});

test('locked: the .enc goes up as it is and comes back atomically; nothing in clear appears', async () => {
  const remote = folderRemote();
  const k = x25519Keys(tmpDir());
  const a = makeDevice('equipoA', ageOnly(remote.transport()), { encryption: x25519Encryption(k.recipient) });
  const plainSrc = makeTestDb(path.join(tmpDir(), 'src.db'), 10, { tag: 'bloqueada' });
  await encryptFile(plainSrc, `${a.db}.enc`, { recipients: [k.recipient] });
  const encHash = await sha256File(`${a.db}.enc`);
  const before = stateOf(a.home);
  assert.equal((await a.engine.sync()).action, 'push');
  assert.deepEqual(stateOf(a.home), before);
  assert.equal(existsSync(a.db), false, 'no plain file was created');
  const m = JSON.parse(readFileSync(path.join(remote.root, MANIFEST_FILE), 'utf8'));
  assert.equal(m.sha256, encHash);

  // B is locked too (only a .enc): a pull replaces its .enc with the remote ciphertext, byte for byte.
  const b = makeDevice('equipoB', remote.transport(), { encryption: x25519Encryption(k.recipient) });
  const other = makeTestDb(path.join(tmpDir(), 'o.db'), 3, { tag: 'otro' });
  await encryptFile(other, `${b.db}.enc`, { recipients: [k.recipient] });
  // First contact with different content is a conflict (never overwritten silently); B keeps the remote.
  assert.equal((await b.engine.sync()).action, 'conflict');
  await b.engine.resolve('local');
  // Keep local means B's ciphertext is pushed next.
  assert.equal((await b.engine.sync()).action, 'push');
  assert.equal((await a.engine.sync()).action, 'pull');
  assert.equal(await sha256File(`${a.db}.enc`), await sha256File(`${b.db}.enc`));
  assert.equal(existsSync(a.db), false);
  assertNoPlaintext(remote.root, ['bloqueada-1', 'otro-1']);
});

test('a failure half way leaves the original state and no stray plaintext or ciphertext', async () => {
  const remote = folderRemote();
  const k = x25519Keys(tmpDir());
  const work = tmpDir('cx-work-');
  const t = remote.transport();
  const up = t.upload.bind(t);
  let calls = 0;
  t.upload = async (local, rel, expected, opts) => {
    calls++;
    // Let half of the bytes land, then fail like a dropped connection.
    const r = up(local, rel, expected, {
      ...opts,
      onProgress: (p) => {
        if (p.bytes > expected.size / 2) throw Object.assign(new Error('conexión cortada'), { code: 'ECONNRESET' });
      },
    });
    return r;
  };
  const a = makeDevice('equipoA', t, { encryption: x25519Encryption(k.recipient), tmpDir: work });
  makeTestDb(a.db, 2000, { tag: 'mitad' });
  copyFileSync(a.db, `${a.db}.enc.stale`); // an unrelated file that must survive
  const before = stateOf(a.home);
  await assert.rejects(a.engine.sync(), { code: 'CONNECTION_RESET' });
  assert.equal(calls, 1);
  assert.deepEqual(stateOf(a.home), before);
  assert.deepEqual(readdirSync(work), []);
  assert.equal(existsSync(path.join(remote.root, MANIFEST_FILE)), false);
  assert.deepEqual(walk(path.join(remote.root, 'versions')), [], 'no partial object left behind');
});

test('the guard refuses plaintext when encryption is on, logs it, and uploads nothing', async () => {
  const remote = folderRemote();
  const k = x25519Keys(tmpDir());
  const a = makeDevice('equipoA', remote.transport(), { encryption: x25519Encryption(k.recipient) });
  makeTestDb(a.db, 5);
  await assert.rejects(a.engine.local.guard(a.db, true), { code: 'ENCRYPTION' });
  await assert.rejects(a.engine.local.guard(a.db, false), { code: 'ENCRYPTION' });
  assert.ok(a.log.recent(5).some((e) => e.code === 'PLAINTEXT_REFUSED' && e.level === 'error'));
  assert.deepEqual(walk(remote.root), []);
});

test('wrong identity and a world-readable identity are refused; the local database stays', async () => {
  const remote = folderRemote();
  const k = x25519Keys(tmpDir());
  const a = makeDevice('equipoA', remote.transport(), { encryption: x25519Encryption(k.recipient) });
  makeTestDb(a.db, 5, { tag: 'x' });
  await a.engine.sync();
  const wrong = x25519Keys(tmpDir());
  const b = makeDevice('equipoB', remote.transport(), { encryption: x25519Encryption(wrong.recipient, wrong.file) });
  await assert.rejects(b.engine.sync(), { code: 'ENCRYPTION' });
  assert.equal(existsSync(b.db), false);
  const loose = x25519Keys(tmpDir());
  copyFileSync(k.file, loose.file);
  chmodSync(loose.file, 0o644);
  const c = makeDevice('equipoC', remote.transport(), { encryption: x25519Encryption(k.recipient, loose.file) });
  await assert.rejects(
    c.engine.sync(),
    (e: Error & { code?: string }) => e.code === 'ENCRYPTION' || e.code === 'PERMISSION_DENIED',
  );
  assert.equal(existsSync(c.db), false);
  mkdirSync(path.join(c.home, 'x'));
});
