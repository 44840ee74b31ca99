/**
 * SMB2 codecs and the connection against hostile or broken servers: a fake TCP server on a random port answers
 * with garbage, truncated frames, absurd lengths, bad offsets, endless STATUS_PENDING, or nothing at all. Every case
 * must end in a clear SyncError (PROTOCOL / TIMEOUT / CONNECTION_RESET), never a crash or a hang.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import {
  Command,
  createRequest,
  Flags,
  HEADER_SIZE,
  negotiateRequest,
  parseCreateResponse,
  parseHeader,
  parseNegotiateResponse,
  parseQueryDirectoryResponse,
  parseReadResponse,
  renameInfo,
  SMB2_PROTOCOL_ID,
} from '../src/smb/codec.js';
import { encodeNetbiosName, FrameReader, frameHeader, sessionRequest } from '../src/smb/nbss.js';
import { SmbClient } from '../src/smb/index.js';
import { isSyncError, type ErrorCode } from '../src/errors.js';
import { statusError, Status } from '../src/smb/ntstatus.js';
import { toSmbPath } from '../src/smb/client.js';

/** An SMB2 answer header for `messageId` (server flag set). */
function answer(command: number, messageId: bigint, status: number, body: Buffer, flags = 0): Buffer {
  const h = Buffer.alloc(HEADER_SIZE);
  h.writeUInt32LE(SMB2_PROTOCOL_ID, 0);
  h.writeUInt16LE(64, 4);
  h.writeUInt32LE(status, 8);
  h.writeUInt16LE(command, 12);
  h.writeUInt16LE(64, 14);
  h.writeUInt32LE(Flags.SERVER_TO_REDIR | flags, 16);
  h.writeBigUInt64LE(messageId, 24);
  return Buffer.concat([h, body]);
}
function negotiateAnswer(messageId: bigint, patch?: (body: Buffer) => void): Buffer {
  const body = Buffer.alloc(65 + 7);
  body.writeUInt16LE(65, 0);
  body.writeUInt16LE(0x0210, 4); // SMB 2.1: no negotiate contexts
  body.writeUInt32LE(65536, 28);
  body.writeUInt32LE(65536, 32);
  body.writeUInt32LE(65536, 36);
  body.writeUInt16LE(HEADER_SIZE + 64, 56);
  body.writeUInt16LE(0, 58);
  patch?.(body);
  return answer(Command.NEGOTIATE, messageId, 0, body);
}
const frame = (msg: Buffer) => Buffer.concat([frameHeader(msg.length), msg]);

const servers: net.Server[] = [];
after(() => {
  for (const s of servers) s.close();
});

/** A fake server: `onMessage` gets each SMB2 request (parsed header) and the socket. */
async function fakeServer(
  onMessage: (req: { command: number; messageId: bigint; raw: Buffer }, sock: net.Socket) => void,
  onConnect?: (sock: net.Socket) => void,
): Promise<number> {
  const server = net.createServer((sock) => {
    sock.on('error', () => {});
    onConnect?.(sock);
    const reader = new FrameReader(1 << 20);
    sock.on('data', (d) => {
      for (const f of reader.push(d)) {
        const h = parseHeader(f.payload);
        onMessage({ command: h.command, messageId: h.messageId, raw: f.payload }, sock);
      }
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return (server.address() as net.AddressInfo).port;
}

async function expectConnectError(port: number, code: ErrorCode, timeoutMs = 1500): Promise<Error> {
  const e = await SmbClient.connect({ host: '127.0.0.1', port, username: 'u', password: 'p', timeoutMs }).then(
    (c) => {
      void c.close();
      return new Error('connected against a hostile server');
    },
    (x: Error) => x,
  );
  assert.ok(isSyncError(e, code), `expected ${code}, got ${String(e)} ${(e as { code?: string }).code}`);
  return e;
}

describe('hostile or broken servers end in an error, never a hang', () => {
  test('server that never answers: TIMEOUT', async () => {
    const port = await fakeServer(() => {});
    await expectConnectError(port, 'TIMEOUT', 300);
  });

  test('server that closes at once: CONNECTION_RESET', async () => {
    const port = await fakeServer(
      () => {},
      (s) => s.destroy(),
    );
    await expectConnectError(port, 'CONNECTION_RESET');
  });

  test('garbage instead of SMB2: PROTOCOL', async () => {
    const port = await fakeServer((_r, s) => s.write(frame(Buffer.from('HTTP/1.1 400 Bad Request\r\n\r\n'))));
    await expectConnectError(port, 'PROTOCOL');
  });

  test('absurd frame length: PROTOCOL at once (no buffering of 15 MiB promised bytes)', async () => {
    const port = await fakeServer((_r, s) => s.write(Buffer.from([0x00, 0xf0, 0x00, 0x00, 0xfe, 0x53])));
    await expectConnectError(port, 'PROTOCOL', 60000);
  });

  test('truncated frame then close: CONNECTION_RESET', async () => {
    const port = await fakeServer((r, s) => {
      const full = frame(negotiateAnswer(r.messageId));
      s.end(full.subarray(0, 40));
    });
    const e = await expectConnectError(port, 'CONNECTION_RESET');
    assert.match(e.message, /./);
  });

  test('NEGOTIATE answer shorter than its structure: PROTOCOL', async () => {
    const port = await fakeServer((r, s) => s.write(frame(negotiateAnswer(r.messageId).subarray(0, HEADER_SIZE + 20))));
    await expectConnectError(port, 'PROTOCOL');
  });

  test('security buffer offset outside the message: PROTOCOL', async () => {
    const port = await fakeServer((r, s) =>
      s.write(
        frame(
          negotiateAnswer(r.messageId, (b) => {
            b.writeUInt16LE(60000, 56);
            b.writeUInt16LE(500, 58);
          }),
        ),
      ),
    );
    await expectConnectError(port, 'PROTOCOL');
  });

  test('dialect we did not offer: PROTOCOL', async () => {
    const port = await fakeServer((r, s) =>
      s.write(frame(negotiateAnswer(r.messageId, (b) => b.writeUInt16LE(0x02ff, 4)))),
    );
    await expectConnectError(port, 'PROTOCOL');
  });

  test('answer without the server flag (a reflected request): PROTOCOL', async () => {
    const port = await fakeServer((r, s) => s.write(frame(r.raw)));
    await expectConnectError(port, 'PROTOCOL');
  });

  test('endless interim STATUS_PENDING answers: TIMEOUT after a bounded wait', async () => {
    const port = await fakeServer((r, s) => {
      const timer = setInterval(() => {
        if (s.destroyed) return clearInterval(timer);
        s.write(
          frame(
            answer(
              r.command,
              r.messageId,
              Status.PENDING,
              Buffer.from([9, 0, 0, 0, 0, 0, 0, 0, 0]),
              Flags.ASYNC_COMMAND,
            ),
          ),
        );
      }, 20);
      s.on('close', () => clearInterval(timer));
    });
    await expectConnectError(port, 'TIMEOUT', 100);
  });

  test('NTLM challenge that is not NTLM: PROTOCOL', async () => {
    const port = await fakeServer((r, s) => {
      if (r.command === Command.NEGOTIATE) return s.write(frame(negotiateAnswer(r.messageId)));
      const body = Buffer.alloc(8 + 6);
      body.writeUInt16LE(9, 0);
      body.writeUInt16LE(HEADER_SIZE + 8, 4);
      body.writeUInt16LE(6, 6);
      Buffer.from([0xa1, 0x04, 0x30, 0x02, 0x05, 0x00]).copy(body, 8);
      s.write(frame(answer(Command.SESSION_SETUP, r.messageId, Status.MORE_PROCESSING_REQUIRED, body)));
    });
    await expectConnectError(port, 'PROTOCOL');
  });

  test('LOGON_FAILURE from the server: AUTH_FAILED', async () => {
    const port = await fakeServer((r, s) => {
      if (r.command === Command.NEGOTIATE) return s.write(frame(negotiateAnswer(r.messageId)));
      s.write(
        frame(
          answer(Command.SESSION_SETUP, r.messageId, Status.LOGON_FAILURE, Buffer.from([9, 0, 0, 0, 0, 0, 0, 0, 0])),
        ),
      );
    });
    await expectConnectError(port, 'AUTH_FAILED');
  });

  test('nothing listening: CONNECTION_REFUSED with a hint about ports 445/139', async () => {
    const port = await fakeServer(() => {});
    servers[servers.length - 1].close();
    await new Promise((r) => setTimeout(r, 50));
    const e = (await expectConnectError(port, 'CONNECTION_REFUSED')) as import('../src/errors.js').SyncError;
    assert.match(e.hint?.es ?? '', /445/);
  });
});

describe('codecs', () => {
  test('NetBIOS name encoding (RFC 1001) and session request', () => {
    const n = encodeNetbiosName('*SMBSERVER', 0x20);
    assert.equal(n.length, 34);
    assert.equal(n[0], 32);
    assert.equal(n.subarray(1, 33).toString('latin1'), 'CKFDENECFDEFFCFGEFFCCACACACACACA');
    const req = sessionRequest();
    assert.equal(req[0], 0x81);
    assert.equal(req.readUInt16BE(2), 68);
  });

  test('frame reader: frames split across chunks and several frames in one chunk', () => {
    const r = new FrameReader(1000);
    const a = frame(Buffer.from('first'));
    const b = frame(Buffer.from('second!'));
    const all = Buffer.concat([a, b]);
    const out: string[] = [];
    for (let i = 0; i < all.length; i += 3)
      out.push(...r.push(all.subarray(i, i + 3)).map((f) => f.payload.toString()));
    assert.deepEqual(out, ['first', 'second!']);
    assert.deepEqual(
      r.push(Buffer.concat([a, b])).map((f) => f.payload.toString()),
      ['first', 'second!'],
    );
    assert.throws(
      () => new FrameReader(10).push(frameHeader(11)),
      (e) => isSyncError(e, 'PROTOCOL'),
    );
  });

  test('NEGOTIATE request: dialects and 3.1.1 contexts at 8-byte aligned offsets', () => {
    const { body } = negotiateRequest({
      dialects: [0x0202, 0x0210, 0x0300, 0x0302, 0x0311],
      securityMode: 1,
      capabilities: 0x44,
      clientGuid: Buffer.alloc(16, 7),
      salt: Buffer.alloc(32, 1),
      ciphers: [2, 1],
      signingAlgorithms: [2, 1],
    });
    assert.equal(body.readUInt16LE(0), 36);
    assert.equal(body.readUInt16LE(2), 5);
    const ctxOff = body.readUInt32LE(28);
    assert.equal(ctxOff % 8, 0);
    assert.equal(body.readUInt16LE(32), 3);
    const first = ctxOff - HEADER_SIZE;
    assert.equal(body.readUInt16LE(first), 1); // preauth integrity
    assert.equal(body.readUInt16LE(first + 8 + 4), 1); // SHA-512
  });

  test('CREATE request: name offset and UTF-16 name; share root still has a buffer byte', () => {
    const { body } = createRequest({ name: 'a\\ñ.txt', access: 1, shareAccess: 7, disposition: 2, options: 0x40 });
    assert.equal(body.readUInt16LE(44), HEADER_SIZE + 56);
    assert.equal(body.subarray(56, 56 + body.readUInt16LE(46)).toString('utf16le'), 'a\\ñ.txt');
    assert.ok(createRequest({ name: '', access: 1, shareAccess: 7, disposition: 1, options: 1 }).body.length > 56);
  });

  test('rename info: replace flag and share-relative name', () => {
    const b = renameInfo('dir\\new.db', true);
    assert.equal(b[0], 1);
    assert.equal(b.readUInt32LE(16), 20);
    assert.equal(b.subarray(20, 40).toString('utf16le'), 'dir\\new.db');
  });

  test('answers with lying lengths or offsets are refused', () => {
    const read = Buffer.alloc(16);
    read.writeUInt16LE(17, 0);
    read.writeUInt8(80, 2);
    read.writeUInt32LE(1 << 20, 4); // claims 1 MiB of data
    assert.throws(
      () => parseReadResponse(answer(Command.READ, 1n, 0, read)),
      (e) => isSyncError(e, 'PROTOCOL'),
    );
    assert.throws(
      () => parseCreateResponse(answer(Command.CREATE, 1n, 0, Buffer.from([89, 0]))),
      (e) => isSyncError(e, 'PROTOCOL'),
    );
    assert.throws(
      () => parseNegotiateResponse(answer(Command.NEGOTIATE, 1n, 0, Buffer.from([65, 0, 0]))),
      (e) => isSyncError(e, 'PROTOCOL'),
    );
    // A directory listing whose NextEntryOffset points backwards would loop forever if trusted.
    const entry = Buffer.alloc(72);
    entry.writeUInt32LE(8, 0);
    entry.writeUInt32LE(2, 60);
    const dirBody = Buffer.alloc(8);
    dirBody.writeUInt16LE(9, 0);
    dirBody.writeUInt16LE(HEADER_SIZE + 8, 2);
    dirBody.writeUInt32LE(entry.length, 4);
    assert.throws(
      () => parseQueryDirectoryResponse(answer(Command.QUERY_DIRECTORY, 1n, 0, Buffer.concat([dirBody, entry]))),
      (e) => isSyncError(e, 'PROTOCOL'),
    );
    assert.throws(
      () => parseHeader(Buffer.alloc(63)),
      (e) => isSyncError(e, 'PROTOCOL'),
    );
  });

  test('NTSTATUS map: clear codes with Spanish text and hints', () => {
    const cases: Array<[number, ErrorCode]> = [
      [Status.LOGON_FAILURE, 'AUTH_FAILED'],
      [Status.ACCOUNT_LOCKED_OUT, 'ACCOUNT_LOCKED'],
      [Status.BAD_NETWORK_NAME, 'NOT_FOUND'],
      [Status.ACCESS_DENIED, 'PERMISSION_DENIED'],
      [Status.OBJECT_NAME_NOT_FOUND, 'NOT_FOUND'],
      [Status.OBJECT_PATH_NOT_FOUND, 'NOT_FOUND'],
      [Status.OBJECT_NAME_COLLISION, 'ALREADY_EXISTS'],
      [Status.SHARING_VIOLATION, 'LOCKED'],
      [Status.DISK_FULL, 'STORAGE_FULL'],
      [Status.PASSWORD_EXPIRED, 'AUTH_FAILED'],
    ];
    for (const [status, code] of cases) {
      const e = statusError(status, 'CREATE', 'x');
      assert.equal(e.code, code);
      assert.ok(e.text.es && e.text.en && e.text.es !== e.text.en);
    }
    assert.ok(statusError(Status.ACCOUNT_LOCKED_OUT, 'SESSION_SETUP').hint?.es.includes('desbloquee'));
    const unknown = statusError(0xc0001234, 'READ');
    assert.equal(unknown.code, 'PROTOCOL');
    assert.match(unknown.text.es, /0xc0001234/);
  });

  test('paths: slashes normalised, ".." refused', () => {
    assert.equal(toSmbPath('/a//b/c/'), 'a\\b\\c');
    assert.equal(toSmbPath(''), '');
    assert.throws(
      () => toSmbPath('a/../b'),
      (e) => isSyncError(e, 'CONFIG_INVALID'),
    );
  });
});
