/**
 * Reliability, CI-sized: a real sync process is SIGKILLed at 20 points of a push and a pull on the folder transport.
 * Strict: after every kill the remote holds a complete, verified previous-or-new version and the local database is
 * intact, and the first sync after the kill completes and converges (remote rows == local rows), including after a
 * kill that left the manifest lock behind.
 * The full run (`npm run reliability`) uses more points and every step trigger.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { tmpDir } from './helpers/system.js';
import { runKillPoints, FOLDER_TRIGGERS } from '../reliability/lib/kill.js';
import { folderConfig, recordFigure, seedFromEnv } from '../reliability/lib/util.js';

function folderTarget() {
  const root = path.join(tmpDir('cx-kill-remote-'), 'cordiax_sync');
  return {
    name: 'folder',
    remoteDir: root,
    config: (db: string, dev: string) => folderConfig(root, db, dev),
    triggers: FOLDER_TRIGGERS,
  };
}

test('kill -9 at 20 points of a push and a pull (folder): no corrupt or lost version, local intact, sync converges', {
  timeout: 170_000,
}, async () => {
  const seed = seedFromEnv(20261128);
  const r = await runKillPoints(folderTarget(), {
    pushPoints: 12,
    pullPoints: 8,
    padMb: 6,
    seed,
    useTriggers: ['object-temp', 'object-final'],
  });
  recordFigure('kill', {
    transport: 'folder (npm test)',
    tried: r.tried,
    midway: r.killedMidway,
    survived: r.survived,
    nextSyncOk: r.recoveredNextSync,
    converged: r.recoveredEventually,
  });
  const bad = r.points.filter((p) => !p.dataIntact || !p.recovered);
  assert.equal(r.tried, 20);
  // Timing on a loaded 2-core machine varies: half the kills inside a sync still exercises every step.
  assert.ok(r.killedMidway >= 10, `most kills must land inside a sync (${r.killedMidway}/20, seed ${seed})`);
  assert.deepEqual(bad, [], `seed ${seed}`);
});

test('regression: a kill while the manifest lock is held does not block the next sync', {
  timeout: 300_000,
}, async () => {
  const r = await runKillPoints(folderTarget(), {
    pushPoints: 6,
    pullPoints: 0,
    padMb: 6,
    seed: 7,
    useTriggers: ['lock'],
  });
  const failed = r.points.filter((p) => !p.recovered).map((p) => `${p.kind}: ${p.nextSync}`);
  assert.deepEqual(failed, []);
});
