import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Scheduler } from '../src/engine/scheduler.js';
import { plan } from '../src/engine/plan.js';

test('scheduler: one run at a time; a request during a run is followed by exactly one more', async () => {
  let active = 0;
  let maxActive = 0;
  let runs = 0;
  let release!: () => void;
  const s = new Scheduler({
    intervalSeconds: 3600,
    run: async () => {
      runs++;
      active++;
      maxActive = Math.max(maxActive, active);
      await new Promise<void>((r) => (release = r));
      active--;
    },
  });
  s.start();
  const p1 = s.trigger();
  const p2 = s.trigger();
  assert.equal(p1, p2);
  release();
  await p1;
  await new Promise((r) => setImmediate(r));
  assert.equal(runs, 2);
  release();
  await new Promise((r) => setTimeout(r, 10));
  assert.equal(maxActive, 1);
  assert.equal(runs, 2);
  s.stop();
});

test('scheduler: backoff grows after failures, is capped at the interval, resets on success', async () => {
  let fail = true;
  const s = new Scheduler({ intervalSeconds: 60, retryBaseSeconds: 15, run: async () => { if (fail) throw new Error('caído'); } });
  s.start(); // runs once at start
  await new Promise((r) => setTimeout(r, 10));
  const delays: number[] = [];
  for (let i = 0; i < 5; i++) {
    await s.trigger();
    delays.push(Date.parse(s.state().nextRun!) - Date.now());
  }
  assert.equal(s.state().consecutiveFailures, 6);
  // 15 s, 30 s, 60 s (cap), 60 s ... each with +-20 % jitter.
  assert.ok(delays[0]! < delays[1]! || delays[1]! > 24000, `grows: ${delays}`);
  assert.ok(delays.every((d) => d <= 60000 * 1.2 + 50), `capped: ${delays}`);
  fail = false;
  await s.trigger();
  assert.equal(s.state().consecutiveFailures, 0);
  const d = Date.parse(s.state().nextRun!) - Date.now();
  assert.ok(d > 59000 && d <= 60000);
  s.stop();
  assert.equal(s.state().nextRun, null);
});

test('plan: the three-way table, never newer-wins', () => {
  const remote = { format: 'cordiax-sync/1' as const, generation: 3, sha256: 'r3', size: 1, encrypted: false, device: 'x', time: '', file: 'f' };
  const base = { generation: 3, remoteSha256: 'r3', localSha256: 'L' };
  assert.deepEqual(plan({ localSha256: 'L', remote, base, direction: 'bidirectional' }).action, 'none');
  assert.deepEqual(plan({ localSha256: 'L2', remote, base, direction: 'bidirectional' }).action, 'push');
  assert.deepEqual(plan({ localSha256: 'L', remote: { ...remote, generation: 4, sha256: 'r4' }, base, direction: 'bidirectional' }).action, 'pull');
  assert.deepEqual(plan({ localSha256: 'L2', remote: { ...remote, generation: 4, sha256: 'r4' }, base, direction: 'bidirectional' }).action, 'conflict');
  // Both changed: a one-way direction still keeps both (conflict), it never drops the other side's rows.
  assert.deepEqual(plan({ localSha256: 'L2', remote: { ...remote, generation: 4 }, base, direction: 'pull' }).action, 'conflict');
  assert.deepEqual(plan({ localSha256: 'L2', remote: { ...remote, generation: 4 }, base, direction: 'push' }).action, 'conflict');
  assert.deepEqual(plan({ localSha256: 'L', remote: { ...remote, generation: 4 }, base, direction: 'pull' }).action, 'pull');
  // Local content equal to an older version this device held: behind, not edited -> fast-forward.
  assert.deepEqual(plan({ localSha256: 'L0', remote, base, direction: 'bidirectional', localIsOlderVersion: true }).action, 'pull');
  assert.deepEqual(plan({ localSha256: 'P', localAliases: ['L'], remote, base, direction: 'bidirectional' }).action, 'none');
  assert.deepEqual(plan({ localSha256: 'L2', remote, base, direction: 'pull' }).action, 'none');
  assert.deepEqual(plan({ localSha256: 'X', remote, base: null, direction: 'bidirectional' }).action, 'conflict');
  assert.deepEqual(plan({ localSha256: 'r3', remote, base: null, direction: 'bidirectional' }).action, 'none');
  assert.deepEqual(plan({ localSha256: null, remote, base: null, direction: 'bidirectional' }).action, 'pull');
  assert.deepEqual(plan({ localSha256: 'L', remote: null, base: null, direction: 'bidirectional' }).action, 'push');
  assert.deepEqual(plan({ localSha256: 'L', remote: undefined, base: null, direction: 'bidirectional', lastAckedSha256: 'L' }).action, 'none');
  assert.deepEqual(plan({ localSha256: 'L2', remote: undefined, base: null, direction: 'bidirectional', lastAckedSha256: 'L' }).action, 'push');
});
