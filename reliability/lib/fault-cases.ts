/** The fault cases per transport (see faults.ts for what each run checks). */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, chownSync } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import { atExit, sh } from '../../test/helpers/system.js';
import type { FaultCase, FaultContext } from './faults.js';
import { updateConfig } from './faults.js';
import { sleep } from './util.js';

/** Adds `mb` of incompressible rows so the next upload is that much bigger. */
export function growDb(db: string, mb: number): void {
  const d = new Database(db);
  try {
    const ins = d.prepare('INSERT INTO relleno (datos) VALUES (?)');
    d.transaction(() => {
      for (let i = 0; i < Math.ceil((mb * 1024 * 1024) / (256 * 1024)); i++) ins.run(randomBytes(256 * 1024));
    })();
  } finally {
    d.close();
  }
}

/** Mounts a tmpfs of `mb` over `dir` (root only), unmounted at exit. Returns false when mounting is not possible. */
export function smallTmpfs(dir: string, mb: number, owner?: number): boolean {
  mkdirSync(dir, { recursive: true });
  const r = sh('mount', ['-t', 'tmpfs', '-o', `size=${mb}m,mode=0755`, 'tmpfs', dir]);
  if (r.status !== 0) return false;
  atExit(() => void spawnSync('umount', ['-l', dir]));
  if (owner !== undefined) chownSync(dir, owner, owner);
  return true;
}

export function canMount(): boolean {
  return process.getuid?.() === 0;
}

function waitBytes(ctx: FaultContext, bytes: number, ms = 15_000): Promise<boolean> {
  return (async () => {
    const end = Date.now() + ms;
    while (Date.now() < end) {
      if ((ctx.proxy?.bytesUp ?? 0) > bytes) return true;
      await sleep(5);
    }
    return false;
  })();
}

function storageFull(owner?: number): FaultCase & { prepare(ctx: { target: { remoteDir: string } }): void } {
  return {
    name: 'storage full (6 MiB tmpfs behind the server)',
    padMb: 1.5,
    codes: ['STORAGE_FULL'],
    prepare: (ctx) => {
      if (!smallTmpfs(ctx.target.remoteDir, 6, owner)) throw new Error('cannot mount a tmpfs here');
    },
    inject: (ctx) => growDb(ctx.db, 6),
    heal: (ctx) => {
      sh('mount', ['-o', 'remount,size=64m', ctx.target.remoteDir]);
    },
  };
}

export function folderFaults(): Array<FaultCase & { prepare?(ctx: { target: { remoteDir: string } }): void }> {
  return [
    ...(canMount() ? [storageFull()] : []),
    {
      name: 'target folder gone (unmounted drive)',
      codes: ['NOT_FOUND'],
      inject: (ctx) => renameSync(path.dirname(ctx.target.remoteDir), path.dirname(ctx.target.remoteDir) + '.away'),
      heal: (ctx) => renameSync(path.dirname(ctx.target.remoteDir) + '.away', path.dirname(ctx.target.remoteDir)),
      maxAttempts: 8,
    },
  ];
}

function apachePid(ctx: FaultContext): number {
  const dir = (ctx.target as unknown as { server: { dir: string } }).server.dir;
  return Number(readFileSync(path.join(dir, 'run', 'httpd.pid'), 'utf8').trim());
}

export function webdavFaults(): Array<FaultCase & { prepare?(ctx: { target: { remoteDir: string } }): void }> {
  const server = (ctx: FaultContext) => (ctx.target as unknown as { server: { kill(): Promise<void>; restart(): Promise<void>; dir: string; user: string } }).server;
  const list: Array<FaultCase & { prepare?(ctx: { target: { remoteDir: string } }): void }> = [
    {
      name: 'server killed mid-upload, then restarted',
      padMb: 8,
      codes: ['CONNECTION_RESET', 'CONNECTION_REFUSED', 'PROTOCOL', 'TIMEOUT'],
      inject: () => {},
      during: async (ctx) => {
        await waitBytes(ctx, 2 * 1024 * 1024);
        await server(ctx).kill();
      },
      heal: (ctx) => server(ctx).restart(),
    },
    {
      name: 'server down (refused), then restarted',
      codes: ['CONNECTION_REFUSED', 'CONNECTION_RESET'],
      inject: (ctx) => server(ctx).kill(),
      heal: (ctx) => server(ctx).restart(),
    },
    {
      name: 'server frozen (SIGSTOP), then SIGCONT',
      codes: ['TIMEOUT'],
      inject: (ctx) => {
        process.kill(-apachePid(ctx), 'SIGSTOP');
      },
      heal: (ctx) => {
        process.kill(-apachePid(ctx), 'SIGCONT');
      },
      maxAttempts: 4,
    },
    {
      name: 'link frozen (proxy forwards nothing)',
      codes: ['TIMEOUT'],
      inject: (ctx) => ctx.proxy!.setMode({ kind: 'freeze' }),
      heal: (ctx) => {
        ctx.proxy!.resetAll();
        ctx.proxy!.setMode({ kind: 'pass' });
      },
      maxAttempts: 4,
    },
    {
      name: 'connection reset mid-upload (proxy RST after 1 MiB)',
      padMb: 4,
      codes: ['CONNECTION_RESET'],
      inject: (ctx) => ctx.proxy!.setMode({ kind: 'reset-after', bytes: 1024 * 1024 }),
      heal: (ctx) => ctx.proxy!.setMode({ kind: 'pass' }),
    },
    {
      name: 'slow link (proxy at 1 MiB/s)',
      padMb: 2,
      codes: [],
      inject: (ctx) => ctx.proxy!.setMode({ kind: 'throttle', bytesPerSecond: 1024 * 1024 }),
      heal: (ctx) => ctx.proxy!.setMode({ kind: 'pass' }),
    },
    {
      name: 'password changed on the server, then in the config',
      codes: ['AUTH_FAILED'],
      maxRequestsPerAttempt: 6,
      inject: (ctx) => {
        const s = server(ctx);
        const pw = `nuevo-${randomBytes(6).toString('hex')}`;
        (ctx as FaultContext & { newPassword?: string }).newPassword = pw;
        ctx.target.password = pw; // the secret scan now looks for this one too
        const r = sh('htpasswd', ['-i', path.join(s.dir, 'htpasswd'), s.user], { input: pw });
        if (r.status !== 0) throw new Error(`htpasswd: ${r.stderr}`);
      },
      heal: (ctx) =>
        updateConfig(ctx, (cfg) => {
          (cfg.webdav as Record<string, unknown>).password = (ctx as FaultContext & { newPassword?: string }).newPassword;
        }),
    },
  ];
  if (canMount()) list.push(storageFull(33));
  return list;
}

export function smbFaults(): Array<FaultCase & { prepare?(ctx: { target: { remoteDir: string } }): void }> {
  const server = (ctx: FaultContext) => (ctx.target as unknown as { server: { child: { pid?: number }; conf: string; user: string } }).server;
  const list: Array<FaultCase & { prepare?(ctx: { target: { remoteDir: string } }): void }> = [
    {
      name: 'server unreachable (proxy resets every connection)',
      codes: ['CONNECTION_RESET', 'CONNECTION_REFUSED', 'PROTOCOL'],
      inject: (ctx) => {
        ctx.proxy!.setMode({ kind: 'refuse' });
        ctx.proxy!.resetAll(); // the pooled connection goes too
      },
      heal: (ctx) => ctx.proxy!.setMode({ kind: 'pass' }),
    },
    {
      name: 'connection reset mid-upload (proxy RST after 1 MiB)',
      padMb: 4,
      codes: ['CONNECTION_RESET'],
      inject: (ctx) => {
        ctx.proxy!.resetAll();
        ctx.proxy!.setMode({ kind: 'reset-after', bytes: 1024 * 1024 });
      },
      heal: (ctx) => ctx.proxy!.setMode({ kind: 'pass' }),
    },
    {
      name: 'server frozen (SIGSTOP), then SIGCONT',
      codes: ['TIMEOUT'],
      inject: (ctx) => {
        process.kill(-server(ctx).child.pid!, 'SIGSTOP');
      },
      heal: (ctx) => {
        process.kill(-server(ctx).child.pid!, 'SIGCONT');
      },
      maxAttempts: 4,
    },
    {
      name: 'link frozen (proxy forwards nothing)',
      codes: ['TIMEOUT'],
      inject: (ctx) => ctx.proxy!.setMode({ kind: 'freeze' }),
      heal: (ctx) => {
        ctx.proxy!.resetAll();
        ctx.proxy!.setMode({ kind: 'pass' });
      },
      maxAttempts: 4,
    },
    {
      name: 'slow link (proxy at 1 MiB/s)',
      padMb: 2,
      codes: [],
      inject: (ctx) => ctx.proxy!.setMode({ kind: 'throttle', bytesPerSecond: 1024 * 1024 }),
      heal: (ctx) => ctx.proxy!.setMode({ kind: 'pass' }),
    },
    {
      name: 'password changed on the server, then in the config',
      codes: ['AUTH_FAILED'],
      maxRequestsPerAttempt: 6,
      inject: (ctx) => {
        const s = server(ctx);
        const pw = `Nueva-${randomBytes(6).toString('hex')}`;
        (ctx as FaultContext & { newPassword?: string }).newPassword = pw;
        ctx.target.password = pw;
        // A new session must authenticate: drop the pooled connection first.
        ctx.proxy!.resetAll();
        const r = sh('smbpasswd', ['-c', s.conf, '-s', s.user], { input: `${pw}\n${pw}\n` });
        if (r.status !== 0) throw new Error(`smbpasswd: ${r.stderr}${r.stdout}`);
      },
      heal: (ctx) =>
        updateConfig(ctx, (cfg) => {
          (cfg.smb as Record<string, unknown>).password = (ctx as FaultContext & { newPassword?: string }).newPassword;
        }),
    },
  ];
  if (canMount()) {
    const uid = Number(sh('id', ['-u', 'cxsmb']).stdout.trim());
    if (Number.isInteger(uid)) list.push(storageFull(uid));
  }
  return list;
}

export function socketioFaults(): Array<FaultCase & { prepare?(ctx: { target: { remoteDir: string } }): void }> {
  const srv = (ctx: FaultContext) => ctx.target as unknown as { kill(): void; restart(): Promise<void>; pid(): number | undefined };
  return [
    {
      name: 'server killed mid-upload, then restarted',
      padMb: 8,
      codes: ['CONNECTION_RESET', 'CONNECTION_REFUSED', 'TIMEOUT'],
      inject: () => {},
      during: async (ctx) => {
        await waitBytes(ctx, 2 * 1024 * 1024);
        srv(ctx).kill();
      },
      heal: (ctx) => srv(ctx).restart(),
    },
    {
      name: 'server frozen (SIGSTOP), then SIGCONT',
      codes: ['TIMEOUT', 'CONNECTION_RESET'],
      inject: (ctx) => {
        process.kill(-srv(ctx).pid()!, 'SIGSTOP');
      },
      heal: (ctx) => {
        process.kill(-srv(ctx).pid()!, 'SIGCONT');
      },
      maxAttempts: 4,
    },
    {
      name: 'connection reset mid-upload (proxy RST after 1 MiB)',
      padMb: 4,
      codes: ['CONNECTION_RESET', 'TIMEOUT'],
      inject: (ctx) => {
        ctx.proxy!.resetAll();
        ctx.proxy!.setMode({ kind: 'reset-after', bytes: 1024 * 1024 });
      },
      heal: (ctx) => ctx.proxy!.setMode({ kind: 'pass' }),
    },
    {
      name: 'slow link (proxy at 1 MiB/s)',
      padMb: 2,
      codes: [],
      inject: (ctx) => ctx.proxy!.setMode({ kind: 'throttle', bytesPerSecond: 1024 * 1024 }),
      heal: (ctx) => ctx.proxy!.setMode({ kind: 'pass' }),
    },
  ];
}

export function hasCommand(cmd: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export { existsSync };
