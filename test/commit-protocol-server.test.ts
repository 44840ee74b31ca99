// The Socket.IO sync server's storage shared by several server processes (scale-out on one folder): each generation
// is committed by exactly one of them (commit record created only if absent), whatever their clocks; protocol 1
// (last writer wins, as the spec) never silently replaces a commit either: it lands on top, with its own generation.
import test from 'node:test';
import Database from 'better-sqlite3';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Storage, StoreError } from '../src/server/storage.js';
import type { RemoteManifest } from '../src/transports/types.js';
import { commandExists, tmpDir } from './helpers/system.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DB = 'oficina';

async function stage(s: Storage, data: Buffer): Promise<string> {
  const dir = path.join(s.root, DB, 'uploads');
  const { mkdirSync } = await import('node:fs');
  mkdirSync(dir, { recursive: true });
  const f = path.join(dir, `${randomBytes(8).toString('hex')}.part`);
  writeFileSync(f, data);
  return f;
}
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** Every generation has one record naming its parent, and its object holds its bytes. */
function checkChain(root: string): RemoteManifest[] {
  const dir = path.join(root, DB, 'commits');
  const recs = readdirSync(dir)
    .filter((f) => /^\d{6}\.json$/.test(f))
    .sort()
    .map((f) => JSON.parse(readFileSync(path.join(dir, f), 'utf8')) as RemoteManifest);
  recs.forEach((r, i) => {
    assert.equal(r.generation, i + 1);
    assert.deepEqual(r.parent, i === 0 ? null : { generation: i, sha256: recs[i - 1]!.sha256 });
    assert.equal(r.remote_id, recs[0]!.remote_id);
  });
  const last = recs.at(-1)!;
  assert.equal(sha(readFileSync(path.join(root, DB, last.file))), last.sha256);
  return recs;
}

test('two server processes on one storage folder, 12 rounds of racing commits on the same base: one commit per generation, the other gets CONFLICT', async () => {
  const root = tmpDir('cx-server-shared-');
  const a = new Storage(root, { keepVersions: 50, maxBytes: 1 << 20 });
  const b = new Storage(root, { keepVersions: 50, maxBytes: 1 << 20 });
  await a.init();
  await b.init();
  // A lock file left behind by an older server (or a frozen one) is not an obstacle and is never judged by its age.
  const { mkdirSync } = await import('node:fs');
  mkdirSync(path.join(root, DB), { recursive: true });
  writeFileSync(path.join(root, DB, '.lock'), '12345\n');
  utimesSync(path.join(root, DB, '.lock'), new Date(0), new Date(0));
  const winners: string[] = [];
  for (let round = 0; round < 12; round++) {
    const base = (await a.head(DB))?.generation ?? null;
    const bodies = [randomBytes(1000), randomBytes(1000)];
    const results = await Promise.allSettled(
      [a, b].map(async (s, i) =>
        s.commit(
          {
            databaseId: DB,
            sha256: sha(bodies[i]!),
            size: 1000,
            encrypted: false,
            device: `srv${i}`,
            baseGeneration: base,
          },
          await stage(s, bodies[i]!),
          base,
        ),
      ),
    );
    const ok = results.flatMap((r, i) => (r.status === 'fulfilled' ? [i] : []));
    assert.equal(ok.length, 1, `round ${round}: ${results.map((r) => r.status).join(',')}`);
    const lost = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    assert.ok(lost.reason instanceof StoreError && lost.reason.code === 'CONFLICT', String(lost.reason));
    winners.push(sha(bodies[ok[0]!]!));
  }
  const recs = checkChain(root);
  assert.deepEqual(
    recs.map((r) => r.sha256),
    winners,
  );
  assert.equal((await b.head(DB))?.sha256, winners.at(-1));
  // The losers' objects are gone: only referenced versions stay.
  assert.equal(readdirSync(path.join(root, DB, 'versions')).length, 12);
});

/** A small, valid SQLite database with one random row, as bytes. */
function sqliteBytes(): Buffer {
  const db = new Database(':memory:');
  try {
    db.exec('CREATE TABLE notas (texto TEXT)');
    db.prepare('INSERT INTO notas VALUES (?)').run(randomBytes(64).toString('hex'));
    return db.serialize();
  } finally {
    db.close();
  }
}

test('protocol 1 on two processes at once: both land, one on top of the other (never a silent replace)', async () => {
  const root = tmpDir('cx-server-p1-');
  const a = new Storage(root, { keepVersions: 50, maxBytes: 1 << 20 });
  const b = new Storage(root, { keepVersions: 50, maxBytes: 1 << 20 });
  for (let round = 0; round < 8; round++) {
    // Protocol 1 accepts only a sound SQLite database: two small different ones.
    const bodies = [sqliteBytes(), sqliteBytes()];
    const out = await Promise.all([
      a.storeWhole(DB, bodies[0]!, { device: 'p1a' }),
      b.storeWhole(DB, bodies[1]!, { device: 'p1b' }),
    ]);
    assert.notEqual(out[0].manifest.generation, out[1].manifest.generation);
  }
  const recs = checkChain(root);
  assert.equal(recs.length, 16);
});

test('a server process whose clock is 2 minutes ahead (faketime) races one on the true time: still one commit per generation', {
  skip: !commandExists('faketime') && 'faketime missing',
}, async () => {
  const root = tmpDir('cx-server-skew-');
  const script = `
    import { Storage } from './src/server/storage.ts';
    import { createHash, randomBytes } from 'node:crypto';
    import { writeFileSync, mkdirSync } from 'node:fs';
    const s = new Storage(process.env.ROOT, { keepVersions: 50, maxBytes: 1 << 20 });
    await s.init();
    const out = [];
    for (let i = 0; i < 15; i++) {
      const body = randomBytes(800);
      const sha = createHash('sha256').update(body).digest('hex');
      mkdirSync(process.env.ROOT + '/oficina/uploads', { recursive: true });
      const f = process.env.ROOT + '/oficina/uploads/' + randomBytes(8).toString('hex');
      writeFileSync(f, body);
      const base = (await s.head('oficina'))?.generation ?? null;
      try { const r = await s.commit({ databaseId: 'oficina', sha256: sha, size: 800, encrypted: false, device: process.env.NAME, baseGeneration: base }, f, base); out.push({ ok: true, sha, g: r.manifest.generation }); }
      catch (e) { out.push({ ok: false, sha, code: e.code }); }
    }
    console.log(JSON.stringify(out));
  `;
  const run = (wrap: string[], name: string) =>
    new Promise<Array<{ ok: boolean; sha: string; g?: number; code?: string }>>((resolve, reject) => {
      const argv = [...wrap, process.execPath, '--import', 'tsx', '--input-type=module', '-e', script];
      const c = spawn(argv[0]!, argv.slice(1), { cwd: ROOT, env: { ...process.env, ROOT: root, NAME: name } });
      let out = '';
      let err = '';
      c.stdout.on('data', (d: Buffer) => (out += d));
      c.stderr.on('data', (d: Buffer) => (err += d));
      c.on('close', (code) =>
        code === 0 ? resolve(JSON.parse(out.trim().split('\n').pop()!)) : reject(new Error(err)),
      );
    });
  const [ahead, exact] = await Promise.all([run(['faketime', '-f', '+120s'], 'adelantado'), run([], 'exacto')]);
  const all = [...ahead, ...exact];
  const recs = checkChain(root);
  // Every "ok" is the record of its generation; every refusal is a CONFLICT and not in the chain.
  for (const r of all) {
    if (r.ok) assert.equal(recs[r.g! - 1]!.sha256, r.sha);
    else {
      assert.equal(r.code, 'CONFLICT');
      assert.ok(!recs.some((x) => x.sha256 === r.sha));
    }
  }
  assert.equal(all.filter((r) => r.ok).length, recs.length);
  assert.ok(!existsSync(path.join(root, DB, '.lock')), 'no lock file is used');
});
