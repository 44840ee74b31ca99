/**
 * A tiny in-memory WebDAV server (Basic auth) whose capability probe always fails: it answers OPTIONS, PROPFIND,
 * MKCOL, PUT, GET, MOVE and DELETE like a plain class-1 server, but drops the connection on the MKCOL of the probe's
 * scratch folder (`.cordiax-probe-*`), as a misbehaving server or proxy would. "Probar Conexión" then gets through
 * write, read and rename and fails in the probe: the path that used to leave a rejecting promise nobody listened to.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FailingDav {
  url: string;
  user: string;
  password: string;
  /** How many probe requests it dropped. */
  dropped(): number;
  close(): Promise<void>;
}

export async function startFailingDav(): Promise<FailingDav> {
  const user = 'ana';
  const password = 'pw-falla-sonda';
  const auth = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
  const files = new Map<string, Buffer>();
  const dirs = new Set<string>(['/']);
  let dropped = 0;
  const norm = (p: string) => decodeURIComponent(p.replace(/\/+$/, '')) || '/';
  const entry = (href: string, file: Buffer | undefined) =>
    `<d:response><d:href>${encodeURI(href)}</d:href><d:propstat><d:prop>${
      file
        ? `<d:resourcetype/><d:getcontentlength>${file.length}</d:getcontentlength><d:getetag>"${file.length}"</d:getetag>`
        : '<d:resourcetype><d:collection/></d:resourcetype>'
    }</d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response>`;

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.headers.authorization !== auth) {
        res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="cordiax"' }).end();
        return;
      }
      const url = new URL(req.url ?? '/', 'http://x');
      const p = norm(url.pathname);
      const send = (status: number, body = '', headers: Record<string, string> = {}) =>
        res.writeHead(status, { 'Content-Length': Buffer.byteLength(body), ...headers }).end(body);
      switch (req.method) {
        case 'OPTIONS':
          return send(200, '', { DAV: '1', Allow: 'OPTIONS, GET, PUT, DELETE, PROPFIND, MKCOL, MOVE' });
        case 'PROPFIND': {
          if (!dirs.has(p) && !files.has(p)) return send(404);
          let xml = entry(url.pathname, files.get(p));
          if (dirs.has(p) && req.headers.depth === '1') {
            for (const [name, data] of files)
              if (name.startsWith(`${p === '/' ? '' : p}/`) && !name.slice(p.length + 1).includes('/'))
                xml += entry(name, data);
          }
          return send(207, `<?xml version="1.0"?><d:multistatus xmlns:d="DAV:">${xml}</d:multistatus>`, {
            'Content-Type': 'application/xml',
          });
        }
        case 'MKCOL':
          if (p.includes('/.cordiax-probe-')) {
            dropped++;
            req.socket.destroy();
            return;
          }
          if (dirs.has(p) || files.has(p)) return send(405);
          dirs.add(p);
          return send(201);
        case 'PUT':
          files.set(p, Buffer.concat(chunks));
          return send(201);
        case 'GET': {
          const f = files.get(p);
          if (!f) return send(404);
          res.writeHead(200, { 'Content-Length': f.length, ETag: `"${f.length}"` }).end(f);
          return;
        }
        case 'MOVE': {
          const f = files.get(p);
          if (!f) return send(404);
          const to = norm(new URL(String(req.headers.destination)).pathname);
          if (files.has(to) && req.headers.overwrite === 'F') return send(412);
          files.delete(p);
          files.set(to, f);
          return send(201);
        }
        case 'DELETE':
          if (files.delete(p) || dirs.delete(p)) return send(204);
          return send(404);
        default:
          return send(405);
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    user,
    password,
    dropped: () => dropped,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
