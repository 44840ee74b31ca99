/**
 * Full suite: server faults per transport (npm run reliability). A FaultProxy sits between the client and the real
 * server. Each fault: a clear error (or success on a slow link), data intact, bounded retries, recovery on the first
 * attempt after the fault ends. See lib/faults.ts.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { runFault, type FaultResult } from './lib/faults.js';
import { folderFaults, webdavFaults, smbFaults, socketioFaults, canMount } from './lib/fault-cases.js';
import { FaultProxy } from './lib/proxy.js';
import { folderTarget, webdavTarget, smbTarget, socketioTarget, type Remote } from './lib/targets.js';
import { recordFigure, recordSkip, serverUnavailable, watchSecret } from './lib/util.js';
import { unavailable } from '../test/helpers/system.js';
import { scanSuiteFiles } from './lib/suite-scan.js';

const secrets: string[] = [];

function record(r: FaultResult): void {
  recordFigure('fault', { transport: r.transport, fault: r.fault, firstSync: r.firstSync, clear: r.clear ? 'yes' : 'NO', intact: r.intact ? 'yes' : 'NO', attempts: r.attemptsDuringFault, requests: r.requestsDuringFault, recovered: r.recovered ? 'yes' : 'NO', notes: r.problems.join('; ').slice(0, 120) || '-' });
}

test('faults: folder', { timeout: 300_000 }, async () => {
  const bad: string[] = [];
  for (const c of folderFaults()) {
    const r = await runFault(folderTarget(), c);
    record(r);
    if (r.problems.length) bad.push(`${c.name}: ${r.problems.join('; ')}`);
  }
  assert.deepEqual(bad, []);
});

test('faults: storage full cases can run here (root, for the tmpfs mounts)', (t) => {
  if (!canMount()) {
    recordSkip('storage full (folder, WebDAV, SMB)', 'not root: cannot mount a small tmpfs');
    return unavailable(t, 'not root: cannot mount a small tmpfs, the storage-full faults are not run');
  }
  assert.ok(folderFaults().some((c) => c.name.startsWith('storage full')));
});

async function proxied(tc: TestContext, name: string, start: (opts: { viaPort: (p: number) => Promise<number> }) => Promise<Remote>, cases: ReturnType<typeof webdavFaults>) {
  let proxy: FaultProxy | undefined;
  let t: Remote;
  try {
    t = await start({ viaPort: async (p) => (proxy = await new FaultProxy(p).start()).port });
  } catch (err) {
    return serverUnavailable(tc, `${name} faults`, err);
  }
  const bad: string[] = [];
  try {
    let i = 0;
    for (const c of cases) {
      i++;
      if (t.password) {
        secrets.push(t.password);
        watchSecret(t.password);
      }
      proxy!.setMode({ kind: 'pass' });
      const r = await runFault(t.sub ? t.sub(`f${i}`) : t, c, proxy);
      if (t.password) {
        secrets.push(t.password); // a password change case sets a new one
        watchSecret(t.password);
      }
      record(r);
      if (r.problems.length) bad.push(`${c.name}: ${r.problems.join('; ')}`);
    }
  } finally {
    await proxy?.close();
    await t.stop();
  }
  assert.deepEqual(bad, []);
}

test('faults: WebDAV (Apache mod_dav behind a fault proxy)', { timeout: 600_000 }, (t) => proxied(t, 'WebDAV', (o) => webdavTarget(o), webdavFaults()));
test('faults: SMB (Samba behind a fault proxy)', { timeout: 600_000 }, (t) => proxied(t, 'SMB', (o) => smbTarget(o), smbFaults()));

test('faults: Socket.IO (our server behind a fault proxy)', { timeout: 600_000 }, (t) => proxied(t, 'Socket.IO', (o) => socketioTarget(o), socketioFaults()));

test('secret scan of the fault suite files', () => {
  const r = scanSuiteFiles(['cx-fault-'], secrets);
  recordFigure('secrets', { what: 'fault suite: homes, logs, state', files: r.files, outputs: 0, apiAnswers: 0, cmdlines: 0, hits: r.hits.length });
  assert.deepEqual(r.hits, []);
});
