/**
 * Our sync server with our client (protocol 2), end to end on 127.0.0.1: bytes compared by hash with what the
 * server stored, CAS conflicts, pull, auth, version pruning, restarts, resumed uploads and hostile peers.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { io as ioClient } from 'socket.io-client';
import { startSyncServer } from '../src/server/server.js';
import type { SyncError } from '../src/errors.js';
import type { RemoteManifest } from '../src/transports/types.js';
import { endpoint, memoryLogger, nextEvent, startServerChild, writeTokens } from './helpers/socketio.js';
import { addRows, freePort, makeLargeDb, makeTestDb, readRows, sha256File, tmpDir } from './helpers/system.js';

async function metaOf(file: string, baseGeneration: number | null = null, device = 'equipo-a') {
  return { sha256: await sha256File(file), size: statSync(file).size, encrypted: false, device, baseGeneration };
}

function storedFile(storageDir: string, m: RemoteManifest, databaseId = 'default'): string {
  return path.join(storageDir, databaseId, m.file);
}

test('push stores the snapshot byte for byte with a manifest; the same bytes again make no new version; pull returns them', {
  timeout: 60_000,
}, async () => {
  const storageDir = tmpDir();
  const server = await startSyncServer({ host: '127.0.0.1', port: 0, storageDir });
  const { ep } = endpoint(server.url);
  try {
    assert.deepEqual(await ep.capabilities(), {
      push: true,
      pull: true,
      history: true,
      compareAndSwap: true,
      maxBytes: 2 * 1024 ** 3,
    });
    assert.equal(await ep.head(), null);
    const db = makeTestDb(path.join(tmpDir(), 'a.db'), 2000);
    const meta = await metaOf(db);
    const r = await ep.push(db, meta);
    assert.ok(r.manifest && !r.conflict);
    assert.equal(r.manifest.generation, 1);
    assert.equal(await sha256File(storedFile(storageDir, r.manifest)), meta.sha256);
    const onDisk = JSON.parse(
      readFileSync(path.join(storageDir, 'default', 'manifest.json'), 'utf8'),
    ) as RemoteManifest;
    assert.deepEqual(onDisk, r.manifest);
    assert.equal(statSync(path.join(storageDir, 'default', 'manifest.json')).mode & 0o777, 0o600);
    assert.equal(statSync(path.join(storageDir, 'default')).mode & 0o777, 0o700);

    const again = await ep.push(db, { ...meta, baseGeneration: 1 });
    assert.equal(again.manifest!.generation, 1, 'no new version for the same bytes');
    assert.deepEqual(readdirSync(path.join(storageDir, 'default', 'versions')), [path.basename(r.manifest.file)]);

    assert.deepEqual(await ep.head(), r.manifest);
    const out = path.join(tmpDir(), 'pulled.db');
    const got = await ep.pull(out);
    assert.deepEqual(got, { size: meta.size, sha256: meta.sha256 });
    assert.equal(await sha256File(out), meta.sha256);
    assert.equal(statSync(out).mode & 0o777, 0o600);
    assert.deepEqual(readRows(out), readRows(db));
  } finally {
    await ep.close();
    await server.close();
  }
});

test('two clients on one database: the stale one gets a conflict with the newer manifest, the other a sync_update', {
  timeout: 60_000,
}, async () => {
  const storageDir = tmpDir();
  const server = await startSyncServer({ host: '127.0.0.1', port: 0, storageDir, keepVersions: 2 });
  const a = endpoint(server.url, {}, {}, 'equipo-a');
  const b = endpoint(server.url, {}, {}, 'equipo-b');
  const dir = tmpDir();
  try {
    await a.ep.open();
    await b.ep.open();
    const dbA = makeTestDb(path.join(dir, 'a.db'), 100, { tag: 'a' });
    const updateAtB = nextEvent(b.ep, 'sync_update');
    const r1 = await a.ep.push(dbA, await metaOf(dbA));
    const upd = await updateAtB;
    assert.deepEqual(upd.manifest, r1.manifest);

    // B had not seen generation 1: the server refuses to overwrite it and says what it has.
    const dbB = makeTestDb(path.join(dir, 'b.db'), 100, { tag: 'b' });
    const r2 = await b.ep.push(dbB, await metaOf(dbB, null, 'equipo-b'));
    assert.equal(r2.manifest, undefined);
    assert.deepEqual(r2.conflict, r1.manifest);
    assert.equal(
      await sha256File(storedFile(storageDir, r1.manifest!)),
      await sha256File(dbA),
      "A's version untouched",
    );

    // After pulling, B pushes on top of generation 1.
    const pulled = path.join(dir, 'b-pulled.db');
    await b.ep.pull(pulled, r2.conflict);
    assert.deepEqual(readRows(pulled), readRows(dbA));
    addRows(pulled, ['de b']);
    const r3 = await b.ep.push(pulled, await metaOf(pulled, 1, 'equipo-b'));
    assert.equal(r3.manifest!.generation, 2);
    assert.equal(r3.manifest!.device, 'equipo-b');
    // keepVersions 2: a third version drops the first file.
    addRows(pulled, ['otra']);
    const r4 = await b.ep.push(pulled, await metaOf(pulled, 2, 'equipo-b'));
    assert.equal(r4.manifest!.generation, 3);
    assert.deepEqual(
      r4.manifest!.versions!.map((v) => v.generation),
      [2],
    );
    assert.equal(readdirSync(path.join(storageDir, 'default', 'versions')).length, 2);
    // An older kept version can still be pulled.
    const old = path.join(dir, 'old.db');
    await a.ep.pull(old, { ...r3.manifest!, versions: [] });
    assert.equal(await sha256File(old), r3.manifest!.sha256);
  } finally {
    await a.ep.close();
    await b.ep.close();
    await server.close();
  }
});

test('auth: a wrong token is refused (AUTH_FAILED, no retry loop), a token file is re-read, and no token shows anywhere', {
  timeout: 60_000,
}, async () => {
  const dir = tmpDir();
  const good = `good-${randomBytes(16).toString('hex')}`;
  const bad = `bad-${randomBytes(16).toString('hex')}`;
  const serverLog = memoryLogger();
  const server = await startSyncServer({
    host: '127.0.0.1',
    port: 0,
    storageDir: tmpDir(),
    tokensFile: writeTokens(dir, [good]),
    log: serverLog,
  });
  const tokenFile = path.join(dir, 'client-token');
  writeFileSync(tokenFile, bad, { mode: 0o600 });
  const { ep, log } = endpoint(server.url, { token_file: tokenFile });
  try {
    await assert.rejects(ep.open(), (e: SyncError) => e.code === 'AUTH_FAILED' && /token/.test(e.hint!.es));
    const report = await ep.test();
    assert.equal(report.ok, false);
    assert.equal(report.facts.tokenAccepted, false);
    assert.equal(report.error?.code, 'AUTH_FAILED');
    // No sleep to wait for retries that should not come: socket.io only reconnects an active socket, and a refusal by
    // the server's middleware leaves it inactive. Checked on the client's own socket, and with a listener that would
    // count any reconnect attempt for the rest of the test.
    const conn = (
      ep as unknown as {
        conn: { refused: boolean; socket: { active: boolean; io: { on(ev: string, f: () => void): void } } };
      }
    ).conn;
    assert.equal(conn.refused, true, 'the client knows it was refused');
    assert.equal(conn.socket.active, false, 'an inactive socket: socket.io schedules no retry');
    let retries = 0;
    conn.socket.io.on('reconnect_attempt', () => retries++);
    const refusals = serverLog.events.filter((e) => e.code === 'AUTH_FAILED').length;

    assert.equal(
      serverLog.events.filter((e) => e.code === 'AUTH_FAILED').length,
      refusals,
      'no automatic retries after a refusal',
    );
    assert.equal(retries, 0);
    writeFileSync(tokenFile, `${good}\n`);
    await ep.open();
    const ok = await ep.test();
    assert.equal(ok.ok, true);
    assert.equal(ok.facts.tokenAccepted, true);
    const db = makeTestDb(path.join(dir, 'a.db'), 10);
    assert.ok((await ep.push(db, await metaOf(db))).manifest);
    const all = JSON.stringify([log.events, serverLog.events, report, ok]);
    assert.ok(!all.includes(good) && !all.includes(bad));
  } finally {
    await ep.close();
    await server.close();
  }
});

test('protocol 1 to our server (hex sync_data, as the spec) stores the same bytes', { timeout: 60_000 }, async () => {
  const storageDir = tmpDir();
  const server = await startSyncServer({ host: '127.0.0.1', port: 0, storageDir });
  const { ep } = endpoint(server.url, { database_id: 'oficina-1' }, { forceProtocol: 1 });
  try {
    const caps = await ep.capabilities();
    assert.equal(caps.pull, false);
    const db = makeTestDb(path.join(tmpDir(), 'a.db'), 500);
    const r = await ep.push(db, await metaOf(db));
    assert.equal(await sha256File(storedFile(storageDir, r.manifest!, 'oficina-1')), await sha256File(db));
  } finally {
    await ep.close();
    await server.close();
  }
});

test('server restart in the middle of a large upload: the client reconnects and resumes where the server left off', {
  timeout: 120_000,
}, async () => {
  const dir = tmpDir();
  const db = makeLargeDb(path.join(dir, 'big.db'), 40 * 1024 * 1024);
  const meta = await metaOf(db);
  const server = await startServerChild();
  const { ep, log } = endpoint(server.url);
  let restarted: Awaited<ReturnType<typeof startServerChild>> | null = null;
  try {
    await ep.open();
    let killedAt = 0;
    let restarting: Promise<void> | null = null;
    const afterKill: number[] = [];
    const r = await ep.push(db, meta, {
      onProgress: (p) => {
        if (restarting) afterKill.push(p.bytes);
        if (!restarting && p.bytes >= 8 * 1024 * 1024) {
          killedAt = p.bytes;
          server.kill();
          restarting = startServerChild({ port: server.port, storageDir: server.storageDir }).then((s) => {
            restarted = s;
          });
        }
      },
    });
    assert.ok(killedAt > 0);
    assert.ok(restarting);
    await restarting;
    assert.equal(r.manifest!.sha256, meta.sha256);
    assert.equal(await sha256File(storedFile(server.storageDir, r.manifest!)), meta.sha256);
    assert.ok(log.events.some((e) => e.code === 'RESUME'));
    assert.ok(
      afterKill.length > 0 && afterKill.every((b) => b > killedAt),
      'resumed where the server left off, not from byte 0',
    );
    assert.deepEqual(readdirSync(path.join(server.storageDir, 'default', 'uploads')), [], 'no upload left behind');
  } finally {
    await ep.close();
    await (restarted as Awaited<ReturnType<typeof startServerChild>> | null)?.stop();
    server.kill();
  }
});

test('hostile peers: garbage requests get errors, the server stays up and keeps serving', {
  timeout: 60_000,
}, async () => {
  const storageDir = tmpDir();
  const server = await startSyncServer({ host: '127.0.0.1', port: 0, storageDir, maxBytes: 1024 * 1024 });
  const raw = ioClient(`${server.url}/cordiax-sync/`, { forceNew: true, reconnection: false });
  try {
    await new Promise<void>((resolve, reject) => {
      raw.once('connect', () => resolve());
      raw.once('connect_error', reject);
    });
    const ask = (ev: string, payload: unknown) =>
      raw.timeout(5000).emitWithAck(ev, payload) as Promise<{ ok: boolean; code?: string }>;
    assert.equal((await ask('sync_data', { data: 'zz' })).code, 'BAD_REQUEST');
    assert.equal((await ask('sync_data', { data: 'abc' })).code, 'BAD_REQUEST');
    assert.equal((await ask('sync_data', 'not an object')).code, 'BAD_REQUEST');
    assert.equal((await ask('sync_data', { data: 'ab', sha256: '0'.repeat(64) })).code, 'VERIFY_FAILED');
    assert.equal((await ask('p2_chunk', { uploadId: 'x', offset: 0, data: Buffer.alloc(4) })).code, 'NOT_FOUND');
    assert.equal(
      (await ask('p2_begin', { sha256: 'nope', size: 1, encrypted: false, baseGeneration: null })).code,
      'BAD_REQUEST',
    );
    assert.equal(
      (await ask('p2_begin', { sha256: '0'.repeat(64), size: 2 * 1024 * 1024, encrypted: false, baseGeneration: null }))
        .code,
      'TOO_LARGE',
    );
    assert.equal(
      (await ask('p2_begin', { sha256: '0'.repeat(64), size: -5, encrypted: false, baseGeneration: null })).code,
      'BAD_REQUEST',
    );
    const b = (await ask('p2_begin', { sha256: '0'.repeat(64), size: 10, encrypted: false, baseGeneration: null })) as {
      ok: boolean;
      uploadId: string;
    };
    assert.equal(b.ok, true);
    assert.equal(
      (await ask('p2_chunk', { uploadId: b.uploadId, offset: 5, data: Buffer.alloc(5) })).code,
      'BAD_REQUEST',
    );
    assert.equal(
      (await ask('p2_chunk', { uploadId: b.uploadId, offset: 0, data: Buffer.alloc(11) })).code,
      'BAD_REQUEST',
    );
    assert.equal((await ask('p2_chunk', { uploadId: b.uploadId, offset: 0, data: Buffer.alloc(10) })).ok, true);
    assert.equal((await ask('p2_end', { uploadId: b.uploadId, sha256: '0'.repeat(64) })).code, 'VERIFY_FAILED');
    assert.equal((await ask('p2_read', { generation: 1, offset: 0, length: 10 })).code, 'NOT_FOUND');
    assert.equal((await ask('p2_read', { generation: 1, offset: 0, length: 1e12 })).code, 'BAD_REQUEST');
    raw.emit('p2_head', { no: 'ack' });
    raw.emit('nonsense', 1, 2, 3);
    // A malformed packet inside a real session: that session ends, the server does not.
    const hs = await fetch(`${server.url}/socket.io/?EIO=4&transport=polling`);
    const sid = (JSON.parse((await hs.text()).slice(1)) as { sid: string }).sid;
    await fetch(`${server.url}/socket.io/?EIO=4&transport=polling&sid=${sid}`, {
      method: 'POST',
      body: '42/cordiax-sync/,{{{ no es json',
    });
    // Raw garbage at the HTTP level.
    const res = await fetch(`${server.url}/socket.io/?EIO=4&transport=polling&sid=doesnotexist`, {
      method: 'POST',
      body: '\u0000\u00ff garbage',
    });
    assert.equal(res.status, 400);
    assert.deepEqual(readdirSync(path.join(storageDir, 'default', 'versions')), [], 'nothing stored');
    // Still serving.
    const { ep } = endpoint(server.url);
    try {
      const db = makeTestDb(path.join(tmpDir(), 'a.db'), 10);
      assert.ok((await ep.push(db, await metaOf(db))).manifest);
    } finally {
      await ep.close();
    }
  } finally {
    raw.close();
    await server.close();
  }
});

test('CORS is closed by default: a browser origin that is not listed is refused, a listed one is allowed', {
  timeout: 30_000,
}, async () => {
  const server = await startSyncServer({
    host: '127.0.0.1',
    port: 0,
    storageDir: tmpDir(),
    corsOrigins: ['https://app.example'],
  });
  try {
    const handshake = (origin?: string) =>
      fetch(`${server.url}/socket.io/?EIO=4&transport=polling`, { headers: origin ? { origin } : {} });
    const evil = await handshake('https://evil.example');
    assert.equal(evil.status, 403);
    assert.equal(evil.headers.get('access-control-allow-origin'), null);
    const ok = await handshake('https://app.example');
    assert.equal(ok.status, 200);
    assert.equal(ok.headers.get('access-control-allow-origin'), 'https://app.example');
    assert.equal((await handshake()).status, 200, 'programs send no Origin');
  } finally {
    await server.close();
  }
});

test('a frozen server (SIGSTOP) is noticed by the ping timeout within seconds; the client reconnects when it thaws', {
  timeout: 60_000,
}, async () => {
  const server = await startServerChild();
  const { ep } = endpoint(server.url);
  try {
    await ep.open();
    const down = nextEvent(ep, 'disconnected');
    process.kill(server.proc.pid!, 'SIGSTOP');
    await down; // 4 s interval + 4 s timeout on our server, instead of the default 45 s
    const back = nextEvent(ep, 'sync_request');
    process.kill(server.proc.pid!, 'SIGCONT');
    await back;
    assert.equal(await ep.head(), null);
  } finally {
    await ep.close();
    server.kill();
  }
});

test('nothing listening: open() fails with CONNECTION_REFUSED and a hint; a wrong namespace says NOT_FOUND; a bad URL CONFIG_INVALID', {
  timeout: 30_000,
}, async () => {
  const bad = endpoint('http://[no-es-una-url');
  await assert.rejects(bad.ep.open(), (e: SyncError) => e.code === 'CONFIG_INVALID' && /server_url/.test(e.text.es));
  await bad.ep.close();
  const port = await freePort();
  const down = endpoint(`http://127.0.0.1:${port}`);
  try {
    await assert.rejects(
      down.ep.open(),
      (e: SyncError) => e.code === 'CONNECTION_REFUSED' && /servidor/.test(e.hint!.es),
    );
  } finally {
    await down.ep.close();
  }
  const server = await startSyncServer({ host: '127.0.0.1', port: 0, storageDir: tmpDir() });
  const wrong = endpoint(server.url, { namespace: '/otro/' });
  try {
    await assert.rejects(wrong.ep.open(), (e: SyncError) => e.code === 'NOT_FOUND' && /namespace/.test(e.hint!.es));
  } finally {
    await wrong.ep.close();
    await server.close();
  }
});

test('rate limits: connection attempts per address and requests per connection are capped with clear answers', {
  timeout: 30_000,
}, async () => {
  const server = await startSyncServer({
    host: '127.0.0.1',
    port: 0,
    storageDir: tmpDir(),
    rateLimits: { connectBurst: 2, connectPerSecond: 0.01, requestBurst: 5, requestPerSecond: 0.01 },
  });
  const eps = [endpoint(server.url), endpoint(server.url), endpoint(server.url)];
  try {
    await eps[0]!.ep.open();
    await eps[1]!.ep.open();
    await assert.rejects(eps[2]!.ep.open(), (e: SyncError) => e.code === 'UNAVAILABLE' && /intentos/.test(e.text.es));
    const codes: string[] = [];
    for (let i = 0; i < 8; i++)
      await eps[0]!.ep.head().then(
        () => codes.push('ok'),
        (e: SyncError) => codes.push(e.code),
      );
    assert.deepEqual(codes, ['ok', 'ok', 'ok', 'ok', 'ok', 'UNAVAILABLE', 'UNAVAILABLE', 'UNAVAILABLE']);
  } finally {
    for (const e of eps) await e.ep.close();
    await server.close();
  }
});

test('a hostile or broken server: malformed answers end in PROTOCOL errors, silence in TIMEOUT; nothing hangs, no partial file', {
  timeout: 30_000,
}, async () => {
  const { Server } = await import('socket.io');
  const http = await import('node:http');
  const httpServer = http.createServer();
  const io = new Server(httpServer);
  const sha = 'a'.repeat(64);
  const manifest = {
    format: 'cordiax-sync/1',
    generation: 1,
    sha256: sha,
    size: 10,
    encrypted: false,
    device: 'x',
    time: 'now',
    file: 'versions/1.db',
  };
  io.of('/cordiax-sync/').on('connection', (s) => {
    s.emit('sync_request', {
      protocol: 2,
      server: 'cordiax-sync',
      databaseId: 'default',
      maxBytes: 1e9,
      chunkBytes: 1024,
      auth: 'none',
      manifest: null,
    });
    let heads = 0;
    s.on('p2_head', (_p: unknown, ack: (r: unknown) => void) => {
      if (heads++ === 0) ack({ ok: true, manifest: { ...manifest, sha256: 'not a hash' } }); // then: silence
    });
    s.on('p2_begin', (_p: unknown, ack: (r: unknown) => void) => ack('nonsense'));
    s.on('p2_read', (_p: unknown, ack: (r: unknown) => void) => ack({ ok: true, data: Buffer.alloc(3), size: 10 }));
    s.on('p2_ping', () => {}); // never answers
  });
  await new Promise<void>((r) => httpServer.listen(0, '127.0.0.1', () => r()));
  const url = `http://127.0.0.1:${(httpServer.address() as import('node:net').AddressInfo).port}`;
  const { ep } = endpoint(url, {}, { ackTimeoutMs: 500 });
  const dir = tmpDir();
  try {
    await assert.rejects(ep.head(), (e: SyncError) => e.code === 'PROTOCOL');
    await assert.rejects(ep.head(), (e: SyncError) => e.code === 'TIMEOUT');
    const db = makeTestDb(path.join(dir, 'a.db'), 10);
    await assert.rejects(ep.push(db, await metaOf(db)), (e: SyncError) => e.code === 'PROTOCOL');
    const out = path.join(dir, 'out.db');
    await assert.rejects(ep.pull(out, manifest as RemoteManifest), (e: SyncError) => e.code === 'PROTOCOL');
    assert.equal(existsSync(out), false, 'no partial download left behind');
    const report = await ep.test();
    assert.equal(report.ok, false);
    assert.equal(report.steps.at(-1)!.id, 'rtt');
  } finally {
    await ep.close();
    io.close();
  }
});

test('database_id traversal: "..", "../x", "a/b", "%2e%2e", absolute paths are refused; nothing appears outside the storage folder', {
  timeout: 60_000,
}, async () => {
  const parent = tmpDir('cx-sio-dbid-');
  const storageDir = path.join(parent, 'storage');
  const server = await startSyncServer({ host: '127.0.0.1', port: 0, storageDir });
  const list = (dir: string) => readdirSync(dir, { recursive: true }).map(String).sort();
  const connect = (databaseId: unknown) =>
    new Promise<{ ok: boolean; code?: string; sock: ReturnType<typeof ioClient> }>((resolve) => {
      const sock = ioClient(`${server.url}/cordiax-sync/`, {
        forceNew: true,
        reconnection: false,
        auth: { database_id: databaseId, device: 'atacante' },
      });
      sock.once('connect', () => resolve({ ok: true, sock }));
      sock.once('connect_error', (e: Error & { data?: { code?: string } }) =>
        resolve({ ok: false, code: e.data?.code, sock }),
      );
    });
  try {
    const beforeParent = list(parent);
    const hostile: unknown[] = [
      '..',
      '.',
      '../x',
      '../../etc',
      'a/b',
      'a\\b',
      '..\\x',
      '%2e%2e',
      '%2e%2e%2fx',
      '/tmp/x',
      path.join(parent, 'fuera'),
      'C:\\x',
      'a\0b',
      '',
      ' default',
      'x'.repeat(65),
      5,
      ['a'],
    ];
    for (const id of hostile) {
      const r = await connect(id);
      r.sock.close();
      assert.equal(r.ok, false, `accepted database_id ${JSON.stringify(id)}`);
      assert.equal(r.code, 'bad_database_id', JSON.stringify(id));
    }
    assert.deepEqual(list(parent), beforeParent, 'nothing created by the refused ids');
    // Positive control: a valid id connects and a push lands inside the storage folder, under that id only.
    const good = await connect('oficina-1');
    good.sock.close();
    assert.equal(good.ok, true);
    const { ep } = endpoint(server.url, { database_id: 'oficina-1' });
    try {
      const db = makeTestDb(path.join(tmpDir(), 'a.db'), 10);
      const pushed = await ep.push(db, await metaOf(db));
      assert.ok(pushed.manifest);
    } finally {
      await ep.close();
    }
    assert.deepEqual(readdirSync(parent), ['storage']);
    assert.deepEqual(readdirSync(storageDir), ['oficina-1']);
  } finally {
    await server.close();
  }
});

test('tokens: a wrong token of the same length and ones of other lengths are all refused; the right one connects', {
  timeout: 60_000,
}, async () => {
  const dir = tmpDir();
  const good = 'token-correcto-de-prueba-0123456789';
  const server = await startSyncServer({
    host: '127.0.0.1',
    port: 0,
    storageDir: tmpDir(),
    tokensFile: writeTokens(dir, [good]),
  });
  const connect = (token: unknown) =>
    new Promise<{ ok: boolean; code?: string }>((resolve) => {
      const sock = ioClient(`${server.url}/cordiax-sync/`, { forceNew: true, reconnection: false, auth: { token } });
      sock.once('connect', () => {
        sock.close();
        resolve({ ok: true });
      });
      sock.once('connect_error', (e: Error & { data?: { code?: string } }) => {
        sock.close();
        resolve({ ok: false, code: e.data?.code ?? e.message });
      });
    });
  try {
    const sameLength = `${good.slice(0, -1)}8`;
    assert.equal(sameLength.length, good.length);
    for (const t of [sameLength, `x${good.slice(1)}`, good.slice(0, -1), `${good}9`, good.toUpperCase(), '', 42]) {
      const r = await connect(t);
      assert.equal(r.ok, false, `accepted token ${JSON.stringify(t)}`);
      assert.equal(r.code, 'unauthorized', JSON.stringify(t));
    }
    assert.deepEqual(await connect(good), { ok: true });
  } finally {
    await server.close();
  }
});
