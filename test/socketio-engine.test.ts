/**
 * The lead's sync engine over the Socket.IO endpoint, against real servers: change -> sync -> stored, no change ->
 * nothing sent, resend on the Flask server's sync_request after a restart, and two devices on our server (pull on
 * sync_update, conflict kept by the engine when both changed).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { SyncEngine } from '../src/engine/engine.js';
import { startSyncServer } from '../src/server/server.js';
import { startFlask } from './helpers/flask.js';
import { endpoint, memoryLogger, nextEvent } from './helpers/socketio.js';
import { addRows, makeTestDb, readRows, tmpDir } from './helpers/system.js';

function engineFor(ep: ReturnType<typeof endpoint>['ep'], databasePath: string, device: string) {
  const dir = tmpDir();
  return new SyncEngine({
    transport: ep,
    databasePath,
    statePath: path.join(dir, 'state.json'),
    device,
    log: memoryLogger(),
    tmpDir: dir,
  });
}

test('engine + spec Flask server: change -> pushed, no change -> nothing sent, sync_request after a restart -> sent again', {
  timeout: 90_000,
}, async () => {
  const flask = await startFlask();
  const { ep } = endpoint(flask.url);
  const db = makeTestDb(path.join(tmpDir(), 'cordiax.db'), 200, { tag: 'inicio' });
  const engine = engineFor(ep, db, 'equipo-a');
  let flask2: Awaited<ReturnType<typeof startFlask>> | null = null;
  try {
    assert.equal((await engine.sync()).action, 'push');
    assert.deepEqual(readRows(flask.dbFile), readRows(db));
    assert.equal(flask.received(), 1);

    const idle = await engine.sync();
    assert.equal(idle.action, 'none');
    assert.equal(flask.received(), 1, 'no change: nothing sent');

    addRows(db, ['cambio-1']);
    const changed = await engine.sync();
    assert.equal(changed.action, 'push');
    assert.equal(flask.received(), 2);
    assert.deepEqual(readRows(flask.dbFile), readRows(db));
    assert.equal(readRows(flask.dbFile).at(-1), 'cambio-1');

    // The server comes back (maybe without the file): its sync_request makes the engine send again.
    const request = nextEvent(ep, 'sync_request'); // before the restart: the reconnect may beat any later line
    flask.stop();
    flask2 = await startFlask({ port: flask.port });
    await request;
    engine.requestResend();
    assert.equal((await engine.sync()).action, 'push');
    assert.deepEqual(readRows(flask2.dbFile), readRows(db));
  } finally {
    await ep.close();
    flask.stop();
    flask2?.stop();
  }
});

test('engine + our server, two devices: a change reaches the other device through sync_update and a pull; both changed -> conflict kept', {
  timeout: 90_000,
}, async () => {
  const server = await startSyncServer({ host: '127.0.0.1', port: 0, storageDir: tmpDir() });
  const a = endpoint(server.url, {}, {}, 'equipo-a');
  const b = endpoint(server.url, {}, {}, 'equipo-b');
  const dbA = makeTestDb(path.join(tmpDir(), 'cordiax.db'), 100, { tag: 'oficina' });
  const dbB = path.join(tmpDir(), 'cordiax.db'); // a new device: no database yet
  const engA = engineFor(a.ep, dbA, 'equipo-a');
  const engB = engineFor(b.ep, dbB, 'equipo-b');
  try {
    assert.equal((await engA.sync()).action, 'push');
    assert.equal((await engB.sync()).action, 'pull');
    assert.deepEqual(readRows(dbB), readRows(dbA));

    const update = nextEvent(b.ep, 'sync_update');
    addRows(dbA, ['de-a']);
    assert.equal((await engA.sync()).action, 'push');
    await update; // what a service reacts to
    assert.equal((await engB.sync()).action, 'pull');
    assert.deepEqual(readRows(dbB), readRows(dbA));

    // Both change: A gets there first; B must not overwrite A's version nor lose its own.
    addRows(dbA, ['solo-a']);
    addRows(dbB, ['solo-b']);
    assert.equal((await engA.sync()).action, 'push');
    const outcome = await engB.sync();
    assert.equal(outcome.action, 'conflict');
    assert.ok(outcome.conflictCopy && existsSync(outcome.conflictCopy));
    assert.equal(readRows(dbB).at(-1), 'solo-b', 'the local database stays');
    assert.deepEqual(readRows(outcome.conflictCopy), readRows(dbA), 'the remote version is kept beside it');
    const head = await b.ep.head();
    assert.equal(head!.device, 'equipo-a', "the server still has A's version");
  } finally {
    await a.ep.close();
    await b.ep.close();
    await server.close();
  }
});
