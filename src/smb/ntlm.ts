/**
 * NTLMSSP with NTLMv2 only (MS-NLMP): NEGOTIATE, reading the CHALLENGE, building the AUTHENTICATE with the NTLMv2
 * response and KEY_EXCH, which yields the exported session key SMB derives its keys from.
 * NTLMv1 and LM are never offered: they are broken, and Samba refuses them by default.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { md4 } from './md4.js';
import { rc4 } from './rc4.js';

const NTLMSSP_NEGOTIATE_UNICODE = 0x00000001;
const NTLMSSP_REQUEST_TARGET = 0x00000004;
const NTLMSSP_NEGOTIATE_SIGN = 0x00000010;
const NTLMSSP_NEGOTIATE_NTLM = 0x00000200;
const NTLMSSP_NEGOTIATE_ALWAYS_SIGN = 0x00008000;
const NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY = 0x00080000;
const NTLMSSP_NEGOTIATE_TARGET_INFO = 0x00800000;
const NTLMSSP_NEGOTIATE_128 = 0x20000000;
const NTLMSSP_NEGOTIATE_KEY_EXCH = 0x40000000;
const NTLMSSP_NEGOTIATE_56 = 0x80000000;

const CLIENT_FLAGS =
  (NTLMSSP_NEGOTIATE_UNICODE |
    NTLMSSP_REQUEST_TARGET |
    NTLMSSP_NEGOTIATE_SIGN |
    NTLMSSP_NEGOTIATE_NTLM |
    NTLMSSP_NEGOTIATE_ALWAYS_SIGN |
    NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY |
    NTLMSSP_NEGOTIATE_TARGET_INFO |
    NTLMSSP_NEGOTIATE_128 |
    NTLMSSP_NEGOTIATE_KEY_EXCH |
    NTLMSSP_NEGOTIATE_56) >>>
  0;

const SIGNATURE = Buffer.from('NTLMSSP\0', 'latin1');
const MsvAvEOL = 0;
export const MsvAvTimestamp = 7;

export function negotiateMessage(): Buffer {
  const b = Buffer.alloc(32);
  SIGNATURE.copy(b, 0);
  b.writeUInt32LE(1, 8);
  b.writeUInt32LE(CLIENT_FLAGS, 12);
  // Domain and workstation fields empty (len 0, offset 32).
  b.writeUInt32LE(32, 20);
  b.writeUInt32LE(32, 28);
  return b;
}

interface Challenge {
  flags: number;
  serverChallenge: Buffer;
  targetInfo: Buffer;
  /** AV pairs by id (first occurrence). */
  av: Map<number, Buffer>;
}

function parseAvPairs(info: Buffer): Map<number, Buffer> {
  const av = new Map<number, Buffer>();
  for (let p = 0; p + 4 <= info.length; ) {
    const id = info.readUInt16LE(p);
    const len = info.readUInt16LE(p + 2);
    if (id === MsvAvEOL) break;
    if (p + 4 + len > info.length) throw new Error('NTLM AV pair truncated');
    if (!av.has(id)) av.set(id, info.subarray(p + 4, p + 4 + len));
    p += 4 + len;
  }
  return av;
}

export function parseChallenge(msg: Buffer): Challenge {
  if (msg.length < 48 || !msg.subarray(0, 8).equals(SIGNATURE) || msg.readUInt32LE(8) !== 2)
    throw new Error('not an NTLM CHALLENGE message');
  const flags = msg.readUInt32LE(20);
  const serverChallenge = Buffer.from(msg.subarray(24, 32));
  const tiLen = msg.readUInt16LE(40);
  const tiOff = msg.readUInt32LE(44);
  if (tiOff + tiLen > msg.length) throw new Error('NTLM target info out of bounds');
  const targetInfo = Buffer.from(msg.subarray(tiOff, tiOff + tiLen));
  return { flags, serverChallenge, targetInfo, av: parseAvPairs(targetInfo) };
}

const hmacMd5 = (key: Buffer, ...data: Buffer[]) => {
  const h = createHmac('md5', key);
  for (const d of data) h.update(d);
  return h.digest();
};
const utf16 = (s: string) => Buffer.from(s, 'utf16le');

export function ntHash(password: string): Buffer {
  return md4(utf16(password));
}
/** NTOWFv2: HMAC-MD5 of upper-cased user + domain (as typed), keyed by the NT hash. */
export function ntowfv2(password: string, user: string, domain: string): Buffer {
  return hmacMd5(ntHash(password), utf16(user.toUpperCase() + domain));
}

/** Windows FILETIME (100 ns since 1601) as 8 bytes LE. */
function fileTime(date = new Date()): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(BigInt(date.getTime()) * 10000n + 116444736000000000n);
  return b;
}

interface Ntlmv2Result {
  ntChallengeResponse: Buffer;
  lmChallengeResponse: Buffer;
  ntProofStr: Buffer;
  sessionBaseKey: Buffer;
}

/** The NTLMv2 computation of MS-NLMP 3.3.2, with every random input explicit (for known-answer tests). */
export function computeNtlmv2(p: {
  responseKeyNT: Buffer;
  serverChallenge: Buffer;
  clientChallenge: Buffer;
  time: Buffer;
  targetInfo: Buffer;
  /** MS-NLMP: when the server sent MsvAvTimestamp, the LMv2 response is all zeros. */
  zeroLm?: boolean;
}): Ntlmv2Result {
  const temp = Buffer.concat([
    Buffer.from([1, 1, 0, 0, 0, 0, 0, 0]),
    p.time,
    p.clientChallenge,
    Buffer.alloc(4),
    p.targetInfo,
    Buffer.alloc(4),
  ]);
  const ntProofStr = hmacMd5(p.responseKeyNT, p.serverChallenge, temp);
  const lm = p.zeroLm
    ? Buffer.alloc(24)
    : Buffer.concat([hmacMd5(p.responseKeyNT, p.serverChallenge, p.clientChallenge), p.clientChallenge]);
  return {
    ntChallengeResponse: Buffer.concat([ntProofStr, temp]),
    lmChallengeResponse: lm,
    ntProofStr,
    sessionBaseKey: hmacMd5(p.responseKeyNT, ntProofStr),
  };
}

interface Credentials {
  user: string;
  password: string;
  domain: string;
  workstation?: string;
}

/**
 * Splits 'DOMAIN\user' into its parts (the domain written in the name wins over the separate domain field);
 * 'user@realm' stays whole with an empty domain (MS-NLMP: a UPN goes in the user field) unless a domain is given.
 */
export function splitUser(username: string, domain = ''): { user: string; domain: string } {
  const bs = username.indexOf('\\');
  if (bs > 0) return { user: username.slice(bs + 1), domain: username.slice(0, bs) };
  if (username.includes('@') && !domain) return { user: username, domain: '' };
  return { user: username, domain };
}

interface AuthenticateResult {
  message: Buffer;
  exportedSessionKey: Buffer;
}

export function authenticateMessage(
  creds: Credentials,
  challenge: Challenge,
  rnd: { clientChallenge?: Buffer; exportedSessionKey?: Buffer; time?: Buffer } = {},
): AuthenticateResult {
  const flags = (challenge.flags & CLIENT_FLAGS) | NTLMSSP_NEGOTIATE_UNICODE;
  const serverTime = challenge.av.get(MsvAvTimestamp);
  const time = rnd.time ?? (serverTime && serverTime.length === 8 ? serverTime : fileTime());
  const key = ntowfv2(creds.password, creds.user, creds.domain);
  const r = computeNtlmv2({
    responseKeyNT: key,
    serverChallenge: challenge.serverChallenge,
    clientChallenge: rnd.clientChallenge ?? randomBytes(8),
    time,
    targetInfo: challenge.targetInfo,
    zeroLm: serverTime !== undefined,
  });
  // NTLMv2: KeyExchangeKey = SessionBaseKey.
  let exportedSessionKey: Buffer = r.sessionBaseKey;
  let encryptedKey: Buffer = Buffer.alloc(0);
  if (flags & NTLMSSP_NEGOTIATE_KEY_EXCH) {
    exportedSessionKey = rnd.exportedSessionKey ?? randomBytes(16);
    encryptedKey = rc4(r.sessionBaseKey, exportedSessionKey);
  }
  const fields = [
    r.lmChallengeResponse,
    r.ntChallengeResponse,
    utf16(creds.domain),
    utf16(creds.user),
    utf16(creds.workstation ?? ''),
    encryptedKey,
  ];
  const headerLen = 64;
  const msg = Buffer.alloc(headerLen + fields.reduce((n, f) => n + f.length, 0));
  SIGNATURE.copy(msg, 0);
  msg.writeUInt32LE(3, 8);
  let off = headerLen;
  fields.forEach((f, i) => {
    msg.writeUInt16LE(f.length, 12 + i * 8);
    msg.writeUInt16LE(f.length, 14 + i * 8);
    msg.writeUInt32LE(off, 16 + i * 8);
    f.copy(msg, off);
    off += f.length;
  });
  msg.writeUInt32LE(flags >>> 0, 60);
  return { message: msg, exportedSessionKey };
}
