/**
 * Full suite: hostile input (npm run reliability). 3000 fuzzed config files in-process (every 10th through the
 * SyncService) and 100 through the built CLI; every hostile remote state on the folder layout; every malformed-server
 * case (WebDAV, SMB, Socket.IO). The known-bug case (a WebDAV server trickling 1 byte/s) is run and counted in the
 * figures; it is asserted only with --known-bugs.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fuzzCases } from './lib/fuzz-config.js';
import { checkConfigCase, cliCheckCase } from './lib/config-check.js';
import { HOSTILE_CASES, runHostileCase } from './lib/hostile-remote.js';
import { HOSTILE_SERVERS, runHostileServer } from './lib/hostile-servers.js';
import { KNOWN_BUGS, recordFigure, seedFromEnv } from './lib/util.js';

const seed = seedFromEnv(8);
/** No known-bug config or remote-state case left (deep nesting, oversize save and EISDIR were fixed). */
const KNOWN_CONFIG = /^$/;
const KNOWN_REMOTE = new Set<string>();
const KNOWN_SERVER = new Set(['WebDAV: body that never ends (1 byte/s)']);

function split<T>(failures: Array<{ name: string; known: boolean; text: string }>): { real: string[]; known: string[] } {
  return { real: failures.filter((f) => !f.known).map((f) => f.text), known: failures.filter((f) => f.known).map((f) => f.text) };
}

test('3000 fuzzed config files in-process + 100 through the CLI', { timeout: 900_000 }, async () => {
  const cases = fuzzCases(3000, seed);
  const failures: Array<{ name: string; known: boolean; text: string }> = [];
  let crashes = 0;
  for (const c of cases) {
    const r = await checkConfigCase(c, c.id % 10 === 0 || /nesting|100k keys/.test(c.label));
    if (r.crash) crashes++;
    if (r.problems.length) failures.push({ name: c.label, known: KNOWN_CONFIG.test(c.label), text: `#${c.id} ${c.label.slice(0, 60)}: ${r.problems.join('; ').slice(0, 300)}` });
  }
  const f1 = split(failures);
  recordFigure('fuzz', { what: 'config files, in-process', cases: cases.length, crashes, ruleBreaks: failures.length, notes: f1.known.length ? `${f1.known.length} known bug(s): deep nesting / oversize save` : '-' });
  const sample = cases.filter((c) => c.id < 40 || c.id % 50 === 0).slice(0, 100);
  const cliFail: string[] = [];
  for (const c of sample) {
    const r = await cliCheckCase(c);
    if (r.problems.length) cliFail.push(`#${c.id} ${c.label.slice(0, 60)}: ${r.problems.join('; ')}`);
  }
  recordFigure('fuzz', { what: 'config files, CLI check-config', cases: sample.length, crashes: cliFail.length, ruleBreaks: cliFail.length, notes: '-' });
  assert.deepEqual(f1.real, [], `seed ${seed}`);
  assert.deepEqual(cliFail, []);
  if (KNOWN_BUGS) assert.deepEqual(f1.known, []);
});

test('hostile remote states (folder layout)', { timeout: 300_000 }, async () => {
  const failures: Array<{ name: string; known: boolean; text: string }> = [];
  for (const c of HOSTILE_CASES) {
    const r = await runHostileCase(c);
    if (!r.ok) failures.push({ name: c.name, known: KNOWN_REMOTE.has(c.name), text: `${c.name}: ${r.problems.join('; ')}` });
  }
  const f = split(failures);
  recordFigure('hostile', { what: 'hostile manifests/objects (folder layout)', cases: HOSTILE_CASES.length, crashes: 0, ruleBreaks: failures.length, notes: f.known.length ? `known bug: ${[...KNOWN_REMOTE].join(', ')} -> INTERNAL` : '-' });
  assert.deepEqual(f.real, []);
  if (KNOWN_BUGS) assert.deepEqual(f.known, []);
});

test('malformed server answers (WebDAV, SMB, Socket.IO)', { timeout: 600_000 }, async () => {
  const failures: Array<{ name: string; known: boolean; text: string }> = [];
  for (const h of HOSTILE_SERVERS) {
    const r = await runHostileServer(h);
    if (r.problems.length) failures.push({ name: h.name, known: KNOWN_SERVER.has(h.name), text: `${h.name}: ${r.problems.join('; ')}` });
  }
  const f = split(failures);
  recordFigure('hostile', { what: 'malformed server answers', cases: HOSTILE_SERVERS.length, crashes: 0, ruleBreaks: failures.length, notes: f.known.length ? `known bug: ${[...KNOWN_SERVER].join(', ')} hangs` : '-' });
  assert.deepEqual(f.real, []);
  if (KNOWN_BUGS) assert.deepEqual(f.known, []);
});
