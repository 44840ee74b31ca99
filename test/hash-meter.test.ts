import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { HashMeter, sha256File } from '../src/util/hash.js';
import { tmpDir } from './helpers/system.js';

test('HashMeter: digest and count of all chunks, progress after each one', () => {
  const chunks = [randomBytes(1000), Buffer.alloc(0), randomBytes(70_000), randomBytes(1)];
  const seen: Array<{ bytes: number; total?: number }> = [];
  const meter = new HashMeter((p) => seen.push(p), 71_001);
  for (const c of chunks) meter.update(c);
  assert.equal(meter.bytes, 71_001);
  const expected = createHash('sha256').update(Buffer.concat(chunks)).digest('hex');
  assert.deepEqual(meter.done(), { bytes: 71_001, sha256: expected });
  assert.deepEqual(
    seen.map((p) => p.bytes),
    [1000, 1000, 71_000, 71_001],
  );
  assert.ok(seen.every((p) => p.total === 71_001));
});

test('HashMeter: a throwing progress observer throws from update, after the chunk counted', () => {
  const meter = new HashMeter(() => {
    throw new Error('observer');
  });
  assert.throws(() => meter.update(Buffer.from('abc')), /observer/);
  assert.equal(meter.bytes, 3);
});

test('sha256File: the bytes of a file larger than one read', async () => {
  const dir = tmpDir('cx-hash-meter-');
  const file = path.join(dir, 'data.bin');
  const data = randomBytes(3 * 1024 * 1024 + 17);
  writeFileSync(file, data);
  assert.deepEqual(await sha256File(file), {
    sha256: createHash('sha256').update(data).digest('hex'),
    size: data.length,
  });
});
