/**
 * age scrypt (passphrase) mode against the real CLI. The CLI reads passphrases only from a terminal, so it runs
 * under a pseudo-terminal (python3 pty) and the passphrase is typed there: never in argv or the environment.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { decryptFile, encryptFile, encryptionReason, SCRYPT_WORK_FACTOR } from '../src/crypto/index.js';
import { randomFile, withPty } from './helpers/age.js';
import { sha256File, tmpDir } from './helpers/system.js';

const dir = tmpDir('cx-age-pass-');
const p = (name: string) => path.join(dir, name);
// Non-ASCII on purpose: both sides must hash the same UTF-8 bytes.
const PASSPHRASE = 'contraseña de la oficina 2024';

describe('passphrase mode (scrypt) with the age CLI', () => {
  const want = randomFile(p('plain'), 3 * 64 * 1024 + 7);

  test("ours, at age's default work factor, opens with age -d through a terminal", async () => {
    const enc = p('ours.age');
    await encryptFile(p('plain'), enc, { passphrase: PASSPHRASE });
    const header = readFileSync(enc).subarray(0, 200).toString('latin1');
    assert.match(
      header,
      new RegExp(
        `^age-encryption\\.org/v1\\n-> scrypt [A-Za-z0-9+/]{22} ${SCRYPT_WORK_FACTOR}\\n[A-Za-z0-9+/]{43}\\n--- `,
      ),
    );
    assert.equal(SCRYPT_WORK_FACTOR, 18);
    const r = withPty('age', ['-d', '-o', p('ours.out'), enc], PASSPHRASE);
    assert.equal(r.status, 0, r.screen);
    assert.ok(!r.screen.includes(PASSPHRASE), 'the passphrase is not echoed');
    assert.equal(await sha256File(p('ours.out')), want);
  });

  test('age -p opens with ours; a wrong passphrase is refused and leaves nothing', async () => {
    const enc = p('cli.age');
    const r = withPty('age', ['-p', '-o', enc, p('plain')], PASSPHRASE);
    assert.equal(r.status, 0, r.screen);
    assert.match(readFileSync(enc, 'latin1'), /^age-encryption\.org\/v1\n-> scrypt /);
    await decryptFile(enc, p('cli.out'), { passphrase: PASSPHRASE });
    assert.equal(await sha256File(p('cli.out')), want);

    writeFileSync(p('wrong.out'), 'stale');
    await assert.rejects(
      decryptFile(enc, p('wrong.out'), { passphrase: PASSPHRASE.normalize('NFD') }),
      (e: unknown) => encryptionReason(e) === 'wrong-passphrase',
    );
    assert.equal(existsSync(p('wrong.out')), false);
  });

  test('a work factor above our limit is refused before any scrypt runs; scrypt must stand alone', async () => {
    const enc = p('low.age');
    await encryptFile(p('plain'), enc, { passphrase: PASSPHRASE, scryptWorkFactor: 10 });
    const text = readFileSync(enc).toString('latin1');
    const high = Buffer.from(text.replace(/(-> scrypt \S+) 10\n/, '$1 30\n'), 'latin1');
    writeFileSync(p('high.age'), high);
    await assert.rejects(
      decryptFile(p('high.age'), p('high.out'), { passphrase: PASSPHRASE }),
      (e: unknown) => encryptionReason(e) === 'work-factor',
    );
    const mixed = Buffer.from(text.replace('\n---', '\n-> X25519 AAAA\nAAAA\n---'), 'latin1');
    writeFileSync(p('mixed.age'), mixed);
    await assert.rejects(
      decryptFile(p('mixed.age'), p('mixed.out'), { passphrase: PASSPHRASE }),
      (e: unknown) => encryptionReason(e) === 'header',
    );
    const leading0 = Buffer.from(text.replace(/(-> scrypt \S+) 10\n/, '$1 010\n'), 'latin1');
    writeFileSync(p('lead0.age'), leading0);
    await assert.rejects(
      decryptFile(p('lead0.age'), p('lead0.out'), { passphrase: PASSPHRASE }),
      (e: unknown) => encryptionReason(e) === 'header',
    );
  });
});
