// The verified upload shared by every file transport (src/transports/shared/upload.ts), on an in-memory store that
// can misbehave on purpose: what landed is checked before anything is published, a non-replace upload never
// overwrites, the temporary file never outlives a failure, and a store with atomic writes (S3-like) is never asked
// to rename.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { SyncError } from '../src/errors.js';
import { TEMP_SUFFIX, sweepStaleTemps, uploadVerified, type UploadStore } from '../src/transports/shared/upload.js';
import type { RemoteEntry } from '../src/transports/types.js';
import { tmpDir } from './helpers/system.js';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

type Fault = 'none' | 'corrupt' | 'truncate' | 'rename-fails' | 'refuse-mismatch';

/** A Map as a remote. `fault` makes it alter what it stores, or fail a rename. Records every call by name. */
function memoryStore(fault: Fault = 'none') {
  const files = new Map<string, { data: Buffer; modified: Date }>();
  const calls: string[] = [];
  const store: UploadStore = {
    async stat(p) {
      calls.push('stat');
      const f = files.get(p);
      return f
        ? { path: p, size: f.data.length, isDirectory: false, modified: f.modified, version: sha(f.data) }
        : null;
    },
    async list(dir) {
      calls.push('list');
      const out: RemoteEntry[] = [];
      for (const [p, f] of files)
        if (path.posix.dirname(p) === (dir || '.'))
          out.push({ path: p, size: f.data.length, isDirectory: false, modified: f.modified });
      return out;
    },
    async rename(from, to, opts = {}) {
      calls.push('rename');
      if (fault === 'rename-fails') throw new SyncError('CONNECTION_RESET', { es: 'corte', en: 'cut' });
      const f = files.get(from);
      if (!f) throw new SyncError('NOT_FOUND', { es: from, en: from });
      if (!opts.replace && files.has(to)) throw new SyncError('ALREADY_EXISTS', { es: to, en: to });
      files.set(to, f);
      files.delete(from);
    },
    async remove(p) {
      calls.push('remove');
      files.delete(p);
    },
    async writeFile(localPath, p, opts) {
      calls.push(`write:${opts.mode}`);
      const data = readFileSync(localPath);
      if (opts.mode === 'create' && files.has(p)) throw new SyncError('ALREADY_EXISTS', { es: p, en: p });
      // An S3-like store checks the checksum it was given and publishes nothing on a mismatch.
      if (fault === 'refuse-mismatch' && opts.expected && sha(data) !== opts.expected.sha256)
        throw new SyncError('VERIFY_FAILED', { es: 'suma distinta', en: 'checksum differs' });
      let stored = data;
      if (fault === 'corrupt') stored = Buffer.from(data.map((b, i) => (i === 0 ? b ^ 1 : b)));
      if (fault === 'truncate') stored = data.subarray(0, data.length - 1);
      files.set(p, { data: stored, modified: new Date() });
      opts.onProgress?.({ bytes: data.length, total: data.length });
      return { size: data.length, sha256: sha(data) };
    },
    async hashRemote(p) {
      calls.push('hash');
      const f = files.get(p);
      if (!f) throw new SyncError('NOT_FOUND', { es: p, en: p });
      return { size: f.data.length, sha256: sha(f.data) };
    },
  };
  return { store, files, calls };
}

function localFile(bytes = 5000): { file: string; size: number; sha256: string; data: Buffer } {
  const data = randomBytes(bytes);
  const file = path.join(tmpDir('cx-shared-up-'), 'local.db');
  writeFileSync(file, data);
  return { file, size: data.length, sha256: sha(data), data };
}

const FILE_SYSTEM = { device: 'equipo 1', atomicWrite: false };
const ATOMIC = { device: 'equipo-1', atomicWrite: true };

test('file-system stores: temp name, read-back, rename; nothing else left', async () => {
  const m = memoryStore();
  const f = localFile();
  const r = await uploadVerified(m.store, f.file, 'versions/1.db', f, {}, FILE_SYSTEM);
  assert.deepEqual([r.size, r.sha256], [f.size, f.sha256]);
  assert.deepEqual([...m.files.keys()], ['versions/1.db']);
  assert.ok(m.files.get('versions/1.db')!.data.equals(f.data));
  assert.deepEqual(
    m.calls.filter((c) => c !== 'list'),
    ['stat', 'write:temp', 'stat', 'hash', 'rename', 'stat'],
  );
  // A second upload to the same name without replace: refused, the first one intact; with replace: swapped.
  const g = localFile(300);
  await assert.rejects(uploadVerified(m.store, g.file, 'versions/1.db', g, {}, FILE_SYSTEM), {
    code: 'ALREADY_EXISTS',
  });
  assert.ok(m.files.get('versions/1.db')!.data.equals(f.data));
  await uploadVerified(m.store, g.file, 'versions/1.db', g, { replace: true }, FILE_SYSTEM);
  assert.ok(m.files.get('versions/1.db')!.data.equals(g.data));
  assert.deepEqual([...m.files.keys()], ['versions/1.db']);
});

for (const fault of ['corrupt', 'truncate', 'rename-fails'] as const) {
  test(`file-system stores, ${fault}: the target is untouched and the temp file removed`, async () => {
    const m = memoryStore(fault);
    const old = localFile(100);
    m.files.set('db.db', { data: old.data, modified: new Date() });
    const f = localFile();
    await assert.rejects(
      uploadVerified(m.store, f.file, 'db.db', f, { replace: true }, FILE_SYSTEM),
      (e: SyncError) => e.code === (fault === 'rename-fails' ? 'CONNECTION_RESET' : 'VERIFY_FAILED'),
    );
    assert.deepEqual([...m.files.keys()], ['db.db']);
    assert.ok(m.files.get('db.db')!.data.equals(old.data), 'the previous version is intact');
    if (fault !== 'rename-fails') assert.equal(m.calls.includes('rename'), false, 'nothing published');
  });
}

test('the local file changing under the upload is told apart from a bad store', async () => {
  const m = memoryStore();
  const f = localFile();
  await assert.rejects(
    uploadVerified(m.store, f.file, 'x.db', { size: f.size, sha256: '0'.repeat(64) }, {}, FILE_SYSTEM),
    (e: SyncError) => e.code === 'VERIFY_FAILED' && /local/.test(e.text.en),
  );
  await assert.rejects(
    uploadVerified(m.store, f.file, 'x.db', { size: f.size + 1, sha256: f.sha256 }, {}, FILE_SYSTEM),
    (e: SyncError) => e.code === 'VERIFY_FAILED' && /local/.test(e.text.en),
  );
  assert.equal(m.files.size, 0);
  assert.equal(m.calls.includes('rename'), false);
});

test('atomic-write stores (S3-like): straight to the name, verified, never renamed', async () => {
  const m = memoryStore('refuse-mismatch');
  const f = localFile();
  const r = await uploadVerified(m.store, f.file, 'versions/1.db', f, {}, ATOMIC);
  assert.equal(r.sha256, f.sha256);
  assert.deepEqual([...m.files.keys()], ['versions/1.db']);
  assert.deepEqual(m.calls, ['stat', 'write:create', 'hash', 'stat']);
  // Create-only: the store itself refuses an existing name (here the early stat already does).
  const g = localFile(10);
  await assert.rejects(uploadVerified(m.store, g.file, 'versions/1.db', g, {}, ATOMIC), { code: 'ALREADY_EXISTS' });
  assert.ok(m.files.get('versions/1.db')!.data.equals(f.data));
  // The store refuses a body whose checksum differs: nothing published.
  await assert.rejects(
    uploadVerified(m.store, g.file, 'versions/2.db', { size: g.size, sha256: '1'.repeat(64) }, {}, ATOMIC),
    { code: 'VERIFY_FAILED' },
  );
  assert.equal(m.files.has('versions/2.db'), false);
  await uploadVerified(m.store, g.file, 'versions/1.db', g, { replace: true }, ATOMIC);
  assert.ok(m.files.get('versions/1.db')!.data.equals(g.data));
  assert.equal(m.calls.includes('rename'), false, 'an atomic store is never asked to rename');
});

test('atomic-write stores that store something else: a new name is removed again', async () => {
  const m = memoryStore('corrupt');
  const f = localFile();
  await assert.rejects(uploadVerified(m.store, f.file, 'v/1.db', f, {}, ATOMIC), { code: 'VERIFY_FAILED' });
  assert.equal(m.files.size, 0);
});

test('a cancelled upload stops before anything is sent', async () => {
  const m = memoryStore();
  const f = localFile();
  const ac = new AbortController();
  ac.abort();
  await assert.rejects(uploadVerified(m.store, f.file, 'x.db', f, { signal: ac.signal }, FILE_SYSTEM), {
    code: 'CANCELLED',
  });
  assert.deepEqual(m.calls, []);
});

test('day-old temporary files of a dead upload are swept; recent ones and other files stay', async () => {
  const m = memoryStore();
  const old = new Date(Date.now() - 2 * 24 * 3600 * 1000);
  const body = { data: Buffer.from('x'), modified: old };
  m.files.set(`v/.a.db.tmp-pc-1${TEMP_SUFFIX}`, body);
  m.files.set(`v/.b.db.tmp-pc-2${TEMP_SUFFIX}`, { ...body, modified: new Date() });
  m.files.set('v/c.db', body);
  m.files.set(`v/.d${TEMP_SUFFIX}.keep`, body);
  await sweepStaleTemps(m.store, 'v');
  assert.deepEqual([...m.files.keys()].sort(), [`v/.b.db.tmp-pc-2${TEMP_SUFFIX}`, `v/.d${TEMP_SUFFIX}.keep`, 'v/c.db']);
});
