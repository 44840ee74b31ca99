/**
 * Reliability, CI-sized: faults on the folder transport. Storage full (a 6 MiB tmpfs as the target, root only) and
 * the target folder gone (an unmounted drive): a clear error, nothing damaged, bounded retries by the real Scheduler,
 * recovery on the first attempt after the fault ends. The WebDAV/SMB faults run in `npm run reliability`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runFault } from '../reliability/lib/faults.js';
import { folderFaults, canMount } from '../reliability/lib/fault-cases.js';
import { folderTarget } from '../reliability/lib/targets.js';
import { recordFigure } from '../reliability/lib/util.js';
import { unavailable } from './helpers/system.js';

for (const c of folderFaults()) {
  test(`folder fault: ${c.name}`, { timeout: 60_000 }, async () => {
    const r = await runFault(folderTarget(), c);
    recordFigure('fault', {
      transport: 'folder (npm test)',
      fault: r.fault,
      firstSync: r.firstSync,
      clear: r.clear ? 'yes' : 'NO',
      intact: r.intact ? 'yes' : 'NO',
      attempts: r.attemptsDuringFault,
      requests: r.requestsDuringFault,
      recovered: r.recovered ? 'yes' : 'NO',
      notes: '-',
    });
    assert.deepEqual(r.problems, []);
    assert.ok(r.clear && r.intact && r.recovered);
  });
}

test('storage-full case is present (root: a tmpfs mount)', (t) => {
  if (!canMount()) return unavailable(t, 'not root: no tmpfs mount for the storage-full fault');
  assert.ok(folderFaults().some((c) => c.name.startsWith('storage full')));
});
