/**
 * Full suite: kill -9 points per transport (npm run reliability). Per transport: 20-30 points in pushes (half at random
 * times inside a sync, half at named steps seen in the remote folder) and 10 during pulls. Asserted strictly on every
 * transport: every kill leaves the data intact AND the very next sync completes and converges without help (no lock
 * aged by hand, no conflict resolved, no wait). The helper that works through failures (kill.ts recover()) only keeps
 * the run going so every later point is still checked; "converged" in the figures is diagnosis, not the assertion.
 * A server that cannot start is an explicit skip (counted, listed by name), a failure with CI=true.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { runKillPoints, type KillReport } from './lib/kill.js';
import { folderTarget, webdavTarget, smbTarget, socketioTarget, type Remote } from './lib/targets.js';
import { recordFigure, seedFromEnv, serverUnavailable, watchSecret } from './lib/util.js';
import { scanSuiteFiles } from './lib/suite-scan.js';

const seed = seedFromEnv(20261128);
const secrets: string[] = [];

function record(r: KillReport): void {
  const notes = [
    r.nameCollisions ? `${r.nameCollisions} name collision(s)` : '',
    r.lockedAfterKill ? `${r.lockedAfterKill} kill(s) left a lock: next sync LOCKED` : '',
    r.spuriousConflicts ? `${r.spuriousConflicts} spurious conflict(s)` : '',
  ].filter(Boolean).join(', ');
  recordFigure('kill', { transport: r.transport, tried: r.tried, midway: r.killedMidway, survived: r.survived, nextSyncOk: r.recoveredNextSync, converged: r.recoveredEventually, notes: notes || '-' });
}

async function killSuite(tc: TestContext, make: () => Promise<Remote>, pushPoints: number, pullPoints: number, padMb: number) {
  let t: Remote;
  try {
    t = await make();
  } catch (err) {
    return serverUnavailable(tc, `kill points (${tc.name})`, err);
  }
  if (t.password) {
    secrets.push(t.password);
    watchSecret(t.password);
  }
  try {
    const r = await runKillPoints(t, { pushPoints, pullPoints, padMb, seed, log: (s) => console.log(`# ${s}`) });
    record(r);
    const bad = r.points.filter((p) => !p.dataIntact || !p.recovered).map((p) => `${p.phase} ${p.kind}: next sync ${p.nextSync}; ${p.problems.join('; ')}`);
    assert.deepEqual(bad, [], `the next sync after a kill must succeed without help (seed ${seed})`);
    assert.deepEqual(r.setupNeededHelp, [], `seed ${seed}`);
  } finally {
    await t.stop();
  }
}

test('kill points: folder', { timeout: 600_000 }, (t) => killSuite(t, async () => folderTarget(), 30, 10, 8));
test('kill points: WebDAV (Apache mod_dav)', { timeout: 600_000 }, (t) => killSuite(t, () => webdavTarget(), 20, 10, 8));
test('kill points: SMB (Samba)', { timeout: 600_000 }, (t) => killSuite(t, () => smbTarget(), 20, 10, 8));
test('kill points: Socket.IO (our server)', { timeout: 600_000 }, (t) => killSuite(t, () => socketioTarget(), 20, 10, 8));

test('secret scan of the kill suite files', () => {
  const r = scanSuiteFiles(['cx-kill-'], secrets);
  recordFigure('secrets', { what: 'kill suite: homes, logs, state, remotes', files: r.files, outputs: 0, apiAnswers: 0, cmdlines: 0, hits: r.hits.length });
  assert.deepEqual(r.hits, []);
});
