/**
 * The client against a Flask-SocketIO server exactly as the spec shows it (Debian python3-flask-socketio, polling
 * only, 1,000,000-byte buffer). Bytes are compared by hash; connections are counted from the server's own output.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { startFlask } from './helpers/flask.js';
import { endpoint, nextEvent } from './helpers/socketio.js';
import { makeTestDb, sha256File, tmpDir } from './helpers/system.js';
import type { SyncError } from '../src/errors.js';
import { PROTOCOL1_MAX_BYTES } from '../src/transports/socketio/protocol.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function metaOf(file: string) {
  return {
    sha256: await sha256File(file),
    size: statSync(file).size,
    encrypted: false,
    device: 'equipo-a',
    baseGeneration: null,
  };
}

/** Polls a condition; the test's own timeout bounds it (no timing is asserted). */
async function until(cond: () => boolean | Promise<boolean>): Promise<void> {
  while (!(await cond())) await sleep(50);
}

test('connect + sync (namespace without its trailing slash): the spec server stores exactly the snapshot bytes; capabilities say push only', {
  timeout: 60_000,
}, async () => {
  const flask = await startFlask();
  const { ep, log } = endpoint(flask.url, { namespace: '/cordiax-sync' });
  try {
    const gotRequest = nextEvent(ep, 'sync_request');
    const caps = await ep.capabilities();
    assert.deepEqual(caps, {
      push: true,
      pull: false,
      history: false,
      compareAndSwap: false,
      maxBytes: PROTOCOL1_MAX_BYTES,
    });
    await gotRequest;
    assert.ok(
      log.events.some((e) => e.code === 'NAMESPACE_SLASH'),
      'a missing trailing slash is added, with a warning',
    );
    assert.equal(await ep.head(), undefined);
    const db = makeTestDb(path.join(tmpDir(), 'a.db'), 300);
    const meta = await metaOf(db);
    const r = await ep.push(db, meta);
    assert.deepEqual(r, {});
    assert.equal(await sha256File(flask.dbFile), meta.sha256);
    await assert.rejects(ep.pull(path.join(tmpDir(), 'x.db')), (e: SyncError) => e.code === 'NOT_SUPPORTED');
    const report = await ep.test();
    assert.equal(report.ok, true);
    assert.equal(report.facts.transport, 'polling');
    assert.equal(report.facts.serverProtocol, 1);
    assert.equal(report.facts.pull, false);
    assert.equal(typeof report.facts.rttMs, 'number');
  } finally {
    await ep.close();
    flask.stop();
  }
});

test('the largest database that fits (499,978 bytes) is stored byte for byte; one byte more is refused before sending, with no reconnect storm', {
  timeout: 60_000,
}, async () => {
  const flask = await startFlask();
  const { ep, log } = endpoint(flask.url);
  const dir = tmpDir();
  try {
    const fits = path.join(dir, 'fits.db');
    writeFileSync(fits, randomBytes(PROTOCOL1_MAX_BYTES));
    await ep.open();
    await ep.push(fits, await metaOf(fits));
    assert.equal(await sha256File(flask.dbFile), await sha256File(fits));
    const storedBefore = await sha256File(flask.dbFile);
    const receivedBefore = flask.received();

    // A service that pushes on every sync_request, like a naive client would: it must not loop.
    const big = path.join(dir, 'big.db');
    writeFileSync(big, randomBytes(PROTOCOL1_MAX_BYTES + 1));
    const meta = await metaOf(big);
    const errors: SyncError[] = [];
    ep.onRemoteEvent((ev) => {
      if (ev.kind === 'sync_request') ep.push(big, meta).catch((e: SyncError) => errors.push(e));
    });
    await assert.rejects(ep.push(big, meta), (e: SyncError) => {
      assert.equal(e.code, 'TOO_LARGE');
      assert.match(e.text.es, /max_http_buffer_size/);
      assert.match(e.text.en, /max_http_buffer_size/);
      assert.match(e.hint!.es, /max_http_buffer_size=/);
      return true;
    });
    assert.equal(await sha256File(flask.dbFile), storedBefore, 'what the server had is untouched');
    // A sentinel on the same connection instead of a sleep: the server answers it only after everything sent before
    // it, so if the refused push had sent anything (and been cut off, starting a reconnect loop) it shows up here:
    // a second connection, a disconnect, or more than one message received.
    const sentinel = path.join(dir, 'sentinel.db');
    writeFileSync(sentinel, randomBytes(1000));
    await ep.push(sentinel, await metaOf(sentinel));
    assert.equal(await sha256File(flask.dbFile), await sha256File(sentinel), 'the sentinel landed');
    assert.equal(flask.received(), receivedBefore + 1, 'nothing but the sentinel was sent');
    assert.equal(flask.connections(), 1, 'one connection, no reconnects');
    assert.deepEqual(errors, [], 'no sync_request came (it only comes on a reconnect), so the handler never pushed');
    assert.equal(log.events.filter((e) => e.type === 'disconnect').length, 0);
  } finally {
    await ep.close();
    flask.stop();
  }
});

test('server restart: the client reconnects, gets sync_request again, and the resync lands', {
  timeout: 60_000,
}, async () => {
  const flask = await startFlask();
  const { ep } = endpoint(flask.url);
  const dir = tmpDir();
  try {
    const db = makeTestDb(path.join(dir, 'a.db'), 50, { tag: 'antes' });
    await ep.push(db, await metaOf(db));
    assert.equal(await sha256File(flask.dbFile), await sha256File(db));
    const down = nextEvent(ep, 'disconnected');
    flask.stop();
    await down;
    const request = nextEvent(ep, 'sync_request'); // before the restart: the reconnect may beat any later line
    const flask2 = await startFlask({ port: flask.port });
    try {
      const db2 = makeTestDb(path.join(dir, 'b.db'), 80, { tag: 'despues' });
      await request;
      await ep.push(db2, await metaOf(db2));
      assert.equal(await sha256File(flask2.dbFile), await sha256File(db2));
      assert.equal(flask2.connections(), 1);
    } finally {
      flask2.stop();
    }
  } finally {
    await ep.close();
  }
});

test('a frozen server (no reset, no answers) is noticed by the heartbeat and the client reconnects when it thaws', {
  timeout: 60_000,
}, async () => {
  const flask = await startFlask();
  const { ep } = endpoint(flask.url, {}, { heartbeatMs: 1500 });
  try {
    await ep.open();
    const down = nextEvent(ep, 'disconnected');
    process.kill(flask.proc.pid!, 'SIGSTOP');
    await down; // the defaults would need 45 s; the test timeout is far below what waiting for them would take
    const back = nextEvent(ep, 'connected');
    process.kill(flask.proc.pid!, 'SIGCONT');
    await back;
    const db = makeTestDb(path.join(tmpDir(), 'a.db'), 20);
    await ep.push(db, await metaOf(db));
    assert.equal(await sha256File(flask.dbFile), await sha256File(db));
  } finally {
    await ep.close();
    flask.stop();
  }
});

test('a token is sent in the handshake; the spec server ignores it and the report says so without showing it', {
  timeout: 60_000,
}, async () => {
  const flask = await startFlask();
  const dir = tmpDir();
  const tokenFile = path.join(dir, 'token');
  const secret = `tok-${randomBytes(12).toString('hex')}`;
  writeFileSync(tokenFile, `${secret}\n`, { mode: 0o600 });
  const { ep, log } = endpoint(flask.url, { token_file: tokenFile });
  try {
    const report = await ep.test();
    assert.equal(report.ok, true);
    assert.equal(report.facts.tokenAccepted, null);
    assert.match(report.steps.find((s) => s.id === 'auth')!.text.es, /no comprueba tokens/);
    assert.ok(!JSON.stringify(report).includes(secret));
    assert.ok(!JSON.stringify(log.events).includes(secret));
    assert.equal(existsSync(flask.dbFile), false);
  } finally {
    await ep.close();
    flask.stop();
  }
});

test('a server with a smaller buffer than announced drops the send: after two drops the size is a learned limit, no reconnect storm', {
  timeout: 60_000,
}, async () => {
  const flask = await startFlask({ maxHttpBufferSize: 400_000 });
  const { ep } = endpoint(flask.url);
  const dir = tmpDir();
  try {
    const db = path.join(dir, 'mid.db');
    writeFileSync(db, randomBytes(300_000)); // under the default limit, over this server's
    const meta = await metaOf(db);
    await ep.open();
    // A service that sends on every sync_request (each reconnect brings one).
    const errors: string[] = [];
    ep.onRemoteEvent((ev) => {
      if (ev.kind === 'sync_request') ep.push(db, meta).catch((e: SyncError) => errors.push(e.code));
    });
    await assert.rejects(ep.push(db, meta), (e: SyncError) => e.code === 'CONNECTION_RESET');
    // Two drops, two reconnects; the third sync_request finds the learned limit and sends nothing.
    await until(() => errors.includes('TOO_LARGE') && flask.connections() >= 3);
    assert.ok((await ep.capabilities()).maxBytes! < meta.size);
    await assert.rejects(
      ep.push(db, meta),
      (e: SyncError) => e.code === 'TOO_LARGE' && /cortó la conexión/.test(e.text.es),
    );
    assert.equal(existsSync(flask.dbFile), false);
    // A sentinel that fits, on the same connection, instead of a sleep: the server handles it after anything sent
    // before it, so a further drop (and reconnect) would show as a fourth connection or an oversize message received.
    const sentinel = path.join(dir, 'sentinel.db');
    writeFileSync(sentinel, randomBytes(1000));
    await ep.push(sentinel, await metaOf(sentinel));
    assert.equal(await sha256File(flask.dbFile), await sha256File(sentinel), 'the sentinel landed');
    assert.equal(flask.received(), 1, 'the handler never got the oversize message, only the sentinel');
    assert.equal(flask.connections(), 3, 'no more reconnects');
  } finally {
    await ep.close();
    flask.stop();
  }
});
