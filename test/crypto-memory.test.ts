/**
 * Bounded memory: a 200 MiB file is encrypted and decrypted in a child process (so the figure is that process's
 * own peak RSS, not the test runner's), and the result is checked byte for byte and against the age CLI.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { decryptFile, encryptFile, generateX25519Identity, identityToRecipient } from '../src/crypto/index.js';
import { age, randomFile, writePrivate } from './helpers/age.js';
import { sha256File, tmpDir } from './helpers/system.js';

const SIZE = 200 * 1024 * 1024;
const LIMIT_MB = 200;

if (process.env.CX_AGE_MEMORY_CHILD) {
  // Child: encrypt then decrypt, report peak RSS. The identity arrives on stdin, never in argv or the environment.
  const [src, enc, out] = process.argv.slice(2) as [string, string, string];
  const identity = await new Promise<string>((resolve) => {
    let s = '';
    process.stdin.on('data', (d) => (s += d)).on('end', () => resolve(s.trim()));
  });
  const e = await encryptFile(src, enc, { recipients: [identityToRecipient(identity)] });
  const d = await decryptFile(enc, out, { identities: [identity] });
  process.stdout.write(
    JSON.stringify({
      encSize: e.size,
      encSha: e.sha256,
      decSize: d.size,
      peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
    }),
  );
} else {
  test(`encrypt + decrypt of 200 MiB stays under ${LIMIT_MB} MB of RSS, and the CLI agrees`, async (t) => {
    const dir = tmpDir('cx-age-mem-');
    const src = path.join(dir, 'big');
    const enc = path.join(dir, 'big.age');
    const out = path.join(dir, 'big.out');
    const want = randomFile(src, SIZE);
    const { identity } = generateX25519Identity();
    const self = fileURLToPath(import.meta.url);
    const r = spawnSync(process.execPath, ['--import', 'tsx', self, src, enc, out], {
      input: identity,
      encoding: 'utf8',
      env: { ...process.env, CX_AGE_MEMORY_CHILD: '1', NODE_OPTIONS: '' },
      cwd: path.resolve(path.dirname(self), '..'),
    });
    assert.equal(r.status, 0, r.stderr);
    const res = JSON.parse(r.stdout) as { encSize: number; encSha: string; decSize: number; peakRssMb: number };
    assert.equal(res.decSize, SIZE);
    assert.equal(await sha256File(out), want);
    assert.equal(res.encSha, await sha256File(enc));
    t.diagnostic(`child peak RSS ${res.peakRssMb} MB (node + tsx alone: ~75 MB)`);
    assert.ok(res.peakRssMb < LIMIT_MB, `peak RSS ${res.peakRssMb} MB`);

    const key = path.join(dir, 'key.txt');
    writePrivate(key, `${identity}\n`);
    const cli = age(['-d', '-i', key, '-o', path.join(dir, 'cli.out'), enc]);
    assert.equal(cli.status, 0, cli.stderr);
    assert.equal(await sha256File(path.join(dir, 'cli.out')), want);
    // And ours reads the CLI's encryption of the same file.
    const cliEnc = path.join(dir, 'cli.age');
    assert.equal(age(['-i', key, '-e', '-o', cliEnc, src]).status, 0);
    await decryptFile(cliEnc, out, { identities: [identity] });
    assert.equal(await sha256File(out), want);
  });
}
