/**
 * The newcomer's default (serial: it binds the spec's fixed port 5000): with server_url http://localhost:5000 and
 * nothing listening there, our server starts embedded on 127.0.0.1:5000, stores under <home>/sync-server/, says so
 * in the log, and a client with the spec's default config syncs through it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { maybeStartEmbeddedServer } from '../src/server/embedded.js';
import { SyncService } from '../src/service.js';
import { asNobody, secondUserUnavailable } from './helpers/second-user.js';
import { endpoint, memoryLogger, socketioConfig } from './helpers/socketio.js';
import { makeTestDb, readRows, sha256File, tmpDir } from './helpers/system.js';

const portFree = (port: number) =>
  new Promise<boolean>((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });

// Checked once, before any test runs (a check while a test runs would itself bind the port under that test).
const port5000Free = await portFree(5000);

test('embedded server on localhost:5000 when nothing listens there; not when something does or the URL is elsewhere', {
  timeout: 60_000,
  skip: port5000Free ? false : 'port 5000 is in use on this machine',
}, async () => {
  const home = tmpDir();
  const log = memoryLogger();
  assert.equal(await maybeStartEmbeddedServer(socketioConfig('http://192.0.2.1:5000'), home, log), null);
  const cfg = socketioConfig('http://localhost:5000');
  const server = await maybeStartEmbeddedServer(cfg, home, log);
  assert.ok(server);
  try {
    assert.ok(log.events.some((e) => e.code === 'EMBEDDED_SERVER' && /integrado/.test(e.text.es)));
    assert.equal(await maybeStartEmbeddedServer(cfg, home, memoryLogger()), null, 'something listens now: leave it');
    // Never without a token: a fresh one in <home>/sync-server-token, only for this user.
    const tokenFile = path.join(home, 'sync-server-token');
    assert.equal(statSync(tokenFile).mode & 0o777, 0o600);
    assert.ok(readFileSync(tokenFile, 'utf8').trim().length >= 40);
    await refusesAnonymous(home);
    const { ep } = endpoint('http://localhost:5000', { token_file: tokenFile });
    try {
      const db = makeTestDb(path.join(tmpDir(), 'a.db'), 30);
      const r = await ep.push(db, {
        sha256: await sha256File(db),
        size: statSync(db).size,
        encrypted: false,
        device: 'equipo-a',
        baseGeneration: null,
      });
      assert.equal(await sha256File(path.join(home, 'sync-server', 'default', r.manifest!.file)), await sha256File(db));
    } finally {
      await ep.close();
    }
  } finally {
    await server.close();
  }
});

/** What another local user can do against the embedded server: connect without a token (refused), read the token (no). */
async function refusesAnonymous(home: string): Promise<void> {
  const db = makeTestDb(path.join(tmpDir(), 'intruso.db'), 3);
  const { ep } = endpoint('http://localhost:5000');
  try {
    await assert.rejects(
      ep.push(db, {
        sha256: await sha256File(db),
        size: statSync(db).size,
        encrypted: false,
        device: 'intruso',
        baseGeneration: null,
      }),
      (e: Error & { code?: string }) => e.code === 'AUTH' || /token/i.test(e.message),
    );
    await assert.rejects(ep.head(), (e: Error & { code?: string }) => e.code === 'AUTH' || /token/i.test(e.message));
  } finally {
    await ep.close();
  }
  if (!secondUserUnavailable())
    assert.throws(() => asNobody(['cat', path.join(home, 'sync-server-token')]), /Permission denied/);
}

test('the service with the spec default (localhost:5000, no token configured) starts the server with a token and syncs through it; anonymous clients are refused', {
  timeout: 60_000,
  skip: port5000Free ? false : 'port 5000 is in use on this machine',
}, async () => {
  const home = tmpDir();
  const db = makeTestDb(path.join(tmpDir(), 'cordiax.db'), 40);
  writeFileSync(
    path.join(home, 'sync_config.json'),
    JSON.stringify({
      protocol: 'socketio',
      enabled: true,
      database_path: db,
      socketio: { server_url: 'http://localhost:5000' },
    }),
  );
  const svc = await SyncService.open({ home });
  try {
    assert.equal(await svc.start(), true);
    let st = await svc.status();
    for (let i = 0; i < 300 && !st.lastGoodSync; i++) {
      await new Promise((r) => setTimeout(r, 100));
      st = await svc.status();
    }
    assert.ok(st.lastGoodSync, `the service's own sync did not succeed: ${JSON.stringify(st.lastError)}`);
    svc.stop();
    const manifest = JSON.parse(readFileSync(path.join(home, 'sync-server', 'default', 'manifest.json'), 'utf8')) as {
      file: string;
    };
    // The service sends a consistent snapshot (other bytes than the live file), so the rows are compared.
    assert.deepEqual(readRows(path.join(home, 'sync-server', 'default', manifest.file)), readRows(db));
    assert.equal(readRows(db).length, 40);
    await refusesAnonymous(home);
  } finally {
    await svc.close();
  }
});
