/**
 * One TCP connection to an SMB server: framing, message ids and credits, signing and encryption of outgoing
 * requests, matching answers to requests (including interim STATUS_PENDING answers, which are NOT final), and a
 * timeout on every request. Any protocol violation or timeout fails the whole connection: its state is then unknown,
 * and the client reconnects for the next operation.
 */
import net from 'node:net';
import { SyncError } from '../errors.js';
import {
  Command,
  COMMAND_NAMES,
  Flags,
  HEADER_SIZE,
  parseHeader,
  SMB2_PROTOCOL_ID,
  writeHeader,
  type Header,
  type RequestBody,
} from './codec.js';
import {
  computeSignature,
  decryptMessage,
  encryptMessage,
  NonceSource,
  signMessage,
  TRANSFORM_PROTOCOL_ID,
  type Cipher,
  type SigningAlgorithm,
} from './crypto.js';
import {
  FrameReader,
  frameHeader,
  NBSS_KEEPALIVE,
  NBSS_NEGATIVE_RESPONSE,
  NBSS_POSITIVE_RESPONSE,
  NBSS_SESSION_MESSAGE,
  sessionRequest,
} from './nbss.js';
import { protocolError, Status } from './ntstatus.js';
import { timingSafeEqual } from 'node:crypto';
import { msg as text } from '../messages/index.js';

export interface Response {
  header: Header;
  /** The whole plaintext SMB2 message (header included). */
  msg: Buffer;
}

interface SendOptions {
  treeId?: number;
  /** Payload size in bytes for multi-credit READ/WRITE (MS-SMB2 3.2.4.1.5). */
  payloadSize?: number;
  timeoutMs?: number;
  /** Receives the exact bytes sent (the preauth integrity hash needs them). */
  onSent?: (msg: Buffer) => void;
  /** Credits to ask for (default: the charge, plus a margin while the balance is low). */
  creditRequest?: number;
  /** Skip the FIFO of requests waiting for credits (the ECHO that asks for more credits). */
  jumpQueue?: boolean;
}

interface Pending {
  resolve: (r: Response) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
  command: number;
  timeoutMs: number;
  /** Absolute limit even while the server keeps saying STATUS_PENDING. */
  giveUpAt: number;
}

interface ConnectionOptions {
  host: string;
  port: number;
  netbios: boolean;
  timeoutMs: number;
}

// The largest answer we provoke is one READ of at most 8 MiB (ioSize cap) plus headers.
const MAX_FRAME = 8 * 1024 * 1024 + 64 * 1024;
/** Interim STATUS_PENDING answers extend a request's wait, but never beyond this many timeouts in total. */
const MAX_PENDING_FACTOR = 10;
const UNSOLICITED_ID = 0xffffffffffffffffn;
const CREDIT_TARGET = 512;

function connectionError(code: 'CONNECTION_RESET' | 'TIMEOUT', what: string): SyncError {
  if (code === 'TIMEOUT')
    return new SyncError('TIMEOUT', text('smb.smb_server_not_answer_time', { what }), {
      hint: text('smb.check_server_up_network'),
    });
  return new SyncError('CONNECTION_RESET', text('smb.connection_smb_server_dropped', { what }), {
    hint: text('smb.check_network_server_still'),
  });
}

export class Connection {
  private readonly socket: net.Socket;
  private readonly reader = new FrameReader(MAX_FRAME);
  private readonly pending = new Map<bigint, Pending>();
  private readonly creditWaiters: Array<{ charge: number; go: () => void; fail: (e: Error) => void }> = [];
  private nextMessageId = 0n;
  private credits = 1;
  /** Requests that hold credits and still await their final answer (the source of future credit grants). */
  private outstanding = 0;
  private failure: Error | null = null;

  /** What was negotiated, kept for FSCTL_VALIDATE_NEGOTIATE_INFO (3.0 / 3.0.2); null once validated. */
  negotiated: {
    request: { capabilities: number; clientGuid: Buffer; securityMode: number; dialects: number[] };
    response: { capabilities: number; serverGuid: Buffer; securityMode: number; dialect: number };
  } | null = null;
  /** Set once NEGOTIATE tells whether multi-credit requests are allowed (2.1+ with LARGE_MTU). */
  multiCredit = false;
  dialect = 0;
  sessionId = 0n;
  /** Signing of outgoing requests and verification of answers, once the session is set up. */
  signing: { alg: SigningAlgorithm; key: Buffer } | null = null;
  /** SMB3 encryption keys, once derived. */
  encryption: { cipher: Cipher; encKey: Buffer; decKey: Buffer } | null = null;
  encryptAll = false;
  readonly encryptTrees = new Set<number>();
  private readonly nonces = new NonceSource();
  /** Called once when the connection ends (dropped, timed out, refused protocol, or closed by us). */
  onFail: ((err: Error) => void) | null = null;
  /** Counters for diagnostics and tests: interim STATUS_PENDING answers seen, requests sent. */
  readonly stats = { requests: 0, interim: 0 };

  private constructor(
    socket: net.Socket,
    readonly opts: ConnectionOptions,
  ) {
    this.socket = socket;
    socket.setNoDelay(true);
    // Between polls the connection idles for minutes: TCP keepalive finds a dead peer before the next request does.
    socket.setKeepAlive(true, 30_000);
    socket.on('error', (e) => this.fail(translateSocketError(e)));
    socket.on('close', () => {
      const partial = this.reader.partial > 0 ? ' (truncated frame)' : '';
      this.fail(connectionError('CONNECTION_RESET', `socket closed${partial}`));
    });
  }

  static async open(opts: ConnectionOptions): Promise<Connection> {
    // The socket reads into one fixed 1 MiB buffer (fewer, larger reads than 64 KiB 'data' events); whoever is
    // listening copies what it needs before the callback returns. Until then, bytes are kept aside.
    const early: Buffer[] = [];
    let sink: (chunk: Buffer) => void = (chunk) => early.push(Buffer.from(chunk));
    const socket = await new Promise<net.Socket>((resolve, reject) => {
      const s = net.connect({
        host: opts.host,
        port: opts.port,
        onread: {
          buffer: Buffer.allocUnsafe(1024 * 1024),
          callback: (n: number, buf: Uint8Array) => {
            sink(Buffer.from(buf.buffer, buf.byteOffset, n));
            return true;
          },
        },
      });
      const timer = setTimeout(() => {
        s.destroy();
        reject(connectionError('TIMEOUT', `connect ${opts.host}:${opts.port}`));
      }, opts.timeoutMs);
      s.once('connect', () => {
        clearTimeout(timer);
        s.removeAllListeners('error');
        resolve(s);
      });
      s.once('error', (e) => {
        clearTimeout(timer);
        s.destroy();
        reject(translateSocketError(e));
      });
    });
    if (opts.netbios) {
      await netbiosSessionRequest(socket, opts.timeoutMs, early, (fn) => {
        sink = fn;
      });
    }
    const conn = new Connection(socket, opts);
    sink = (chunk) => conn.onData(chunk);
    for (const c of early.splice(0)) conn.onData(c);
    return conn;
  }

  get alive(): boolean {
    return this.failure === null;
  }

  /** Ends the connection: every request still waiting fails with `err`. Idempotent. */
  fail(err: Error): void {
    if (this.failure) return;
    this.failure = err;
    this.socket.destroy();
    for (const [, p] of this.pending) {
      clearTimeout(p.timer);
      p.reject(err);
    }
    this.pending.clear();
    for (const w of this.creditWaiters.splice(0)) w.fail(err);
    this.onFail?.(err);
  }

  close(): void {
    this.fail(connectionError('CONNECTION_RESET', 'closed by client'));
  }

  /** Sends one request and resolves with its final answer (whatever its status: callers judge the status). */
  async request(command: number, req: RequestBody, opts: SendOptions = {}): Promise<Response> {
    if (this.failure) throw this.failure;
    const timeoutMs = opts.timeoutMs ?? this.opts.timeoutMs;
    const charge = this.multiCredit && opts.payloadSize ? Math.max(1, Math.ceil(opts.payloadSize / 65536)) : 1;
    const deadline = Date.now() + timeoutMs;
    await this.takeCredits(charge, timeoutMs, command, opts.jumpQueue);
    // The connection may have died while we waited; a request registered now would never be answered.
    if (this.failure) throw this.failure;
    const remaining = Math.max(1, deadline - Date.now());
    const messageId = this.nextMessageId;
    this.nextMessageId += BigInt(charge);

    const head = Buffer.allocUnsafe(HEADER_SIZE + req.body.length);
    const encrypt =
      this.encryption !== null &&
      (this.encryptAll || (opts.treeId !== undefined && this.encryptTrees.has(opts.treeId)));
    const sign = !encrypt && this.signing !== null && command !== Command.SESSION_SETUP;
    writeHeader(head, {
      command,
      creditCharge: this.dialect === 0x0202 ? 0 : charge,
      creditRequest: opts.creditRequest ?? charge + (this.credits + charge < CREDIT_TARGET ? 64 : 0),
      flags: sign ? Flags.SIGNED : 0,
      messageId,
      treeId: opts.treeId ?? 0,
      sessionId: this.sessionId,
    });
    head.fill(0, 48, 64);
    req.body.copy(head, HEADER_SIZE);
    // Write data stays a separate part: signed and sent without being copied into the header buffer.
    let parts = req.payload ? [head, req.payload] : [head];
    if (sign) signMessage(this.signing!.alg, this.signing!.key, parts);
    if (opts.onSent) opts.onSent(parts.length > 1 ? Buffer.concat(parts) : head);
    if (encrypt) {
      const plain = parts.length > 1 ? Buffer.concat(parts) : head;
      parts = [
        encryptMessage(
          this.encryption!.cipher,
          this.encryption!.encKey,
          this.nonces.next(this.encryption!.cipher),
          this.sessionId,
          plain,
        ),
      ];
    }
    const wireLength = parts.reduce((n, p) => n + p.length, 0);

    return new Promise<Response>((resolve, reject) => {
      const p: Pending = {
        resolve,
        reject,
        command,
        timeoutMs,
        giveUpAt: Date.now() + timeoutMs * MAX_PENDING_FACTOR,
        timer: setTimeout(
          () => this.fail(connectionError('TIMEOUT', COMMAND_NAMES[command] ?? String(command))),
          remaining,
        ),
      };
      this.pending.set(messageId, p);
      this.stats.requests++;
      this.socket.cork();
      this.socket.write(frameHeader(wireLength));
      for (const p of parts) this.socket.write(p);
      this.socket.uncork();
    });
  }

  /** Takes `charge` credits, waiting (FIFO, bounded by the timeout) until the server has granted enough. */
  private takeCredits(charge: number, timeoutMs: number, command: number, jumpQueue = false): Promise<void> | void {
    if ((jumpQueue || !this.creditWaiters.length) && this.credits >= charge) {
      this.credits -= charge;
      this.outstanding++;
      return;
    }
    if (this.outstanding === 0 && this.credits < charge) {
      // Nothing in flight will bring credits back: ask for them with an ECHO (which costs one credit, if we have it).
      if (this.credits < 1)
        throw protocolError(text('smb.server_granted_no_credits', { command: COMMAND_NAMES[command] }));
      this.request(
        Command.ECHO,
        { body: Buffer.from([4, 0, 0, 0]) },
        { timeoutMs, creditRequest: charge + 64, jumpQueue: true },
      ).catch(() => {});
    }
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => this.fail(connectionError('TIMEOUT', `waiting for credits for ${COMMAND_NAMES[command]}`)),
        timeoutMs,
      );
      this.creditWaiters.push({
        charge,
        go: () => {
          clearTimeout(timer);
          resolve();
        },
        fail: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
    });
  }

  private releaseCreditWaiters(): void {
    while (this.creditWaiters.length && this.credits >= this.creditWaiters[0].charge) {
      const w = this.creditWaiters.shift()!;
      this.credits -= w.charge;
      this.outstanding++;
      w.go();
    }
  }

  private onData(chunk: Buffer): void {
    if (this.failure) return;
    try {
      for (const frame of this.reader.push(chunk)) {
        if (frame.type === NBSS_KEEPALIVE) continue;
        if (frame.type !== NBSS_SESSION_MESSAGE)
          throw protocolError(text('smb.unexpected_netbios_frame_type', { type: frame.type }));
        this.onMessage(frame.payload);
      }
    } catch (e) {
      this.fail(e instanceof Error ? e : new Error(String(e)));
    }
  }

  private onMessage(wire: Buffer): void {
    if (wire.length < 4) throw protocolError(text('smb.message_too_short'));
    const proto = wire.readUInt32LE(0);
    let msg: Buffer;
    let encrypted = false;
    if (proto === TRANSFORM_PROTOCOL_ID) {
      if (!this.encryption) throw protocolError(text('smb.encrypted_message_without_encryption'));
      try {
        msg = decryptMessage(this.encryption.cipher, this.encryption.decKey, wire).plain;
      } catch (e) {
        throw protocolError(text('smb.encrypted_message_failed_authentication'), e);
      }
      encrypted = true;
    } else if (proto === SMB2_PROTOCOL_ID) {
      msg = wire;
    } else {
      throw protocolError(text('smb.not_smb2_message'));
    }
    // Compounded answers (we never send compounds, but a server may answer so) are split by NextCommand.
    for (let off = 0; ; ) {
      const h = parseHeader(msg.subarray(off));
      const end = h.nextCommand ? off + h.nextCommand : msg.length;
      if (h.nextCommand && (h.nextCommand < HEADER_SIZE || end > msg.length || h.nextCommand % 8))
        throw protocolError(text('smb.bad_nextcommand'));
      this.onResponse(h, msg.subarray(off, end), encrypted);
      if (!h.nextCommand) break;
      off = end;
    }
  }

  private onResponse(h: Header, msg: Buffer, encrypted: boolean): void {
    if (!(h.flags & Flags.SERVER_TO_REDIR)) throw protocolError(text('smb.answer_without_server_flag'));
    this.credits = Math.min(this.credits + h.credits, 65535);
    if (h.messageId === UNSOLICITED_ID) return; // oplock/lease break notification: we hold none
    const p = this.pending.get(h.messageId);
    if (!p) {
      this.releaseCreditWaiters();
      return; // answer to a request we gave up on; harmless
    }
    const interim = h.status === Status.PENDING && (h.flags & Flags.ASYNC_COMMAND) !== 0;
    if (
      !interim &&
      !encrypted &&
      this.signing &&
      h.sessionId === this.sessionId &&
      p.command !== Command.SESSION_SETUP
    ) {
      if (!(h.flags & Flags.SIGNED))
        throw protocolError(text('smb.unsigned_answer_signed_session', { command: COMMAND_NAMES[h.command] }));
      const expected = computeSignature(this.signing.alg, this.signing.key, msg);
      if (!timingSafeEqual(expected, msg.subarray(48, 64)))
        throw protocolError(text('smb.bad_signature_answer', { command: COMMAND_NAMES[h.command] }));
    }
    if (interim) {
      // MS-SMB2 3.3.4.2: the real answer comes later with the same MessageId. The server is alive: restart the clock.
      this.stats.interim++;
      clearTimeout(p.timer);
      const wait = Math.max(1, Math.min(p.timeoutMs, p.giveUpAt - Date.now()));
      p.timer = setTimeout(() => this.fail(connectionError('TIMEOUT', `${COMMAND_NAMES[p.command]} (pending)`)), wait);
      this.releaseCreditWaiters();
      return;
    }
    clearTimeout(p.timer);
    this.pending.delete(h.messageId);
    this.outstanding--;
    p.resolve({ header: h, msg });
    this.releaseCreditWaiters();
  }
}

function translateSocketError(e: NodeJS.ErrnoException): Error {
  switch (e.code) {
    case 'ECONNREFUSED':
      return new SyncError('CONNECTION_REFUSED', text('smb.smb_server_refused_connection'), {
        cause: e,
        hint: text('smb.check_server_address_file'),
      });
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new SyncError('DNS', text('smb.smb_server_name_cannot'), {
        cause: e,
        hint: text('smb.check_name_use_ip'),
      });
    case 'ETIMEDOUT':
      return connectionError('TIMEOUT', 'connect');
    default:
      return new SyncError('CONNECTION_RESET', text('smb.network_error_smb_server', { code: e.code ?? e.message }), {
        cause: e,
        hint: text('smb.check_network'),
      });
  }
}

async function netbiosSessionRequest(
  socket: net.Socket,
  timeoutMs: number,
  early: Buffer[],
  setSink: (fn: (chunk: Buffer) => void) => void,
): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    let buf = Buffer.concat(early.splice(0));
    const done = (err?: Error) => {
      clearTimeout(timer);
      setSink((chunk) => early.push(Buffer.from(chunk)));
      socket.removeListener('error', onError);
      socket.removeListener('close', onClose);
      if (err) {
        socket.destroy();
        reject(err);
      } else resolve();
    };
    const timer = setTimeout(() => done(connectionError('TIMEOUT', 'NetBIOS session request')), timeoutMs);
    const onError = (e: Error) => done(translateSocketError(e as NodeJS.ErrnoException));
    const onClose = () => done(connectionError('CONNECTION_RESET', 'NetBIOS session request'));
    const onData = (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      if (buf.length < 4) return;
      const len = buf.readUInt32BE(0) & 0x1ffff;
      if (buf.length < 4 + len) return;
      if (buf.length > 4 + len) return done(protocolError(text('smb.data_after_netbios_session')));
      if (buf[0] === NBSS_POSITIVE_RESPONSE) return done();
      if (buf[0] === NBSS_NEGATIVE_RESPONSE)
        return done(
          new SyncError(
            'CONNECTION_REFUSED',
            text('smb.server_refused_netbios_session', { code: (buf[4] ?? 0).toString(16) }),
            {
              hint: text('smb.use_port_445_check'),
            },
          ),
        );
      done(protocolError(text('smb.unexpected_netbios_answer_type', { type: buf[0] })));
    };
    setSink(onData);
    socket.once('error', onError);
    socket.once('close', onClose);
    socket.write(sessionRequest());
  });
}
