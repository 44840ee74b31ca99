// The WebDAV transport against a real Apache 2.4 mod_dav (Basic, Digest, TLS with a private CA, a Nextcloud-like
// layout, a read-only folder), started by this file on 127.0.0.1.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { isSyncError } from '../src/errors.js';
import type { FileTransport } from '../src/transports/types.js';
import {
  davTransport,
  memoryLogger,
  raceConditionalWrites,
  randomFile,
  startApache,
  type ApacheServer,
} from './helpers/apache.js';
import { sha256File, tmpDir } from './helpers/system.js';

let a: ApacheServer;
const work = tmpDir('cx-dav-work-');
const open: FileTransport[] = [];

function dav(webdav: Record<string, unknown>, log = memoryLogger(), device = 'pc1'): FileTransport {
  const t = davTransport({ url: `${a.origin}/dav/`, username: a.user, password: a.password, ...webdav }, log, device);
  open.push(t);
  return t;
}

async function rejectsWith(p: Promise<unknown>, code: string): Promise<Error> {
  let caught: unknown;
  await p.then(
    () => assert.fail(`expected ${code}, it succeeded`),
    (e) => (caught = e),
  );
  assert.ok(
    isSyncError(caught, code as never),
    `expected ${code}, got ${String((caught as { code?: string }).code)}: ${String((caught as Error).message)}`,
  );
  return caught as Error;
}

async function localFile(name: string, bytes: number): Promise<{ file: string; size: number; sha256: string }> {
  const file = await randomFile(path.join(work, name), bytes);
  return { file, size: bytes, sha256: await sha256File(file) };
}

before(async () => {
  a = await startApache();
});
after(async () => {
  for (const t of open) await t.close();
  await a.stop();
});

describe('Apache mod_dav, Basic auth', () => {
  test('upload then download: bytes and sha256 match on the server disk and locally; no temp file left', async () => {
    const t = dav({ remote_path: '/rt/' });
    await t.mkdirp('versions');
    const f = await localFile('rt.bin', 3 * 1024 * 1024 + 17);
    const up = await t.upload(f.file, 'versions/000001-a.db', { size: f.size, sha256: f.sha256 });
    assert.equal(up.sha256, f.sha256);
    assert.equal(up.size, f.size);
    assert.ok(up.version);
    const onDisk = path.join(a.dataDir, 'rt', 'versions', '000001-a.db');
    assert.equal(await sha256File(onDisk), f.sha256);
    assert.deepEqual(readdirSync(path.join(a.dataDir, 'rt', 'versions')), ['000001-a.db']);
    const back = path.join(work, 'rt.back');
    const down = await t.download('versions/000001-a.db', back);
    assert.deepEqual(down, { size: f.size, sha256: f.sha256 });
    assert.equal(await sha256File(back), f.sha256);
    assert.equal(statSync(back).mode & 0o777, 0o600);
    // The PUT carried the whole file once with its length (Apache counts the request bytes).
    await a.mark();
    const put = a.accessLines().find((l) => l.method === 'PUT' && l.path.includes('000001-a.db'));
    assert.ok(put && put.bytesIn >= f.size && put.bytesIn < f.size + 4096, `PUT bytes in: ${put?.bytesIn}`);
    assert.equal(put.contentLength, String(f.size));
    assert.equal(put.transferEncoding, '-');
    const entries = await t.list('versions');
    assert.deepEqual(
      entries.map((e) => [e.path, e.size, e.isDirectory]),
      [['versions/000001-a.db', f.size, false]],
    );
  });

  test('upload without replace never overwrites; with replace it does', async () => {
    const t = dav({ remote_path: '/noreplace/' });
    const one = await localFile('one.bin', 1000);
    const two = await localFile('two.bin', 2000);
    await t.upload(one.file, 'x.db', one);
    await rejectsWith(t.upload(two.file, 'x.db', two), 'ALREADY_EXISTS');
    assert.equal(await sha256File(path.join(a.dataDir, 'noreplace', 'x.db')), one.sha256);
    await t.upload(two.file, 'x.db', two, { replace: true });
    assert.equal(await sha256File(path.join(a.dataDir, 'noreplace', 'x.db')), two.sha256);
    await t.upload(one.file, 'y.db', one);
    await rejectsWith(t.rename('y.db', 'x.db'), 'ALREADY_EXISTS');
    assert.equal(await sha256File(path.join(a.dataDir, 'noreplace', 'x.db')), two.sha256);
    await t.rename('y.db', 'x.db', { replace: true });
    assert.equal(await sha256File(path.join(a.dataDir, 'noreplace', 'x.db')), one.sha256);
    assert.deepEqual(readdirSync(path.join(a.dataDir, 'noreplace')), ['x.db']);
  });

  test('an upload that does not match the expected hash is refused and nothing lands', async () => {
    const t = dav({ remote_path: '/badhash/' });
    const f = await localFile('bad.bin', 4096);
    await rejectsWith(t.upload(f.file, 'bad.db', { size: f.size, sha256: '0'.repeat(64) }), 'VERIFY_FAILED');
    assert.deepEqual(readdirSync(path.join(a.dataDir, 'badhash')), []);
  });

  test('a missing remote folder is created recursively (MKCOL per level)', async () => {
    const t = dav({ remote_path: '/oficina/datos/cordiax_sync/' });
    await t.open();
    assert.ok(statSync(path.join(a.dataDir, 'oficina', 'datos', 'cordiax_sync')).isDirectory());
    await t.writeSmall('hola.json', Buffer.from('{"hola":1}'));
    assert.equal(
      readFileSync(path.join(a.dataDir, 'oficina', 'datos', 'cordiax_sync', 'hola.json'), 'utf8'),
      '{"hola":1}',
    );
    // Opening again costs one PROPFIND, no MKCOL.
    await a.mark();
    const before = a.accessLines().length;
    await dav({ remote_path: '/oficina/datos/cordiax_sync/' }).open();
    await a.mark();
    assert.deepEqual(
      a
        .accessLines()
        .slice(before)
        .map((l) => l.method),
      ['PROPFIND'],
    );
  });

  test('names with spaces, accents, # and % travel encoded and come back as written', async () => {
    const t = dav({ remote_path: '/Oficina Peña/datos #1 100%/' });
    await t.mkdirp('versión 2');
    await t.writeSmall('versión 2/año #3 50%.json', Buffer.from('ñ'));
    assert.equal(
      readFileSync(path.join(a.dataDir, 'Oficina Peña', 'datos #1 100%', 'versión 2', 'año #3 50%.json'), 'utf8'),
      'ñ',
    );
    assert.deepEqual(
      (await t.list('versión 2')).map((e) => e.path),
      ['versión 2/año #3 50%.json'],
    );
    assert.deepEqual(
      (await t.list('')).map((e) => [e.path, e.isDirectory]),
      [['versión 2', true]],
    );
    assert.equal((await t.readSmall('versión 2/año #3 50%.json'))?.data.toString(), 'ñ');
    await t.rename('versión 2/año #3 50%.json', 'versión 2/otro nombre.json');
    assert.equal((await t.stat('versión 2/otro nombre.json'))?.size, 2);
    assert.throws(
      () => (t as unknown as { abs(p: string): string }).abs('../fuera.json'),
      (e) => isSyncError(e, 'INTERNAL'),
    );
  });

  test('wrong password: AUTH_FAILED everywhere, the connection test fails at "auth", the password leaks nowhere', async () => {
    const log = memoryLogger();
    const wrong = 'no-es-esta-ñ';
    const t = dav({ password: wrong, remote_path: '/auth/' }, log);
    const err = await rejectsWith(t.open(), 'AUTH_FAILED');
    assert.match(err.message, /contraseña/);
    const r = await t.test();
    assert.equal(r.ok, false);
    assert.equal(r.error?.code, 'AUTH_FAILED');
    assert.equal(r.steps.find((s) => s.id === 'connect')?.ok, true);
    assert.equal(r.steps.find((s) => s.id === 'auth')?.ok, false);
    assert.ok(r.steps.find((s) => s.id === 'write')?.skipped);
    const all =
      JSON.stringify(r) +
      JSON.stringify(log.events) +
      err.message +
      JSON.stringify((err as { details?: unknown }).details);
    assert.ok(!all.includes(wrong) && !all.includes(a.password));
    assert.ok(!existsSync(path.join(a.dataDir, 'auth')));
  });

  test('403 on a read-only folder: PERMISSION_DENIED, and the connection test says so at "write"', async () => {
    const t = dav({ url: `${a.origin}/ro/`, remote_path: '/' });
    const f = await localFile('ro.bin', 100);
    await rejectsWith(t.upload(f.file, 'x.db', f), 'PERMISSION_DENIED');
    const r = await t.test();
    assert.equal(r.ok, false);
    assert.equal(r.error?.code, 'PERMISSION_DENIED');
    assert.equal(r.steps.find((s) => s.id === 'write')?.ok, false);
    assert.deepEqual(readdirSync(path.join(a.dir, 'ro')), ['leeme.txt']);
  });

  test('a URL whose folder does not exist: NOT_FOUND (409 on MKCOL) with a hint about the URL', async () => {
    const t = dav({ url: `${a.origin}/dav/no/existe/`, remote_path: '/cordiax_sync/' });
    const err = await rejectsWith(t.open(), 'NOT_FOUND');
    assert.match((err as { hint?: { es: string } }).hint!.es, /URL/);
    assert.equal(await dav({ remote_path: '/rt/' }).stat('no-such-file'), null);
    assert.equal(await dav({ remote_path: '/rt/' }).readSmall('no-such-file'), null);
    await dav({ remote_path: '/rt/' }).remove('no-such-file'); // idempotent
    await rejectsWith(dav({ remote_path: '/rt/' }).download('no-such-file', path.join(work, 'nf')), 'NOT_FOUND');
    assert.ok(!existsSync(path.join(work, 'nf')));
  });

  test('conditional writes are detected and enforced (If-Match, If-None-Match:*), weak ETags included', async () => {
    const t = dav({ remote_path: '/cond/' });
    assert.deepEqual(await t.guarantees(), {
      conditionalWrite: true,
      exclusiveCreate: true,
      atomicReplace: false,
      ifMatch: true,
      ifNoneMatch: true,
      locks: true,
      lockSupport: true,
      lockMode: 'folder',
    });
    const file = path.join(a.dataDir, 'cond', 'm.json');
    const v1 = await t.writeSmall('m.json', Buffer.from('uno'), { ifVersion: null });
    await rejectsWith(t.writeSmall('m.json', Buffer.from('dos'), { ifVersion: null }), 'PRECONDITION_FAILED');
    // v1 is weak (written this second): it must still work as a precondition.
    const v2 = await t.writeSmall('m.json', Buffer.from('dos'), { ifVersion: v1.version! });
    assert.equal(readFileSync(file, 'utf8'), 'dos');
    await rejectsWith(t.writeSmall('m.json', Buffer.from('tres'), { ifVersion: v1.version! }), 'PRECONDITION_FAILED');
    // Someone else writes behind our back (directly on the server's disk): our stale version is refused.
    const read = await t.readSmall('m.json');
    assert.equal(read?.data.toString(), 'dos');
    assert.equal(read?.version, v2.version);
    writeFileSync(file, 'de otro equipo, más largo');
    await rejectsWith(
      t.writeSmall('m.json', Buffer.from('cuatro'), { ifVersion: read!.version! }),
      'PRECONDITION_FAILED',
    );
    assert.equal(readFileSync(file, 'utf8'), 'de otro equipo, más largo');
    assert.equal(await t.createExclusive('lock.json', Buffer.from('a')), true);
    assert.equal(await t.createExclusive('lock.json', Buffer.from('b')), false);
    assert.equal(readFileSync(path.join(a.dataDir, 'cond', 'lock.json'), 'utf8'), 'a');
    // A conditional write into a folder that does not exist fails cleanly and leaves nothing behind.
    await rejectsWith(t.writeSmall('sin-carpeta/m.json', Buffer.from('x'), { ifVersion: null }), 'NOT_FOUND');
    await rejectsWith(
      t.writeSmall('perdido.json', Buffer.from('x'), { ifVersion: '"etag-de-nada"' }),
      'PRECONDITION_FAILED',
    );
    // (.DAV is mod_dav_fs's own property store.)
    assert.deepEqual(
      readdirSync(path.join(a.dataDir, 'cond'))
        .filter((n) => n !== '.DAV')
        .sort(),
      ['lock.json', 'm.json'],
    );
  });

  test('six devices racing for the same conditional write: exactly one wins, every time, and its bytes are what stays', async () => {
    // Apache alone checks If-None-Match/If-Match and then writes, with a gap where two racers both pass; the
    // transport serializes check+write with an exclusive LOCK (and treats a lost LOCK race, 207 to the PUT, as LOCKED).
    const racers = Array.from({ length: 6 }, (_, i) => dav({ remote_path: '/race/' }, memoryLogger(), `equipo${i}`));
    await raceConditionalWrites(racers, path.join(a.dataDir, 'race'), 6);
  });

  test('"Probar Conexión" does the whole round trip and reports what the server honours', async () => {
    const t = dav({ remote_path: '/probar/' });
    const r = await t.test();
    assert.equal(r.ok, true, JSON.stringify(r.error));
    for (const id of [
      'connect',
      'auth',
      'resolve',
      'mkdir',
      'write',
      'read',
      'rename',
      'if-match',
      'lock',
      'delete',
      'clock',
    ]) {
      assert.equal(r.steps.find((s) => s.id === id)?.ok, true, id);
    }
    assert.equal(r.facts.if_match, true);
    assert.equal(r.facts.locks, true);
    assert.equal(r.facts.move, true);
    assert.equal(typeof r.facts.clock_skew_seconds, 'number');
    assert.deepEqual(r.guarantees, { conditionalWrite: true, exclusiveCreate: true, atomicReplace: false });
    assert.deepEqual(readdirSync(path.join(a.dataDir, 'probar')), []);
    await a.mark();
    const methods = new Set(
      a
        .accessLines()
        .filter((l) => l.path.startsWith('/dav/probar/'))
        .map((l) => l.method),
    );
    for (const m of ['PUT', 'GET', 'MOVE', 'LOCK', 'UNLOCK', 'DELETE']) assert.ok(methods.has(m), m);
  });
});

describe('Apache mod_dav, Digest auth', () => {
  test('auth "digest": uploads land whole (size and hash on the server disk), small writes too', async () => {
    const t = dav({ url: `${a.origin}/digest/`, auth: 'digest', remote_path: '/dg/' });
    const f = await localFile('dg.bin', 2 * 1024 * 1024 + 5);
    const up = await t.upload(f.file, 'd.db', f);
    assert.equal(up.sha256, f.sha256);
    assert.equal(await sha256File(path.join(a.dataDir, 'dg', 'd.db')), f.sha256);
    await t.writeSmall('m.json', Buffer.from('{"g":1}'));
    assert.equal(readFileSync(path.join(a.dataDir, 'dg', 'm.json'), 'utf8'), '{"g":1}');
    const back = path.join(work, 'dg.back');
    assert.equal((await t.download('d.db', back)).sha256, f.sha256);
    // One challenge, then the nonce is reused: no 401 per request.
    await a.mark();
    const lines = a.accessLines().filter((l) => l.path.startsWith('/digest/dg'));
    assert.ok(lines.filter((l) => l.status === 401).length <= 1, JSON.stringify(lines.map((l) => l.status)));
    // No PUT ever got a 401 after sending its body (the file bytes went exactly once).
    const puts = lines.filter((l) => l.method === 'PUT' && l.path.includes('d.db'));
    assert.equal(puts.length, 1);
    assert.equal(puts[0]!.status, 201);
  });

  test('an expired (stale) Digest nonce mid-session: requests, streamed uploads included, retry once and land whole', async () => {
    const t = dav({ url: `${a.origin}/digest-short/`, auth: 'digest', remote_path: '/dg-stale/' });
    await t.open();
    await new Promise((r) => setTimeout(r, 2100)); // let the nonce expire (not a timing assertion)
    const f = await localFile('stale.bin', 3 * 1024 * 1024);
    // replace: true skips the existence check, so the streamed PUT is the first request to meet the stale nonce.
    assert.equal((await t.upload(f.file, 's.db', f, { replace: true })).sha256, f.sha256);
    assert.equal(await sha256File(path.join(a.dataDir, 'dg-stale', 's.db')), f.sha256);
    await a.mark();
    const puts = a.accessLines().filter((l) => l.path.startsWith('/digest-short/dg-stale/') && l.method === 'PUT');
    assert.deepEqual(
      puts.map((l) => l.status),
      [401, 201],
    );
    assert.ok(puts[1]!.bytesIn >= f.size);
  });

  test('auth "auto" picks Digest; a wrong Digest password is AUTH_FAILED; Basic against Digest says to set auth', async () => {
    const t = dav({ url: `${a.origin}/digest/`, auth: 'auto', remote_path: '/dg-auto/' });
    const r = await t.test();
    assert.equal(r.ok, true, JSON.stringify(r.error));
    assert.equal(r.facts.auth, 'digest');
    await rejectsWith(
      dav({ url: `${a.origin}/digest/`, auth: 'digest', password: 'mala', remote_path: '/dg-bad/' }).open(),
      'AUTH_FAILED',
    );
    const err = await rejectsWith(dav({ url: `${a.origin}/digest/`, remote_path: '/dg-basic/' }).open(), 'AUTH_FAILED');
    assert.match((err as { hint?: { es: string } }).hint!.es, /digest/);
    assert.ok(!existsSync(path.join(a.dataDir, 'dg-bad')) && !existsSync(path.join(a.dataDir, 'dg-basic')));
  });
});

describe('Apache over TLS with a private CA', () => {
  test('without the CA: TLS error with a hint about ca_file; nothing written', async () => {
    const t = dav({ url: `${a.tlsOrigin}/dav/`, remote_path: '/tls-no/' });
    const err = await rejectsWith(t.open(), 'TLS');
    assert.match((err as { hint?: { es: string } }).hint!.es, /ca_file/);
    const r = await t.test();
    assert.equal(r.ok, false);
    assert.equal(r.error?.code, 'TLS');
    assert.equal(r.steps.find((s) => s.id === 'connect')?.ok, false);
    assert.ok(!existsSync(path.join(a.dataDir, 'tls-no')));
  });

  test('with ca_file: verified round trip', async () => {
    const t = dav({ url: `${a.tlsOrigin}/dav/`, ca_file: a.caFile, remote_path: '/tls-ca/' });
    const f = await localFile('tls.bin', 100_000);
    await t.upload(f.file, 'x.db', f);
    assert.equal(await sha256File(path.join(a.dataDir, 'tls-ca', 'x.db')), f.sha256);
    const r = await t.test();
    assert.equal(r.ok, true);
    assert.equal(r.facts.tls_verify, true);
  });

  test('insecure_skip_tls_verify works and is logged as a warning on every connection', async () => {
    const log = memoryLogger();
    const t = dav({ url: `${a.tlsOrigin}/dav/`, insecure_skip_tls_verify: true, remote_path: '/tls-insecure/' }, log);
    await t.writeSmall('x.json', Buffer.from('{}'));
    const warns = log.events.filter((e) => e.code === 'TLS_VERIFY_DISABLED');
    assert.ok(warns.length >= 1);
    assert.ok(warns.every((e) => e.level === 'warn'));
    assert.match(warns[0]!.text.es, /SIN verificar/);
    const r = await t.test();
    assert.equal(r.facts.tls_verify, false);
  });
});

describe('Nextcloud-style URLs', () => {
  test('the DAV root resolves to files/<uid>/ through current-user-principal (uid differs from the login)', async () => {
    const t = dav({
      url: `${a.origin}/remote.php/dav`,
      username: a.ncLogin,
      password: a.ncPassword,
      remote_path: '/cordiax_sync/',
    });
    const f = await localFile('nc.bin', 50_000);
    await t.upload(f.file, 'nc.db', f);
    assert.equal(await sha256File(path.join(a.ncFilesDir, 'cordiax_sync', 'nc.db')), f.sha256);
    const r = await t.test();
    assert.equal(r.ok, true);
    assert.match(r.steps.find((s) => s.id === 'resolve')!.text.es, new RegExp(`/remote.php/dav/files/${a.ncUid}/`));
  });

  test('the legacy /remote.php/webdav/ is used as is', async () => {
    const t = dav({
      url: `${a.origin}/remote.php/webdav/`,
      username: a.ncLogin,
      password: a.ncPassword,
      remote_path: '/legacy/',
    });
    await t.writeSmall('m.json', Buffer.from('[1]'));
    assert.equal(readFileSync(path.join(a.ncFilesDir, 'legacy', 'm.json'), 'utf8'), '[1]');
  });
});

describe('failures mid-transfer', () => {
  test('Apache killed during an upload: the upload rejects, the target keeps its old content', async () => {
    const t = dav({ remote_path: '/crash/' });
    const old = await localFile('old.bin', 10_000);
    await t.upload(old.file, 'db.db', old);
    const big = await localFile('new.bin', 64 * 1024 * 1024);
    let killed: Promise<void> | undefined;
    const err = await t
      .upload(big.file, 'db.db', big, {
        replace: true,
        onProgress: (p) => {
          if (!killed && p.bytes >= 4 * 1024 * 1024) killed = a.kill();
        },
      })
      .then(
        () => assert.fail('upload succeeded'),
        (e: unknown) => e,
      );
    assert.ok(killed, 'the server was killed mid-upload');
    await killed;
    assert.ok(isSyncError(err) && ['CONNECTION_RESET', 'CONNECTION_REFUSED'].includes(err.code), String(err));
    await a.restart();
    assert.equal(await sha256File(path.join(a.dataDir, 'crash', 'db.db')), old.sha256);
    const again = dav({ remote_path: '/crash/' });
    const back = path.join(work, 'crash.back');
    assert.equal((await again.download('db.db', back)).sha256, old.sha256);
  });

  test('Apache killed during a download: the download rejects (never hangs) and the partial file is removed', async () => {
    const t = dav({ remote_path: '/crash-dl/' });
    const big = await localFile('dl.bin', 64 * 1024 * 1024);
    await t.upload(big.file, 'db.db', big);
    const dest = path.join(work, 'dl.back');
    let killed: Promise<void> | undefined;
    const err = await t
      .download('db.db', dest, {
        onProgress: () => {
          killed ??= a.kill();
        },
      })
      .then(
        () => assert.fail('download succeeded'),
        (e: unknown) => e,
      );
    await killed;
    assert.ok(isSyncError(err, 'CONNECTION_RESET'), String(err));
    assert.ok(!existsSync(dest));
    await a.restart();
  });
});
