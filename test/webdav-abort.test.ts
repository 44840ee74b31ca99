// Every WebDAV call takes an AbortSignal (issue 13), against a real Apache 2.4 mod_dav started here: an aborted call
// rejects with CANCELLED and leaves nothing behind (no temporary file, no half-made record, no orphan object, no held
// lock), and FileRemote passes the signal on, so a push cancelled before it starts publishes nothing.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { isSyncError } from '../src/errors.js';
import { FileRemote } from '../src/engine/remote-layout.js';
import type { FileTransport } from '../src/transports/types.js';
import { davTransport, memoryLogger, randomFile, startApache, type ApacheServer } from './helpers/apache.js';
import { sha256File, tmpDir } from './helpers/system.js';

let a: ApacheServer;
const work = tmpDir('cx-dav-abort-');
const open: FileTransport[] = [];

before(async () => {
  a = await startApache();
});
after(async () => {
  for (const t of open) await t.close();
  await a.stop();
});

function dav(folder: string): FileTransport {
  const t = davTransport({ url: `${a.origin}/dav/`, username: a.user, password: a.password, remote_path: folder });
  open.push(t);
  return t;
}

async function cancelled(p: Promise<unknown>, what: string): Promise<void> {
  let caught: unknown;
  await p.then(
    () => assert.fail(`${what}: expected CANCELLED, it succeeded`),
    (e) => (caught = e),
  );
  assert.ok(
    isSyncError(caught, 'CANCELLED'),
    `${what}: expected CANCELLED, got ${String((caught as { code?: string }).code)}: ${(caught as Error).message}`,
  );
}

/** Every file under `dir` (relative path -> sha256), temporary and hidden ones included. */
function tree(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) {
        out.set(`${path.relative(dir, p)}/`, 'dir');
        walk(p);
      } else out.set(path.relative(dir, p), createHash('sha256').update(readFileSync(p)).digest('hex'));
    }
  };
  if (existsSync(dir)) walk(dir);
  return out;
}

const abortedSignal = () => AbortSignal.abort(new Error('the user pressed Cancel'));

test('an already-aborted signal stops every WebDAV call with CANCELLED and changes nothing on the server', async () => {
  const folder = `pre-${randomBytes(3).toString('hex')}`;
  const root = path.join(a.dataDir, folder);
  const t = dav(`/${folder}/`);
  // open itself: nothing is created when the signal is already aborted.
  await cancelled(t.open({ signal: abortedSignal() }), 'open');
  assert.equal(existsSync(root), false, 'open with an aborted signal created no folder');
  await t.open();
  await t.mkdirp('commits');
  await t.writeSmall('cordiax-sync.json', Buffer.from('{"v":1}\n'));
  const f = path.join(work, 'pre.bin');
  writeFileSync(f, randomBytes(200_000));
  const expected = { size: 200_000, sha256: await sha256File(f) };
  const before = tree(root);

  const signal = abortedSignal();
  const o = { signal };
  await cancelled(t.list('', o), 'list');
  await cancelled(t.stat('cordiax-sync.json', o), 'stat');
  await cancelled(t.mkdirp('versions/deep', o), 'mkdirp');
  await cancelled(t.readSmall('cordiax-sync.json', undefined, o), 'readSmall');
  await cancelled(t.writeSmall('cordiax-sync.json', Buffer.from('{"v":2}\n'), o), 'writeSmall');
  await cancelled(t.writeSmall('new.json', Buffer.from('{}'), { ifVersion: null, signal }), 'writeSmall (create)');
  await cancelled(t.createExclusive('commits/000001.json', Buffer.from('{}'), o), 'createExclusive');
  await cancelled(t.remove('cordiax-sync.json', o), 'remove');
  await cancelled(t.rename('cordiax-sync.json', 'moved.json', o), 'rename');
  await cancelled(t.upload(f, 'versions/000001-x.db', expected, o), 'upload');
  await cancelled(t.download('cordiax-sync.json', path.join(work, 'pre-dl.bin'), o), 'download');
  await cancelled(t.guarantees(o), 'guarantees');

  assert.deepEqual(tree(root), before, 'not one file on the server changed, appeared or vanished');
  assert.equal(existsSync(path.join(work, 'pre-dl.bin')), false, 'no partial local file');
});

test('an abort during a large upload stops it: CANCELLED, no temporary file, no target', async () => {
  const folder = `mid-${randomBytes(3).toString('hex')}`;
  const root = path.join(a.dataDir, folder);
  const t = dav(`/${folder}/`);
  await t.mkdirp('versions');
  const f = await randomFile(path.join(work, 'mid.bin'), 64 * 1024 * 1024);
  const expected = { size: statSync(f).size, sha256: await sha256File(f) };
  const ac = new AbortController();
  let seen = 0;
  await cancelled(
    t.upload(f, 'versions/000001-big.db', expected, {
      signal: ac.signal,
      onProgress: (p) => {
        seen = p.bytes;
        if (p.bytes >= 4 * 1024 * 1024) ac.abort(new Error('cancelled by the test'));
      },
    }),
    'upload',
  );
  assert.ok(seen < expected.size, `the upload stopped early (${seen} of ${expected.size} bytes sent)`);
  // Apache may still be writing its own temporary file for the PUT it was given: wait for it to give up on the
  // broken request, then nothing of ours may remain.
  for (let i = 0; i < 50 && [...tree(root).keys()].some((k) => k.includes('.davfs.tmp')); i++)
    await new Promise((r) => setTimeout(r, 100));
  assert.deepEqual([...tree(root).keys()], ['versions/'], 'neither a temporary file nor the target is left');
});

test("an abort while waiting for another device's DAV lock: CANCELLED, no record, no empty file, our lock never taken", async () => {
  const folder = `lock-${randomBytes(3).toString('hex')}`;
  const root = path.join(a.dataDir, folder);
  const t = dav(`/${folder}/`);
  await t.mkdirp('commits');
  const g = await t.guarantees();
  assert.ok(g.locks, 'Apache grants DAV locks (the create below waits on one)');
  // Another device holds an exclusive lock on the commits folder (its own create, in progress) for the whole call.
  const auth = `Basic ${Buffer.from(`${a.user}:${a.password}`).toString('base64')}`;
  const target = g.lockMode === 'target' ? `commits/000001.json` : 'commits/';
  const lock = await fetch(`${a.origin}/dav/${folder}/${target}`, {
    method: 'LOCK',
    headers: { Authorization: auth, Depth: '0', Timeout: 'Second-60', 'Content-Type': 'application/xml' },
    body: '<?xml version="1.0"?><d:lockinfo xmlns:d="DAV:"><d:lockscope><d:exclusive/></d:lockscope><d:locktype><d:write/></d:locktype></d:lockinfo>',
  });
  assert.ok(lock.ok, `LOCK answered ${lock.status}`);
  await lock.text();
  const token = lock.headers.get('lock-token')!;
  const before = tree(root);
  try {
    const ac = new AbortController();
    // The holder keeps its lock for the whole call (60 s, longer than our 10 s patience): the abort lands in the wait.
    const timer = setTimeout(() => ac.abort(new Error('cancelled by the test')), 500);
    await cancelled(
      t.createExclusive('commits/000001.json', Buffer.from('{"g":1}\n'), { signal: ac.signal }),
      'create',
    );
    clearTimeout(timer);
    assert.deepEqual(tree(root), before, 'no record and no empty file was made');
  } finally {
    const u = await fetch(`${a.origin}/dav/${folder}/${target}`, {
      method: 'UNLOCK',
      headers: { Authorization: auth, 'Lock-Token': token },
    });
    await u.text();
  }
  // Nothing of ours holds the folder: the same create, without a signal, goes through at once.
  assert.equal(await t.createExclusive('commits/000001.json', Buffer.from('{"g":1}\n')), true);
  assert.equal(readFileSync(path.join(root, 'commits/000001.json'), 'utf8'), '{"g":1}\n');
});

test('FileRemote.push with an already-aborted signal publishes nothing: same head, no object, no record, no temp', async () => {
  const folder = `push-${randomBytes(3).toString('hex')}`;
  const root = path.join(a.dataDir, folder);
  const t = dav(`/${folder}/`);
  const remote = new FileRemote(t, { device: 'pc1', keepVersions: 5, log: memoryLogger() });
  const file = (name: string) => {
    const p = path.join(work, name);
    writeFileSync(p, randomBytes(5000));
    const data = readFileSync(p);
    return { p, sha256: createHash('sha256').update(data).digest('hex'), size: data.length };
  };
  const meta = (f: { sha256: string; size: number }, base: number | null) => ({
    sha256: f.sha256,
    size: f.size,
    encrypted: false,
    device: 'pc1',
    baseGeneration: base,
  });
  const first = file('g1.db');
  const r1 = await remote.push(first.p, meta(first, null));
  assert.equal(r1.manifest?.generation, 1);
  const before = tree(root);

  const second = file('g2.db');
  await cancelled(remote.push(second.p, meta(second, 1), { signal: abortedSignal() }), 'push');
  await cancelled(remote.head({ signal: abortedSignal() }), 'head');
  await cancelled(remote.pull(path.join(work, 'pulled.db'), undefined, { signal: abortedSignal() }), 'pull');

  assert.deepEqual(tree(root), before, 'no object, record, manifest change or temporary file');
  const head = await remote.head();
  assert.equal(head?.generation, 1);
  assert.equal(head?.sha256, first.sha256, 'the head is still the first version');
  assert.equal(existsSync(path.join(work, 'pulled.db')), false);
});

test('an abort during a large download stops it: CANCELLED, no partial local file', async () => {
  const folder = `dl-${randomBytes(3).toString('hex')}`;
  const t = dav(`/${folder}/`);
  await t.mkdirp('versions');
  const f = await randomFile(path.join(work, 'dl-src.bin'), 64 * 1024 * 1024);
  await t.upload(
    f,
    'versions/000001-big.db',
    { size: statSync(f).size, sha256: await sha256File(f) },
    { verify: 'size' },
  );
  const ac = new AbortController();
  let seen = 0;
  const local = path.join(work, 'dl.bin');
  await cancelled(
    t.download('versions/000001-big.db', local, {
      signal: ac.signal,
      onProgress: (p) => {
        seen = p.bytes;
        if (p.bytes >= 4 * 1024 * 1024) ac.abort(new Error('cancelled by the test'));
      },
    }),
    'download',
  );
  assert.ok(seen < statSync(f).size, `the download stopped early (${seen} bytes)`);
  assert.equal(existsSync(local), false, 'the partial local file is removed');
});
