// The phase model of one operation (src/engine/operation.ts), on a mocked clock: phases are told once each; bytes
// at most every 250 ms but always the last piece; no speed or time left before 2 s into a phase, then from the moving
// average; the commit point and Cancelar cannot cross (a cancel first makes commit() throw; a commit first makes
// cancel() refuse with the reason).
import { afterEach, beforeEach, mock, test } from 'node:test';
import assert from 'node:assert/strict';
import { isSyncError } from '../src/errors.js';
import { Operation, type ProgressData } from '../src/engine/operation.js';
import type { EventInput } from '../src/log/events.js';

let events: EventInput[];
const progress = () => events.filter((e) => e.type === 'progress').map((e) => e.data as unknown as ProgressData);

beforeEach(() => {
  events = [];
  mock.timers.enable({ apis: ['Date'], now: 1_000_000 });
});
afterEach(() => mock.timers.reset());

test('phases are told once each; bytes are throttled but the last piece always shows', () => {
  const op = new Operation('sync', { emit: (e) => events.push(e) }, 'webdav');
  op.phase('compare');
  op.phase('compare');
  op.phase('snapshot');
  const up = op.bytes('upload');
  up({ bytes: 100, total: 1000 }); // the phase starts here
  mock.timers.tick(100);
  up({ bytes: 200, total: 1000 }); // within 250 ms: not sent
  mock.timers.tick(200);
  up({ bytes: 500, total: 1000 });
  mock.timers.tick(10);
  up({ bytes: 1000, total: 1000 }); // the end, however soon
  up({ bytes: 0, total: 1000, phase: 'verify' });
  assert.deepEqual(
    progress().map((p) => [p.phase, p.done ?? null]),
    [
      ['compare', null],
      ['snapshot', null],
      ['upload', 0],
      ['upload', 500],
      ['upload', 1000],
      ['verify', 0],
    ],
  );
  assert.ok(progress().every((p) => p.operation === 'sync' && p.cancellable));
  assert.equal(events.at(-1)?.text.es, 'Comprobando la copia en el servidor');
});

test('speed and time left appear after 2 s, from the bytes of the last seconds', () => {
  const op = new Operation('pull', { emit: (e) => events.push(e) }, 'webdav');
  const down = op.bytes('download');
  const total = 100 * 1048576;
  for (let s = 0; s <= 10; s++) {
    down({ bytes: s * 1048576, total }); // 1 MiB/s
    mock.timers.tick(1000);
  }
  const ticks = progress().filter((p) => p.done !== undefined && p.done > 0);
  assert.equal(ticks[0]?.etaSeconds, undefined, 'nothing at 1 s');
  const later = ticks.filter((p) => p.etaSeconds !== undefined);
  assert.equal(later[0]?.done, 2 * 1048576, 'from 2 s on');
  const last = ticks.at(-1)!;
  assert.equal(last.bytesPerSecond, 1048576);
  assert.equal(last.etaSeconds, 90);
});

test('Cancelar before the commit point: commit() throws CANCELLED; after it: refused with the reason', () => {
  const a = new Operation('sync', { emit: (e) => events.push(e) }, 'webdav');
  a.phase('upload');
  assert.deepEqual(a.cancel(), { ok: true });
  assert.ok(a.signal.aborted);
  assert.throws(
    () => a.commit(),
    (e) => isSyncError(e, 'CANCELLED'),
  );
  assert.equal(a.committed, false);
  assert.equal(events.filter((e) => e.code === 'CANCEL_REQUESTED').length, 1);

  const b = new Operation('restore', { emit: (e) => events.push(e) }, 'webdav');
  b.phase('check');
  b.commit();
  const answer = b.cancel();
  assert.equal(answer.ok, false);
  assert.equal(
    answer.ok ? '' : answer.reason.es,
    'Ya se está aplicando la versión en la base de datos; no se puede cancelar.',
  );
  assert.equal(b.signal.aborted, false);
  const last = progress().at(-1)!;
  assert.equal(last.phase, 'apply');
  assert.equal(last.cancellable, false);

  const c = new Operation('sync', { emit: (e) => events.push(e) }, 'socketio');
  c.landed();
  assert.equal(c.cancel().ok, false, 'a push the server took is past cancelling');
});
