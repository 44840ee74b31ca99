/**
 * SMB2 wire format (MS-SMB2 2.2): the 64-byte header and each command's request builder / response parser.
 * Parsers check every length and offset the server gives against the frame, so a hostile or truncated answer ends in
 * a PROTOCOL error, never an out-of-bounds read.
 */
import { protocolError } from './ntstatus.js';
import { msg as text } from '../messages/index.js';

export const SMB2_PROTOCOL_ID = 0x424d53fe; // 0xFE 'S' 'M' 'B' read little endian
export const HEADER_SIZE = 64;

export const Command = {
  NEGOTIATE: 0,
  SESSION_SETUP: 1,
  LOGOFF: 2,
  TREE_CONNECT: 3,
  TREE_DISCONNECT: 4,
  CREATE: 5,
  CLOSE: 6,
  FLUSH: 7,
  READ: 8,
  WRITE: 9,
  LOCK: 10,
  IOCTL: 11,
  CANCEL: 12,
  ECHO: 13,
  QUERY_DIRECTORY: 14,
  CHANGE_NOTIFY: 15,
  QUERY_INFO: 16,
  SET_INFO: 17,
  OPLOCK_BREAK: 18,
} as const;
export const COMMAND_NAMES = Object.fromEntries(Object.entries(Command).map(([k, v]) => [v, k])) as Record<
  number,
  string
>;

export const Flags = {
  SERVER_TO_REDIR: 0x1,
  ASYNC_COMMAND: 0x2,
  RELATED_OPERATIONS: 0x4,
  SIGNED: 0x8,
} as const;

export const Dialect = { SMB202: 0x0202, SMB21: 0x0210, SMB30: 0x0300, SMB302: 0x0302, SMB311: 0x0311 } as const;
export type DialectName = '2.0.2' | '2.1' | '3.0' | '3.0.2' | '3.1.1';
export const DIALECT_NAMES: Record<number, DialectName> = {
  514: '2.0.2',
  528: '2.1',
  768: '3.0',
  770: '3.0.2',
  785: '3.1.1',
};
export const DIALECT_CODES: Record<DialectName, number> = {
  '2.0.2': 0x0202,
  '2.1': 0x0210,
  '3.0': 0x0300,
  '3.0.2': 0x0302,
  '3.1.1': 0x0311,
};

export const Cap = {
  DFS: 0x1,
  LEASING: 0x2,
  LARGE_MTU: 0x4,
  MULTI_CHANNEL: 0x8,
  PERSISTENT_HANDLES: 0x10,
  DIRECTORY_LEASING: 0x20,
  ENCRYPTION: 0x40,
} as const;
export const SecurityMode = { SIGNING_ENABLED: 0x1, SIGNING_REQUIRED: 0x2 } as const;
export const SessionFlag = { IS_GUEST: 0x1, IS_NULL: 0x2, ENCRYPT_DATA: 0x4 } as const;
export const ShareFlag = { ENCRYPT_DATA: 0x8000 } as const;

/** A bounds-checked view over a received message. */
class Reader {
  constructor(readonly buf: Buffer) {}
  need(off: number, len: number, what: string): void {
    if (off < 0 || len < 0 || off + len > this.buf.length) throw protocolError(text('smb.out_bounds', { what }));
  }
  u8(off: number): number {
    this.need(off, 1, 'field');
    return this.buf.readUInt8(off);
  }
  u16(off: number): number {
    this.need(off, 2, 'field');
    return this.buf.readUInt16LE(off);
  }
  u32(off: number): number {
    this.need(off, 4, 'field');
    return this.buf.readUInt32LE(off);
  }
  u64(off: number): bigint {
    this.need(off, 8, 'field');
    return this.buf.readBigUInt64LE(off);
  }
  /** A region given by the server (offset from the start of the SMB2 header, length). */
  slice(off: number, len: number, what: string): Buffer {
    if (len === 0) return Buffer.alloc(0);
    this.need(off, len, what);
    return this.buf.subarray(off, off + len);
  }
}

export interface Header {
  creditCharge: number;
  status: number;
  command: number;
  credits: number;
  flags: number;
  nextCommand: number;
  messageId: bigint;
  asyncId: bigint;
  treeId: number;
  sessionId: bigint;
}

export function parseHeader(msg: Buffer): Header {
  if (msg.length < HEADER_SIZE) throw protocolError(text('smb.message_shorter_than_smb2'));
  if (msg.readUInt32LE(0) !== SMB2_PROTOCOL_ID || msg.readUInt16LE(4) !== 64)
    throw protocolError(text('smb.not_smb2_message'));
  const flags = msg.readUInt32LE(16);
  const isAsync = (flags & Flags.ASYNC_COMMAND) !== 0;
  return {
    creditCharge: msg.readUInt16LE(6),
    status: msg.readUInt32LE(8),
    command: msg.readUInt16LE(12),
    credits: msg.readUInt16LE(14),
    flags,
    nextCommand: msg.readUInt32LE(20),
    messageId: msg.readBigUInt64LE(24),
    asyncId: isAsync ? msg.readBigUInt64LE(32) : 0n,
    treeId: isAsync ? 0 : msg.readUInt32LE(36),
    sessionId: msg.readBigUInt64LE(40),
  };
}

export function writeHeader(
  msg: Buffer,
  h: {
    command: number;
    creditCharge: number;
    creditRequest: number;
    flags: number;
    messageId: bigint;
    treeId: number;
    sessionId: bigint;
  },
): void {
  msg.writeUInt32LE(SMB2_PROTOCOL_ID, 0);
  msg.writeUInt16LE(64, 4);
  msg.writeUInt16LE(h.creditCharge, 6);
  msg.writeUInt32LE(0, 8);
  msg.writeUInt16LE(h.command, 12);
  msg.writeUInt16LE(h.creditRequest, 14);
  msg.writeUInt32LE(h.flags, 16);
  msg.writeUInt32LE(0, 20);
  msg.writeBigUInt64LE(h.messageId, 24);
  msg.writeUInt32LE(0, 32);
  msg.writeUInt32LE(h.treeId, 36);
  msg.writeBigUInt64LE(h.sessionId, 40);
}

/** Body of a request: fixed part plus variable buffer; `payload` (write data) is appended without an extra copy. */
export interface RequestBody {
  body: Buffer;
  payload?: Buffer;
}

const utf16 = (s: string) => Buffer.from(s, 'utf16le');
const pad8 = (n: number) => (n + 7) & ~7;

// ---- NEGOTIATE ----
const NegotiateContextType = { PREAUTH_INTEGRITY: 1, ENCRYPTION: 2, SIGNING: 8 } as const;
export const SigningAlgorithmId = { HMAC_SHA256: 0, AES_CMAC: 1, AES_GMAC: 2 } as const;
export const CipherId = { AES_128_CCM: 1, AES_128_GCM: 2 } as const;
const HASH_SHA512 = 1;

export function negotiateRequest(p: {
  dialects: number[];
  securityMode: number;
  capabilities: number;
  clientGuid: Buffer;
  salt: Buffer;
  ciphers: number[];
  signingAlgorithms: number[];
}): RequestBody {
  const has311 = p.dialects.includes(Dialect.SMB311);
  const fixed = 36 + p.dialects.length * 2;
  const ctxStart = pad8(HEADER_SIZE + fixed) - HEADER_SIZE;
  const contexts: Buffer[] = [];
  if (has311) {
    const pre = Buffer.alloc(6 + p.salt.length);
    pre.writeUInt16LE(1, 0);
    pre.writeUInt16LE(p.salt.length, 2);
    pre.writeUInt16LE(HASH_SHA512, 4);
    p.salt.copy(pre, 6);
    const enc = Buffer.alloc(2 + p.ciphers.length * 2);
    enc.writeUInt16LE(p.ciphers.length, 0);
    for (const [i, c] of p.ciphers.entries()) enc.writeUInt16LE(c, 2 + i * 2);
    const sig = Buffer.alloc(2 + p.signingAlgorithms.length * 2);
    sig.writeUInt16LE(p.signingAlgorithms.length, 0);
    for (const [i, a] of p.signingAlgorithms.entries()) sig.writeUInt16LE(a, 2 + i * 2);
    for (const [type, data] of [
      [NegotiateContextType.PREAUTH_INTEGRITY, pre],
      [NegotiateContextType.ENCRYPTION, enc],
      [NegotiateContextType.SIGNING, sig],
    ] as const) {
      const c = Buffer.alloc(pad8(8 + data.length));
      c.writeUInt16LE(type, 0);
      c.writeUInt16LE(data.length, 2);
      data.copy(c, 8);
      contexts.push(c);
    }
    // The last context carries no trailing padding.
    const last = contexts.length - 1;
    contexts[last] = contexts[last].subarray(0, 8 + contexts[last].readUInt16LE(2));
  }
  const ctxLen = contexts.reduce((n, c) => n + c.length, 0);
  const body = Buffer.alloc(has311 ? ctxStart + ctxLen : fixed);
  body.writeUInt16LE(36, 0);
  body.writeUInt16LE(p.dialects.length, 2);
  body.writeUInt16LE(p.securityMode, 4);
  body.writeUInt32LE(p.capabilities, 8);
  p.clientGuid.copy(body, 12);
  if (has311) {
    body.writeUInt32LE(HEADER_SIZE + ctxStart, 28);
    body.writeUInt16LE(contexts.length, 32);
  }
  for (const [i, d] of p.dialects.entries()) body.writeUInt16LE(d, 36 + i * 2);
  let off = ctxStart;
  for (const c of contexts) {
    c.copy(body, off);
    off += c.length;
  }
  return { body };
}

interface NegotiateResponse {
  securityMode: number;
  dialect: number;
  serverGuid: Buffer;
  capabilities: number;
  maxTransactSize: number;
  maxReadSize: number;
  maxWriteSize: number;
  securityBuffer: Buffer;
  cipher?: number;
  preauthHash?: number;
  signingAlgorithm?: number;
}

export function parseNegotiateResponse(msg: Buffer): NegotiateResponse {
  const r = new Reader(msg);
  const b = HEADER_SIZE;
  if (r.u16(b) !== 65) throw protocolError(text('smb.bad_negotiate_response_size'));
  const res: NegotiateResponse = {
    securityMode: r.u16(b + 2),
    dialect: r.u16(b + 4),
    serverGuid: Buffer.from(r.slice(b + 8, 16, 'server guid')),
    capabilities: r.u32(b + 24),
    maxTransactSize: r.u32(b + 28),
    maxReadSize: r.u32(b + 32),
    maxWriteSize: r.u32(b + 36),
    securityBuffer: Buffer.from(r.slice(r.u16(b + 56), r.u16(b + 58), 'security buffer')),
  };
  if (res.dialect === Dialect.SMB311) {
    const count = r.u16(b + 6);
    let off = r.u32(b + 60);
    if (count > 64) throw protocolError(text('smb.too_many_negotiate_contexts'));
    for (let i = 0; i < count; i++) {
      off = pad8(off);
      const type = r.u16(off);
      const len = r.u16(off + 2);
      const data = new Reader(r.slice(off + 8, len, 'negotiate context'));
      if (type === NegotiateContextType.PREAUTH_INTEGRITY) res.preauthHash = data.u16(4);
      else if (type === NegotiateContextType.ENCRYPTION && data.u16(0) >= 1) res.cipher = data.u16(2);
      else if (type === NegotiateContextType.SIGNING && data.u16(0) >= 1) res.signingAlgorithm = data.u16(2);
      off += 8 + len;
    }
  }
  return res;
}

// ---- SESSION_SETUP ----
export function sessionSetupRequest(p: { securityMode: number; token: Buffer }): RequestBody {
  const body = Buffer.alloc(24 + p.token.length);
  body.writeUInt16LE(25, 0);
  body.writeUInt8(0, 2);
  body.writeUInt8(p.securityMode, 3);
  body.writeUInt32LE(0, 4); // capabilities: DFS not used
  body.writeUInt16LE(HEADER_SIZE + 24, 12);
  body.writeUInt16LE(p.token.length, 14);
  p.token.copy(body, 24);
  return { body };
}
export function parseSessionSetupResponse(msg: Buffer): { sessionFlags: number; token: Buffer } {
  const r = new Reader(msg);
  const b = HEADER_SIZE;
  if (r.u16(b) !== 9) throw protocolError(text('smb.bad_session_setup_response'));
  return { sessionFlags: r.u16(b + 2), token: Buffer.from(r.slice(r.u16(b + 4), r.u16(b + 6), 'security buffer')) };
}

// ---- TREE_CONNECT ----
export function treeConnectRequest(path: string): RequestBody {
  const p = utf16(path);
  const body = Buffer.alloc(8 + p.length);
  body.writeUInt16LE(9, 0);
  body.writeUInt16LE(HEADER_SIZE + 8, 4);
  body.writeUInt16LE(p.length, 6);
  p.copy(body, 8);
  return { body };
}
export function parseTreeConnectResponse(msg: Buffer): {
  shareType: number;
  shareFlags: number;
  capabilities: number;
  maximalAccess: number;
} {
  const r = new Reader(msg);
  const b = HEADER_SIZE;
  if (r.u16(b) !== 16) throw protocolError(text('smb.bad_tree_connect_response'));
  return { shareType: r.u8(b + 2), shareFlags: r.u32(b + 4), capabilities: r.u32(b + 8), maximalAccess: r.u32(b + 12) };
}

// ---- CREATE ----
export const Access = {
  FILE_READ_DATA: 0x1,
  FILE_WRITE_DATA: 0x2,
  FILE_APPEND_DATA: 0x4,
  FILE_READ_EA: 0x8,
  FILE_WRITE_EA: 0x10,
  FILE_READ_ATTRIBUTES: 0x80,
  FILE_WRITE_ATTRIBUTES: 0x100,
  DELETE: 0x10000,
  READ_CONTROL: 0x20000,
  SYNCHRONIZE: 0x100000,
} as const;
export const ShareAccess = { READ: 1, WRITE: 2, DELETE: 4 } as const;
export const Disposition = { SUPERSEDE: 0, OPEN: 1, CREATE: 2, OPEN_IF: 3, OVERWRITE: 4, OVERWRITE_IF: 5 } as const;
export const CreateOption = {
  DIRECTORY_FILE: 0x1,
  WRITE_THROUGH: 0x2,
  SEQUENTIAL_ONLY: 0x4,
  NON_DIRECTORY_FILE: 0x40,
  DELETE_ON_CLOSE: 0x1000,
} as const;
export const FileAttribute = { READONLY: 0x1, HIDDEN: 0x2, DIRECTORY: 0x10, ARCHIVE: 0x20, NORMAL: 0x80 } as const;

export function createRequest(p: {
  name: string;
  access: number;
  shareAccess: number;
  disposition: number;
  options: number;
  attributes?: number;
}): RequestBody {
  const name = utf16(p.name);
  // The buffer must hold at least one byte even for the share root (empty name).
  const body = Buffer.alloc(56 + Math.max(name.length, 8));
  body.writeUInt16LE(57, 0);
  body.writeUInt8(0, 3); // no oplock: we never cache
  body.writeUInt32LE(2, 4); // impersonation
  body.writeUInt32LE(p.access, 24);
  body.writeUInt32LE(p.attributes ?? 0, 28);
  body.writeUInt32LE(p.shareAccess, 32);
  body.writeUInt32LE(p.disposition, 36);
  body.writeUInt32LE(p.options, 40);
  body.writeUInt16LE(HEADER_SIZE + 56, 44);
  body.writeUInt16LE(name.length, 46);
  name.copy(body, 56);
  return { body };
}

interface FileTimes {
  creationTime: Date;
  lastAccessTime: Date;
  lastWriteTime: Date;
  changeTime: Date;
}
export interface CreateResponse extends FileTimes {
  createAction: number;
  allocationSize: bigint;
  endOfFile: bigint;
  attributes: number;
  fileId: Buffer;
}

/** FILETIME (100 ns since 1601) to Date. */
function fromFileTime(v: bigint): Date {
  if (v === 0n) return new Date(0);
  return new Date(Number((v - 116444736000000000n) / 10000n));
}

export function parseCreateResponse(msg: Buffer): CreateResponse {
  const r = new Reader(msg);
  const b = HEADER_SIZE;
  if (r.u16(b) !== 89) throw protocolError(text('smb.bad_create_response_size'));
  return {
    createAction: r.u32(b + 4),
    creationTime: fromFileTime(r.u64(b + 8)),
    lastAccessTime: fromFileTime(r.u64(b + 16)),
    lastWriteTime: fromFileTime(r.u64(b + 24)),
    changeTime: fromFileTime(r.u64(b + 32)),
    allocationSize: r.u64(b + 40),
    endOfFile: r.u64(b + 48),
    attributes: r.u32(b + 56),
    fileId: Buffer.from(r.slice(b + 64, 16, 'file id')),
  };
}

// ---- CLOSE ----
export function closeRequest(fileId: Buffer): RequestBody {
  const body = Buffer.alloc(24);
  body.writeUInt16LE(24, 0);
  fileId.copy(body, 8);
  return { body };
}

// ---- READ ----
export function readRequest(p: { fileId: Buffer; offset: number; length: number }): RequestBody {
  const body = Buffer.alloc(49);
  body.writeUInt16LE(49, 0);
  body.writeUInt8(0x50, 2); // data padding: answer's data right after the 80-byte header+fixed part
  body.writeUInt32LE(p.length, 4);
  body.writeBigUInt64LE(BigInt(p.offset), 8);
  p.fileId.copy(body, 16);
  body.writeUInt32LE(0, 32); // minimum count
  return { body };
}
export function parseReadResponse(msg: Buffer): Buffer {
  const r = new Reader(msg);
  const b = HEADER_SIZE;
  if (r.u16(b) !== 17) throw protocolError(text('smb.bad_read_response_size'));
  const len = r.u32(b + 4);
  if (len === 0) return Buffer.alloc(0);
  return r.slice(r.u8(b + 2), len, 'read data');
}

// ---- WRITE ----
export function writeRequest(p: { fileId: Buffer; offset: number; data: Buffer }): RequestBody {
  const body = Buffer.alloc(48);
  body.writeUInt16LE(49, 0);
  body.writeUInt16LE(HEADER_SIZE + 48, 2);
  body.writeUInt32LE(p.data.length, 4);
  body.writeBigUInt64LE(BigInt(p.offset), 8);
  p.fileId.copy(body, 16);
  return { body, payload: p.data };
}
export function parseWriteResponse(msg: Buffer): number {
  const r = new Reader(msg);
  if (r.u16(HEADER_SIZE) !== 17) throw protocolError(text('smb.bad_write_response_size'));
  return r.u32(HEADER_SIZE + 4);
}

// ---- QUERY_DIRECTORY ----
export const FileInfoClass = {
  FileDirectoryInformation: 1,
  FileRenameInformation: 10,
  FileLinkInformation: 11,
  FileDispositionInformation: 13,
  FileEndOfFileInformation: 20,
  FileNetworkOpenInformation: 34,
} as const;
export const InfoType = { FILE: 1, FILESYSTEM: 2 } as const;

export function queryDirectoryRequest(p: {
  fileId: Buffer;
  pattern: string;
  restart: boolean;
  outputLength: number;
}): RequestBody {
  const name = utf16(p.pattern);
  const body = Buffer.alloc(32 + name.length);
  body.writeUInt16LE(33, 0);
  body.writeUInt8(FileInfoClass.FileDirectoryInformation, 2);
  body.writeUInt8(p.restart ? 1 : 0, 3);
  p.fileId.copy(body, 8);
  body.writeUInt16LE(HEADER_SIZE + 32, 24);
  body.writeUInt16LE(name.length, 26);
  body.writeUInt32LE(p.outputLength, 28);
  name.copy(body, 32);
  return { body };
}

interface DirEntry extends FileTimes {
  name: string;
  size: bigint;
  attributes: number;
}

/** Entries of a FileDirectoryInformation buffer (the chain of NextEntryOffset). */
export function parseQueryDirectoryResponse(msg: Buffer): DirEntry[] {
  const r = new Reader(msg);
  const b = HEADER_SIZE;
  if (r.u16(b) !== 9) throw protocolError(text('smb.bad_query_directory_response'));
  const data = new Reader(r.slice(r.u16(b + 2), r.u32(b + 4), 'directory data'));
  const out: DirEntry[] = [];
  for (let off = 0; off < data.buf.length; ) {
    const next = data.u32(off);
    const nameLen = data.u32(off + 60);
    out.push({
      creationTime: fromFileTime(data.u64(off + 8)),
      lastAccessTime: fromFileTime(data.u64(off + 16)),
      lastWriteTime: fromFileTime(data.u64(off + 24)),
      changeTime: fromFileTime(data.u64(off + 32)),
      size: data.u64(off + 40),
      attributes: data.u32(off + 56),
      name: data.slice(off + 64, nameLen, 'file name').toString('utf16le'),
    });
    if (next === 0) break;
    if (next < 64) throw protocolError(text('smb.directory_entry_chain_loops'));
    off += next;
  }
  return out;
}

// ---- QUERY_INFO ----
export function queryInfoRequest(p: {
  fileId: Buffer;
  infoType: number;
  infoClass: number;
  outputLength: number;
}): RequestBody {
  const body = Buffer.alloc(41);
  body.writeUInt16LE(41, 0);
  body.writeUInt8(p.infoType, 2);
  body.writeUInt8(p.infoClass, 3);
  body.writeUInt32LE(p.outputLength, 4);
  body.writeUInt16LE(0, 8);
  p.fileId.copy(body, 24);
  return { body };
}
export function parseQueryInfoResponse(msg: Buffer): Buffer {
  const r = new Reader(msg);
  const b = HEADER_SIZE;
  if (r.u16(b) !== 9) throw protocolError(text('smb.bad_query_info_response'));
  return r.slice(r.u16(b + 2), r.u32(b + 4), 'info data');
}
interface NetworkOpenInfo extends FileTimes {
  allocationSize: bigint;
  endOfFile: bigint;
  attributes: number;
}
export function parseNetworkOpenInfo(data: Buffer): NetworkOpenInfo {
  const r = new Reader(data);
  return {
    creationTime: fromFileTime(r.u64(0)),
    lastAccessTime: fromFileTime(r.u64(8)),
    lastWriteTime: fromFileTime(r.u64(16)),
    changeTime: fromFileTime(r.u64(24)),
    allocationSize: r.u64(32),
    endOfFile: r.u64(40),
    attributes: r.u32(48),
  };
}

// ---- SET_INFO ----
export function setInfoRequest(p: { fileId: Buffer; infoType: number; infoClass: number; data: Buffer }): RequestBody {
  const body = Buffer.alloc(32 + p.data.length);
  body.writeUInt16LE(33, 0);
  body.writeUInt8(p.infoType, 2);
  body.writeUInt8(p.infoClass, 3);
  body.writeUInt32LE(p.data.length, 4);
  body.writeUInt16LE(HEADER_SIZE + 32, 8);
  p.fileId.copy(body, 16);
  p.data.copy(body, 32);
  return { body };
}
/**
 * FileRenameInformation, SMB2 form (MS-FSCC 2.4.37.2): the new name is relative to the share root. FileLinkInformation
 * (2.4.21.2) has the same layout, so it is encoded here too.
 */
export function renameInfo(newName: string, replace: boolean): Buffer {
  const name = utf16(newName);
  const b = Buffer.alloc(20 + Math.max(name.length, 4));
  b.writeUInt8(replace ? 1 : 0, 0);
  b.writeUInt32LE(name.length, 16);
  name.copy(b, 20);
  return b;
}
export function dispositionInfo(deletePending: boolean): Buffer {
  return Buffer.from([deletePending ? 1 : 0]);
}

// ---- IOCTL: FSCTL_VALIDATE_NEGOTIATE_INFO (3.0 / 3.0.2 downgrade protection) ----
const FSCTL_VALIDATE_NEGOTIATE_INFO = 0x00140204;
export function validateNegotiateRequest(p: {
  capabilities: number;
  clientGuid: Buffer;
  securityMode: number;
  dialects: number[];
}): RequestBody {
  const input = Buffer.alloc(24 + p.dialects.length * 2);
  input.writeUInt32LE(p.capabilities, 0);
  p.clientGuid.copy(input, 4);
  input.writeUInt16LE(p.securityMode, 20);
  input.writeUInt16LE(p.dialects.length, 22);
  for (const [i, d] of p.dialects.entries()) input.writeUInt16LE(d, 24 + i * 2);
  const body = Buffer.alloc(56 + input.length);
  body.writeUInt16LE(57, 0);
  body.writeUInt32LE(FSCTL_VALIDATE_NEGOTIATE_INFO, 4);
  body.fill(0xff, 8, 24); // no file: FileId all ones
  body.writeUInt32LE(HEADER_SIZE + 56, 24);
  body.writeUInt32LE(input.length, 28);
  body.writeUInt32LE(24, 44); // MaxOutputResponse
  body.writeUInt32LE(1, 48); // SMB2_0_IOCTL_IS_FSCTL
  input.copy(body, 56);
  return { body };
}
export function parseValidateNegotiateResponse(msg: Buffer): {
  capabilities: number;
  serverGuid: Buffer;
  securityMode: number;
  dialect: number;
} {
  const r = new Reader(msg);
  const b = HEADER_SIZE;
  if (r.u16(b) !== 49) throw protocolError(text('smb.bad_ioctl_response_size'));
  const out = new Reader(r.slice(r.u32(b + 32), r.u32(b + 36), 'ioctl output'));
  return {
    capabilities: out.u32(0),
    serverGuid: Buffer.from(out.slice(4, 16, 'server guid')),
    securityMode: out.u16(20),
    dialect: out.u16(22),
  };
}

// ---- ECHO / LOGOFF / TREE_DISCONNECT: fixed 4-byte bodies ----
export function smallRequest(structureSize: number): RequestBody {
  const body = Buffer.alloc(4);
  body.writeUInt16LE(structureSize, 0);
  return { body };
}
