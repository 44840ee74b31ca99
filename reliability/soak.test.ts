/**
 * Full suite: multi-client soak per transport (npm run reliability). Three client processes on one remote, random
 * commits and random syncs for a bounded time, then a drain. Asserted: zero lost rows in the paced mode (at most one
 * sync a second per client, rows committed between syncs) and in the fast mode (a writer process per client commits
 * while the client syncs back to back).
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { runSoak, type SoakReport } from './lib/soak.js';
import { folderTarget, webdavTarget, smbTarget, socketioTarget, type Remote } from './lib/targets.js';
import { checkRemoteDir, recordFigure, seedFromEnv, serverUnavailable, watchSecret } from './lib/util.js';
import { scanSuiteFiles } from './lib/suite-scan.js';

const seed = seedFromEnv(11);
const secrets: string[] = [];

function record(r: SoakReport, mode: string): void {
  recordFigure('soak', { transport: r.transport, mode, seconds: r.seconds, committed: r.committed, syncs: r.syncs, conflicts: r.conflicts, lost: r.lost, notes: `${r.pulls} pulls, ${r.conflictCopies} conflict copies, ${r.errors} errors${r.onlyInBackups ? `, ${r.onlyInBackups} lost rows only in backups` : ''}${r.converged ? '' : ', NOT converged'}` });
}

async function soak(tc: TestContext, make: () => Promise<Remote>, seconds: number, fast: boolean) {
  let t: Remote;
  try {
    t = await make();
  } catch (err) {
    return serverUnavailable(tc, `soak (${tc.name})`, err);
  }
  if (t.password) {
    secrets.push(t.password);
    watchSecret(t.password);
  }
  try {
    const paced = await runSoak({ name: t.name, config: t.config, remoteRows: () => checkRemoteDir(t.remoteDir, t.manifestName).rows }, { clients: 3, seconds, seed, writer: 'inline', minGapMs: 1100, log: (s) => console.log(`# ${s}`) });
    record(paced, 'paced: rows between syncs, <=1 sync/s');
    let fastReport: SoakReport | undefined;
    if (fast) {
      const t2 = t.sub ? t.sub('fast') : t;
      fastReport = await runSoak({ name: t2.name, config: t2.config, remoteRows: () => checkRemoteDir(t2.remoteDir, t2.manifestName).rows }, { clients: 3, seconds, seed, writer: 'external' });
      record(fastReport, 'fast: app writes during syncs');
    }
    assert.deepEqual(paced.lostRows, [], `seed ${seed}`);
    assert.equal(paced.converged, true);
    if (fastReport) assert.deepEqual(fastReport.lostRows, [], `fast mode, seed ${seed}`);
  } finally {
    await t.stop();
  }
}

test('soak: folder', { timeout: 600_000 }, (t) => soak(t, async () => folderTarget(), 45, true));
test('soak: WebDAV (Apache mod_dav)', { timeout: 600_000 }, (t) => soak(t, () => webdavTarget(), 30, false));
test('soak: SMB (Samba)', { timeout: 600_000 }, (t) => soak(t, () => smbTarget(), 30, false));
test('soak: Socket.IO (our server)', { timeout: 600_000 }, (t) => soak(t, () => socketioTarget(), 30, false));

test('secret scan of the soak suite files', () => {
  const r = scanSuiteFiles(['cx-soak-'], secrets);
  recordFigure('secrets', { what: 'soak suite: homes, logs, state', files: r.files, outputs: 0, apiAnswers: 0, cmdlines: 0, hits: r.hits.length });
  assert.deepEqual(r.hits, []);
});
