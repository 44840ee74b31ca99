/**
 * A private Apache 2.4 mod_dav server for tests, on 127.0.0.1 only, with:
 *   /dav/       Basic auth              -> data/
 *   /digest/    Digest auth             -> data/ (same files)
 *   /digest-short/  Digest, nonces valid for 1 s (to exercise stale-nonce retries) -> data/
 *   /ro/        Basic auth, read-only   -> ro/ (writes get 403)
 *   /remote.php/dav/files/<uid>/, /remote.php/webdav/ -> nc/files/<uid>/ (a Nextcloud-like layout; the login name
 *               differs from the uid, and PROPFIND on /remote.php/dav answers current-user-principal through a CGI)
 *   a TLS listener (same paths) with a certificate from a private CA made here with openssl,
 *   an access log with method, status, bytes in/out and the request line.
 * Passwords go to htpasswd through stdin and to htdigest as a computed line: never in process arguments.
 */
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, chownSync, createWriteStream, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import assert from 'node:assert/strict';
import { spawnSync, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { buildSync } from 'esbuild';
import { configSchema } from '../../src/config/schema.js';
import type { EventInput, Logger } from '../../src/log/events.js';
import type { FileTransport } from '../../src/transports/types.js';
import { create } from '../../src/transports/webdav/index.js';
import { registerConfigSecrets } from '../../src/transports/registry.js';
import { freePort, isRoot, killGroup, sh, startDaemon, tmpDir, waitForPort } from './system.js';

const MODULES = '/usr/lib/apache2/modules';
const MODS = [
  ['mpm_event_module', 'mod_mpm_event.so'],
  ['authn_core_module', 'mod_authn_core.so'],
  ['authn_file_module', 'mod_authn_file.so'],
  ['authz_core_module', 'mod_authz_core.so'],
  ['authz_user_module', 'mod_authz_user.so'],
  ['auth_basic_module', 'mod_auth_basic.so'],
  ['auth_digest_module', 'mod_auth_digest.so'],
  ['dav_module', 'mod_dav.so'],
  ['dav_fs_module', 'mod_dav_fs.so'],
  ['setenvif_module', 'mod_setenvif.so'],
  ['mime_module', 'mod_mime.so'],
  ['dir_module', 'mod_dir.so'],
  ['alias_module', 'mod_alias.so'],
  ['rewrite_module', 'mod_rewrite.so'],
  ['cgid_module', 'mod_cgid.so'],
  ['ssl_module', 'mod_ssl.so'],
];

export interface AccessLine {
  method: string;
  path: string;
  status: number;
  bytesIn: number;
  bytesOut: number;
  user: string;
  /** Request headers: Content-Length ('-' if absent) and Transfer-Encoding ('-' if absent). */
  contentLength: string;
  transferEncoding: string;
}

export interface ApacheServer {
  port: number;
  tlsPort: number;
  /** http://127.0.0.1:port */
  origin: string;
  /** https://127.0.0.1:tlsPort */
  tlsOrigin: string;
  dir: string;
  /** Folder served at /dav/ and /digest/. */
  dataDir: string;
  /** Folder served at /remote.php/dav/files/<ncUid>/ and /remote.php/webdav/. */
  ncFilesDir: string;
  user: string;
  password: string;
  ncLogin: string;
  ncPassword: string;
  ncUid: string;
  caFile: string;
  accessLog: string;
  /** Lines of the access log (marker requests left out). Call mark() first: Apache logs after it answers. */
  accessLines(): AccessLine[];
  /** Sends a marker request and waits until it is logged, so that every earlier request is in the log too. */
  mark(): Promise<void>;
  /** SIGKILL the whole server at once (simulates a crash / power loss). */
  kill(): Promise<void>;
  /** Starts it again after kill(), same ports and files. */
  restart(): Promise<void>;
  /** Stops it for good (the test process can then exit). */
  stop(): Promise<void>;
}

const REALM = 'cordiax-digest';

export async function startApache(): Promise<ApacheServer> {
  const dir = tmpDir('cx-apache-');
  chmodSync(dir, 0o755); // the www-data workers must traverse it
  const port = await freePort();
  const tlsPort = await freePort();
  const user = 'ana';
  const password = `pw-${randomBytes(9).toString('base64url')}-ñ:x`;
  const ncLogin = 'ana.garcia@example.com';
  const ncPassword = `nc-${randomBytes(9).toString('base64url')}`;
  const ncUid = 'a7f3c9-ana';
  const d = (p: string) => path.join(dir, p);
  for (const sub of ['data', 'ro', `nc/files/${ncUid}`, 'lock', 'run', 'cgi', 'www', 'tls'])
    mkdirSync(d(sub), { recursive: true });
  writeFileSync(d('ro/leeme.txt'), 'solo lectura\n');

  // Credentials: htpasswd reads the password from stdin (-i); the digest line is computed here.
  for (const [i, [u, p]] of [
    [user, password],
    [ncLogin, ncPassword],
  ].entries()) {
    const r = sh('htpasswd', [...(i === 0 ? ['-c'] : []), '-i', d('htpasswd'), u!], { input: p });
    if (r.status !== 0) throw new Error(`htpasswd failed: ${r.stderr}`);
  }
  const ha1 = createHash('md5').update(`${user}:${REALM}:${password}`, 'utf8').digest('hex');
  writeFileSync(d('htdigest'), `${user}:${REALM}:${ha1}\n`);

  // A private CA and a server certificate for 127.0.0.1.
  const ssl = (args: string[]) => {
    const r = sh('openssl', args, { cwd: d('tls') });
    if (r.status !== 0) throw new Error(`openssl ${args[0]} failed: ${r.stderr}`);
  };
  ssl([
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-keyout',
    'ca.key',
    '-out',
    'ca.crt',
    '-days',
    '3',
    '-subj',
    '/CN=Cordiax Test CA',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  ssl([
    'req',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-keyout',
    'server.key',
    '-out',
    'server.csr',
    '-subj',
    '/CN=127.0.0.1',
  ]);
  writeFileSync(d('tls/ext.cnf'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
  ssl([
    'x509',
    '-req',
    '-in',
    'server.csr',
    '-CA',
    'ca.crt',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-out',
    'server.crt',
    '-days',
    '3',
    '-extfile',
    'ext.cnf',
  ]);

  // Nextcloud answers PROPFIND current-user-principal on its DAV root; a CGI does the same here (it must read the
  // request body first, or Apache resets the connection).
  writeFileSync(
    d('cgi/principal'),
    `#!/bin/sh
cat >/dev/null
printf 'Status: 207 Multi-Status\\r\\nContent-Type: application/xml; charset=utf-8\\r\\n\\r\\n'
printf '<?xml version="1.0"?>\\n<d:multistatus xmlns:d="DAV:" xmlns:s="http://sabredav.org/ns"><d:response><d:href>/remote.php/dav/</d:href><d:propstat><d:prop><d:current-user-principal><d:href>/remote.php/dav/principals/users/${ncUid}/</d:href></d:current-user-principal></d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response></d:multistatus>\\n'
`,
  );
  chmodSync(d('cgi/principal'), 0o755);

  const basic = (file: string) =>
    `AuthType Basic\n  AuthName "cordiax"\n  AuthBasicProvider file\n  AuthUserFile ${file}\n  Require valid-user`;
  const conf = `
ServerName 127.0.0.1
ServerRoot ${dir}
PidFile ${d('run/httpd.pid')}
DefaultRuntimeDir ${d('run')}
ErrorLog ${d('error.log')}
LogLevel warn
${MODS.map(([n, f]) => `LoadModule ${n} ${MODULES}/${f}`).join('\n')}
${isRoot ? 'User www-data\nGroup www-data' : ''}
Listen 127.0.0.1:${port}
Listen 127.0.0.1:${tlsPort}
TypesConfig /etc/mime.types
LogFormat "%>s %I %O %{Content-Length}i %{Transfer-Encoding}i \\"%u\\" \\"%r\\"" cx
CustomLog ${d('access.log')} cx
ScriptSock ${d('run/cgisock')}
DocumentRoot ${d('www')}
DavLockDB ${d('lock/DavLock')}
LimitRequestBody 0
DirectorySlash Off
Timeout 60
KeepAlive On
MaxKeepAliveRequests 0
<Directory />
  AllowOverride None
  Require all denied
</Directory>
<Directory ${d('www')}>
  Require all granted
</Directory>
<Directory ${d('data')}>
  Dav On
  Require all granted
</Directory>
<Directory ${d('ro')}>
  Dav On
  Require all granted
</Directory>
<Directory ${d('nc')}>
  Dav On
  Require all granted
</Directory>
<Directory ${d('cgi')}>
  Options +ExecCGI
  Require all granted
</Directory>
Alias /dav ${d('data')}
Alias /digest ${d('data')}
Alias /ro ${d('ro')}
Alias /remote.php/webdav ${d(`nc/files/${ncUid}`)}
Alias /remote.php/dav ${d('nc')}
ScriptAlias /cgi/ ${d('cgi')}/
RewriteEngine On
RewriteOptions InheritDown
RewriteCond %{REQUEST_METHOD} =PROPFIND
RewriteRule ^/remote\\.php/dav/?$ /cgi/principal [PT]
<Location /dav>
  ${basic(d('htpasswd'))}
</Location>
<Location /ro>
  AuthType Basic
  AuthName "cordiax"
  AuthBasicProvider file
  AuthUserFile ${d('htpasswd')}
  <RequireAll>
    Require valid-user
    Require method GET HEAD OPTIONS PROPFIND
  </RequireAll>
</Location>
<Location /remote.php>
  ${basic(d('htpasswd'))}
</Location>
<Location /cgi>
  ${basic(d('htpasswd'))}
</Location>
<Location /digest>
  AuthType Digest
  AuthName "${REALM}"
  AuthDigestProvider file
  AuthUserFile ${d('htdigest')}
  AuthDigestDomain /digest/
  Require valid-user
</Location>
Alias /digest-short ${d('data')}
<Location /digest-short>
  AuthType Digest
  AuthName "${REALM}"
  AuthDigestProvider file
  AuthUserFile ${d('htdigest')}
  AuthDigestDomain /digest-short/
  AuthDigestNonceLifetime 1
  Require valid-user
</Location>
<VirtualHost 127.0.0.1:${tlsPort}>
  SSLEngine on
  SSLCertificateFile ${d('tls/server.crt')}
  SSLCertificateKeyFile ${d('tls/server.key')}
</VirtualHost>
`;
  writeFileSync(d('httpd.conf'), conf);
  if (isRoot) {
    for (const sub of ['data', 'ro', 'nc', `nc/files`, `nc/files/${ncUid}`, 'lock', 'ro/leeme.txt'])
      chownSync(d(sub), 33, 33);
    chownSync(d('htpasswd'), 0, 33);
    chownSync(d('htdigest'), 0, 33);
    chmodSync(d('htpasswd'), 0o640);
    chmodSync(d('htdigest'), 0o640);
  }
  chmodSync(d('ro'), 0o555);

  let child: ChildProcess | undefined;
  const start = async () => {
    const c = startDaemon('apache2', ['-f', d('httpd.conf'), '-DFOREGROUND']);
    child = c;
    let stderr = '';
    c.stderr?.on('data', (b: Buffer) => (stderr += b.toString()));
    const exited = new Promise<never>((_, reject) =>
      c.once('exit', (code) => reject(new Error(`apache exited (${code})`))),
    );
    try {
      await Promise.race([Promise.all([waitForPort(port), waitForPort(tlsPort)]), exited]);
    } catch (err) {
      const log = existsSync(d('error.log')) ? readFileSync(d('error.log'), 'utf8') : '';
      throw new Error(`apache did not start: ${(err as Error).message}\n${stderr}\n${log}`);
    }
    exited.catch(() => undefined);
  };
  await start();

  async function kill(): Promise<void> {
    if (!child) return;
    const c = child;
    const gone = new Promise((r) => (c.exitCode !== null || c.signalCode !== null ? r(null) : c.once('exit', r)));
    killGroup(c, 'SIGKILL');
    await gone;
    child = undefined;
  }

  return {
    port,
    tlsPort,
    origin: `http://127.0.0.1:${port}`,
    tlsOrigin: `https://127.0.0.1:${tlsPort}`,
    dir,
    dataDir: d('data'),
    ncFilesDir: d(`nc/files/${ncUid}`),
    user,
    password,
    ncLogin,
    ncPassword,
    ncUid,
    caFile: d('tls/ca.crt'),
    accessLog: d('access.log'),
    async mark() {
      const id = `/__mark-${randomBytes(6).toString('hex')}`;
      await fetch(`http://127.0.0.1:${port}${id}`)
        .then((r) => r.arrayBuffer())
        .catch(() => undefined);
      for (let i = 0; i < 100; i++) {
        if (existsSync(d('access.log')) && readFileSync(d('access.log'), 'utf8').includes(id)) return;
        await new Promise((r) => setTimeout(r, 20));
      }
      throw new Error('marker request never reached the access log');
    },
    accessLines() {
      if (!existsSync(d('access.log'))) return [];
      const out: AccessLine[] = [];
      for (const line of readFileSync(d('access.log'), 'utf8').split('\n')) {
        const m = /^(\d+) (\d+|-) (\d+|-) (\S+) (\S+) "([^"]*)" "(\S+) (\S+)[^"]*"$/.exec(line);
        if (m && !m[8]!.startsWith('/__mark-')) {
          out.push({
            status: Number(m[1]),
            bytesIn: Number(m[2]) || 0,
            bytesOut: Number(m[3]) || 0,
            contentLength: m[4]!,
            transferEncoding: m[5]!,
            user: m[6]!,
            method: m[7]!,
            path: m[8]!,
          });
        }
      }
      return out;
    },
    kill,
    async restart() {
      await start();
    },
    stop: kill,
  };
}

// ------------------------------------------------------------------ shared by the WebDAV tests and the bench

/** A Logger that keeps every event (to assert on warnings and on the absence of secrets). */
export function memoryLogger(): Logger & { events: EventInput[] } {
  const events: EventInput[] = [];
  return { events, emit: (e) => events.push(e) };
}

/** A WebDAV transport built from a config block exactly as the program would (schema defaults applied). */
export function davTransport(
  webdav: Record<string, unknown>,
  log: Logger = memoryLogger(),
  device = 'pc1',
): FileTransport {
  const cfg = configSchema.parse({ protocol: 'webdav', webdav });
  registerConfigSecrets(cfg);
  return create(cfg.webdav, { log, tmpDir: tmpDir('cx-dav-ctx-'), device });
}

/** A file of `bytes` random bytes (written in 1 MiB pieces, so memory stays flat). */
export async function randomFile(file: string, bytes: number): Promise<string> {
  const out = createWriteStream(file, { mode: 0o600 });
  for (let left = bytes; left > 0; left -= 1 << 20) {
    if (!out.write(randomBytes(Math.min(left, 1 << 20)))) await new Promise<void>((r) => out.once('drain', () => r()));
  }
  await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
  return file;
}

/** curl with the credentials in a config read from stdin (-K -), never in its arguments. */
export function curl(
  args: string[],
  user: string,
  password: string,
): { status: number; stdout: string; stderr: string } {
  const q = (s: string) => s.replace(/\\/g, '\\\\').replace(/"/g, '\\"');
  return sh('curl', ['-sS', '-K', '-', ...args], { input: `user = "${q(user)}:${q(password)}"\n` });
}

/** PUT `data` to `url` with curl (a concurrent writer that goes through the server, as another device would). */
export function curlPut(url: string, user: string, password: string, data: Buffer | string): number {
  const f = path.join(tmpDir('cx-curl-'), 'body');
  writeFileSync(f, data);
  const r = curl(['-T', f, '-o', '/dev/null', '-w', '%{http_code}', url], user, password);
  return Number(r.stdout);
}

/**
 * Bundles a tiny program that runs one transfer with the WebDAV transport (plain node, no tsx loader: the memory
 * figure is the one users get) and prints `{ result, ms, rssMb }`. Job in CX_DAV_JOB (JSON), password in
 * CX_DAV_PASSWORD (never argv). Used by the bounded-memory test and by the bench.
 */
export function buildDavChild(outDir: string): string {
  const outfile = path.join(outDir, 'dav-child.mjs');
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
  const contents = `
import { WebdavTransport } from './src/transports/webdav/transport.ts';
const job = JSON.parse(process.env.CX_DAV_JOB);
const t = new WebdavTransport(
  { url: job.url, username: job.user, password: process.env.CX_DAV_PASSWORD, remote_path: job.remote_path, auth: 'basic' },
  { log: { emit() {} }, tmpDir: job.tmpDir, device: 'bench' },
);
await t.open();
const t0 = performance.now();
const result = job.op === 'upload'
  ? await t.upload(job.file, job.rel, { size: job.size, sha256: job.sha256 }, { replace: true })
  : await t.download(job.rel, job.file);
const ms = performance.now() - t0;
await t.close();
process.stdout.write(JSON.stringify({ result, ms, rssMb: Math.round(process.resourceUsage().maxRSS / 1024) }) + '\\n');
`;
  buildSync({
    stdin: { contents, resolveDir: root, loader: 'ts', sourcefile: 'dav-child.ts' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile,
    logLevel: 'error',
  });
  return outfile;
}

export interface DavChildJob {
  url: string;
  user: string;
  remote_path: string;
  op: 'upload' | 'download';
  file: string;
  rel: string;
  size?: number;
  sha256?: string;
  tmpDir: string;
}

/** Runs one job of the bundled child; returns what it printed plus its wall time. */
export function runDavChild(
  child: string,
  job: DavChildJob,
  password: string,
): { result: { size: number; sha256: string }; ms: number; rssMb: number; wallMs: number } {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [child], {
    encoding: 'utf8',
    env: { ...process.env, CX_DAV_JOB: JSON.stringify(job), CX_DAV_PASSWORD: password },
    timeout: 300_000,
  });
  const wallMs = performance.now() - t0;
  if (r.status !== 0) throw new Error(`dav child failed (${r.status}): ${r.stderr}`);
  return { ...JSON.parse(r.stdout.trim().split('\n').pop()!), wallMs };
}

/**
 * Races `racers` (one transport per device, same remote folder at `dir` on disk) on createExclusive, writeSmall with
 * ifVersion null and writeSmall with the same ifVersion: asserts exactly one winner each time and that the winner's
 * bytes are what the server keeps. Losers may only fail with PRECONDITION_FAILED or LOCKED.
 */
export async function raceConditionalWrites(racers: FileTransport[], dir: string, rounds: number): Promise<void> {
  await Promise.all(racers.map((t) => t.guarantees()));
  const settle = (p: Promise<unknown>) =>
    p.then(
      (r) => (r === false ? 'no' : 'ok'),
      (e: { code?: string }) => e.code ?? String(e),
    );
  const check = (what: string, file: string, rs: string[]) => {
    const wins = rs.flatMap((r, i) => (r === 'ok' ? [i] : []));
    assert.equal(wins.length, 1, `${what}: ${rs.join(',')}`);
    assert.ok(
      rs.every((r) => ['ok', 'no', 'PRECONDITION_FAILED', 'LOCKED'].includes(r)),
      `${what}: ${rs.join(',')}`,
    );
    assert.equal(readFileSync(path.join(dir, file), 'utf8'), `equipo${wins[0]}`);
  };
  for (let round = 0; round < rounds; round++) {
    check(
      'createExclusive',
      `lock-${round}.json`,
      await Promise.all(
        racers.map((t, i) => settle(t.createExclusive(`lock-${round}.json`, Buffer.from(`equipo${i}`)))),
      ),
    );
    check(
      'ifVersion null',
      `m-${round}.json`,
      await Promise.all(
        racers.map((t, i) => settle(t.writeSmall(`m-${round}.json`, Buffer.from(`equipo${i}`), { ifVersion: null }))),
      ),
    );
  }
  const base = await racers[0]!.writeSmall('cas.json', Buffer.from('base'));
  check(
    'ifVersion',
    'cas.json',
    await Promise.all(
      racers.map((t, i) => settle(t.writeSmall('cas.json', Buffer.from(`equipo${i}`), { ifVersion: base.version! }))),
    ),
  );
}
