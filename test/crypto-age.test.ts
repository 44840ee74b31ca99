/**
 * age v1 X25519: interop with the real `age` CLI both ways, the header and STREAM rules (with the CLI as the oracle
 * for crafted files), and every failure: wrong key, tampering, truncation, trailing data, not an age file.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { before, describe, test } from 'node:test';
import {
  AGE_HEADER,
  decryptFile,
  decryptStream,
  encryptFile,
  encryptionReason,
  encryptStream,
  generateX25519Identity,
  identityToRecipient,
  isAgeFile,
  parseRecipient,
  startsWithAgeHeader,
  verifyFile,
  type EncryptionReason,
} from '../src/crypto/index.js';
import { SyncError } from '../src/errors.js';
import { age, ageKeygen, CHUNK, craftAgeFile, ENC_CHUNK, randomFile, sha256, writePrivate } from './helpers/age.js';
import { sha256File, tmpDir } from './helpers/system.js';

const dir = tmpDir('cx-age-');
const p = (name: string) => path.join(dir, name);

/** Two CLI-made keys and one of ours: every direction below mixes them. */
let cli1: { identity: string; recipient: string; file: string };
let cli2: { identity: string; recipient: string; file: string };
let ours: { identity: string; recipient: string; file: string };

before(() => {
  cli1 = { ...ageKeygen(p('cli1.key')), file: p('cli1.key') };
  cli2 = { ...ageKeygen(p('cli2.key')), file: p('cli2.key') };
  const g = generateX25519Identity();
  writePrivate(p('ours.key'), `# ours\n${g.identity}\n`);
  ours = { ...g, file: p('ours.key') };
});

/** Asserts a promise fails with SyncError('ENCRYPTION') of the given reason; returns the error. */
async function rejectsWith(promise: Promise<unknown>, reason: EncryptionReason): Promise<SyncError> {
  const err = await promise.then(
    () => assert.fail(`expected failure: ${reason}`),
    (e: unknown) => e,
  );
  assert.ok(err instanceof SyncError, `not a SyncError: ${String(err)}`);
  assert.equal(err.code, 'ENCRYPTION');
  assert.equal(encryptionReason(err), reason, `reason ${String(err.details?.reason)}: ${err.text.en}`);
  assert.ok(err.text.es && err.text.en && err.hint?.es && err.hint?.en, 'message and hint in both languages');
  return err;
}

describe('keys', () => {
  test('the age spec example identity maps to its published recipient', () => {
    // From the age v1 specification (C2SP age.md), written out here rather than computed.
    const identity = 'AGE-SECRET-KEY-1GFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPQ4EGAEX';
    assert.equal(identityToRecipient(identity), 'age1zvkyg2lqzraa2lnjvqej32nkuu0ues2s82hzrye869xeexvn73equnujwj');
  });

  test('identityToRecipient agrees with age-keygen -y, both for CLI keys and ours', () => {
    assert.equal(identityToRecipient(cli1.identity), cli1.recipient);
    assert.equal(identityToRecipient(cli2.identity), cli2.recipient);
    assert.match(readFileSync(ours.file, 'utf8'), /^AGE-SECRET-KEY-1[0-9A-Z]{58}$/m);
    assert.match(ours.recipient, /^age1[02-9ac-hj-np-z]{58}$/);
    const keygen = spawnSync('age-keygen', ['-y', ours.file], { encoding: 'utf8' });
    assert.equal(keygen.status, 0, keygen.stderr);
    assert.equal(keygen.stdout.trim(), ours.recipient);
  });

  test('parseRecipient rejects typos, wrong prefixes and identities', () => {
    assert.equal(parseRecipient(cli1.recipient).length, 32);
    const bad = [
      cli1.recipient.slice(0, -1) + (cli1.recipient.endsWith('q') ? 'p' : 'q'),
      'age1',
      cli1.identity,
      cli1.recipient.toUpperCase().slice(0, 10) + cli1.recipient.slice(10),
      '',
    ];
    for (const s of bad) {
      assert.throws(
        () => parseRecipient(s),
        (e: unknown) => encryptionReason(e) === 'bad-recipient',
        s,
      );
    }
    // An identity pasted where a recipient belongs must not be echoed into the error.
    const err = (() => {
      try {
        parseRecipient(cli1.identity);
      } catch (e) {
        return e as SyncError;
      }
      return assert.fail('accepted an identity as a recipient');
    })();
    assert.ok(!JSON.stringify(err.toJSON()).includes(cli1.identity.slice(20)));
  });
});

describe('interop with the age CLI (X25519)', () => {
  for (const size of [0, 1, 65536, 65537, 3_000_000]) {
    test(`${size} bytes: ours -> age -d, and age -r -> ours`, async () => {
      const plain = p(`plain-${size}`);
      const want = randomFile(plain, size);

      // Ours, decrypted by the CLI.
      const enc = p(`ours-${size}.age`);
      let progress = 0;
      const res = await encryptFile(plain, enc, { recipients: [cli1.recipient], onProgress: (n) => (progress = n) });
      assert.equal(progress, size, 'progress reaches the source size');
      assert.equal(res.size, statSync(enc).size);
      assert.equal(res.sha256, await sha256File(enc), 'sha256 is of the ciphertext written');
      assert.equal(statSync(enc).mode & 0o777, 0o600);
      // Header + 16-byte nonce + one 16-byte tag per 64 KiB chunk (at least one chunk, even when empty).
      const chunks = Math.max(1, Math.ceil(size / CHUNK));
      const headerLen = readFileSync(enc).indexOf('\n---') + 1 + 48;
      assert.equal(res.size, headerLen + 16 + size + 16 * chunks);
      const cli = age(['-d', '-i', cli1.file, enc]);
      assert.equal(cli.status, 0, cli.stderr);
      assert.equal(sha256(cli.stdout), want);

      // The CLI's, decrypted by us.
      const cliEnc = p(`cli-${size}.age`);
      assert.equal(age(['-r', ours.recipient, '-o', cliEnc, plain]).status, 0);
      const out = p(`cli-${size}.out`);
      const d = await decryptFile(cliEnc, out, { identities: [ours.identity] });
      assert.equal(d.size, size);
      assert.equal(await sha256File(out), want);
      assert.equal(statSync(out).mode & 0o777, 0o600);
    });
  }

  test('multi-recipient: ours to three keys opens with each; age -r -r and age -R open with each of ours', async () => {
    const plain = p('multi');
    const want = randomFile(plain, 200_000);
    const enc = p('multi-ours.age');
    await encryptFile(plain, enc, { recipients: [cli1.recipient, ours.recipient, cli2.recipient] });
    for (const k of [cli1, cli2]) {
      const r = age(['-d', '-i', k.file, enc]);
      assert.equal(r.status, 0, r.stderr);
      assert.equal(sha256(r.stdout), want);
    }
    await decryptFile(enc, p('multi-ours.out'), { identities: [ours.identity] });
    assert.equal(await sha256File(p('multi-ours.out')), want);

    const other = generateX25519Identity();
    writeFileSync(p('recipients.txt'), `# equipo\n${ours.recipient}\n${other.recipient}\n`);
    for (const [name, args] of [
      ['r', ['-r', cli1.recipient, '-r', ours.recipient, '-r', other.recipient]],
      ['R', ['-R', p('recipients.txt')]],
    ] as const) {
      const cliEnc = p(`multi-cli-${name}.age`);
      assert.equal(age([...args, '-o', cliEnc, plain]).status, 0);
      for (const id of [ours.identity, other.identity]) {
        const out = p(`multi-cli-${name}.out`);
        await decryptFile(cliEnc, out, { identities: [id] });
        assert.equal(await sha256File(out), want);
      }
      // Several identities at once, the matching one last.
      await decryptFile(cliEnc, p('multi-any.out'), { identities: [cli2.identity, other.identity] });
      assert.equal(await sha256File(p('multi-any.out')), want);
    }
  });

  test('encryptStream/decryptStream round-trip through the CLI with odd-sized writes', async () => {
    const data = Buffer.alloc(3 * CHUNK + 5);
    for (let i = 0; i < data.length; i++) data[i] = (i * 7 + 3) & 0xff;
    // Feed the encryptor in pieces that never align with chunk boundaries.
    const pieces = [];
    for (let off = 0, n = 1; off < data.length; off += n, n = n * 3 + 1) pieces.push(data.subarray(off, off + n));
    const enc: Buffer[] = [];
    await pipeline(
      Readable.from(pieces),
      encryptStream({ recipients: [cli1.recipient] }),
      async (src: AsyncIterable<Buffer>) => {
        for await (const c of src) enc.push(c);
      },
    );
    const ct = Buffer.concat(enc);
    assert.ok(startsWithAgeHeader(ct));
    const r = age(['-d', '-i', cli1.file], ct);
    assert.equal(r.status, 0, r.stderr);
    assert.ok(r.stdout.equals(data));

    const cliCt = age(['-r', ours.recipient], data).stdout;
    const out: Buffer[] = [];
    // One byte at a time through the header, then larger pieces.
    const feed = [...Array.from({ length: 300 }, (_, i) => cliCt.subarray(i, i + 1)), cliCt.subarray(300)];
    await pipeline(
      Readable.from(feed),
      decryptStream({ identities: [ours.identity] }),
      async (src: AsyncIterable<Buffer>) => {
        for await (const c of src) out.push(c);
      },
    );
    assert.ok(Buffer.concat(out).equals(data));
  });

  test('isAgeFile and startsWithAgeHeader read only the header line', async () => {
    await encryptFile(p('plain-1'), p('is.age'), { recipients: [ours.recipient] });
    assert.equal(await isAgeFile(p('is.age')), true);
    assert.equal(await isAgeFile(p('plain-65536')), false);
    writeFileSync(p('short'), 'age-encryption.org/v');
    assert.equal(await isAgeFile(p('short')), false);
    assert.equal(startsWithAgeHeader(Buffer.from(AGE_HEADER)), true);
    assert.equal(startsWithAgeHeader(Buffer.from('SQLite format 3\0')), false);
    await assert.rejects(isAgeFile(p('missing')), (e: unknown) => e instanceof SyncError && e.code === 'NOT_FOUND');
  });
});

describe('refusals', () => {
  let enc: string;
  let bytes: Buffer;
  before(async () => {
    randomFile(p('r-plain'), 3 * CHUNK + 100);
    enc = p('r.age');
    await encryptFile(p('r-plain'), enc, { recipients: [cli1.recipient, ours.recipient] });
    bytes = readFileSync(enc);
  });

  /** Decrypting must fail with `reason`, and leave no output file behind (even one that existed before). */
  async function refuses(
    file: string | Buffer,
    reason: EncryptionReason,
    keys: { identities?: string[]; passphrase?: string } = { identities: [ours.identity] },
  ) {
    let src = file as string;
    if (Buffer.isBuffer(file)) {
      src = p('case.age');
      writeFileSync(src, file);
    }
    const out = p('case.out');
    writeFileSync(out, 'stale');
    const err = await rejectsWith(decryptFile(src, out, keys), reason);
    assert.equal(existsSync(out), false, 'no partial plaintext left behind');
    return err;
  }

  test('wrong identity, and keys of the wrong kind, each say so distinctly', async () => {
    const texts = new Set<string>();
    texts.add((await refuses(enc, 'no-matching-identity', { identities: [cli2.identity] })).text.en);
    texts.add((await refuses(enc, 'needs-identity', { passphrase: 'x' })).text.en);
    await assert.rejects(decryptFile(enc, p('x'), {}), (e: unknown) => encryptionReason(e) === 'no-key');
    assert.throws(
      () => decryptStream({ identities: ['AGE-SECRET-KEY-1NOPE'] }),
      (e: unknown) => encryptionReason(e) === 'bad-identity',
    );
    const pass = p('pass.age');
    await encryptFile(p('r-plain'), pass, { passphrase: 'correcto', scryptWorkFactor: 10 });
    texts.add((await refuses(pass, 'needs-passphrase')).text.en);
    texts.add((await refuses(pass, 'wrong-passphrase', { passphrase: 'incorrecto' })).text.en);
    assert.equal(texts.size, 4);
  });

  test('a tampered header fails its MAC (and so does the CLI)', async () => {
    const text = bytes.toString('latin1');
    const macAt = text.indexOf('\n--- ') + 5;
    const cases: Buffer[] = [];
    // 1. Another (valid base64) character in the MAC itself.
    const m = Buffer.from(bytes);
    m[macAt + 3] = m[macAt + 3] === 0x41 ? 0x42 : 0x41;
    cases.push(m);
    // 2. The other recipient's stanza changed: ours still unwraps, the MAC catches it.
    const s = Buffer.from(bytes);
    const firstBody = text.indexOf('\n', text.indexOf('-> X25519')) + 1;
    s[firstBody + 5] = s[firstBody + 5] === 0x41 ? 0x42 : 0x41;
    cases.push(s);
    // 3. An extra stanza slipped in before the MAC line.
    cases.push(
      Buffer.concat([bytes.subarray(0, macAt - 4), Buffer.from('-> grease x\n\n'), bytes.subarray(macAt - 4)]),
    );
    for (const c of cases) {
      await refuses(c, 'header-mac');
      assert.notEqual(age(['-d', '-i', ours.file], c).status, 0);
    }
  });

  test('a malformed header is refused as such', async () => {
    const text = bytes.toString('latin1');
    const variants = [
      text.replace('-> X25519 ', '->  X25519 '), // empty argument
      text.replace(/\n---/, '\n\n---'), // stray empty line
      text.replace(/--- ([A-Za-z0-9+/]+)/, '--- $1=='), // padded base64
    ];
    for (const v of variants) await refuses(Buffer.from(v, 'latin1'), 'header');
    await refuses(bytes.subarray(0, 40), 'truncated'); // cut inside the header
    await refuses(
      Buffer.from(text.replace('age-encryption.org/v1', 'age-encryption.org/v2'), 'latin1'),
      'unsupported-version',
    );
  });

  test('a tampered payload chunk is refused and nothing is kept; verifyFile sees it without writing', async () => {
    assert.equal((await verifyFile(enc, { identities: [ours.identity] })).size, 3 * CHUNK + 100);
    const payloadAt = bytes.indexOf('\n--- ') + 1 + 48 + 16;
    for (const at of [payloadAt + 10, payloadAt + ENC_CHUNK + 100, bytes.length - 1]) {
      const t = Buffer.from(bytes);
      t[at] ^= 0x80;
      writeFileSync(p('verify.age'), t);
      await rejectsWith(verifyFile(p('verify.age'), { identities: [ours.identity] }), 'payload');
      const err = await refuses(t, 'payload');
      assert.notEqual(age(['-d', '-i', ours.file], t).status, 0);
      assert.equal(typeof err.details?.chunk, 'number');
    }
  });

  test('truncation at a chunk boundary and mid-chunk', async () => {
    const payloadAt = bytes.indexOf('\n--- ') + 1 + 48 + 16;
    await refuses(bytes.subarray(0, payloadAt + 2 * ENC_CHUNK), 'truncated'); // authentic chunks, end missing
    await refuses(bytes.subarray(0, payloadAt), 'truncated'); // no chunk at all
    await refuses(bytes.subarray(0, payloadAt - 5), 'truncated'); // cut inside the nonce
    await refuses(bytes.subarray(0, payloadAt + ENC_CHUNK + 1000), 'payload'); // mid-chunk: cannot be told from damage
    await refuses(bytes.subarray(0, bytes.length - 1), 'payload');
    for (const cut of [payloadAt + 2 * ENC_CHUNK, payloadAt + ENC_CHUNK + 1000]) {
      assert.notEqual(age(['-d', '-i', ours.file], bytes.subarray(0, cut)).status, 0);
    }
  });

  test('trailing data after the final chunk is refused (short and long)', async () => {
    await refuses(Buffer.concat([bytes, Buffer.from([0])]), 'payload');
    await refuses(Buffer.concat([bytes, Buffer.alloc(ENC_CHUNK + 10, 1)]), 'payload');
    // After a full-size final chunk the extra bytes are recognised as such.
    const full = await craftAgeFile(ours.recipient, [{ plain: Buffer.alloc(CHUNK, 2), last: true }], {
      trailing: Buffer.from('x'),
    });
    await refuses(full, 'trailing-data');
    assert.notEqual(age(['-d', '-i', ours.file], full).status, 0);
  });

  test('not an age file: plain SQLite, empty, random, armored', async () => {
    await refuses(Buffer.from(`SQLite format 3\0${'x'.repeat(100)}`), 'not-age');
    await refuses(Buffer.alloc(0), 'not-age');
    await refuses(Buffer.from('hola'), 'not-age');
    const armored = age(['-a', '-r', ours.recipient], Buffer.from('datos')).stdout;
    assert.match(armored.toString(), /^-----BEGIN AGE ENCRYPTED FILE-----/);
    await refuses(armored, 'armored');
  });

  test('encryption refuses bad recipients and mixed modes before touching the output', async () => {
    for (const [opts, reason] of [
      [{ recipients: ['age1xyz'] }, 'bad-recipient'],
      [{ recipients: [] }, 'no-recipients'],
      [{ recipients: [ours.recipient], passphrase: 'x' }, 'mixed-modes'],
    ] as const) {
      await rejectsWith(encryptFile(p('r-plain'), p('never.age'), opts), reason);
      assert.equal(existsSync(p('never.age')), false);
    }
    await assert.rejects(
      encryptFile(p('no-such-file'), p('never.age'), { recipients: [ours.recipient] }),
      (e: unknown) => e instanceof SyncError && e.code === 'NOT_FOUND',
    );
    assert.equal(existsSync(p('never.age')), false);
  });

  test('an aborted encryption or decryption leaves no output', async () => {
    randomFile(p('abort-plain'), 8 * 1024 * 1024);
    const ac = new AbortController();
    const err = await encryptFile(p('abort-plain'), p('abort.age'), {
      recipients: [ours.recipient],
      signal: ac.signal,
      onProgress: (n) => n >= 2 * 1024 * 1024 && ac.abort(),
    }).catch((e: unknown) => e);
    assert.ok(err instanceof SyncError && err.code === 'CANCELLED', String(err));
    assert.equal(existsSync(p('abort.age')), false);

    await encryptFile(p('abort-plain'), p('abort2.age'), { recipients: [ours.recipient] });
    const ac2 = new AbortController();
    const err2 = await decryptFile(p('abort2.age'), p('abort2.out'), {
      identities: [ours.identity],
      signal: ac2.signal,
      onProgress: (n) => n >= 2 * 1024 * 1024 && ac2.abort(),
    }).catch((e: unknown) => e);
    assert.ok(err2 instanceof SyncError && err2.code === 'CANCELLED', String(err2));
    assert.equal(existsSync(p('abort2.out')), false, 'no partial plaintext');
  });
});

describe('STREAM rules, checked against the CLI on crafted payloads', () => {
  const full = (b: number) => Buffer.alloc(CHUNK, b);
  const cases: Array<{
    name: string;
    chunks: Array<{ plain: Buffer; last: boolean; counter?: number }>;
    expect: 'ok' | EncryptionReason;
  }> = [
    { name: 'empty payload: one empty final chunk', chunks: [{ plain: Buffer.alloc(0), last: true }], expect: 'ok' },
    { name: 'a full-size final chunk', chunks: [{ plain: full(1), last: true }], expect: 'ok' },
    {
      name: 'full chunk, then a 1-byte final chunk',
      chunks: [
        { plain: full(1), last: false },
        { plain: Buffer.from([9]), last: true },
      ],
      expect: 'ok',
    },
    {
      name: 'an empty final chunk after a full one',
      chunks: [
        { plain: full(1), last: false },
        { plain: Buffer.alloc(0), last: true },
      ],
      expect: 'payload',
    },
    {
      name: 'no final chunk',
      chunks: [
        { plain: full(1), last: false },
        { plain: full(2), last: false },
      ],
      expect: 'truncated',
    },
    {
      name: 'two final chunks',
      chunks: [
        { plain: full(1), last: true },
        { plain: Buffer.from([1]), last: true },
      ],
      expect: 'trailing-data',
    },
    { name: 'a short chunk not marked final', chunks: [{ plain: Buffer.from('abc'), last: false }], expect: 'payload' },
    {
      name: 'chunks swapped',
      chunks: [
        { plain: full(2), last: false, counter: 1 },
        { plain: full(1), last: false, counter: 0 },
        { plain: Buffer.from([3]), last: true },
      ],
      expect: 'payload',
    },
    {
      name: 'a chunk skipped',
      chunks: [
        { plain: full(1), last: false },
        { plain: Buffer.from([3]), last: true, counter: 2 },
      ],
      expect: 'payload',
    },
  ];
  for (const c of cases) {
    test(c.name, async () => {
      const file = await craftAgeFile(ours.recipient, c.chunks);
      const src = p('stream.age');
      writeFileSync(src, file);
      const cli = age(['-d', '-i', ours.file], file);
      const out = p('stream.out');
      if (c.expect === 'ok') {
        assert.equal(cli.status, 0, `the CLI accepts it: ${cli.stderr}`);
        await decryptFile(src, out, { identities: [ours.identity] });
        assert.ok(readFileSync(out).equals(Buffer.concat(c.chunks.map((x) => x.plain))));
        assert.ok(readFileSync(out).equals(cli.stdout));
      } else {
        assert.notEqual(cli.status, 0, 'the CLI refuses it too');
        await rejectsWith(decryptFile(src, out, { identities: [ours.identity] }), c.expect);
        assert.equal(existsSync(out), false);
      }
    });
  }

  test('our encryptor never writes an empty final chunk after data (exact multiples of 64 KiB)', async () => {
    for (const n of [1, 2]) {
      randomFile(p('exact'), n * CHUNK);
      const r = await encryptFile(p('exact'), p('exact.age'), { recipients: [ours.recipient] });
      const headerLen = readFileSync(p('exact.age')).indexOf('\n---') + 1 + 48;
      assert.equal(r.size, headerLen + 16 + n * ENC_CHUNK);
    }
  });
});
