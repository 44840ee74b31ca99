/**
 * The little of SPNEGO (RFC 4178) that NTLM over SMB2 needs: a NegTokenInit offering NTLMSSP, a NegTokenResp
 * carrying the AUTHENTICATE message, and reading the server's NegTokenResp. A minimal DER reader with bounds checks.
 */
export const NTLMSSP_OID = Buffer.from('2b0601040182370202 0a'.replace(/ /g, ''), 'hex');
const SPNEGO_OID = Buffer.from('2b0601050502', 'hex');

function derLength(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  if (n < 0x100) return Buffer.from([0x81, n]);
  if (n < 0x10000) return Buffer.from([0x82, n >> 8, n & 0xff]);
  return Buffer.from([0x83, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff]);
}
function tlv(tag: number, ...content: Buffer[]): Buffer {
  const body = Buffer.concat(content);
  return Buffer.concat([Buffer.from([tag]), derLength(body.length), body]);
}

/** Initial token: NegTokenInit with mechTypes [NTLMSSP] and the NTLM NEGOTIATE message as mechToken. */
export function negTokenInit(ntlmNegotiate: Buffer): Buffer {
  const mechTypes = tlv(0xa0, tlv(0x30, tlv(0x06, NTLMSSP_OID)));
  const mechToken = tlv(0xa2, tlv(0x04, ntlmNegotiate));
  return tlv(0x60, tlv(0x06, SPNEGO_OID), tlv(0xa0, tlv(0x30, mechTypes, mechToken)));
}

/** Follow-up token: NegTokenResp with the NTLM AUTHENTICATE message as responseToken. */
export function negTokenResp(ntlmAuthenticate: Buffer): Buffer {
  return tlv(0xa1, tlv(0x30, tlv(0xa2, tlv(0x04, ntlmAuthenticate))));
}

interface Tlv {
  tag: number;
  value: Buffer;
  end: number;
}
function readTlv(buf: Buffer, pos: number): Tlv {
  if (pos + 2 > buf.length) throw new Error('DER truncated');
  const tag = buf[pos];
  let len = buf[pos + 1];
  let p = pos + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n < 1 || n > 3 || p + n > buf.length) throw new Error('DER bad length');
    len = 0;
    for (let i = 0; i < n; i++) len = (len << 8) | buf[p + i];
    p += n;
  }
  if (p + len > buf.length) throw new Error('DER truncated');
  return { tag, value: buf.subarray(p, p + len), end: p + len };
}
function children(buf: Buffer): Tlv[] {
  const out: Tlv[] = [];
  for (let p = 0; p < buf.length; ) {
    const t = readTlv(buf, p);
    out.push(t);
    p = t.end;
  }
  return out;
}

interface NegTokenRespParsed {
  /** 0 accept-completed, 1 accept-incomplete, 2 reject, 3 request-mic. */
  negState?: number;
  responseToken?: Buffer;
  supportedMech?: Buffer;
}

/** Parses the server's NegTokenResp ([1] SEQUENCE {...}). Raw NTLMSSP answers are accepted as they are. */
export function parseNegTokenResp(token: Buffer): NegTokenRespParsed {
  if (token.subarray(0, 8).toString('latin1') === 'NTLMSSP\0') return { responseToken: token };
  const outer = readTlv(token, 0);
  if (outer.tag !== 0xa1) throw new Error('not a NegTokenResp');
  const seq = readTlv(outer.value, 0);
  if (seq.tag !== 0x30) throw new Error('NegTokenResp without SEQUENCE');
  const res: NegTokenRespParsed = {};
  for (const field of children(seq.value)) {
    const inner = readTlv(field.value, 0);
    if (field.tag === 0xa0 && inner.tag === 0x0a && inner.value.length === 1) res.negState = inner.value[0];
    else if (field.tag === 0xa1 && inner.tag === 0x06) res.supportedMech = inner.value;
    else if (field.tag === 0xa2 && inner.tag === 0x04) res.responseToken = inner.value;
  }
  return res;
}
