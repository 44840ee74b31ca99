/**
 * NetBIOS session service framing (RFC 1002, MS-SMB2 2.1): every SMB2 message travels behind a 4-byte header
 * (type, 24-bit length). On port 139 a NetBIOS Session Request must be accepted first.
 */
import { protocolError } from './ntstatus.js';
import { msg } from '../messages/index.js';

export const NBSS_SESSION_MESSAGE = 0x00;
const NBSS_SESSION_REQUEST = 0x81;
export const NBSS_POSITIVE_RESPONSE = 0x82;
export const NBSS_NEGATIVE_RESPONSE = 0x83;
export const NBSS_KEEPALIVE = 0x85;

export function frameHeader(length: number, type = NBSS_SESSION_MESSAGE): Buffer {
  const h = Buffer.alloc(4);
  h.writeUInt32BE(length);
  h[0] = type;
  return h;
}

/** First-level encoding of a NetBIOS name (RFC 1001 14.1): 16 bytes padded with spaces, suffix byte last. */
export function encodeNetbiosName(name: string, suffix: number): Buffer {
  const raw = Buffer.alloc(16, 0x20);
  Buffer.from(name.toUpperCase().slice(0, 15), 'latin1').copy(raw);
  raw[15] = suffix;
  const out = Buffer.alloc(34);
  out[0] = 32;
  for (let i = 0; i < 16; i++) {
    out[1 + i * 2] = 0x41 + (raw[i] >> 4);
    out[2 + i * 2] = 0x41 + (raw[i] & 0x0f);
  }
  out[33] = 0;
  return out;
}

/** The Session Request: called name "*SMBSERVER" (accepted by Samba and Windows when the real name is unknown). */
export function sessionRequest(calledName = '*SMBSERVER', callingName = 'CORDIAX'): Buffer {
  const body = Buffer.concat([encodeNetbiosName(calledName, 0x20), encodeNetbiosName(callingName, 0x00)]);
  return Buffer.concat([frameHeader(body.length, NBSS_SESSION_REQUEST), body]);
}

interface Frame {
  type: number;
  payload: Buffer;
}

/**
 * Splits a byte stream into frames. Each frame is assembled in a buffer of its announced size, so every byte is
 * copied once, and the caller may reuse the chunk it passed in (the socket reads into one fixed buffer). Frames over
 * `maxFrame` are refused at once (a hostile length would otherwise make us buffer without bound).
 */
export class FrameReader {
  private readonly header = Buffer.alloc(4);
  private headerFill = 0;
  private frame: { type: number; buf: Buffer; filled: number } | null = null;
  constructor(private readonly maxFrame: number) {}

  push(chunk: Buffer): Frame[] {
    const out: Frame[] = [];
    let off = 0;
    while (off < chunk.length || (this.frame && this.frame.filled === this.frame.buf.length)) {
      if (!this.frame) {
        const k = Math.min(4 - this.headerFill, chunk.length - off);
        chunk.copy(this.header, this.headerFill, off, off + k);
        this.headerFill += k;
        off += k;
        if (this.headerFill < 4) break;
        this.headerFill = 0;
        const length = this.header.readUInt32BE(0) & 0x00ffffff;
        if (length > this.maxFrame) throw protocolError(msg('smb.frame_bytes_exceeds_limit', { length }));
        this.frame = { type: this.header[0], buf: Buffer.allocUnsafe(length), filled: 0 };
      }
      const f = this.frame;
      const k = Math.min(f.buf.length - f.filled, chunk.length - off);
      chunk.copy(f.buf, f.filled, off, off + k);
      f.filled += k;
      off += k;
      if (f.filled < f.buf.length) break;
      out.push({ type: f.type, payload: f.buf });
      this.frame = null;
    }
    return out;
  }

  /** Bytes received but not yet part of a complete frame (a truncated frame when the socket ends). */
  get partial(): number {
    return this.headerFill + (this.frame ? 4 + this.frame.filled : 0);
  }
}
