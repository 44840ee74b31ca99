/**
 * Where keys and passphrases come from: identity files (refused when others can read them), passphrase files and
 * one-shot environment variables, and the no-echo terminal prompt (driven through a real pseudo-terminal).
 */
import assert from 'node:assert/strict';
import { chmodSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  encryptionReason,
  generateX25519Identity,
  loadIdentityFile,
  promptPassphrase,
  readPassphrase,
  type EncryptionReason,
} from '../src/crypto/index.js';
import { SyncError } from '../src/errors.js';
import { redactString } from '../src/log/redact.js';
import { ageKeygen, sha256, withPty, writePrivate } from './helpers/age.js';
import { tmpDir } from './helpers/system.js';

const dir = tmpDir('cx-age-secrets-');
const p = (name: string) => path.join(dir, name);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const isReason = (reason: EncryptionReason) => (e: unknown) => encryptionReason(e) === reason;

describe('identity files', () => {
  test('reads the key age-keygen wrote (comments skipped) and several keys in one file', async () => {
    const k = ageKeygen(p('keygen.txt'));
    assert.deepEqual(await loadIdentityFile(p('keygen.txt')), [k.identity]);
    const a = generateX25519Identity();
    const b = generateX25519Identity();
    writePrivate(p('two.txt'), `# created: hoy\r\n\n${a.identity}\r\n   # otra\n${b.identity}\n`);
    assert.deepEqual(await loadIdentityFile(p('two.txt')), [a.identity, b.identity]);
  });

  test('refuses a file that group or others can access, a missing one, and one without keys', async () => {
    const a = generateX25519Identity();
    for (const mode of [0o644, 0o640, 0o604, 0o660, 0o601]) {
      writeFileSync(p('open.txt'), `${a.identity}\n`);
      chmodSync(p('open.txt'), mode);
      await assert.rejects(loadIdentityFile(p('open.txt')), isReason('identity-file-insecure'), mode.toString(8));
    }
    chmodSync(p('open.txt'), 0o400);
    assert.deepEqual(await loadIdentityFile(p('open.txt')), [a.identity]);
    await assert.rejects(loadIdentityFile(p('nope.txt')), isReason('identity-file-missing'));
    await assert.rejects(loadIdentityFile(dir), isReason('identity-file-missing'));
    writePrivate(p('empty.txt'), '# nada\n\n');
    await assert.rejects(loadIdentityFile(p('empty.txt')), isReason('identity-file-invalid'));
  });

  test('a bad line is reported by number, never by content', async () => {
    const a = generateX25519Identity();
    const broken = a.identity.slice(0, -1) + (a.identity.endsWith('Q') ? 'P' : 'Q');
    writePrivate(p('bad.txt'), `# clave\n${broken}\n`);
    const err = await loadIdentityFile(p('bad.txt')).then(
      () => assert.fail('accepted a broken key'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof SyncError);
    assert.equal(encryptionReason(err), 'identity-file-invalid');
    assert.equal(err.details?.line, 2);
    const shown = JSON.stringify(err.toJSON()) + err.message;
    assert.ok(!shown.includes(broken.slice(16, 40)), 'no key material in the error');
  });

  test('loaded identities are masked in logs', async () => {
    const a = generateX25519Identity();
    writePrivate(p('masked.txt'), `${a.identity}\n`);
    await loadIdentityFile(p('masked.txt'));
    assert.ok(!redactString(`clave ${a.identity}`).includes(a.identity));
  });
});

describe('passphrases', () => {
  test('from a file: trailing newline dropped, permission rule enforced', async () => {
    writePrivate(p('pass.txt'), 'frase de prueba\n');
    assert.equal(await readPassphrase({ passphrase_file: p('pass.txt') }), 'frase de prueba');
    chmodSync(p('pass.txt'), 0o644);
    await assert.rejects(readPassphrase({ passphrase_file: p('pass.txt') }), isReason('passphrase-file-insecure'));
    await assert.rejects(readPassphrase({ passphrase_file: p('none.txt') }), isReason('passphrase-missing'));
    writePrivate(p('blank.txt'), '\n');
    await assert.rejects(readPassphrase({ passphrase_file: p('blank.txt') }), isReason('passphrase-missing'));
  });

  test('from an environment variable: read once, removed from the environment, still available afterwards', async () => {
    const name = 'CX_TEST_AGE_PASSPHRASE';
    process.env[name] = 'frase del entorno';
    assert.equal(await readPassphrase({ passphrase_env: name }), 'frase del entorno');
    assert.equal(process.env[name], undefined, 'deleted from process.env');
    assert.equal(await readPassphrase({ passphrase_env: name }), 'frase del entorno');
    assert.ok(!redactString('la frase del entorno es esta').includes('frase del entorno'));
    await assert.rejects(readPassphrase({ passphrase_env: 'CX_TEST_AGE_NEVER_SET' }), isReason('passphrase-missing'));
    await assert.rejects(readPassphrase({}), isReason('passphrase-missing'));
  });

  test('the prompt refuses to read a secret from something that is not a terminal', async () => {
    await assert.rejects(
      promptPassphrase('Frase: ', { input: new PassThrough() as unknown as NodeJS.ReadStream }),
      isReason('no-terminal'),
    );
  });

  test('the prompt reads from a real terminal without echo (backspace handled)', () => {
    const child = p('prompt-child.mts');
    writeFileSync(
      child,
      `import { promptPassphrase } from ${JSON.stringify(path.join(root, 'src/crypto/index.js'))};
import { createHash } from 'node:crypto';
const v = await promptPassphrase('Frase (passphrase): ');
process.stdout.write('SHA=' + createHash('sha256').update(v).digest('hex') + '\\n');
process.exit(0);
`,
    );
    const secret = 'contraseñaX\x7f segura';
    const r = withPty(process.execPath, ['--import', 'tsx', child], secret, { ...process.env, NODE_OPTIONS: '' });
    assert.equal(r.status, 0, r.screen);
    assert.match(r.screen, new RegExp(`SHA=${sha256(Buffer.from('contraseña segura'))}`));
    assert.ok(!r.screen.includes('contraseña'), 'nothing typed is echoed');
  });
});
