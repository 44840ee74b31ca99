/**
 * Known-answer tests for the SMB client's cryptography: MD4 (RFC 1320), RC4, AES-CMAC (RFC 4493), NTLMv2
 * (MS-NLMP 4.2.4), the SP800-108 KDF and 3.1.1 signing (Microsoft's published SMB 3.x key walkthrough), SMB3
 * TRANSFORM round trips with tamper detection.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { md4 } from '../src/smb/md4.js';
import { rc4 } from '../src/smb/rc4.js';
import {
  aesCmac,
  computeSignature,
  decryptMessage,
  encryptMessage,
  kdf,
  NonceSource,
  signMessage,
  verifySignature,
} from '../src/smb/crypto.js';
import {
  authenticateMessage,
  computeNtlmv2,
  ntHash,
  ntowfv2,
  parseChallenge,
  splitUser,
  MsvAvTimestamp,
} from '../src/smb/ntlm.js';
import { negTokenInit, negTokenResp, parseNegTokenResp, NTLMSSP_OID } from '../src/smb/spnego.js';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const label = (s: string) => Buffer.from(`${s}\0`, 'latin1');

test('MD4: RFC 1320 appendix A.5 vectors', () => {
  const vectors: Array<[string, string]> = [
    ['', '31d6cfe0d16ae931b73c59d7e0c089c0'],
    ['a', 'bde52cb31de33e46245e05fbdbd6fb24'],
    ['abc', 'a448017aaf21d8525fc10ae87aa6729d'],
    ['message digest', 'd9130a8164549fe818874806e1c7014b'],
    ['abcdefghijklmnopqrstuvwxyz', 'd79e1c308aa5bbcdeea8ed63df412da9'],
    ['ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789', '043f8582f241db351ce627e153e7f0e4'],
    ['1234567890'.repeat(8), 'e33b4ddc9c38f2199c3e7b164fcc0536'],
  ];
  for (const [input, digest] of vectors) assert.equal(md4(Buffer.from(input, 'latin1')).toString('hex'), digest, input);
});

test('RC4: classic vectors', () => {
  assert.equal(rc4(Buffer.from('Key'), Buffer.from('Plaintext')).toString('hex'), 'bbf316e8d940af0ad3');
  assert.equal(rc4(Buffer.from('Wiki'), Buffer.from('pedia')).toString('hex'), '1021bf0420');
  assert.equal(
    rc4(Buffer.from('Secret'), Buffer.from('Attack at dawn')).toString('hex'),
    '45a01f645fc35b383552544b9bf5',
  );
});

test('AES-CMAC: RFC 4493 section 4 vectors, whole and split into parts', () => {
  const key = hex('2b7e151628aed2a6abf7158809cf4f3c');
  const m = hex(
    '6bc1bee22e409f96e93d7e117393172a ae2d8a571e03ac9c9eb76fac45af8e51 30c81c46a35ce411e5fbc1191a0a52ef f69f2445df4f9b17ad2b417be66c3710',
  );
  const expected: Array<[number, string]> = [
    [0, 'bb1d6929e95937287fa37d129b756746'],
    [16, '070a16b46b4d4144f79bdd9dd04a287c'],
    [40, 'dfa66747de9ae63030ca32611497c827'],
    [64, '51f0bebf7e3b9d92fc49741779363cfe'],
  ];
  for (const [len, mac] of expected) {
    assert.equal(aesCmac(key, m.subarray(0, len)).toString('hex'), mac, `len ${len}`);
    if (len > 7)
      assert.equal(aesCmac(key, [m.subarray(0, 7), m.subarray(7, len)]).toString('hex'), mac, `parts, len ${len}`);
  }
});

test('NTLMv2: MS-NLMP 4.2.4 known answers (NTOWFv2, LMv2, NTProofStr, session key, KEY_EXCH)', () => {
  assert.equal(ntHash('Password').toString('hex'), 'a4f49c406510bdcab6824ee7c30fd852');
  const key = ntowfv2('Password', 'User', 'Domain');
  assert.equal(key.toString('hex'), '0c868a403bfd7a93a3001ef22ef02e3f');
  const targetInfo = hex('02000c0044006f006d00610069006e00 01000c005300650072007600650072000000 0000');
  const serverChallenge = hex('0123456789abcdef');
  const clientChallenge = hex('aaaaaaaaaaaaaaaa');
  const r = computeNtlmv2({ responseKeyNT: key, serverChallenge, clientChallenge, time: Buffer.alloc(8), targetInfo });
  assert.equal(r.lmChallengeResponse.toString('hex'), '86c35097ac9cec102554764a57cccc19aaaaaaaaaaaaaaaa');
  assert.equal(r.ntProofStr.toString('hex'), '68cd0ab851e51c96aabc927bebef6a1c');
  assert.equal(r.sessionBaseKey.toString('hex'), '8de40ccadbc14a82f15cb0ad0de95ca3');
  assert.equal(
    r.ntChallengeResponse.toString('hex'),
    '68cd0ab851e51c96aabc927bebef6a1c' +
      '01010000000000000000000000000000aaaaaaaaaaaaaaaa00000000' +
      targetInfo.toString('hex') +
      '00000000',
  );

  // A CHALLENGE message carrying that target info, then the AUTHENTICATE built from it.
  const challenge = Buffer.alloc(48 + targetInfo.length);
  Buffer.from('NTLMSSP\0', 'latin1').copy(challenge);
  challenge.writeUInt32LE(2, 8);
  challenge.writeUInt32LE(0xe2898235, 20);
  serverChallenge.copy(challenge, 24);
  challenge.writeUInt16LE(targetInfo.length, 40);
  challenge.writeUInt16LE(targetInfo.length, 42);
  challenge.writeUInt32LE(48, 44);
  targetInfo.copy(challenge, 48);
  const parsed = parseChallenge(challenge);
  assert.equal(parsed.av.get(2)?.toString('utf16le'), 'Domain');
  const auth = authenticateMessage(
    { user: 'User', domain: 'Domain', password: 'Password', workstation: 'COMPUTER' },
    parsed,
    {
      clientChallenge,
      exportedSessionKey: hex('55555555555555555555555555555555'),
      time: Buffer.alloc(8),
    },
  );
  const m = auth.message;
  const field = (i: number) =>
    m.subarray(m.readUInt32LE(16 + i * 8), m.readUInt32LE(16 + i * 8) + m.readUInt16LE(12 + i * 8));
  assert.equal(m.readUInt32LE(8), 3);
  assert.equal(field(1).subarray(0, 16).toString('hex'), '68cd0ab851e51c96aabc927bebef6a1c');
  assert.equal(field(2).toString('utf16le'), 'Domain');
  assert.equal(field(3).toString('utf16le'), 'User');
  assert.equal(field(4).toString('utf16le'), 'COMPUTER');
  // EncryptedRandomSessionKey = RC4(SessionBaseKey, 0x55 * 16), MS-NLMP 4.2.4.2.3.
  assert.equal(field(5).toString('hex'), 'c5dad2544fc9799094ce1ce90bc9d03e');
  assert.equal(auth.exportedSessionKey.toString('hex'), '55555555555555555555555555555555');
});

test('NTLMv2: with the server MsvAvTimestamp the LM response is zeros and the server time is used', () => {
  const ts = hex('0090d336b734c301');
  const ti = Buffer.concat([hex('0700 0800'), ts, hex('0000 0000')]);
  const challenge = Buffer.alloc(48 + ti.length);
  Buffer.from('NTLMSSP\0', 'latin1').copy(challenge);
  challenge.writeUInt32LE(2, 8);
  challenge.writeUInt32LE(0xe2898235, 20);
  challenge.writeUInt16LE(ti.length, 40);
  challenge.writeUInt32LE(48, 44);
  ti.copy(challenge, 48);
  const parsed = parseChallenge(challenge);
  assert.ok(parsed.av.get(MsvAvTimestamp)?.equals(ts));
  const m = authenticateMessage({ user: 'u', domain: '', password: 'p' }, parsed).message;
  const lm = m.subarray(m.readUInt32LE(16), m.readUInt32LE(16) + m.readUInt16LE(12));
  assert.ok(lm.equals(Buffer.alloc(24)));
  const nt = m.subarray(m.readUInt32LE(24), m.readUInt32LE(24) + m.readUInt16LE(20));
  assert.ok(nt.subarray(24, 32).equals(ts));
});

test('NTLM: malformed challenges are refused, not misread', () => {
  assert.throws(() => parseChallenge(Buffer.from('NTLMSSP\0', 'latin1')));
  const c = Buffer.alloc(48);
  Buffer.from('NTLMSSP\0', 'latin1').copy(c);
  c.writeUInt32LE(2, 8);
  c.writeUInt16LE(200, 40);
  c.writeUInt32LE(48, 44);
  assert.throws(() => parseChallenge(c), /out of bounds/);
  const trunc = Buffer.concat([c.subarray(0, 40), hex('0600 0600 3000 0000'), hex('0200 2000 4100')]);
  assert.throws(() => parseChallenge(trunc), /truncated/);
});

test('user name forms: DOMAIN\\user, user@realm, explicit domain', () => {
  assert.deepEqual(splitUser('CORDIAX\\ana'), { user: 'ana', domain: 'CORDIAX' });
  assert.deepEqual(splitUser('ana@cordiax.test'), { user: 'ana@cordiax.test', domain: '' });
  assert.deepEqual(splitUser('ana', 'CORDIAX'), { user: 'ana', domain: 'CORDIAX' });
});

test('SPNEGO: NegTokenInit offers NTLMSSP; NegTokenResp round trip; garbage refused', () => {
  const init = negTokenInit(Buffer.from('NTLMSSP\0neg', 'latin1'));
  assert.equal(init[0], 0x60);
  assert.ok(init.includes(NTLMSSP_OID));
  const resp = negTokenResp(Buffer.from('NTLMSSP\0auth', 'latin1'));
  assert.equal(parseNegTokenResp(resp).responseToken?.toString('latin1'), 'NTLMSSP\0auth');
  assert.throws(() => parseNegTokenResp(Buffer.from([0xa1, 0x30, 0x01])));
  assert.throws(() => parseNegTokenResp(Buffer.from([0xa1, 0x84, 0xff, 0xff, 0xff, 0xff])));
  assert.throws(() => parseNegTokenResp(Buffer.from([0x30, 0x00])));
});

test('SP800-108 KDF: Microsoft SMB 3.0 and 3.1.1 key walkthrough vectors', () => {
  const k30 = hex('7CD451825D0450D235424E44BA6E78CC');
  assert.equal(kdf(k30, label('SMB2AESCMAC'), label('SmbSign')).toString('hex'), '0b7e9c5cac36c0f6ea9ab275298cedce');
  assert.equal(kdf(k30, label('SMB2AESCCM'), label('ServerIn ')).toString('hex'), 'fad27796665b313ebb578f388632b4f7');
  assert.equal(kdf(k30, label('SMB2AESCCM'), label('ServerOut')).toString('hex'), 'b0f0427f7ceb416d1d9dcc0cd4f99447');
  const k311 = hex('270E1BA896585EEB7AF3472D3B4C75A7');
  const preauth = hex(
    '0DD13628CC3ED218EF9DF9772D436D0887AB9814BFAE63A80AA845F36909DB7928622DDDAD522D9751640A459762C5A9D6BB084CBB3CE6BDADEF5D5BCE3C6C01',
  );
  const signing = kdf(k311, label('SMBSigningKey'), preauth);
  assert.equal(signing.toString('hex'), '73fe7a9a77bef0bde49c650d8ccb5f76');
  assert.equal(kdf(k311, label('SMBC2SCipherKey'), preauth).toString('hex'), '629bcbc54422a0f572b97f45989b6073');
  assert.equal(kdf(k311, label('SMBS2CCipherKey'), preauth).toString('hex'), 'e2af0dcefac68da71a0dfbd0d1350d74');
  // The walkthrough's signed SESSION_SETUP answer: our AES-CMAC signature must be Windows' byte for byte.
  const answer = hex(
    'FE534D4240000100000000000100800009000000000000000300000000000000FFFE000000000000' +
      '1900000000100000EBE146DA120BA25FC3376A49DFE31BC10900000048001D00A11B3019A0030A01' +
      '00A3120410010000003B453CDC3524164200000000',
  );
  assert.equal(computeSignature('aes-cmac', signing, answer).toString('hex'), 'ebe146da120ba25fc3376a49dfe31bc1');
  assert.equal(verifySignature('aes-cmac', signing, answer), true);
  answer[70] ^= 1;
  assert.equal(verifySignature('aes-cmac', signing, answer), false);
});

test('signing: every algorithm signs and detects a flipped bit', () => {
  for (const alg of ['hmac-sha256', 'aes-cmac', 'aes-gmac'] as const) {
    const key = randomBytes(16);
    const msg = Buffer.concat([Buffer.alloc(64), randomBytes(1000)]);
    msg.writeUInt32LE(0x424d53fe, 0);
    msg.writeBigUInt64LE(42n, 24);
    signMessage(alg, key, msg);
    assert.equal(verifySignature(alg, key, msg), true, alg);
    msg[500] ^= 0x80;
    assert.equal(verifySignature(alg, key, msg), false, alg);
  }
});

test('SMB3 TRANSFORM: AES-128-CCM and AES-128-GCM round trip; tampering and truncation are detected', () => {
  const nonces = new NonceSource();
  for (const cipher of ['aes-128-ccm', 'aes-128-gcm'] as const) {
    const key = randomBytes(16);
    const plain = randomBytes(70000);
    const n1 = nonces.next(cipher);
    const n2 = nonces.next(cipher);
    assert.notDeepEqual(n1, n2);
    assert.ok(n1.subarray(cipher === 'aes-128-ccm' ? 11 : 12).equals(Buffer.alloc(cipher === 'aes-128-ccm' ? 5 : 4)));
    const wire = encryptMessage(cipher, key, n1, 0x1234n, plain);
    const out = decryptMessage(cipher, key, wire);
    assert.equal(out.sessionId, 0x1234n);
    assert.ok(out.plain.equals(plain));
    const tampered = Buffer.from(wire);
    tampered[100] ^= 1;
    assert.throws(() => decryptMessage(cipher, key, tampered));
    const aad = Buffer.from(wire);
    aad[44] ^= 1; // session id is authenticated data
    assert.throws(() => decryptMessage(cipher, key, aad));
    assert.throws(() => decryptMessage(cipher, key, wire.subarray(0, wire.length - 1)), /size/);
    assert.throws(() => decryptMessage(cipher, key, wire.subarray(0, 30)), /truncated/);
    assert.throws(() => decryptMessage(cipher, randomBytes(16), wire));
  }
});
