/**
 * More WebDAV servers for the interop tests, each private to the test on 127.0.0.1 with Basic auth (chezdav: Digest,
 * the only auth it has): lighttpd mod_webdav with locks (webdav.sqlite-db-name set, as in Debian's 10-webdav.conf)
 * and without, nginx with libnginx-mod-http-dav-ext (dav_ext_lock), PyWebDAV (davserver3) with and without its lock
 * emulation, and chezdav (GNOME phodav). Passwords go in files, never in process arguments.
 */
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, chownSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { commandExists, freePort, isRoot, killGroup, sh, startDaemon, tmpDir, waitForPort } from './system.js';

export type DavKind = 'lighttpd-locks' | 'lighttpd' | 'nginx' | 'pywebdav' | 'pywebdav-nolock' | 'chezdav';

export interface DavServer {
  kind: DavKind;
  port: number;
  /** The WebDAV root URL (ends in '/'). */
  url: string;
  /** The folder served at `url`. */
  dataDir: string;
  user: string;
  password: string;
  auth: 'basic' | 'digest';
  /** Everything the server printed (for failure messages). */
  output(): string;
  stop(): Promise<void>;
}

/** The program each kind needs (null: present), for unavailable(). */
export function missingFor(kind: DavKind): string | null {
  const need: Record<DavKind, [string, string]> = {
    'lighttpd-locks': ['lighttpd', 'lighttpd + lighttpd-mod-webdav'],
    lighttpd: ['lighttpd', 'lighttpd + lighttpd-mod-webdav'],
    nginx: ['nginx', 'nginx-light + libnginx-mod-http-dav-ext'],
    pywebdav: ['davserver3', 'python3-webdav'],
    'pywebdav-nolock': ['davserver3', 'python3-webdav'],
    chezdav: ['chezdav', 'chezdav'],
  };
  const [cmd, pkg] = need[kind];
  if (!commandExists(cmd)) return `${cmd} is not installed (Debian: ${pkg})`;
  if (kind.startsWith('lighttpd') && !existsSync('/usr/lib/lighttpd/mod_webdav.so'))
    return 'lighttpd mod_webdav is not installed (Debian: lighttpd-mod-webdav)';
  if (kind === 'nginx' && !existsSync('/usr/lib/nginx/modules/ngx_http_dav_ext_module.so'))
    return 'nginx dav-ext is not installed (Debian: libnginx-mod-http-dav-ext)';
  return null;
}

const WWW_DATA = 33;

export async function startDavServer(kind: DavKind): Promise<DavServer> {
  const dir = tmpDir(`cx-${kind}-`);
  chmodSync(dir, 0o755);
  const d = (p: string) => path.join(dir, p);
  const dataDir = d('data');
  mkdirSync(dataDir);
  const port = await freePort();
  const user = 'ana';
  const password = `pw-${randomBytes(9).toString('base64url')}`;
  let cmd: string;
  let args: string[];
  let auth: 'basic' | 'digest' = 'basic';
  let owner: number | undefined;

  if (kind === 'lighttpd' || kind === 'lighttpd-locks') {
    mkdirSync(d('upload'));
    writeFileSync(d('users'), `${user}:${password}\n`, { mode: 0o600 });
    writeFileSync(
      d('lighttpd.conf'),
      `server.document-root = "${dataDir}"
server.bind = "127.0.0.1"
server.port = ${port}
server.errorlog = "${d('error.log')}"
server.upload-dirs = ( "${d('upload')}" )
server.modules = ( "mod_auth", "mod_authn_file", "mod_webdav" )
auth.backend = "plain"
auth.backend.plain.userfile = "${d('users')}"
auth.require = ( "/" => ( "method" => "basic", "realm" => "cordiax", "require" => "valid-user" ) )
webdav.activate = "enable"
webdav.is-readonly = "disable"
${kind === 'lighttpd-locks' ? `webdav.sqlite-db-name = "${d('webdav.db')}"` : ''}
`,
    );
    cmd = 'lighttpd';
    args = ['-D', '-f', d('lighttpd.conf')];
  } else if (kind === 'nginx') {
    for (const sub of ['body', 'run']) mkdirSync(d(sub));
    const r = sh('htpasswd', ['-c', '-i', d('htpasswd'), user], { input: password });
    if (r.status !== 0) throw new Error(`htpasswd failed: ${r.stderr}`);
    writeFileSync(
      d('nginx.conf'),
      `daemon off;
master_process off;
${isRoot ? 'user www-data www-data;' : ''}
pid ${d('run/nginx.pid')};
error_log ${d('error.log')} warn;
load_module /usr/lib/nginx/modules/ngx_http_dav_ext_module.so;
events { worker_connections 256; }
http {
  access_log off;
  client_body_temp_path ${d('body')};
  proxy_temp_path ${d('run')}; fastcgi_temp_path ${d('run')}; uwsgi_temp_path ${d('run')}; scgi_temp_path ${d('run')};
  dav_ext_lock_zone zone=cordiax:1m;
  server {
    listen 127.0.0.1:${port};
    root ${dataDir};
    client_max_body_size 0;
    location / {
      dav_methods PUT DELETE MKCOL COPY MOVE;
      dav_ext_methods PROPFIND OPTIONS LOCK UNLOCK;
      dav_ext_lock zone=cordiax;
      dav_access user:rw group:rw;
      create_full_put_path on;
      auth_basic "cordiax";
      auth_basic_user_file ${d('htpasswd')};
    }
  }
}
`,
    );
    if (isRoot) {
      owner = WWW_DATA;
      chownSync(d('body'), WWW_DATA, WWW_DATA);
      chownSync(d('htpasswd'), 0, WWW_DATA);
      chmodSync(d('htpasswd'), 0o640);
    }
    cmd = 'nginx';
    args = ['-c', d('nginx.conf'), '-e', d('error.log')];
  } else if (kind === 'pywebdav' || kind === 'pywebdav-nolock') {
    // davserver3 reads user and password from its config file (-c); lockemulation 0 is its "-J" (no LOCK at all);
    // chunked_http_response 0 is its "-T" (without it, GET answers carry Content-Length AND chunked encoding).
    writeFileSync(
      d('davserver.ini'),
      `[DAV]
verbose = 0
directory = ${dataDir}
port = ${port}
host = 127.0.0.1
noauth = 0
mysql_auth = 0
user = ${user}
password = ${password}
daemonize = 0
daemonaction = start
counter = 0
mimecheck = 0
lockemulation = ${kind === 'pywebdav' ? 1 : 0}
chunked_http_response = 0
baseurl =
`,
      { mode: 0o600 },
    );
    cmd = 'davserver3';
    args = ['-c', d('davserver.ini')];
  } else {
    // chezdav: Digest only, from an htdigest file (realm given on the command line).
    auth = 'digest';
    const realm = 'cordiax';
    const ha1 = createHash('md5').update(`${user}:${realm}:${password}`).digest('hex');
    writeFileSync(d('htdigest'), `${user}:${realm}:${ha1}\n`, { mode: 0o600 });
    cmd = 'chezdav';
    args = ['--local', '--no-mdns', '-p', String(port), '-P', dataDir, '-d', d('htdigest'), '--realm', realm];
  }
  if (owner !== undefined) chownSync(dataDir, owner, owner);

  let child: ChildProcess | undefined;
  let out = '';
  const c = startDaemon(cmd, args, { cwd: dir });
  child = c;
  c.stdout?.on('data', (b: Buffer) => (out += b.toString()));
  c.stderr?.on('data', (b: Buffer) => (out += b.toString()));
  const exited = new Promise<never>((_, reject) =>
    c.once('exit', (code) => reject(new Error(`${cmd} exited (${code})`))),
  );
  const errorLog = () => (existsSync(d('error.log')) ? readFileSync(d('error.log'), 'utf8') : '');
  try {
    await Promise.race([waitForPort(port), exited]);
  } catch (err) {
    throw new Error(`${kind} did not start: ${(err as Error).message}\n${out}\n${errorLog()}`);
  }
  exited.catch(() => undefined);

  return {
    kind,
    port,
    url: `http://127.0.0.1:${port}/`,
    dataDir,
    user,
    password,
    auth,
    output: () => `${out}\n${errorLog()}`,
    async stop() {
      if (!child) return;
      const ch = child;
      const gone = new Promise((r) => (ch.exitCode !== null || ch.signalCode !== null ? r(null) : ch.once('exit', r)));
      killGroup(ch, 'SIGKILL');
      await gone;
      child = undefined;
    },
  };
}
