/**
 * Connection set-up: NEGOTIATE (2.0.2 .. 3.1.1 with preauth integrity and cipher contexts), SESSION_SETUP with
 * SPNEGO/NTLMv2, and the SMB3 key derivation. Produces a Connection ready for tree connects, and the facts the
 * "Probar Conexión" report shows.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { SyncError } from '../errors.js';
import {
  Cap,
  CipherId,
  Command,
  Dialect,
  DIALECT_CODES,
  DIALECT_NAMES,
  Flags,
  negotiateRequest,
  parseNegotiateResponse,
  parseSessionSetupResponse,
  parseValidateNegotiateResponse,
  validateNegotiateRequest,
  SecurityMode,
  SessionFlag,
  SigningAlgorithmId,
  sessionSetupRequest,
  type DialectName,
} from './codec.js';
import { Connection } from './connection.js';
import { computeSignature, kdf, type Cipher, type SigningAlgorithm } from './crypto.js';
import { authenticateMessage, negotiateMessage, parseChallenge, splitUser } from './ntlm.js';
import { protocolError, Status, statusError } from './ntstatus.js';
import { negTokenInit, negTokenResp, parseNegTokenResp } from './spnego.js';
import { msg as text } from '../messages/index.js';

interface SessionOptions {
  host: string;
  port: number;
  netbios: boolean;
  username: string;
  password: string;
  domain?: string;
  workstation?: string;
  timeoutMs: number;
  /** Dialects to offer (default all, 2.0.2 .. 3.1.1). */
  dialects?: DialectName[];
  /** Sign every request even when the server only offers signing (default true). */
  alwaysSign?: boolean;
  /** Refuse to go on without SMB3 encryption. */
  requireEncryption?: boolean;
  /** Accept a guest session (default false: a guest login means the credentials were not accepted). */
  allowGuest?: boolean;
}

export interface SessionFacts {
  dialect: DialectName;
  signing: boolean;
  signingAlgorithm: SigningAlgorithm | null;
  signingRequiredByServer: boolean;
  encryption: Cipher | null;
  auth: string;
  user: string;
  domain: string;
  guest: boolean;
  transport: 'direct-tcp' | 'netbios';
  port: number;
  maxReadSize: number;
  maxWriteSize: number;
  largeMtu: boolean;
}

const sha512 = (...parts: Buffer[]) => {
  const h = createHash('sha512');
  for (const p of parts) h.update(p);
  return h.digest();
};
const label = (s: string) => Buffer.from(`${s}\0`, 'latin1');

export async function establish(opts: SessionOptions): Promise<{ conn: Connection; facts: SessionFacts }> {
  const conn = await Connection.open({
    host: opts.host,
    port: opts.port,
    netbios: opts.netbios,
    timeoutMs: opts.timeoutMs,
  });
  try {
    const facts = await setup(conn, opts);
    return { conn, facts };
  } catch (e) {
    conn.close();
    throw e;
  }
}

async function setup(conn: Connection, opts: SessionOptions): Promise<SessionFacts> {
  // ---- NEGOTIATE ----
  const dialects = (opts.dialects ?? ['2.0.2', '2.1', '3.0', '3.0.2', '3.1.1']).map((d) => DIALECT_CODES[d]);
  let preauth = Buffer.alloc(64);
  const clientGuid = randomBytes(16);
  const clientCaps = Cap.LARGE_MTU | Cap.ENCRYPTION;
  const negRes = await conn.request(
    Command.NEGOTIATE,
    negotiateRequest({
      dialects,
      securityMode: SecurityMode.SIGNING_ENABLED,
      capabilities: clientCaps,
      clientGuid,
      salt: randomBytes(32),
      ciphers: [CipherId.AES_128_GCM, CipherId.AES_128_CCM],
      // GMAC first: it runs on the same hardware path as GCM, several times faster than CMAC on big writes.
      signingAlgorithms: [SigningAlgorithmId.AES_GMAC, SigningAlgorithmId.AES_CMAC],
    }),
    { onSent: (m) => (preauth = sha512(preauth, m)) },
  );
  if (negRes.header.status === Status.NOT_SUPPORTED || negRes.header.status === Status.INVALID_PARAMETER) {
    throw new SyncError(
      'NOT_SUPPORTED',
      text('smb.server_accepts_none_smb', { dialects: opts.dialects?.join(', ') ?? '2.0.2 - 3.1.1' }),
      {
        hint: text('smb.check_server_min_protocol'),
        details: { ntstatus: 'NEGOTIATE' },
      },
    );
  }
  if (negRes.header.status !== Status.SUCCESS) throw statusError(negRes.header.status, 'NEGOTIATE');
  const neg = parseNegotiateResponse(negRes.msg);
  if (!dialects.includes(neg.dialect))
    throw protocolError(text('smb.server_chose_dialect_0x', { dialect: neg.dialect.toString(16) }));
  const dialect = DIALECT_NAMES[neg.dialect];
  const is3 = neg.dialect >= Dialect.SMB30;
  const is311 = neg.dialect === Dialect.SMB311;
  if (is311) {
    if (neg.preauthHash !== 1) throw protocolError(text('smb.no_preauth_integrity_3_1_1'));
    preauth = sha512(preauth, negRes.msg);
  }
  conn.dialect = neg.dialect;
  if (neg.dialect === Dialect.SMB30 || neg.dialect === Dialect.SMB302) {
    conn.negotiated = {
      request: { capabilities: clientCaps, clientGuid, securityMode: SecurityMode.SIGNING_ENABLED, dialects },
      response: {
        capabilities: neg.capabilities,
        serverGuid: neg.serverGuid,
        securityMode: neg.securityMode,
        dialect: neg.dialect,
      },
    };
  }
  conn.multiCredit = neg.dialect >= Dialect.SMB21 && (neg.capabilities & Cap.LARGE_MTU) !== 0;
  const cipher: Cipher | null = is311
    ? neg.cipher === CipherId.AES_128_GCM
      ? 'aes-128-gcm'
      : neg.cipher === CipherId.AES_128_CCM
        ? 'aes-128-ccm'
        : null
    : is3 && neg.capabilities & Cap.ENCRYPTION
      ? 'aes-128-ccm'
      : null;
  const signingRequiredByServer = (neg.securityMode & SecurityMode.SIGNING_REQUIRED) !== 0;

  // ---- SESSION_SETUP 1: NTLM NEGOTIATE inside SPNEGO ----
  const { user, domain } = splitUser(opts.username, opts.domain ?? '');
  const securityMode = SecurityMode.SIGNING_ENABLED;
  let sessionHash = preauth;
  const track = (m: Buffer) => {
    if (is311) sessionHash = sha512(sessionHash, m);
  };
  const r1 = await conn.request(
    Command.SESSION_SETUP,
    sessionSetupRequest({ securityMode, token: negTokenInit(negotiateMessage()) }),
    { onSent: track },
  );
  if (r1.header.status !== Status.MORE_PROCESSING_REQUIRED) throw authError(r1.header.status);
  track(r1.msg);
  conn.sessionId = r1.header.sessionId;
  let challenge: ReturnType<typeof parseChallenge>;
  try {
    const tok = parseNegTokenResp(parseSessionSetupResponse(r1.msg).token);
    if (tok.negState === 2 || !tok.responseToken) throw new Error('SPNEGO rejected NTLMSSP');
    challenge = parseChallenge(tok.responseToken);
  } catch (e) {
    if (e instanceof SyncError) throw e;
    throw protocolError(text('smb.bad_ntlm_challenge', { message: (e as Error).message }), e);
  }

  // ---- SESSION_SETUP 2: NTLMv2 AUTHENTICATE ----
  const auth = authenticateMessage(
    { user, domain, password: opts.password, workstation: opts.workstation ?? 'CORDIAX' },
    challenge,
  );
  const r2 = await conn.request(
    Command.SESSION_SETUP,
    sessionSetupRequest({ securityMode, token: negTokenResp(auth.message) }),
    { onSent: track },
  );
  if (r2.header.status !== Status.SUCCESS) throw authError(r2.header.status);
  const { sessionFlags } = parseSessionSetupResponse(r2.msg);
  const guest = (sessionFlags & (SessionFlag.IS_GUEST | SessionFlag.IS_NULL)) !== 0;
  if (guest && !opts.allowGuest) {
    throw new SyncError('AUTH_FAILED', text('smb.smb_server_only_accepted'), {
      hint: text('smb.check_user_name_password'),
      details: { ntstatus: 'SESSION_FLAG_IS_GUEST' },
    });
  }

  // ---- Keys ----
  const sessionKey = auth.exportedSessionKey;
  let signingKey = sessionKey;
  const alg: SigningAlgorithm =
    neg.signingAlgorithm === SigningAlgorithmId.AES_GMAC ? 'aes-gmac' : is3 ? 'aes-cmac' : 'hmac-sha256';
  let encKey: Buffer | null = null;
  let decKey: Buffer | null = null;
  if (is311) {
    signingKey = kdf(sessionKey, label('SMBSigningKey'), sessionHash);
    encKey = kdf(sessionKey, label('SMBC2SCipherKey'), sessionHash);
    decKey = kdf(sessionKey, label('SMBS2CCipherKey'), sessionHash);
  } else if (is3) {
    signingKey = kdf(sessionKey, label('SMB2AESCMAC'), label('SmbSign'));
    encKey = kdf(sessionKey, label('SMB2AESCCM'), label('ServerIn '));
    decKey = kdf(sessionKey, label('SMB2AESCCM'), label('ServerOut'));
  }
  // The server signs the final SESSION_SETUP answer when signing is on; checking it proves it derived the same keys
  // (and, in 3.1.1, saw the same negotiation: a downgrade would change the preauth hash).
  // MS-SMB2 3.3.5.5.3: a 3.1.1 server must sign it; an unsigned one would let a man in the middle go unnoticed.
  if (is311 && !guest && !(r2.header.flags & Flags.SIGNED)) throw protocolError(text('smb.unsigned_3_1_1'));
  if (r2.header.flags & Flags.SIGNED && !guest) {
    const sig = computeSignature(alg, signingKey, r2.msg);
    if (!timingSafeEqual(sig, r2.msg.subarray(48, 64))) throw protocolError(text('smb.bad_signature_session_setup'));
  }
  const encryptData = (sessionFlags & SessionFlag.ENCRYPT_DATA) !== 0;
  if (cipher && encKey && decKey) conn.encryption = { cipher, encKey, decKey };
  if (encryptData) {
    if (!conn.encryption) throw protocolError(text('smb.server_demands_encryption_without'));
    conn.encryptAll = true;
  }
  if (opts.requireEncryption && !conn.encryption) {
    throw new SyncError('ENCRYPTION', text('smb.server_not_allow_smb3_encryption', { dialect }), {
      hint: text('smb.enable_smb3_server'),
    });
  }
  if (opts.requireEncryption) conn.encryptAll = true;
  // 3.1.1 servers (Samba, Windows) refuse an unsigned TREE_CONNECT, so there signing is not optional.
  const sign = !guest && (signingRequiredByServer || is311 || opts.alwaysSign !== false);
  if (sign) conn.signing = { alg, key: signingKey };

  const largeMtu = conn.multiCredit;
  return {
    dialect,
    signing: sign && !conn.encryptAll,
    signingAlgorithm: sign ? alg : null,
    signingRequiredByServer,
    encryption: conn.encryptAll ? conn.encryption!.cipher : null,
    auth: 'NTLMv2 (SPNEGO)',
    user,
    domain,
    guest,
    transport: opts.netbios ? 'netbios' : 'direct-tcp',
    port: opts.port,
    maxReadSize: neg.maxReadSize,
    maxWriteSize: neg.maxWriteSize,
    largeMtu,
  };
}

function authError(status: number): SyncError {
  return statusError(status, 'SESSION_SETUP');
}

/**
 * SMB 3.0 / 3.0.2 downgrade protection (MS-SMB2 3.2.5.14.12): after the first tree connect, ask the server over the
 * signed session what it saw in NEGOTIATE. A man in the middle who edited the dialect list shows up as a mismatch.
 * 3.1.1 needs none of this (the preauth hash covers NEGOTIATE); anonymous/guest sessions cannot sign, so they skip it.
 */
export async function validateNegotiate(conn: Connection, treeId: number): Promise<void> {
  const n = conn.negotiated;
  if (!n || !conn.signing) return;
  const r = await conn.request(Command.IOCTL, validateNegotiateRequest(n.request), { treeId });
  conn.negotiated = null;
  // Every answer on this session is signature-checked, so an error status here is the server's own: older servers
  // answer NOT_SUPPORTED, which MS-SMB2 accepts when signed.
  if (r.header.status !== Status.SUCCESS) return;
  const v = parseValidateNegotiateResponse(r.msg);
  const e = n.response;
  if (
    v.dialect !== e.dialect ||
    v.securityMode !== e.securityMode ||
    v.capabilities !== e.capabilities ||
    !v.serverGuid.equals(e.serverGuid)
  ) {
    const err = protocolError(text('smb.validate_negotiate_info_mismatch'));
    conn.fail(err);
    throw err;
  }
}
