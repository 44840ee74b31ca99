import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Scheduler, type SchedulerState } from '../src/engine/scheduler.js';
import { plan } from '../src/engine/plan.js';

/** Resolves on the first state change that satisfies `pred` (an event, not a sleep). */
function stateWhere(
  subscribers: Array<(st: SchedulerState) => void>,
  pred: (st: SchedulerState) => boolean,
): Promise<SchedulerState> {
  return new Promise((resolve) => {
    const fn = (st: SchedulerState) => {
      if (!pred(st)) return;
      subscribers.splice(subscribers.indexOf(fn), 1);
      resolve(st);
    };
    subscribers.push(fn);
  });
}

test('scheduler: one run at a time; a request during a run is followed by exactly one more', async () => {
  let active = 0;
  let maxActive = 0;
  let runs = 0;
  const releases: Array<() => void> = [];
  const subscribers: Array<(st: SchedulerState) => void> = [];
  const s = new Scheduler({
    intervalSeconds: 3600,
    onStateChange: (st) => {
      for (const f of [...subscribers]) f(st);
    },
    run: async () => {
      runs++;
      active++;
      maxActive = Math.max(maxActive, active);
      await new Promise<void>((r) => releases.push(r));
      active--;
    },
  });
  s.start();
  const p1 = s.trigger();
  const p2 = s.trigger();
  assert.equal(p1, p2);
  assert.equal(runs, 1);
  releases.shift()!();
  await p1; // its finally started the follow-up run synchronously
  assert.equal(runs, 2);
  assert.equal(s.state().syncing, true);
  // The follow-up ends: the scheduler goes idle with the next run armed one interval away, and starts nothing else.
  const idle = stateWhere(subscribers, (st) => !st.syncing && st.nextRun !== null);
  releases.shift()!();
  await idle;
  assert.equal(maxActive, 1);
  assert.equal(runs, 2);
  assert.equal(releases.length, 0, 'no third run was started');
  s.stop();
});

const INTERVAL_MS = 60_000;
const NOW = Date.parse('2030-01-01T00:00:00.000Z');

/**
 * A failing scheduler on a fixed clock. Every time it goes idle it has armed its next run: the planned delay is
 * exactly nextRun - NOW, recorded per failure count from the state-change events.
 */
async function failing(random: () => number, intervalSeconds = INTERVAL_MS / 1000) {
  let fail = true;
  const planned = new Map<number, number>();
  let firstIdle!: () => void;
  const started = new Promise<void>((r) => (firstIdle = r));
  const s = new Scheduler({
    intervalSeconds,
    retryBaseSeconds: 15,
    random,
    now: () => NOW,
    run: async () => {
      if (fail) throw new Error('caído');
    },
    onStateChange: (st) => {
      if (!st.syncing && st.nextRun) {
        planned.set(st.consecutiveFailures, Date.parse(st.nextRun) - NOW);
        firstIdle();
      }
    },
  });
  s.start();
  await started; // the run at start failed and armed its retry (a trigger() now would queue a follow-up instead)
  return { s, planned, succeed: () => (fail = false) };
}

async function failUntil(s: Scheduler, n: number): Promise<void> {
  while (s.state().consecutiveFailures < n) await s.trigger();
}

test('scheduler: retry delays double from the base and never exceed the interval, at both jitter extremes', async () => {
  for (const [label, r] of [
    ['jitter 0 (longest wait)', () => 0],
    ['jitter ~1 (shortest wait)', () => 0.999999],
  ] as const) {
    const { s, planned } = await failing(r);
    await failUntil(s, 12);
    s.stop();
    assert.equal(planned.size, 12);
    for (const [fails, d] of planned) {
      const backoff = Math.min(INTERVAL_MS, 15_000 * 2 ** (fails - 1));
      assert.ok(
        d <= INTERVAL_MS,
        `${label}: retry ${d} ms after failure ${fails} exceeds the ${INTERVAL_MS} ms interval`,
      );
      assert.ok(
        d <= backoff && d >= Math.floor(backoff * 0.8),
        `${label}: ${d} ms after failure ${fails}, backoff ${backoff} ms`,
      );
    }
    const first3 = [1, 2, 3].map((f) => planned.get(f));
    if (r() === 0) assert.deepEqual(first3, [15_000, 30_000, 60_000], label);
    else assert.deepEqual(first3, [12_000, 24_000, 48_000], label);
  }
});

test('scheduler: 200 consecutive failures with real Math.random: every retry <= the interval; success resets it', async () => {
  const { s, planned, succeed } = await failing(Math.random);
  await failUntil(s, 200);
  assert.equal(planned.size, 200);
  const delays = [...planned.values()];
  const over = delays.filter((d) => d > INTERVAL_MS);
  assert.deepEqual(
    over,
    [],
    `retries over ${INTERVAL_MS} ms: ${over.length} of ${delays.length}, max ${Math.max(...delays)}`,
  );
  assert.ok(
    [...planned].filter(([f]) => f >= 3).every(([, d]) => d >= INTERVAL_MS * 0.8),
    'at the cap, the jitter takes at most 20 %',
  );
  succeed();
  await s.trigger();
  assert.equal(s.state().consecutiveFailures, 0);
  assert.equal(planned.get(0), INTERVAL_MS, 'after a success: exactly one interval');
  s.stop();
  assert.equal(s.state().nextRun, null);
});

test('scheduler: the longest interval (7 days) after 2000 failures: still capped, a finite timer', async () => {
  const { s, planned } = await failing(() => 0, 604_800);
  await failUntil(s, 2000);
  s.stop();
  assert.equal(planned.get(2000), 604_800_000);
});

test('plan: the three-way table, never newer-wins', () => {
  const remote = {
    format: 'cordiax-sync/1' as const,
    generation: 3,
    sha256: 'r3',
    size: 1,
    encrypted: false,
    device: 'x',
    time: '',
    file: 'f',
  };
  const base = { generation: 3, remoteSha256: 'r3', localSha256: 'L' };
  assert.deepEqual(plan({ localSha256: 'L', remote, base, direction: 'bidirectional' }).action, 'none');
  assert.deepEqual(plan({ localSha256: 'L2', remote, base, direction: 'bidirectional' }).action, 'push');
  assert.deepEqual(
    plan({ localSha256: 'L', remote: { ...remote, generation: 4, sha256: 'r4' }, base, direction: 'bidirectional' })
      .action,
    'pull',
  );
  assert.deepEqual(
    plan({ localSha256: 'L2', remote: { ...remote, generation: 4, sha256: 'r4' }, base, direction: 'bidirectional' })
      .action,
    'conflict',
  );
  // Both changed: a one-way direction still keeps both (conflict), it never drops the other side's rows.
  assert.deepEqual(
    plan({ localSha256: 'L2', remote: { ...remote, generation: 4 }, base, direction: 'pull' }).action,
    'conflict',
  );
  assert.deepEqual(
    plan({ localSha256: 'L2', remote: { ...remote, generation: 4 }, base, direction: 'push' }).action,
    'conflict',
  );
  assert.deepEqual(
    plan({ localSha256: 'L', remote: { ...remote, generation: 4 }, base, direction: 'pull' }).action,
    'pull',
  );
  // Local content equal to an older version this device held: behind, not edited -> fast-forward.
  assert.deepEqual(
    plan({ localSha256: 'L0', remote, base, direction: 'bidirectional', localIsOlderVersion: true }).action,
    'pull',
  );
  assert.deepEqual(
    plan({ localSha256: 'P', localAliases: ['L'], remote, base, direction: 'bidirectional' }).action,
    'none',
  );
  assert.deepEqual(plan({ localSha256: 'L2', remote, base, direction: 'pull' }).action, 'none');
  assert.deepEqual(plan({ localSha256: 'X', remote, base: null, direction: 'bidirectional' }).action, 'conflict');
  assert.deepEqual(plan({ localSha256: 'r3', remote, base: null, direction: 'bidirectional' }).action, 'none');
  assert.deepEqual(plan({ localSha256: null, remote, base: null, direction: 'bidirectional' }).action, 'pull');
  assert.deepEqual(plan({ localSha256: 'L', remote: null, base: null, direction: 'bidirectional' }).action, 'push');
  assert.deepEqual(
    plan({ localSha256: 'L', remote: undefined, base: null, direction: 'bidirectional', lastAckedSha256: 'L' }).action,
    'none',
  );
  assert.deepEqual(
    plan({ localSha256: 'L2', remote: undefined, base: null, direction: 'bidirectional', lastAckedSha256: 'L' }).action,
    'push',
  );
});

test('scheduler: under a change hint every 300 ms (an app writing continuously) a sync runs within the maximum wait', async (t) => {
  // Node's mock timers make the clock deterministic: this asserts the scheduling rule, not a duration.
  t.mock.timers.enable({ apis: ['setTimeout', 'Date'], now: NOW });
  const runsAt: number[] = [];
  const s = new Scheduler({
    intervalSeconds: 3600,
    changeDebounceMs: 1000,
    changeMaxWaitMs: 5000,
    run: async () => {
      runsAt.push(Date.now());
    },
  });
  s.start(); // the start-up run
  await Promise.resolve();
  runsAt.length = 0;
  for (let i = 0; i < 40; i++) {
    s.notifyChange(); // 40 hints, 300 ms apart: 12 s of continuous writes
    t.mock.timers.tick(300);
    await Promise.resolve();
  }
  // A trailing debounce alone would have run nothing during the burst; the maximum wait runs one 5 s after each
  // burst's first hint (read at the end of the 300 ms tick that fired it: 5000 -> 5100; the next burst starts with
  // the hint at 5100, so 10100 -> 10200).
  assert.deepEqual(
    runsAt.map((at) => at - NOW),
    [5100, 10200],
  );
  t.mock.timers.tick(1000);
  await Promise.resolve();
  assert.equal(runsAt.length, 3, 'the burst end still gets its trailing sync');
  s.stop();
});
