/**
 * Real Samba servers for the SMB tests, each under its own temp folder on 127.0.0.1, killed at exit:
 * a standalone smbd (variants: defaults, signing mandatory, SMB3 + encryption required, port 139 only) and a Samba
 * AD DC (domain CORDIAX, realm CORDIAX.TEST). Passwords go through stdin or 0600 files, never argv.
 */
import { spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { killGroup, sh, startDaemon, tmpDir } from './system.js';
import type { SmbConfig } from '../../src/config/schema.js';
import type { EventInput, Logger } from '../../src/log/events.js';

/** 'guest': unknown users become guests (`map to guest = bad user`, Debian's stock setting). */
export type SambaVariant = 'default' | 'signing' | 'encrypt' | 'port139' | 'guest';

export interface SambaServer {
  host: string;
  /** The port our client should use (445, or 139 for the port139 variant). */
  port: number;
  share: string;
  user: string;
  password: string;
  /** Domain for logins ('' standalone, 'CORDIAX' on the DC). */
  domain: string;
  /** The folder behind the share. */
  shareDir: string;
  conf: string;
  /** smbclient credentials file (0600). */
  authFile: string;
  child: ChildProcess;
  /** Runs smbclient against the share with `-A authFile`; commands go through -c. */
  smbclient(commands: string, extra?: string[]): { status: number; stdout: string; stderr: string };
  stop(): Promise<void>;
}

export const SMB_USER = 'cxsmb';

function ensureUnixUser(user: string): void {
  if (spawnSync('id', [user]).status === 0) return;
  const r = sh('useradd', ['-M', '-s', '/usr/sbin/nologin', user]);
  if (r.status !== 0) throw new Error(`useradd ${user} failed: ${r.stderr}`);
}
function uidGid(user: string): { uid: number; gid: number } {
  return { uid: Number(sh('id', ['-u', user]).stdout.trim()), gid: Number(sh('id', ['-g', user]).stdout.trim()) };
}

async function portInUse(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

async function assertPortsFree(ports: number[]): Promise<void> {
  for (const p of ports) {
    // A server stopped a moment ago may still be letting go of its sockets: give it a few seconds.
    for (let i = 0; i < 30 && (await portInUse(p)); i++) await new Promise((r) => setTimeout(r, 100));
    if (await portInUse(p))
      throw new Error(
        `port ${p} on 127.0.0.1 is already in use (a system smbd/samba?). Stop it before running the SMB tests (e.g. systemctl stop smbd samba-ad-dc).`,
      );
  }
}

async function waitFor(what: string, fn: () => boolean, child: ChildProcess, timeoutMs = 60000): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${what}: server exited with code ${child.exitCode}`);
    if (fn()) return;
    if (Date.now() > end) throw new Error(`${what}: not ready after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

function writeAuthFile(dir: string, user: string, password: string, domain: string): string {
  const f = path.join(dir, 'smbclient.auth');
  writeFileSync(f, `username = ${user}\npassword = ${password}\ndomain = ${domain || 'WORKGROUP'}\n`, { mode: 0o600 });
  return f;
}

function makeServer(p: Omit<SambaServer, 'smbclient' | 'stop'> & { ports: number[] }): SambaServer {
  return {
    ...p,
    smbclient(commands: string, extra: string[] = []) {
      return sh('smbclient', [
        `//127.0.0.1/${p.share}`,
        '-A',
        p.authFile,
        '-s',
        p.conf,
        '-p',
        String(p.port),
        ...extra,
        '-c',
        commands,
      ]);
    },
    async stop() {
      killGroup(p.child);
      const exited =
        p.child.exitCode !== null ? Promise.resolve() : new Promise<void>((r) => p.child.once('exit', () => r()));
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      // The kernel may keep the ports for a moment after the group dies.
      for (const port of p.ports)
        for (let i = 0; i < 50 && (await portInUse(port)); i++) await new Promise((r) => setTimeout(r, 100));
    },
  };
}

/** A standalone smbd on 127.0.0.1 (445 and 139; only 139 for 'port139'). */
export async function startSamba(variant: SambaVariant = 'default'): Promise<SambaServer> {
  const ports = variant === 'port139' ? [139] : [445, 139];
  await assertPortsFree(ports);
  ensureUnixUser(SMB_USER);
  const dir = tmpDir('cx-samba-');
  chmodSync(dir, 0o755); // smbd's forced user must reach the share folder
  const shareDir = path.join(dir, 'share');
  mkdirSync(shareDir);
  const { uid, gid } = uidGid(SMB_USER);
  chownSync(shareDir, uid, gid);
  const sub = (n: string, mode = 0o700) => {
    const d = path.join(dir, n);
    mkdirSync(d, { recursive: true, mode });
    chmodSync(d, mode);
    return d;
  };
  const extra =
    variant === 'signing'
      ? ['server signing = mandatory']
      : variant === 'encrypt'
        ? ['server min protocol = SMB3', 'smb encrypt = required']
        : [];
  const guest = variant === 'guest';
  const conf = path.join(dir, 'smb.conf');
  writeFileSync(
    conf,
    [
      '[global]',
      '  server role = standalone server',
      '  workgroup = WORKGROUP',
      '  interfaces = 127.0.0.1',
      '  bind interfaces only = yes',
      `  smb ports = ${ports.join(' ')}`,
      `  pid directory = ${sub('pid')}`,
      // smbd works as the share's forced user at times: with a 0700 root-owned lock directory, share modes
      // between client connections silently stop working (a second open is not refused; closes then fail).
      `  lock directory = ${sub('lock', 0o755)}`,
      `  state directory = ${sub('state')}`,
      `  cache directory = ${sub('cache')}`,
      `  private dir = ${sub('private')}`,
      `  ncalrpc dir = ${sub('ncalrpc')}`,
      `  log file = ${sub('log')}/log.%m`,
      `  passdb backend = tdbsam:${path.join(dir, 'private', 'passdb.tdb')}`,
      '  load printers = no',
      '  printcap name = /dev/null',
      '  disable spoolss = yes',
      `  map to guest = ${guest ? 'bad user' : 'never'}`,
      ...extra.map((l) => `  ${l}`),
      '[share]',
      `  path = ${shareDir}`,
      '  read only = no',
      `  force user = ${SMB_USER}`,
      ...(guest ? ['  guest ok = yes'] : []),
      '',
    ].join('\n'),
  );
  const password = `Cx-${randomBytes(9).toString('base64url')}`;
  const r = sh('smbpasswd', ['-c', conf, '-a', '-s', SMB_USER], { input: `${password}\n${password}\n` });
  if (r.status !== 0) throw new Error(`smbpasswd failed: ${r.stderr}${r.stdout}`);
  const child = startDaemon('smbd', ['--foreground', '--no-process-group', '-s', conf]);
  const authFile = writeAuthFile(dir, SMB_USER, password, '');
  const server = makeServer({
    host: '127.0.0.1',
    port: ports[0],
    ports,
    share: 'share',
    user: SMB_USER,
    password,
    domain: '',
    shareDir,
    conf,
    authFile,
    child,
  });
  await waitFor('smbd', () => server.smbclient('ls').status === 0, child);
  return server;
}

/**
 * A Samba AD DC for domain CORDIAX (realm CORDIAX.TEST) on 127.0.0.1 with a [share] and a domain user 'cordiax'.
 * Binds 53, 88, 135, 139, 389, 445, 464, 636, 3268, 3269: no standalone smbd may run at the same time.
 */
export async function startAdDc(): Promise<SambaServer> {
  await assertPortsFree([445, 139, 88, 389, 53]);
  const dir = tmpDir('cx-addc-');
  chmodSync(dir, 0o755);
  const adminPass = `Adm-${randomBytes(9).toString('base64url')}1a`;
  const password = `Usr-${randomBytes(9).toString('base64url')}1a`;
  // The admin password must be given to provision; it goes through a 0600 file read by a shell builtin, not argv.
  const passFile = path.join(dir, 'admin.pass');
  writeFileSync(passFile, adminPass, { mode: 0o600 });
  const prov = sh('sh', [
    '-c',
    'samba-tool domain provision --targetdir="$1" --realm=CORDIAX.TEST --domain=CORDIAX --server-role=dc --dns-backend=SAMBA_INTERNAL ' +
      '--adminpass="$(cat "$2")" --host-name=testdc --host-ip=127.0.0.1 --option="interfaces=127.0.0.1" --option="bind interfaces only=yes" --option="dns forwarder=127.0.0.1"',
    'provision',
    dir,
    passFile,
  ]);
  if (prov.status !== 0) throw new Error(`samba-tool provision failed: ${prov.stderr.slice(-2000)}`);
  const conf = path.join(dir, 'etc', 'smb.conf');
  const shareDir = path.join(dir, 'share');
  mkdirSync(shareDir, { mode: 0o777 });
  chmodSync(shareDir, 0o777);
  let text = readFileSync(conf, 'utf8');
  // Keep [global], [sysvol], [netlogon]; drop anything inherited from /etc/samba/smb.conf.
  const sections = text.split(/^(?=\[)/m);
  text = sections.filter((s) => /^\[(global|sysvol|netlogon)\]/i.test(s) || !s.startsWith('[')).join('');
  const logs = path.join(dir, 'log');
  mkdirSync(logs);
  text = text.replace(
    /\[global\]\n/,
    `[global]\n\tlog file = ${logs}/log.%m\n\tpid directory = ${dir}/pid\n\tncalrpc dir = ${dir}/ncalrpc\n`,
  );
  text += `\n[share]\n\tpath = ${shareDir}\n\tread only = no\n`;
  writeFileSync(conf, text);
  const child = startDaemon('samba', ['--foreground', '--no-process-group', '-s', conf]);
  const authFile = writeAuthFile(dir, 'cordiax', password, 'CORDIAX');
  const server = makeServer({
    host: '127.0.0.1',
    port: 445,
    ports: [445, 139, 88, 389],
    share: 'share',
    user: 'cordiax',
    password,
    domain: 'CORDIAX',
    shareDir,
    conf,
    authFile,
    child,
  });
  await waitFor('samba AD DC port 445', () => portOpenSync(445), child, 90000);
  const userPassFile = path.join(dir, 'user.pass');
  writeFileSync(userPassFile, `${password}\n${password}\n`, { mode: 0o600 });
  // samba-tool prompts for the password when it is not given: feed it on stdin.
  await waitFor(
    'samba-tool user create',
    () =>
      sh('samba-tool', ['user', 'create', 'cordiax', `--configfile=${conf}`], { input: `${password}\n${password}\n` })
        .status === 0,
    child,
    60000,
  );
  await waitFor('AD DC share', () => server.smbclient('ls').status === 0, child, 60000);
  return server;
}

function portOpenSync(port: number): boolean {
  return sh('bash', ['-c', `exec 3<>/dev/tcp/127.0.0.1/${port}`]).status === 0;
}

/** The spec's `smb` config block pointing at a test server. */
export function smbConfig(s: SambaServer, extra: Partial<SmbConfig> = {}): SmbConfig {
  return {
    server: s.host,
    share_name: s.share,
    username: s.user,
    password: s.password,
    domain: s.domain,
    remote_path: '/cordiax_sync/',
    port: s.port,
    timeout_seconds: 15,
    ...extra,
  } as SmbConfig;
}

/** A Logger that keeps what it is told, for assertions. */
export function memoryLog(): Logger & { events: EventInput[] } {
  const events: EventInput[] = [];
  return { events, emit: (e) => void events.push(e) };
}
