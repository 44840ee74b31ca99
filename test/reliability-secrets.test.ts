/**
 * Reliability, CI-sized: known passwords (WebDAV, SMB, Socket.IO token, encryption passphrase) driven through every
 * CLI command (against a hostile WebDAV server that echoes Authorization into its error pages, and closed SMB and
 * Socket.IO ports), an encrypted folder sync and every UI API route. Zero hits in logs, state files, outputs, API
 * answers and process command lines; the encrypted remote holds no plaintext. Positive controls prove the scanners.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runSecretScenario } from '../reliability/lib/secret-scenario.js';
import { recordFigure } from '../reliability/lib/util.js';

test('secret scan: zero hits in logs, files, CLI output, API answers and command lines', {
  timeout: 170_000,
}, async () => {
  const r = await runSecretScenario();
  recordFigure('secrets', {
    what: 'CLI + UI API + encrypted folder sync (npm test)',
    files: r.filesScanned,
    outputs: r.outputsScanned,
    apiAnswers: r.apiAnswersScanned,
    cmdlines: r.cmdlinesSeen,
    hits: r.hits.length,
  });
  assert.deepEqual(r.controlProblems, []);
  assert.ok(r.cliRuns.length >= 20);
  assert.ok(r.apiAnswersScanned >= 8, `API answers scanned: ${r.apiAnswersScanned}`);
  assert.equal(r.plaintextLeft, false, 'the encrypted remote holds plaintext');
  assert.deepEqual(r.hits, []);
});
