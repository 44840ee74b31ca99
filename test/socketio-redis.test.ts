/**
 * Scale-out: two server processes share one storage folder and a real redis-server. A version pushed through
 * server A reaches, as a sync_update, a client connected to server B, which pulls the same bytes through B.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { endpoint, nextEvent, startServerChild } from './helpers/socketio.js';
import { freePort, killGroup, makeTestDb, sha256File, startDaemon, tmpDir, waitForPort } from './helpers/system.js';
import type { RemoteManifest } from '../src/transports/types.js';

const REDIS = '/usr/bin/redis-server';

test('two server processes with redis: a broadcast from one reaches a client on the other, which pulls identical bytes', {
  timeout: 90_000,
  skip: existsSync(REDIS) ? false : 'redis-server is not installed',
}, async () => {
  const redisPort = await freePort();
  const redisDir = tmpDir();
  const redis = startDaemon(REDIS, [
    '--port',
    String(redisPort),
    '--bind',
    '127.0.0.1',
    '--save',
    '',
    '--appendonly',
    'no',
    '--dir',
    redisDir,
  ]);
  try {
    await waitForPort(redisPort);
    await scaleOut(`redis://127.0.0.1:${redisPort}`);
  } finally {
    killGroup(redis); // a live child would keep this test process from exiting
  }
});

async function scaleOut(redisUrl: string): Promise<void> {
  const storageDir = tmpDir();
  const [a, b] = await Promise.all([
    startServerChild({ storageDir, redisUrl }),
    startServerChild({ storageDir, redisUrl }),
  ]);
  const onA = endpoint(a.url, {}, {}, 'equipo-a');
  const onB = endpoint(b.url, {}, {}, 'equipo-b');
  const dir = tmpDir();
  try {
    await onA.ep.open();
    await onB.ep.open();
    const db = makeTestDb(path.join(dir, 'a.db'), 500);
    const sha = await sha256File(db);
    const update = nextEvent(onB.ep, 'sync_update');
    const pushed = await onA.ep.push(db, {
      sha256: sha,
      size: statSync(db).size,
      encrypted: false,
      device: 'equipo-a',
      baseGeneration: null,
    });
    const got = await update;
    assert.deepEqual(got.manifest, pushed.manifest);
    const out = path.join(dir, 'b.db');
    await onB.ep.pull(out, got.manifest as RemoteManifest);
    assert.equal(await sha256File(out), sha);

    // Commits through either process share one generation sequence (lock file on the shared folder).
    const stale = await onB.ep.push(out, {
      sha256: sha,
      size: statSync(out).size,
      encrypted: false,
      device: 'equipo-b',
      baseGeneration: 1,
    });
    assert.equal(stale.manifest!.generation, 1, 'same bytes: no new version');
    const db2 = makeTestDb(path.join(dir, 'c.db'), 10, { tag: 'c' });
    const conflict = await onB.ep.push(db2, {
      sha256: await sha256File(db2),
      size: statSync(db2).size,
      encrypted: false,
      device: 'equipo-b',
      baseGeneration: null,
    });
    assert.equal(conflict.conflict!.generation, 1);
  } finally {
    await onA.ep.close();
    await onB.ep.close();
    await a.stop();
    await b.stop();
  }
}
