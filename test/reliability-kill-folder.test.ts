/**
 * Reliability, CI-sized: a real sync process is SIGKILLed at 20 points of a push and a pull on the folder transport.
 * Strict: after every kill the remote holds a complete, verified previous-or-new version and the local database is
 * intact, and the first sync after the kill completes and converges (remote rows == local rows), including after a
 * kill that left the manifest lock behind.
 * The full run (`npm run reliability`) uses more points and every step trigger.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { RemoteManifest } from '../src/transports/types.js';
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
  const target = folderTarget();
  const r0 = await runKillPoints(target, {
    pushPoints: 12,
    pullPoints: 8,
    padMb: 6,
    seed,
    useTriggers: ['object-temp', 'object-final'],
  });
  const r = { ...r0, remoteDir: target.remoteDir };
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
  // The kills landed in patch uploads (src/delta): the remote's chain holds patches, and checkRemoteDir rebuilt them.
  assert.ok(chainKinds(r.remoteDir).patches > 0, 'patches were published');
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

/** How many entries of the remote's manifest (head, history, retained links) are patches and whole databases. */
function chainKinds(root: string): { patches: number; bases: number[] } {
  const m = JSON.parse(readFileSync(path.join(root, 'cordiax-sync.json'), 'utf8')) as RemoteManifest;
  const all = [m, ...(m.versions ?? []), ...(m.retained ?? [])];
  return {
    patches: all.filter((e) => e.delta).length,
    bases: all.filter((e) => !e.delta).map((e) => e.generation),
  };
}

test('kill -9 during patch uploads and compaction (a bulk change forces a new base): the chain stays complete', {
  timeout: 300_000,
}, async () => {
  const target = folderTarget();
  const r = await runKillPoints(target, {
    pushPoints: 8,
    pullPoints: 4,
    padMb: 4,
    seed: seedFromEnv(20261130),
    useTriggers: ['object-temp', 'object-final'],
    // Every third point rewrites the padding (more than half the pages): that push must be a new base.
    mutate: (db, i) => {
      if (i % 3 !== 2) return;
      const d = new Database(db);
      try {
        d.pragma('busy_timeout = 10000');
        d.exec('UPDATE relleno SET datos = randomblob(length(datos))');
      } finally {
        d.close();
      }
    },
  });
  const bad = r.points.filter((p) => !p.dataIntact || !p.recoveredEventually);
  assert.deepEqual(
    bad.map((p) => `${p.phase} ${p.kind}: ${p.problems.join('; ')}`),
    [],
  );
  const kinds = chainKinds(target.remoteDir);
  assert.ok(kinds.patches > 0, 'patches in the chain');
  assert.ok(
    kinds.bases.some((g) => g > 1),
    `a compaction base beyond the first (bases: ${kinds.bases.join(', ')})`,
  );
});
