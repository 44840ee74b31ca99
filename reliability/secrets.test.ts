/** Full suite: the secret-scan scenario (see lib/secret-scenario.ts), with its figures. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runSecretScenario } from './lib/secret-scenario.js';
import { recordFigure } from './lib/util.js';

test('secret scan: CLI, UI API, encrypted folder sync, command lines', { timeout: 300_000 }, async () => {
  const r = await runSecretScenario();
  recordFigure('secrets', { what: 'CLI + UI API + encrypted folder sync', files: r.filesScanned, outputs: r.outputsScanned, apiAnswers: r.apiAnswersScanned, cmdlines: r.cmdlinesSeen, hits: r.hits.length });
  assert.deepEqual(r.controlProblems, []);
  assert.equal(r.plaintextLeft, false);
  assert.deepEqual(r.hits, []);
});
