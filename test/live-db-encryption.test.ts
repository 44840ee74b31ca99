// Encryption states at the live-database boundary: while locked (only the .enc at rest) nothing plaintext is ever
// written, not for a conflict copy nor for "keep the server's"; an unlock racing a locked pull is never taken for a
// local edit that would push older rows over newer ones.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { makeDevice, folderRemote } from './helpers/engine.js';
import { x25519Encryption, x25519Keys } from './helpers/age.js';
import { addRows, makeTestDb, readRows, tmpDir } from './helpers/system.js';
import { remoteDatabaseDecrypted } from './helpers/remote-db.js';
import { decryptFile, encryptFile } from '../src/crypto/index.js';

const SQLITE = Buffer.from('SQLite format 3\0', 'latin1');

/** Every file beside the database and under the device's home: none may be plaintext SQLite while locked. */
function plaintextFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...plaintextFiles(p));
    else if (readFileSync(p).subarray(0, 16).equals(SQLITE)) out.push(p);
  }
  return out;
}

async function decryptToBuffer(file: string, identityFile: string): Promise<Buffer> {
  const plain = path.join(tmpDir('cx-dec-'), 'x.bin');
  await decryptFile(file, plain, {
    identities: [
      readFileSync(identityFile, 'utf8')
        .split('\n')
        .find((l) => l.startsWith('AGE-SECRET-KEY'))!,
    ],
  });
  const data = readFileSync(plain);
  rmSync(path.dirname(plain), { recursive: true, force: true });
  return data;
}

async function rowsOfEnc(file: string, identityFile: string): Promise<string[]> {
  const plain = path.join(tmpDir('cx-dec-'), 'x.db');
  await decryptFile(file, plain, {
    identities: [
      readFileSync(identityFile, 'utf8')
        .split('\n')
        .find((l) => l.startsWith('AGE-SECRET-KEY'))!,
    ],
  });
  const rows = readRows(plain);
  rmSync(path.dirname(plain), { recursive: true, force: true });
  return rows;
}

/** Device A ends up locked (only the .enc) after pushing; B then publishes B-1. */
async function lockedScenario() {
  const remote = folderRemote();
  const k = x25519Keys(tmpDir());
  const a = makeDevice('equipoA', remote.transport(), { encryption: x25519Encryption(k.recipient, k.file) });
  const b = makeDevice('equipoB', remote.transport(), { encryption: x25519Encryption(k.recipient, k.file) });
  makeTestDb(a.db, 10, { tag: 'base', wal: false });
  await encryptFile(a.db, `${a.db}.enc`, { recipients: [k.recipient] });
  rmSync(a.db);
  assert.equal((await a.engine.sync()).action, 'push');
  assert.equal((await b.engine.sync()).action, 'pull');
  addRows(b.db, ['B-1']);
  assert.equal((await b.engine.sync()).action, 'push');
  return { remote, k, a, b };
}

test('locked + conflict: the remote version is kept encrypted (.db.age), nothing plaintext is written; "keep the server\'s" replaces the .enc', async () => {
  const { k, a } = await lockedScenario();
  // A local change while locked: the app re-encrypted its database with a new row.
  const plain = path.join(tmpDir('cx-app-'), 'a.db');
  await decryptFile(`${a.db}.enc`, plain, { identities: [readFileSync(k.file, 'utf8').split('\n')[1]!] });
  addRows(plain, ['A-locked-edit']);
  await encryptFile(plain, `${a.db}.enc`, { recipients: [k.recipient] });
  rmSync(path.dirname(plain), { recursive: true, force: true });

  const out = await a.engine.sync();
  assert.equal(out.action, 'conflict');
  assert.match(out.conflictCopy!, /\.db\.age$/);
  assert.deepEqual(plaintextFiles(a.home), [], 'no plaintext database anywhere while locked');
  assert.ok((await rowsOfEnc(out.conflictCopy!, k.file)).includes('B-1'));

  await a.engine.resolve('remote');
  assert.equal(existsSync(a.db), false, 'still locked: no plaintext file');
  assert.deepEqual(plaintextFiles(a.home), []);
  const rows = await rowsOfEnc(`${a.db}.enc`, k.file);
  assert.ok(rows.includes('B-1'));
  // The local version is in the backups, encrypted.
  const backups = readdirSync(path.join(a.home, 'backups'));
  assert.ok(backups.some((n) => n.endsWith('.db.enc')));
  const kept = await Promise.all(
    backups.filter((n) => n.endsWith('.db.enc')).map((n) => rowsOfEnc(path.join(a.home, 'backups', n), k.file)),
  );
  assert.ok(
    kept.some((r) => r.includes('A-locked-edit')),
    'the replaced local version is in a backup',
  );
  assert.equal((await a.engine.sync()).action, 'none');
});

test('locked pull, then the app unlocks the OLD .enc it had read: the next sync fast-forwards instead of pushing older rows', async () => {
  const { remote, k, a } = await lockedScenario();
  const oldEnc = path.join(tmpDir('cx-old-'), 'old.enc');
  copyFileSync(`${a.db}.enc`, oldEnc);
  const pulled = await a.engine.sync();
  assert.equal(pulled.action, 'pull');
  assert.ok((await rowsOfEnc(`${a.db}.enc`, k.file)).includes('B-1'));
  // The app had read the old .enc before our replace and now writes its plaintext (an unlock).
  await decryptFile(oldEnc, a.db, { identities: [readFileSync(k.file, 'utf8').split('\n')[1]!] });
  assert.ok(!readRows(a.db).includes('B-1'));
  const next = await a.engine.sync();
  assert.equal(next.action, 'pull');
  assert.equal(next.reason, 'local-is-older-version');
  assert.ok(readRows(a.db).includes('B-1'), "the unlocked database now has the other device's row");
  // The remote's head, rebuilt from its base and patches (src/delta) after decrypting each.
  const head = path.join(tmpDir('cx-dec-'), 'head.db');
  writeFileSync(head, await remoteDatabaseDecrypted(remote.root, (f) => decryptToBuffer(f, k.file)));
  assert.ok(readRows(head).includes('B-1'), 'the remote still holds B-1');
  assert.equal((await a.engine.sync()).action, 'none');
});

test('an unlock of the NEW .enc after a locked pull is not a local edit: nothing is sent', async () => {
  const { k, a } = await lockedScenario();
  assert.equal((await a.engine.sync()).action, 'pull');
  await decryptFile(`${a.db}.enc`, a.db, { identities: [readFileSync(k.file, 'utf8').split('\n')[1]!] });
  const out = await a.engine.sync();
  assert.equal(out.action, 'none');
  assert.equal(out.bytesUp, 0);
});
