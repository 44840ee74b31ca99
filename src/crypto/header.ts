/**
 * The age v1 header: version line, recipient stanzas, HMAC. Parsing is strict (canonical base64, exact line
 * lengths) because the MAC is computed over the raw bytes: a lenient parser would accept headers age rejects.
 */
import { createHmac, generateKeyPairSync, randomBytes, scrypt as scryptCb, timingSafeEqual } from 'node:crypto';
import { encryptionError } from './errors.js';
import { parseIdentity, publicKeyFromRaw, rawPublicKey, x25519, type X25519Identity } from './keys.js';
import { aeadOpen, aeadSeal, b64, b64Decode, hkdf } from './primitives.js';

const VERSION_PREFIX = 'age-encryption.org/';
const V1 = `${VERSION_PREFIX}v1`;
/** The first line of every age v1 file: what the upload guard and the header parser look for. */
export const AGE_HEADER = `${V1}\n`;
const ARMOR_BEGIN = '-----BEGIN AGE ENCRYPTED FILE-----';
const X25519_LABEL = `${V1}/X25519`;
const SCRYPT_LABEL = `${V1}/scrypt`;
const FILE_KEY_SIZE = 16;
const WRAPPED_KEY_SIZE = FILE_KEY_SIZE + 16;
const ZERO_NONCE = Buffer.alloc(12);
const BODY_LINE = 64;
/** Far above any real header (100 recipients is ~10 KB), low enough that a hostile file cannot grow our memory. */
const MAX_HEADER_SIZE = 256 * 1024;
/** age's default for `age -p` (about 1 s and 256 MiB). */
export const SCRYPT_WORK_FACTOR = 18;
/** 2^20 needs 1 GiB: more than a small office PC should give a file it is merely opening. age itself stops at 22. */
export const MAX_SCRYPT_WORK_FACTOR = 20;

interface Stanza {
  args: string[];
  body: Buffer;
}

interface ParsedHeader {
  stanzas: Stanza[];
  /** The header bytes the MAC covers: from the version line up to and including '---'. */
  macInput: Buffer;
  mac: Buffer;
  /** Header length in bytes, including the MAC line's newline. */
  length: number;
}

function stanzaText(type: string, args: string[], body: Buffer): string {
  const enc = b64(body);
  const lines: string[] = [];
  for (let i = 0; i < enc.length; i += BODY_LINE) lines.push(enc.slice(i, i + BODY_LINE));
  // The body ends at the first line shorter than 64 columns, so a full last line needs an empty one after it.
  if (enc.length % BODY_LINE === 0) lines.push('');
  return `-> ${[type, ...args].join(' ')}\n${lines.join('\n')}\n`;
}

function headerMac(fileKey: Buffer, macInput: Buffer | string): Buffer {
  return createHmac('sha256', hkdf(fileKey, Buffer.alloc(0), 'header'))
    .update(macInput)
    .digest();
}

/** scrypt over the passphrase's UTF-8 bytes as typed (age does not normalize them), N = 2^workFactor, r = 8, p = 1. */
function scryptKey(passphrase: string, salt: Buffer, workFactor: number): Promise<Buffer> {
  const N = 2 ** workFactor;
  const r = 8;
  return new Promise((resolve, reject) => {
    scryptCb(
      passphrase,
      Buffer.concat([Buffer.from(SCRYPT_LABEL), salt]),
      32,
      { N, r, p: 1, maxmem: 128 * N * r + 32 * 1024 * 1024 },
      (err, key) => (err ? reject(err) : resolve(key)),
    );
  });
}

function x25519WrapKey(secret: Buffer, share: Buffer, recipient: Buffer): Buffer {
  return hkdf(secret, Buffer.concat([share, recipient]), X25519_LABEL);
}

export type HeaderRecipients =
  | { recipients: Buffer[]; passphrase?: undefined }
  | { recipients?: undefined; passphrase: string; workFactor?: number };

/** Writes a header wrapping `fileKey` for raw X25519 recipients, or for one passphrase (scrypt must stand alone). */
export async function buildHeader(fileKey: Buffer, to: HeaderRecipients): Promise<Buffer> {
  let text = AGE_HEADER;
  if (to.passphrase !== undefined) {
    const salt = randomBytes(16);
    const wf = to.workFactor ?? SCRYPT_WORK_FACTOR;
    const key = await scryptKey(to.passphrase, salt, wf);
    text += stanzaText('scrypt', [b64(salt), String(wf)], Buffer.concat(aeadSeal(key, ZERO_NONCE, fileKey)));
  } else {
    for (const recipient of to.recipients) {
      const eph = generateKeyPairSync('x25519');
      const share = rawPublicKey(eph.publicKey);
      const secret = x25519(eph.privateKey, publicKeyFromRaw(recipient));
      if (!secret) throw encryptionError('bad-recipient');
      text += stanzaText(
        'X25519',
        [b64(share)],
        Buffer.concat(aeadSeal(x25519WrapKey(secret, share, recipient), ZERO_NONCE, fileKey)),
      );
    }
  }
  text += '---';
  return Buffer.from(`${text} ${b64(headerMac(fileKey, text))}\n`, 'latin1');
}

function isArg(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 33 || c > 126) return false;
  }
  return true;
}

/**
 * Says early whether `buf` can be the start of an age v1 file, so that plain files are rejected from their first
 * bytes. Throws the specific reason, returns false when more bytes are needed.
 */
function checkMagic(buf: Buffer, eof: boolean): boolean {
  const n = Math.min(buf.length, AGE_HEADER.length);
  if (buf.subarray(0, n).toString('latin1') === AGE_HEADER.slice(0, n)) {
    if (n === AGE_HEADER.length) return true;
    if (eof) throw encryptionError(buf.length === 0 ? 'not-age' : 'truncated', { where: 'header' });
    return false;
  }
  const start = buf.subarray(0, 64).toString('latin1').trimStart();
  if (start.startsWith(ARMOR_BEGIN)) throw encryptionError('armored');
  if (!eof && buf.length < 64 && ARMOR_BEGIN.startsWith(start)) return false;
  // The first difference lies past 'age-encryption.org/': an age file of another version.
  if (start.startsWith(VERSION_PREFIX)) throw encryptionError('unsupported-version');
  throw encryptionError('not-age');
}

/**
 * Parses the header at the start of `buf`. Returns null when more bytes are needed (and `eof` is false).
 * Throws SyncError('ENCRYPTION') with reason not-age / armored / unsupported-version / header / truncated.
 */
export function parseHeader(buf: Buffer, eof: boolean): ParsedHeader | null {
  if (!checkMagic(buf, eof)) return null;
  const stanzas: Stanza[] = [];
  let pos = AGE_HEADER.length;
  const bad = (what: string) => encryptionError('header', { what });
  const nextLine = (): string | null => {
    const nl = buf.indexOf(0x0a, pos);
    if (nl < 0) {
      if (buf.length > MAX_HEADER_SIZE) throw bad('too long');
      if (eof) throw encryptionError('truncated', { where: 'header' });
      return null;
    }
    const line = buf.toString('latin1', pos, nl);
    pos = nl + 1;
    return line;
  };
  for (;;) {
    const lineStart = pos;
    const line = nextLine();
    if (line === null) return null;
    if (line.startsWith('---')) {
      const m = /^--- ([A-Za-z0-9+/]{43})$/.exec(line);
      const mac = m ? b64Decode(m[1]!) : null;
      if (!mac) throw bad('MAC line');
      return { stanzas, macInput: buf.subarray(0, lineStart + 3), mac, length: pos };
    }
    if (!line.startsWith('-> ')) throw bad('stanza line');
    const args = line.slice(3).split(' ');
    if (!args.every(isArg)) throw bad('stanza arguments');
    const parts: string[] = [];
    for (;;) {
      const body = nextLine();
      if (body === null) return null;
      if (body.length > BODY_LINE) throw bad('stanza body line too long');
      parts.push(body);
      if (body.length < BODY_LINE) break;
    }
    const body = b64Decode(parts.join(''));
    if (!body) throw bad('stanza body encoding');
    stanzas.push({ args, body });
  }
}

/** What can open a file: parsed X25519 identities and/or a passphrase. */
export interface Unlockers {
  identities: X25519Identity[];
  passphrase?: string;
}

export function toUnlockers(opts: { identities?: readonly string[]; passphrase?: string }): Unlockers {
  return { identities: (opts.identities ?? []).map((s, i) => parseIdentity(s, i)), passphrase: opts.passphrase };
}

function unwrapX25519(stanza: Stanza, identities: X25519Identity[]): Buffer | null {
  const share = stanza.args.length === 2 ? b64Decode(stanza.args[1]!) : null;
  if (share?.length !== 32 || stanza.body.length !== WRAPPED_KEY_SIZE)
    throw encryptionError('header', { what: 'X25519 stanza' });
  let sharePub: ReturnType<typeof publicKeyFromRaw>;
  try {
    sharePub = publicKeyFromRaw(share);
  } catch {
    throw encryptionError('header', { what: 'X25519 share' });
  }
  for (const id of identities) {
    const secret = x25519(id.key, sharePub);
    if (!secret) throw encryptionError('header', { what: 'X25519 low-order share' });
    const key = aeadOpen(x25519WrapKey(secret, share, id.publicRaw), ZERO_NONCE, stanza.body);
    if (key) return key;
  }
  return null;
}

async function unwrapScrypt(stanza: Stanza, passphrase: string): Promise<Buffer | null> {
  const salt = stanza.args.length === 3 ? b64Decode(stanza.args[1]!) : null;
  const wfText = stanza.args[2] ?? '';
  if (salt?.length !== 16 || !/^[1-9][0-9]?$/.test(wfText) || stanza.body.length !== WRAPPED_KEY_SIZE) {
    throw encryptionError('header', { what: 'scrypt stanza' });
  }
  const wf = Number(wfText);
  if (wf > MAX_SCRYPT_WORK_FACTOR)
    throw encryptionError('work-factor', { workFactor: wf, max: MAX_SCRYPT_WORK_FACTOR });
  return aeadOpen(await scryptKey(passphrase, salt, wf), ZERO_NONCE, stanza.body);
}

/**
 * Recovers the file key and checks the header MAC. Reasons: needs-passphrase / needs-identity / no-key when what we
 * hold cannot apply, wrong-passphrase / no-matching-identity when it does not fit, header-mac when the header was
 * altered after it was written.
 */
export async function openHeader(header: ParsedHeader, keys: Unlockers): Promise<Buffer> {
  const { stanzas } = header;
  const scryptStanzas = stanzas.filter((s) => s.args[0] === 'scrypt');
  if (scryptStanzas.length > 0 && stanzas.length > 1)
    throw encryptionError('header', { what: 'scrypt stanza not alone' });
  const x25519Stanzas = stanzas.filter((s) => s.args[0] === 'X25519');
  if (!keys.identities.length && keys.passphrase === undefined) throw encryptionError('no-key');

  let fileKey: Buffer | null = null;
  if (scryptStanzas.length) {
    if (keys.passphrase === undefined) throw encryptionError('needs-passphrase');
    fileKey = await unwrapScrypt(scryptStanzas[0]!, keys.passphrase);
    if (!fileKey) throw encryptionError('wrong-passphrase');
  } else {
    if (!keys.identities.length) throw encryptionError('needs-identity', { stanzas: stanzas.length });
    for (const s of x25519Stanzas) {
      fileKey = unwrapX25519(s, keys.identities);
      if (fileKey) break;
    }
    if (!fileKey) throw encryptionError('no-matching-identity', { stanzas: stanzas.length });
  }
  if (fileKey.length !== FILE_KEY_SIZE) throw encryptionError('header', { what: 'file key size' });
  const expected = headerMac(fileKey, header.macInput);
  if (!timingSafeEqual(expected, header.mac)) throw encryptionError('header-mac');
  return fileKey;
}
