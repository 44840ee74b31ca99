/**
 * Issue 14: plaintext snapshots never sit in the shared /tmp, and a crash cannot leave them behind for long. A real
 * sync process is SIGKILLed while its snapshot of the database exists (the kill machinery of the reliability suite:
 * reliability/lib/child-sync.ts); its system temp folder (TMPDIR) must hold nothing of ours, the leftover must be in
 * $CORDIAX_HOME/tmp (0700), and the next start must sweep it, while a running process's folder is never swept.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { SyncService } from '../src/service.js';
import { privateTempDir, sweepStaleTemp } from '../src/util/temp.js';
import { tmpDir } from './helpers/system.js';
import { ROOT, folderConfig, makeDb, writeConfig } from '../reliability/lib/util.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Entries of the child's system temp folder that are not tsx's own compile cache. */
function oursIn(dir: string): string[] {
  return readdirSync(dir).filter((n) => !/^tsx-\d+$/.test(n));
}

test('SIGKILL mid-snapshot: nothing in the system temp folder, the leftover under $CORDIAX_HOME/tmp is swept at the next start', {
  timeout: 120_000,
}, async () => {
  const home = tmpDir('cx-home-');
  const sysTmp = tmpDir('cx-systmp-');
  const db = path.join(home, 'cordiax.db');
  // Large enough that VACUUM INTO takes a while: the kill lands while the snapshot exists.
  makeDb(
    db,
    Array.from({ length: 50 }, (_, i) => `fila-${i}`),
    40,
  );
  const remote = path.join(tmpDir('cx-remote-'), 'cordiax_sync');
  writeConfig(home, folderConfig(remote, db, 'equipoA'));
  const homeTmp = path.join(home, 'tmp');

  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'reliability', 'lib', 'child-sync.ts')], {
    cwd: ROOT,
    env: { ...process.env, CORDIAX_HOME: home, CORDIAX_LANG: 'en', TMPDIR: sysTmp },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  let exited = false;
  const exit = new Promise<number | null>((r) =>
    child.once('exit', (code) => {
      exited = true;
      r(code);
    }),
  );
  child.stdout.on('data', (d) => (out += d));
  while (!out.startsWith('ready\n') && !exited) await sleep(10);
  assert.ok(!exited, `the child exited before it was ready: ${out}`);
  child.stdin.write('go\n');

  // Kill the instant a snapshot file shows up in one of the child's temp folders.
  const childDirs = () =>
    existsSync(homeTmp) ? readdirSync(homeTmp).filter((n) => n.startsWith(`cordiax-sync-${child.pid}-`)) : [];
  let snapshot: string | null = null;
  while (!snapshot && !exited) {
    for (const d of childDirs()) {
      const f = readdirSync(path.join(homeTmp, d)).find((n) => /^snapshot-.*\.db$/.test(n));
      // Once bytes of the database copy are on disk.
      if (f && (statSync(path.join(homeTmp, d, f), { throwIfNoEntry: false })?.size ?? 0) > 0)
        snapshot = path.join(homeTmp, d, f);
    }
    if (!snapshot) await sleep(1);
  }
  child.kill('SIGKILL');
  const code = await exit;
  assert.ok(snapshot, `no snapshot seen under ${homeTmp} before the child finished (${out.trim()})`);
  assert.equal(code, null, 'killed, not finished');

  assert.deepEqual(oursIn(sysTmp), [], 'nothing left in the system temp folder');
  const left = childDirs();
  assert.ok(left.length >= 1, 'the crash left its temp folders under the home');
  assert.equal(statSync(homeTmp).mode & 0o777, 0o700);
  const leftover = left.flatMap((d) => {
    assert.equal(statSync(path.join(homeTmp, d)).mode & 0o777, 0o700);
    return (readdirSync(path.join(homeTmp, d), { recursive: true }) as string[]).map((n) => path.join(homeTmp, d, n));
  });
  assert.ok(
    leftover.some((f) => /snapshot-.*\.db$/.test(f) && statSync(f).size > 0),
    'a copy of the database was left',
  );

  // The next start (in this process) sweeps it; a folder of a running process (ours) stays.
  const live = await privateTempDir(homeTmp);
  const svc = await SyncService.open({ home, embeddedServer: false });
  try {
    assert.deepEqual(childDirs(), [], 'the dead process’s folder was swept');
    assert.ok(existsSync(live.dir), 'a running process’s folder is kept');
    const r = await svc.syncNow();
    assert.equal(r.action, 'push');
  } finally {
    await svc.close();
    await live.dispose();
  }
  assert.deepEqual(readdirSync(homeTmp), [], 'a completed sync leaves nothing behind');
});

test('the sweep removes only our own stale folders: not other names, not a running process’s, not links', async () => {
  const dir = tmpDir('cx-sweep-');
  const dead = 2 ** 22 + 12345; // above the default pid_max: no such process
  const stale = path.join(dir, `cordiax-sync-${dead}-AbC123`);
  mkdirSync(stale);
  const running = path.join(dir, `cordiax-sync-${process.ppid}-AbC123`);
  mkdirSync(running);
  const other = path.join(dir, `something-${dead}-AbC123`);
  mkdirSync(other);
  const target = tmpDir('cx-target-');
  writeFileSync(path.join(target, 'keep.txt'), 'x');
  const link = path.join(dir, `cordiax-sync-${dead}-Link01`);
  symlinkSync(target, link);
  const removed = await sweepStaleTemp(dir, { legacyDir: null });
  assert.deepEqual(removed, [stale]);
  assert.deepEqual(readdirSync(dir).sort(), [path.basename(running), path.basename(other), path.basename(link)].sort());
  assert.deepEqual(readdirSync(target), ['keep.txt'], 'nothing removed through a link');
});

test('legacy folders of older versions in the system temp folder: removed only when ours and untouched for a day', async () => {
  const sys = tmpDir('cx-legacy-');
  const old = path.join(sys, 'cordiax-sync-Ab12Cd');
  const fresh = path.join(sys, 'cordiax-sync-Ef34Gh');
  const notOurs = path.join(sys, 'cordiax-syncX-Ab12Cd');
  for (const d of [old, fresh, notOurs]) mkdirSync(d);
  writeFileSync(path.join(old, 'snapshot-1.db'), 'plaintext');
  const twoDaysAgo = new Date(Date.now() - 48 * 3600_000);
  for (const d of [old, notOurs]) utimesSync(d, twoDaysAgo, twoDaysAgo);
  const removed = await sweepStaleTemp(tmpDir('cx-empty-'), { legacyDir: sys });
  assert.deepEqual(removed, [old]);
  assert.deepEqual(readdirSync(sys).sort(), [path.basename(fresh), path.basename(notOurs)].sort());
});
