/**
 * A server that closes a kept-alive connection without saying so (chezdav after DELETE and UNLOCK): the next request
 * on that socket fails before any answer byte. Idempotent requests are sent once more on a fresh connection;
 * anything else (LOCK, a PUT of a real name) is never sent twice, and once the client has seen the server do this,
 * such requests get a connection of their own. The server here is a raw TCP one that answers the first request of
 * each connection and silently drops the connection when a second one arrives: deterministic, no timing.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { HttpClient } from '../src/transports/webdav/http.js';
import { discard } from '../src/transports/webdav/http.js';
import { isSyncError } from '../src/errors.js';
import { memoryLogger } from './helpers/apache.js';

interface Seen {
  method: string;
  connection: number;
  answered: boolean;
}

let server: net.Server;
let port = 0;
const seen: Seen[] = [];

before(async () => {
  let connections = 0;
  server = net.createServer((sock) => {
    const id = ++connections;
    let requests = 0;
    let buf = '';
    sock.on('error', () => {});
    sock.on('data', (d) => {
      buf += d.toString('latin1');
      for (;;) {
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        const head = buf.slice(0, end);
        const len = Number(/content-length: *(\d+)/i.exec(head)?.[1] ?? 0);
        if (buf.length < end + 4 + len) return;
        buf = buf.slice(end + 4 + len);
        const method = head.split(' ')[0]!;
        requests++;
        const answered = requests === 1;
        seen.push({ method, connection: id, answered });
        if (!answered) {
          sock.destroy(); // a second request on this connection: dropped without a byte of answer
          return;
        }
        sock.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: keep-alive\r\n\r\nok');
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as net.AddressInfo).port;
});

after(() => new Promise<void>((r) => server.close(() => r())));

const client = () => {
  const log = memoryLogger();
  const http = new HttpClient({
    origin: new URL(`http://127.0.0.1:${port}`),
    username: 'ana',
    password: 'x',
    auth: 'basic',
    timeoutMs: 10_000,
    log,
  });
  const send = async (method: string, extra: { idempotent?: boolean; headers?: Record<string, string> } = {}) => {
    const res = await http.request({
      method,
      path: '/f',
      ...extra,
      ...(method === 'PUT' ? { body: Buffer.from('x') } : {}),
    });
    discard(res);
    await new Promise((r) => res.body.once('end', r));
    return res.status;
  };
  return { http, log, send };
};

test('idempotent requests on a silently closed kept-alive socket are sent again on a fresh one, once', async () => {
  const { http, log, send } = client();
  seen.length = 0;
  const cases: Array<[string, { idempotent?: boolean; headers?: Record<string, string> }]> = [
    ['GET', {}],
    ['PROPFIND', {}],
    ['DELETE', {}],
    ['MKCOL', {}],
    ['MOVE', { headers: { Overwrite: 'F' } }],
    ['PUT', { idempotent: true }], // a PUT of a temporary name
  ];
  for (const [method, extra] of cases) {
    assert.equal(await send('OPTIONS'), 200); // answered: its kept-alive connection is the one reused next
    assert.equal(await send(method, extra), 200, method);
  }
  // Each retried request reached the server twice: dropped on the old connection, answered on a new one.
  for (const [method] of cases) {
    const tries = seen.filter((s) => s.method === method);
    assert.deepEqual(
      tries.map((s) => s.answered),
      [false, true],
      `${method}: ${JSON.stringify(tries)}`,
    );
  }
  assert.ok(log.events.some((e) => e.code === 'HTTP_STALE_CONNECTION_RETRY'));
  http.close();
});

test('a LOCK or a plain PUT is never sent twice; after that, they get a connection of their own', async () => {
  const { http, send } = client();
  seen.length = 0;
  assert.equal(await send('GET'), 200);
  await assert.rejects(send('LOCK'), (e: unknown) => isSyncError(e, 'CONNECTION_RESET'));
  assert.equal(seen.filter((s) => s.method === 'LOCK').length, 1, 'the LOCK went out once');
  // The client has seen the server drop a kept-alive connection: LOCK and PUT now go on fresh connections.
  assert.equal(await send('GET'), 200);
  assert.equal(await send('LOCK'), 200);
  assert.equal(await send('PUT'), 200);
  const last = seen.slice(-2);
  assert.deepEqual(
    last.map((s) => [s.method, s.answered]),
    [
      ['LOCK', true],
      ['PUT', true],
    ],
  );
  assert.notEqual(last[0]!.connection, last[1]!.connection, 'each on its own connection');
  http.close();
});
