// A 300 MB database through the WebDAV transport with bounded memory: upload (PUT, then verify by size and by
// reading it back) and download, each in a child process running the bundled transport, whose peak RSS is checked.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import path from 'node:path';
import { buildDavChild, runDavChild, startApache } from './helpers/apache.js';
import { makeLargeDb, sha256File, tmpDir } from './helpers/system.js';

const MAX_RSS_MB = 150;

test('300 MB database: upload and download verified byte for byte, peak RSS under 150 MB', async () => {
  const a = await startApache();
  try {
    const dir = tmpDir('cx-dav-large-');
    const child = buildDavChild(dir);
    const file = makeLargeDb(path.join(dir, 'grande.db'), 300 * 1024 * 1024);
    const size = statSync(file).size;
    assert.ok(size >= 300 * 1024 * 1024);
    const sha256 = await sha256File(file);
    const job = { url: `${a.origin}/dav/`, user: a.user, remote_path: '/large/', rel: 'big.db', tmpDir: dir };
    const up = runDavChild(child, { ...job, op: 'upload', file, size, sha256 }, a.password);
    assert.deepEqual([up.result.size, up.result.sha256], [size, sha256]);
    assert.equal(await sha256File(path.join(a.dataDir, 'large', 'big.db')), sha256);
    const out = path.join(dir, 'vuelta.db');
    const down = runDavChild(child, { ...job, op: 'download', file: out }, a.password);
    assert.deepEqual([down.result.size, down.result.sha256], [size, sha256]);
    assert.equal(await sha256File(out), sha256);
    assert.ok(up.rssMb < MAX_RSS_MB, `upload peak RSS ${up.rssMb} MB`);
    assert.ok(down.rssMb < MAX_RSS_MB, `download peak RSS ${down.rssMb} MB`);
    console.log(`# 300 MB over WebDAV: peak RSS upload ${up.rssMb} MB, download ${down.rssMb} MB`);
  } finally {
    await a.stop();
  }
});
