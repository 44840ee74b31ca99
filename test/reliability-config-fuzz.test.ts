/**
 * Reliability, CI-sized: 600 hostile config files (wrong types, huge values, invalid UTF-8, deep nesting, path
 * traversal in remote_path, truncated/binary files) through loadConfig, a save/load round trip and (every 10th) the
 * SyncService; 24 of them through the built CLI's check-config. No crash, no hang, no overwritten file, every refusal
 * names the key in Spanish and English, every accepted config obeys the rules.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fuzzCases } from '../reliability/lib/fuzz-config.js';
import { checkConfigCase, cliCheckCase } from '../reliability/lib/config-check.js';
import { ROOT, recordFigure, seedFromEnv } from '../reliability/lib/util.js';

const seed = seedFromEnv(8);
const cases = fuzzCases(600, seed);

test('600 fuzzed config files: loadConfig, round trip and SyncService never crash, hang or overwrite (deep nesting included)', {
  timeout: 120_000,
}, async () => {
  const failures: string[] = [];
  let crashes = 0;
  for (const c of cases) {
    const r = await checkConfigCase(c, c.id % 10 === 0 || /nesting|100k keys/.test(c.label));
    if (r.crash) crashes++;
    if (r.problems.length) failures.push(`#${r.id} ${r.label.slice(0, 80)}: ${r.problems.join('; ')}`);
  }
  recordFigure('fuzz', {
    what: 'config files, in-process (npm test)',
    cases: cases.length,
    crashes,
    ruleBreaks: failures.length,
  });
  assert.ok(cases.length >= 500);
  assert.deepEqual(failures, [], `seed ${seed}`);
});

test('24 fuzzed config files through the built CLI check-config: exit 0/2, JSON, no stack trace, file untouched', {
  timeout: 120_000,
}, async () => {
  if (!existsSync(path.join(ROOT, 'dist', 'cli', 'main.js')))
    spawnSync('npx', ['tsc', '-p', 'tsconfig.json'], { cwd: ROOT, stdio: 'inherit' });
  const sample = cases
    .filter((c) => c.id < 16 || c.id % 75 === 0 || /traversal|UTF-8|nesting/.test(c.label))
    .slice(0, 24);
  const failures: string[] = [];
  for (const c of sample) {
    const r = await cliCheckCase(c);
    if (r.problems.length) failures.push(`#${r.id} ${r.label.slice(0, 80)}: ${r.problems.join('; ')}`);
  }
  recordFigure('fuzz', {
    what: 'config files, CLI check-config (npm test)',
    cases: sample.length,
    crashes: failures.length,
    ruleBreaks: failures.length,
  });
  assert.equal(sample.length, 24);
  assert.deepEqual(failures, []);
});
