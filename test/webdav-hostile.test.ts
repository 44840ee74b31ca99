// The WebDAV transport facing broken or hostile servers (small node:http fakes that misbehave on purpose), plus
// known-answer tests for Digest and the challenge parser. The real-server behaviour is in webdav-apache/rclone.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { isSyncError } from '../src/errors.js';
import { DigestSession, parseChallenges } from '../src/transports/webdav/digest.js';
import { davTransport, memoryLogger } from './helpers/apache.js';
import { freePort, tmpDir } from './helpers/system.js';

const work = tmpDir('cx-hostile-');
const servers: http.Server[] = [];
after(() => {
  for (const s of servers) s.closeAllConnections?.();
  for (const s of servers) s.close();
});

const ROOT_207 =
  '<?xml version="1.0"?><d:multistatus xmlns:d="DAV:"><d:response><d:href>/dav/x/</d:href><d:propstat><d:prop><d:resourcetype><d:collection/></d:resourcetype></d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response></d:multistatus>';

interface Seen {
  method: string;
  url: string;
  auth: boolean;
  contentLength?: string;
  transferEncoding?: string;
}

/** A fake server: the root folder /dav/x/ exists; `handler` decides everything else (return true when handled). */
async function fake(
  handler: (req: http.IncomingMessage, res: http.ServerResponse) => boolean | undefined,
): Promise<{ url: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  const s = http.createServer((req, res) => {
    seen.push({
      method: req.method!,
      url: req.url!,
      auth: req.headers.authorization !== undefined,
      contentLength: req.headers['content-length'],
      transferEncoding: req.headers['transfer-encoding'],
    });
    req.resume();
    if (handler(req, res)) return;
    if (req.method === 'PROPFIND' && req.url === '/dav/x/') {
      res.writeHead(207, { 'Content-Type': 'application/xml' }).end(ROOT_207);
      return;
    }
    if (req.method === 'PUT' || req.method === 'DELETE') {
      res.writeHead(req.method === 'PUT' ? 201 : 204).end();
      return;
    }
    res.writeHead(404).end();
  });
  servers.push(s);
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(s.address() as AddressInfo).port}/dav/`, seen };
}

function dav(url: string, extra: Record<string, unknown> = {}) {
  return davTransport({ url, username: 'ana', password: 'secreto-123', remote_path: '/x/', ...extra }, memoryLogger());
}

async function code(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'resolved';
  } catch (e) {
    assert.ok(isSyncError(e), `not a SyncError: ${String(e)}`);
    assert.ok(e.text.es && e.text.en, 'bilingual message');
    return e.code;
  }
}

test('a download that stalls mid-body ends in TIMEOUT (never hangs) and leaves no partial file', async () => {
  const f = await fake((req, res) => {
    if (req.method !== 'GET') return false;
    res.writeHead(200, { 'Content-Length': '100000' });
    res.write(Buffer.alloc(1000)); // ...and then nothing more
    return true;
  });
  const dest = path.join(work, 'stall');
  assert.equal(await code(dav(f.url, { timeout_seconds: 1 }).download('a.db', dest)), 'TIMEOUT');
  assert.ok(!existsSync(dest));
});

test('a server that stalls before answering ends in TIMEOUT', async () => {
  const f = await fake((req) => req.method === 'GET'); // never answers GET
  assert.equal(await code(dav(f.url, { timeout_seconds: 1 }).readSmall('m.json')), 'TIMEOUT');
});

test('a download whose connection drops before Content-Length bytes rejects with CONNECTION_RESET', async () => {
  const f = await fake((req, res) => {
    if (req.method !== 'GET') return false;
    res.writeHead(200, { 'Content-Length': '1000000' });
    res.write(Buffer.alloc(10_000), () => res.socket?.destroy());
    return true;
  });
  const dest = path.join(work, 'drop');
  assert.equal(await code(dav(f.url).download('a.db', dest)), 'CONNECTION_RESET');
  assert.ok(!existsSync(dest));
  assert.equal(await code(dav(f.url).readSmall('a.db')), 'CONNECTION_RESET');
  // A local write failure is reported as what it is, not as a network problem.
  assert.equal(await code(dav(f.url).download('a.db', path.join(work, 'no-such-dir', 'x.db'))), 'NOT_FOUND');
});

test('garbage, truncated or oversized answers are errors, not crashes', async () => {
  const f = await fake((req, res) => {
    if (req.method === 'PROPFIND' && req.url === '/dav/x/junk') {
      res.writeHead(207).end('<d:multistatus><d:response><d:href>/dav/x/junk</d:h'.repeat(1000));
      return true;
    }
    if (req.method === 'PROPFIND' && req.url === '/dav/x/html') {
      res.writeHead(200, { 'Content-Type': 'text/html' }).end('<html>login page</html>');
      return true;
    }
    if (req.method === 'GET' && req.url === '/dav/x/big.json') {
      res.writeHead(200, { 'Content-Length': String(2 * 1024 * 1024) }).end(Buffer.alloc(2 * 1024 * 1024));
      return true;
    }
    if (req.method === 'GET' && req.url === '/dav/x/big-chunked.json') {
      res.writeHead(200);
      for (let i = 0; i < 40; i++) res.write(Buffer.alloc(64 * 1024));
      res.end();
      return true;
    }
    return false;
  });
  const t = dav(f.url);
  assert.equal(await code(t.stat('junk')), 'PROTOCOL');
  assert.equal(await code(t.stat('html')), 'PROTOCOL');
  assert.equal(await code(t.readSmall('big.json')), 'TOO_LARGE');
  assert.equal(await code(t.readSmall('big-chunked.json')), 'TOO_LARGE');
  await t.close();
});

test('HTTP statuses map to precise codes: 507, 423, 413, 405, 500, and a redirect is not followed with credentials', async () => {
  const statusFor: Record<string, number> = {
    'full.json': 507,
    'locked.json': 423,
    'big.json': 413,
    'nope.json': 405,
    'boom.json': 500,
  };
  const f = await fake((req, res) => {
    const name = req.url!.split('/').pop()!;
    if (req.method === 'PUT' && statusFor[name]) {
      res.writeHead(statusFor[name]!).end();
      return true;
    }
    if (req.url === '/dav/x/moved.json') {
      res.writeHead(301, { Location: 'http://127.0.0.1:1/elsewhere/moved.json' }).end();
      return true;
    }
    return false;
  });
  const t = dav(f.url);
  assert.equal(await code(t.writeSmall('full.json', Buffer.from('{}'))), 'STORAGE_FULL');
  assert.equal(await code(t.writeSmall('locked.json', Buffer.from('{}'))), 'LOCKED');
  assert.equal(await code(t.writeSmall('big.json', Buffer.from('{}'))), 'TOO_LARGE');
  assert.equal(await code(t.writeSmall('nope.json', Buffer.from('{}'))), 'NOT_SUPPORTED');
  assert.equal(await code(t.writeSmall('boom.json', Buffer.from('{}'))), 'PROTOCOL');
  assert.equal(await code(t.readSmall('moved.json')), 'PROTOCOL');
  // Every PUT carried an explicit length and no chunked encoding was ever used.
  const puts = f.seen.filter((s) => s.method === 'PUT');
  assert.ok(puts.length >= 5);
  assert.ok(
    puts.every((s) => s.contentLength === '2' || (s.url.includes('probe') && s.contentLength !== undefined)),
    JSON.stringify(puts),
  );
  assert.ok(f.seen.every((s) => s.transferEncoding === undefined));
  // The redirect target (port 1) was never contacted; the redirect answer itself came from our fake.
  assert.equal(f.seen.filter((s) => s.url === '/dav/x/moved.json').length, 1);
  await t.close();
});

test('a server that always answers 401 with a Digest challenge: AUTH_FAILED after one retry, no loop', async () => {
  const f = await fake((_req, res) => {
    res.writeHead(401, { 'WWW-Authenticate': 'Digest realm="r", nonce="n1", qop="auth", algorithm=MD5' }).end();
    return true;
  });
  const t = dav(f.url, { auth: 'digest' });
  assert.equal(await code(t.open()), 'AUTH_FAILED');
  assert.ok(f.seen.length <= 3, `requests: ${f.seen.length}`);
  const r = await t.test();
  assert.equal(r.ok, false);
  assert.equal(r.error?.code, 'AUTH_FAILED');
  await t.close();
});

test('connection refused, unknown host and bad URLs give their own codes', async () => {
  const port = await freePort();
  assert.equal(await code(dav(`http://127.0.0.1:${port}/dav/`).open()), 'CONNECTION_REFUSED');
  assert.equal(await code(dav('http://servidor-que-no-existe.invalid/dav/').open()), 'DNS');
  assert.throws(
    () => dav('http://ana:clave@127.0.0.1/dav/'),
    (e) => isSyncError(e, 'CONFIG_INVALID') && !e.message.includes('clave'),
  );
  const r = await dav(`http://127.0.0.1:${port}/dav/`).test();
  assert.equal(r.ok, false);
  assert.equal(r.error?.code, 'CONNECTION_REFUSED');
  assert.equal(r.steps.find((s) => s.id === 'connect')?.ok, false);
  assert.ok(r.steps.filter((s) => s.id !== 'connect').every((s) => s.skipped));
});

test('Digest: RFC 7616 known answers (MD5 and SHA-256) and challenge parsing', () => {
  const [ch] = parseChallenges([
    'Digest realm="http-auth@example.org", qop="auth, auth-int", algorithm=SHA-256, nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"',
  ]);
  const cnonce = 'f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ';
  const sha = new DigestSession(ch!, cnonce).header('GET', '/dir/index.html', 'Mufasa', 'Circle of Life');
  assert.match(sha, /response="753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1"/);
  assert.match(sha, /nc=00000001/);
  const md5ch = { scheme: 'digest', params: { ...ch!.params, algorithm: 'MD5' } };
  assert.match(
    new DigestSession(md5ch, cnonce).header('GET', '/dir/index.html', 'Mufasa', 'Circle of Life'),
    /response="8ca523f5e9506fed4657c9700eebdbec"/,
  );
  const both = parseChallenges(['Basic realm="a", Digest realm="b", nonce="x\\"y", qop="auth"', 'Negotiate']);
  assert.deepEqual(
    both.map((c) => c.scheme),
    ['basic', 'digest', 'negotiate'],
  );
  assert.equal(both[1]!.params.nonce, 'x"y');
  assert.equal(
    DigestSession.supported({ scheme: 'digest', params: { realm: 'r', nonce: 'n', qop: 'auth-int' } }),
    'qop auth-int',
  );
  assert.equal(parseChallenges(['=,,,"\\']).length, 0);
});

test('plain http to a non-loopback host is logged as a warning (the password would cross the network in clear)', async (t) => {
  const ip = Object.values(os.networkInterfaces())
    .flat()
    .find((i) => i && i.family === 'IPv4' && !i.internal)?.address;
  if (!ip) return t.skip('no non-loopback IPv4 address on this machine');
  const s = http.createServer((req, res) => {
    req.resume();
    if (req.method === 'PROPFIND') res.writeHead(207, { 'Content-Type': 'application/xml' }).end(ROOT_207);
    else res.writeHead(404).end();
  });
  servers.push(s);
  await new Promise<void>((r) => s.listen(0, ip, r));
  const port = (s.address() as AddressInfo).port;
  const remoteLog = memoryLogger();
  await davTransport(
    { url: `http://${ip}:${port}/dav/`, username: 'ana', password: 'secreto-123', remote_path: '/x/' },
    remoteLog,
  ).open();
  const warn = remoteLog.events.find((e) => e.code === 'PLAINTEXT_HTTP');
  assert.equal(warn?.level, 'warn');
  assert.match(warn!.text.es, /no está cifrada/);
  const localLog = memoryLogger();
  const f = await fake(() => false);
  await davTransport({ url: f.url, username: 'ana', password: 'secreto-123', remote_path: '/x/' }, localLog).open();
  assert.ok(!localLog.events.some((e) => e.code === 'PLAINTEXT_HTTP'));
});
