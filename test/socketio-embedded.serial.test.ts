/**
 * The newcomer's default (serial: it binds the spec's fixed port 5000): with server_url http://localhost:5000 and
 * nothing listening there, our server starts embedded on 127.0.0.1:5000, stores under <home>/sync-server/, says so
 * in the log, and a client with the spec's default config syncs through it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { statSync } from 'node:fs';
import path from 'node:path';
import { maybeStartEmbeddedServer } from '../src/server/embedded.js';
import { endpoint, memoryLogger, socketioConfig } from './helpers/socketio.js';
import { makeTestDb, sha256File, tmpDir } from './helpers/system.js';

const portFree = (port: number) =>
  new Promise<boolean>((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });

test('embedded server on localhost:5000 when nothing listens there; not when something does or the URL is elsewhere', {
  timeout: 60_000,
  skip: (await portFree(5000)) ? false : 'port 5000 is in use on this machine',
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
    const { ep } = endpoint('http://localhost:5000');
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
