/**
 * Issue 14, the sync server's limits, each attack performed with real socket.io clients against our server started
 * by the test (in a child process where its file descriptors are counted in /proc): uploads left open by clients
 * that leave, a chunk flood that ignores the ack window, partial uploads on disk, bad tokens that used to lock out
 * good clients from the same address, tokens bound to database ids, and protocol 1 data that is not SQLite.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import path from 'node:path';
import { io as ioClient, type Socket } from 'socket.io-client';
import { startSyncServer } from '../src/server/server.js';
import { EV } from '../src/transports/socketio/protocol.js';
import { toSyncError } from '../src/errors.js';
import { endpoint, startServerChild, writeTokens } from './helpers/socketio.js';
import { makeTestDb, sha256File, tmpDir } from './helpers/system.js';

type Reply = { ok: boolean; code?: string; message?: { es: string; en: string }; [k: string]: unknown };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A raw client; resolves once connected, rejects with the server's refusal code. */
async function connect(url: string, auth: Record<string, unknown> = {}): Promise<Socket> {
  const s = ioClient(`${url}/cordiax-sync/`, { forceNew: true, reconnection: false, transports: ['websocket'], auth });
  await new Promise<void>((resolve, reject) => {
    s.once('connect', () => resolve());
    s.once('connect_error', (err: Error & { data?: { code?: string } }) => {
      s.close();
      reject(new Error(err.data?.code ?? err.message));
    });
  });
  return s;
}

const ask = (s: Socket, ev: string, payload: unknown) => s.timeout(30_000).emitWithAck(ev, payload) as Promise<Reply>;

const begin = (s: Socket, size: number) =>
  ask(s, EV.begin, {
    sha256: randomBytes(32).toString('hex'),
    size,
    encrypted: false,
    device: 'atacante',
    baseGeneration: null,
  });

/** Open descriptors of `pid` that point at partial uploads. */
function openParts(pid: number): number {
  let n = 0;
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      if (readlinkSync(`/proc/${pid}/fd/${fd}`).endsWith('.part')) n++;
    } catch {
      /* closed meanwhile */
    }
  }
  return n;
}

/** Polls `cond` for up to `ms` (the server reacts to a disconnect asynchronously); returns its last value. */
async function eventually<T>(fn: () => T, cond: (v: T) => boolean, ms = 15_000): Promise<T> {
  const until = Date.now() + ms;
  let v = fn();
  while (!cond(v) && Date.now() < until) {
    await sleep(50);
    v = fn();
  }
  return v;
}

test('uploads begun by clients that leave: bounded per connection and per token, files closed on disconnect', {
  timeout: 90_000,
}, async () => {
  const dir = tmpDir();
  const server = await startServerChild({
    tokensFile: writeTokens(dir, ['token-bueno']),
    uploadLimits: { perClient: 2, perToken: 8 },
  });
  const pid = server.proc.pid!;
  const clients: Socket[] = [];
  try {
    assert.equal(openParts(pid), 0);
    // One connection begins five uploads: only two keep a file open.
    const one = await connect(server.url, { token: 'token-bueno' });
    clients.push(one);
    for (let i = 0; i < 5; i++) assert.equal((await begin(one, 1024 * 1024)).ok, true);
    assert.equal(openParts(pid), 2, 'at most perClient open files for one connection');

    // Ten more connections with the same token, one upload each: beyond perToken (8) uploads that are all still
    // attached, new ones are refused (BUSY) instead of holding more descriptors.
    const codes: string[] = [];
    for (let i = 0; i < 10; i++) {
      const s = await connect(server.url, { token: 'token-bueno' });
      clients.push(s);
      const r = await begin(s, 1024 * 1024);
      codes.push(r.ok ? 'ok' : String(r.code));
    }
    // 5 + 3 fill the token's 8; the next 3 push out the first connection's 3 detached ones; then all 8 are live.
    assert.deepEqual(codes, ['ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'BUSY', 'BUSY', 'BUSY', 'BUSY']);
    assert.equal(openParts(pid), 8);

    // Everyone leaves: every file is closed (before the fix they stayed open for an hour).
    for (const s of clients.splice(0)) s.close();
    assert.equal(
      await eventually(
        () => openParts(pid),
        (n) => n === 0,
      ),
      0,
    );

    // The detached uploads do not lock the token out: a new client may begin (the oldest detached ones make room).
    const later = await connect(server.url, { token: 'token-bueno' });
    clients.push(later);
    assert.equal((await begin(later, 1024 * 1024)).ok, true);

    // Twelve connections beginning at the same instant cannot all pass the same check: 7 more fit beside `later`.
    const crowd = await Promise.all(Array.from({ length: 12 }, () => connect(server.url, { token: 'token-bueno' })));
    clients.push(...crowd);
    const together = await Promise.all(crowd.map((s) => begin(s, 1024 * 1024)));
    assert.equal(together.filter((r) => r.ok).length, 7, JSON.stringify(together.map((r) => r.code ?? 'ok')));
    assert.equal(openParts(pid), 8);
  } finally {
    for (const s of clients) s.close();
    await server.stop();
  }
});

test('a chunk flood without waiting for acks is refused beyond the ack window, never buffered', {
  timeout: 90_000,
}, async () => {
  const server = await startServerChild({});
  const s = await connect(server.url);
  try {
    // Small chunks, sent while the server is stopped (SIGSTOP): when it resumes, the whole burst is read at once, as a
    // hostile client's flood is; with 1 MiB chunks an idle server wrote each one before the next arrived, so whether
    // the window was ever exceeded depended on the machine's load.
    const chunk = 1024;
    const total = 40;
    const data = randomBytes(chunk);
    const sha = createHash('sha256');
    for (let i = 0; i < total; i++) sha.update(data);
    const meta = {
      sha256: sha.digest('hex'),
      size: chunk * total,
      encrypted: false,
      device: 'atacante',
      baseGeneration: null,
    };
    const b = await ask(s, EV.begin, meta);
    assert.equal(b.ok, true);
    // All 40 chunks at once, as a hostile client would: beyond the window the server refuses without queuing.
    const pid = server.proc.pid!;
    process.kill(pid, 'SIGSTOP');
    let replies: Reply[];
    try {
      const pending = Promise.all(
        Array.from({ length: total }, (_, i) => ask(s, EV.chunk, { uploadId: b.uploadId, offset: i * chunk, data })),
      );
      await new Promise((r) => setTimeout(r, 300)); // the client flushes the burst into the socket
      process.kill(pid, 'SIGCONT');
      replies = await pending;
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    const codes = replies.map((r) => (r.ok ? 'ok' : String(r.code)));
    const accepted = codes.filter((c) => c === 'ok').length;
    assert.ok(codes.includes('RATE_LIMITED'), codes.join(','));
    assert.ok(accepted < total, `accepted ${accepted}`);
    const refused = replies.find((r) => r.code === 'RATE_LIMITED')!;
    assert.match(refused.message!.es, /sin confirmar/);
    assert.match(refused.message!.en, /without an answer/);
    // What is on disk is exactly what was accepted, in order.
    const part = path.join(server.storageDir, 'default', 'uploads', `${b.uploadId}.part`);
    assert.equal(readFileSync(part).length, accepted * chunk);

    // The same client, now waiting for each ack, resumes at the server's offset and completes the upload.
    const resumed = (await ask(s, EV.begin, { ...meta, uploadId: b.uploadId })) as Reply & { offset: number };
    assert.equal(resumed.uploadId, b.uploadId);
    assert.equal(resumed.offset, accepted * chunk);
    for (let offset = resumed.offset; offset < meta.size; offset += chunk)
      assert.equal((await ask(s, EV.chunk, { uploadId: b.uploadId, offset, data })).ok, true);
    const end = (await ask(s, EV.end, { uploadId: b.uploadId, sha256: meta.sha256 })) as Reply & {
      manifest: { file: string };
    };
    assert.equal(end.ok, true, JSON.stringify(end));
    assert.equal(await sha256File(path.join(server.storageDir, 'default', end.manifest.file)), meta.sha256);
  } finally {
    s.close();
    await server.stop();
  }
});

test('partial uploads: deleted once stale, and a disk budget that drops detached partials before refusing', {
  timeout: 90_000,
}, async () => {
  const server = await startServerChild({
    uploadLimits: { staleMs: 1500, idleCloseMs: 500, budgetBytes: 3 * 1024 * 1024 },
  });
  const uploads = path.join(server.storageDir, 'default', 'uploads');
  const clients: Socket[] = [];
  try {
    const a = await connect(server.url);
    clients.push(a);
    const ba = await begin(a, 2 * 1024 * 1024);
    assert.equal(ba.ok, true);
    assert.equal(
      (await ask(a, EV.chunk, { uploadId: ba.uploadId, offset: 0, data: randomBytes(1024 * 1024) })).ok,
      true,
    );

    // Budget: A's 2 MiB are reserved; B's 2 MiB do not fit while A is still there.
    const b = await connect(server.url);
    clients.push(b);
    const refused = await begin(b, 2 * 1024 * 1024);
    assert.equal(refused.code, 'STORAGE', JSON.stringify(refused));
    assert.match(refused.message!.en, /no room for more uploads/);

    // A leaves: its partial is dropped to make room for B, files and all.
    a.close();
    let again: Reply = { ok: false };
    for (let i = 0; i < 100 && !again.ok; i++) {
      again = await begin(b, 2 * 1024 * 1024);
      if (!again.ok) await sleep(50);
    }
    assert.equal(again.ok, true, JSON.stringify(again));
    assert.equal(existsSync(path.join(uploads, `${ba.uploadId}.part`)), false, 'the detached partial was dropped');

    // B leaves too: its partial is gone once stale (1.5 s here; an hour by default, a day before the fix).
    b.close();
    const left = await eventually(
      () => readdirSync(uploads),
      (l) => l.length === 0,
    );
    assert.deepEqual(left, []);
  } finally {
    for (const s of clients) s.close();
    await server.stop();
  }
});

test('bad tokens from one address no longer lock out a good client from the same address', {
  timeout: 60_000,
}, async () => {
  const dir = tmpDir();
  const server = await startSyncServer({
    host: '127.0.0.1',
    port: 0,
    storageDir: tmpDir(),
    tokensFile: writeTokens(dir, ['token-bueno', 'token-nuevo']),
    rateLimits: { connectBurst: 5, connectPerSecond: 0.01 },
  });
  try {
    (await connect(server.url, { token: 'token-bueno' })).close();
    // The attack: 30 wrong tokens from the same address (everyone behind one proxy shares it), all at once so the
    // budget must hold for concurrent attempts too.
    const answers = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        connect(server.url, { token: `malo-${i}` }).then(
          (s) => {
            s.close();
            return 'connected';
          },
          (e: Error) => e.message,
        ),
      ),
    );
    assert.ok(!answers.includes('connected'));
    assert.equal(answers.filter((a) => a === 'unauthorized').length, 5, 'the failure budget, then...');
    assert.equal(answers.filter((a) => a === 'rate_limited').length, 25, '...refused without checking');

    // The good client, again and again: never locked out (before the fix: rate_limited).
    for (let i = 0; i < 10; i++) (await connect(server.url, { token: 'token-bueno' })).close();
    // A right token new to this address waits like the attacker (documented): no oracle during an attack.
    await assert.rejects(connect(server.url, { token: 'token-nuevo' }), /rate_limited/);
  } finally {
    await server.close();
  }

  // Without the attack, one device retrying one wrong token is slowed sooner, and the others are not affected.
  const server2 = await startSyncServer({
    host: '127.0.0.1',
    port: 0,
    storageDir: tmpDir(),
    tokensFile: writeTokens(tmpDir(), ['token-bueno']),
    rateLimits: { connectBurst: 8, connectPerSecond: 0.01 },
  });
  try {
    const answers: string[] = [];
    for (let i = 0; i < 4; i++)
      await connect(server2.url, { token: 'mal-copiado' }).catch((e: Error) => answers.push(e.message));
    assert.deepEqual(answers, ['unauthorized', 'unauthorized', 'rate_limited', 'rate_limited']);
    (await connect(server2.url, { token: 'token-bueno' })).close();
  } finally {
    await server2.close();
  }
});

test('tokens bound to database ids in the tokens file: other ids are refused with a clear error', {
  timeout: 60_000,
}, async () => {
  const dir = tmpDir();
  const server = await startSyncServer({
    host: '127.0.0.1',
    port: 0,
    storageDir: tmpDir(),
    tokensFile: writeTokens(dir, ['token-clinica-a clinica-a', 'token-dos clinica-a\tclinica-b', 'token-admin']),
  });
  try {
    (await connect(server.url, { token: 'token-clinica-a', database_id: 'clinica-a' })).close();
    await assert.rejects(
      connect(server.url, { token: 'token-clinica-a', database_id: 'clinica-b' }),
      /forbidden_database/,
    );
    await assert.rejects(connect(server.url, { token: 'token-clinica-a' }), /forbidden_database/, "'default' too");
    (await connect(server.url, { token: 'token-dos', database_id: 'clinica-b' })).close();
    (await connect(server.url, { token: 'token-admin', database_id: 'clinica-b' })).close();

    // Our client says what happened, in both languages.
    const { ep } = endpoint(server.url, { token: 'token-clinica-a', database_id: 'clinica-b' });
    try {
      await ep.open();
      assert.fail('expected a refusal');
    } catch (err) {
      const e = toSyncError(err);
      assert.equal(e.code, 'AUTH_FAILED');
      assert.match(e.text.es, /no da acceso a la base de datos «clinica-b»/);
      assert.match(e.text.en, /no access to the database "clinica-b"/);
    } finally {
      await ep.close();
    }
  } finally {
    await server.close();
  }
});

test('protocol 1 refuses empty, random, truncated or damaged data as the new head; a real database is stored', {
  timeout: 60_000,
}, async () => {
  const storageDir = tmpDir();
  const server = await startSyncServer({ host: '127.0.0.1', port: 0, storageDir });
  const s = await connect(server.url);
  try {
    const db = makeTestDb(path.join(tmpDir(), 'a.db'), 200, { wal: false });
    const good = readFileSync(db);
    const damaged = Buffer.from(good);
    damaged.fill(0xff, 1024, 4096); // the first table pages
    for (const [what, bytes] of [
      ['empty', Buffer.alloc(0)],
      ['random', randomBytes(8192)],
      ['text', Buffer.from('hola, esto no es una base de datos')],
      ['truncated', good.subarray(0, 600)],
      ['damaged', damaged],
    ] as const) {
      const r = await ask(s, EV.syncData, { data: bytes.toString('hex') });
      assert.equal(r.ok, false, what);
      assert.equal(r.code, 'BAD_REQUEST', `${what}: ${JSON.stringify(r)}`);
      assert.match(r.message!.es, /no es una base de datos SQLite válida: no se guardó nada/, what);
      assert.match(r.message!.en, /not a valid SQLite database: nothing was stored/, what);
      assert.equal(existsSync(path.join(storageDir, 'default', 'manifest.json')), false, `${what}: no head`);
    }
    const ok = await ask(s, EV.syncData, { data: good.toString('hex') });
    assert.equal(ok.ok, true, JSON.stringify(ok));
    const m = (ok as Reply & { manifest: { file: string; sha256: string } }).manifest;
    assert.equal(await sha256File(path.join(storageDir, 'default', m.file)), await sha256File(db));
    assert.deepEqual(readdirSync(path.join(storageDir, 'default', 'uploads')), [], 'no journal files left');
  } finally {
    s.close();
    await server.close();
  }
});
