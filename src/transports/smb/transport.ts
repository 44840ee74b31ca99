/**
 * The SMB transport: the spec's `smb` block (server, share_name, username, password, domain, remote_path) on top of
 * our own SMB2/3 client (src/smb). Uploads go to a temporary name, are read back and checked (size + sha256), then
 * renamed into place; create-exclusive uses FILE_CREATE, which the server makes atomic.
 */
import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, promises as fsp } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { smb, type SmbConfig } from './declaration.js';
import { parseServer } from './server-address.js';
import { SyncError, isSyncError, toSyncError } from '../../errors.js';
import { registerSecret } from '../../log/redact.js';
import { SmbClient, type SmbStat, type SmbTree } from '../../smb/index.js';
import { HashMeter } from '../../util/hash.js';
import { probeRoundTrip, reportBuilder, reportGuarantees } from '../shared/report.js';
import { checkAborted, uploadVerified, type WriteMode } from '../shared/upload.js';
import type {
  CallOptions,
  ConnectionReport,
  DownloadResult,
  FileTransport,
  Guarantees,
  RemoteEntry,
  TransferOptions,
  TransportContext,
  UploadResult,
  UploadVerify,
} from '../types.js';
import { msg } from '../../messages/index.js';

const DEFAULT_TIMEOUT_MS = 30_000;

/** remote_path '/cordiax_sync/' -> 'cordiax_sync' (share-relative, '/'-separated). */
export function normalizeRoot(remotePath: string): string {
  return remotePath
    .replace(/\\/g, '/')
    .split('/')
    .filter((p) => p && p !== '.')
    .join('/');
}

function versionOf(st: SmbStat): string {
  return `${st.size}-${st.modified.getTime()}`;
}

function cancelled(): SyncError {
  return new SyncError('CANCELLED', msg('common.transfer_cancelled'));
}

/** Passes bytes through while hashing and counting them, reporting progress and honouring an AbortSignal. */
function metered(source: AsyncIterable<Buffer>, opts: TransferOptions, total?: number) {
  const m = new HashMeter(opts.onProgress, total);
  async function* gen(): AsyncGenerator<Buffer> {
    for await (const chunk of source) {
      if (opts.signal?.aborted) throw cancelled();
      m.update(chunk);
      yield chunk;
    }
  }
  return { gen: gen(), done: () => m.done() };
}

export class SmbTransport implements FileTransport {
  readonly protocol = 'smb' as const;
  private client: SmbClient | null = null;
  private tree: SmbTree | null = null;
  private connecting: Promise<SmbTree> | null = null;
  private readonly root: string;
  private readonly host: string;
  private readonly port?: number;

  constructor(
    private readonly cfg: SmbConfig,
    private readonly ctx: TransportContext,
  ) {
    registerSecret(cfg.password);
    const srv = parseServer(cfg.server);
    this.host = srv.host;
    this.port = cfg.port ?? srv.port;
    this.root = normalizeRoot(cfg.remote_path ?? '');
    if (!this.host) throw new SyncError('CONFIG_INVALID', msg('smb.smb_server_empty_enter'));
    if (!cfg.share_name || /[\\/]/.test(cfg.share_name.replace(/^[\\/]+|[\\/]+$/g, ''))) {
      throw new SyncError('CONFIG_INVALID', msg('smb.smb_share_name_must'));
    }
  }

  private get share(): string {
    return this.cfg.share_name.replace(/^[\\/]+|[\\/]+$/g, '');
  }

  private full(rel: string): string {
    const r = rel.replace(/\\/g, '/').replace(/^\/+|\/+$/g, '');
    if (r.split('/').includes('..')) throw new SyncError('CONFIG_INVALID', msg('smb.invalid_remote_path', { rel }));
    return this.root ? (r ? `${this.root}/${r}` : this.root) : r;
  }

  /** The connected share, logging in first if needed. The client itself reconnects after a dropped connection. */
  private async t(): Promise<SmbTree> {
    if (this.tree) return this.tree;
    if (!this.connecting) {
      this.connecting = (async () => {
        const client = await SmbClient.connect({
          host: this.host,
          port: this.port,
          username: this.cfg.username,
          password: this.cfg.password,
          domain: this.cfg.domain || undefined,
          timeoutMs: this.cfg.timeout_seconds ? this.cfg.timeout_seconds * 1000 : DEFAULT_TIMEOUT_MS,
          onConnect: (f, reconnected) => {
            if (reconnected)
              this.ctx.log.emit({
                type: 'connect',
                protocol: 'smb',
                text: msg('smb.reconnected_smb', { host: this.host, share: this.share, dialect: f.dialect }),
              });
          },
          onDisconnect: (err) => {
            const e = toSyncError(err);
            this.ctx.log.emit({
              type: 'disconnect',
              level: 'warn',
              code: e.code,
              protocol: 'smb',
              text: msg('smb.smb_connection_lost', { text: e.text }),
            });
          },
        });
        try {
          const tree = await client.treeConnect(this.share);
          this.client = client;
          this.tree = tree;
          const f = client.facts;
          const enc = tree.encrypted ? (f.encryption ?? 'AES') : null;
          this.ctx.log.emit({
            type: 'connect',
            protocol: 'smb',
            text: msg('smb.connected', {
              host: this.host,
              share: this.share,
              dialect: f.dialect,
              security: enc
                ? msg('smb.security_encrypted', { enc })
                : f.signing
                  ? msg('smb.security_signed', { algorithm: f.signingAlgorithm })
                  : msg('smb.security_unsigned'),
              auth: f.auth,
            }),
            data: {
              dialect: f.dialect,
              signing: f.signing,
              signingAlgorithm: f.signingAlgorithm,
              encryption: enc,
              port: f.port,
              transport: f.transport,
              user: f.user,
              domain: f.domain,
            },
          });
          return tree;
        } catch (e) {
          await client.close().catch(() => {});
          throw e;
        }
      })().finally(() => {
        this.connecting = null;
      });
    }
    return this.connecting;
  }

  async open(opts: CallOptions = {}): Promise<void> {
    checkAborted(opts.signal);
    const tree = await this.t();
    if (this.root) await tree.mkdirp(this.root);
  }

  async guarantees(): Promise<Guarantees> {
    return smb.capabilities.guarantees;
  }

  async stat(path: string, opts: CallOptions = {}): Promise<RemoteEntry | null> {
    checkAborted(opts.signal);
    const st = await (await this.t()).stat(this.full(path));
    if (!st) return null;
    return { path, size: st.size, isDirectory: st.isDirectory, modified: st.modified, version: versionOf(st) };
  }

  async list(dir: string, opts: CallOptions = {}): Promise<RemoteEntry[]> {
    checkAborted(opts.signal);
    const tree = await this.t();
    let entries: SmbStat[];
    try {
      entries = await tree.list(this.full(dir));
    } catch (e) {
      if (e instanceof SyncError && e.code === 'NOT_FOUND') return [];
      throw e;
    }
    const base = dir.replace(/^\/+|\/+$/g, '');
    return entries.map((st) => ({
      path: base ? `${base}/${st.name}` : st.name,
      size: st.size,
      isDirectory: st.isDirectory,
      modified: st.modified,
      version: versionOf(st),
    }));
  }

  async mkdirp(dir: string, opts: CallOptions = {}): Promise<void> {
    checkAborted(opts.signal);
    const full = this.full(dir);
    if (full) await (await this.t()).mkdirp(full);
  }

  async readSmall(
    path: string,
    maxBytes = 1024 * 1024,
    opts: CallOptions = {},
  ): Promise<{ data: Buffer; version?: string } | null> {
    checkAborted(opts.signal);
    const tree = await this.t();
    const st = await tree.stat(this.full(path));
    if (!st) return null;
    if (st.size > maxBytes) throw new SyncError('TOO_LARGE', msg('smb.too_large_bytes', { path, size: st.size }));
    try {
      return { data: await tree.readFile(this.full(path), maxBytes), version: versionOf(st) };
    } catch (e) {
      if (e instanceof SyncError && e.code === 'NOT_FOUND') return null;
      throw e;
    }
  }

  private tmpName(path: string): string {
    const full = this.full(path);
    const i = full.lastIndexOf('/');
    const name = `.${full.slice(i + 1)}.tmp-${this.ctx.device.replace(/[^\w.-]/g, '_')}-${randomBytes(6).toString('hex')}`;
    return i >= 0 ? `${full.slice(0, i)}/${name}` : name;
  }

  async writeSmall(
    path: string,
    data: Buffer,
    opts: { ifVersion?: string | null } & CallOptions = {},
  ): Promise<{ version?: string }> {
    checkAborted(opts.signal);
    const tree = await this.t();
    if (opts.ifVersion === null) {
      if (!(await this.createExclusive(path, data)))
        throw new SyncError('ALREADY_EXISTS', msg('smb.already_exists_server', { path }));
    } else {
      if (opts.ifVersion !== undefined) {
        // Best effort only (guarantees().conditionalWrite is false): the engine adds a lock file around it.
        const cur = await tree.stat(this.full(path));
        if (!cur || versionOf(cur) !== opts.ifVersion)
          throw new SyncError('PRECONDITION_FAILED', msg('smb.changed_server', { path }));
      }
      const tmp = this.tmpName(path);
      try {
        await tree.writeFile(tmp, data, { mode: 'create' });
        await tree.rename(tmp, this.full(path), { replace: true });
      } catch (e) {
        await tree.remove(tmp).catch(() => {});
        throw e;
      }
    }
    const st = await tree.stat(this.full(path));
    return { version: st ? versionOf(st) : undefined };
  }

  /**
   * Never publishes an empty file: the body goes to a temp name first, then a hard link to the final name (atomic on
   * the server, as on a folder; a no-replace rename is not: see SmbTree.link).
   */
  async createExclusive(path: string, data: Buffer, opts: CallOptions = {}): Promise<boolean> {
    checkAborted(opts.signal);
    const tree = await this.t();
    const tmp = this.tmpName(path);
    if (!(await tree.createExclusive(tmp, data)))
      throw new SyncError('ALREADY_EXISTS', msg('smb.temporary_name_already_existed'));
    try {
      await tree.link(tmp, this.full(path));
      return true;
    } catch (err) {
      if (isSyncError(err, 'ALREADY_EXISTS')) return false;
      throw err;
    } finally {
      await tree.remove(tmp).catch(() => {});
    }
  }

  /** Verified upload (shared/upload.ts): temp name, read back and hash, then rename into place. */
  upload(
    localPath: string,
    path: string,
    expected: { size: number; sha256: string },
    opts: TransferOptions & { replace?: boolean; verify?: UploadVerify } = {},
  ): Promise<UploadResult> {
    return uploadVerified(this, localPath, path, expected, opts, {
      device: this.ctx.device,
      atomicWrite: smb.capabilities.atomicWrite,
    });
  }

  /** Streams the local file to `path` (FILE_CREATE unless replacing); a missing parent folder is created. */
  async writeFile(
    localPath: string,
    path: string,
    opts: TransferOptions & { mode: WriteMode; expected?: { size: number } },
  ): Promise<{ size: number; sha256: string }> {
    const tree = await this.t();
    try {
      if (opts.signal?.aborted) throw cancelled();
      const full = this.full(path);
      const parent = full.slice(0, Math.max(0, full.lastIndexOf('/')));
      if (!(await tree.stat(parent))) await tree.mkdirp(full.slice(0, full.lastIndexOf('/')));
      const m = metered(createReadStream(localPath, { highWaterMark: 1024 * 1024 }), opts, opts.expected?.size);
      // What the server accepted is checked afterwards by uploadVerified (its size, then the bytes read back).
      await tree.upload(full, m.gen, { mode: opts.mode === 'replace' ? 'overwrite' : 'create' });
      const local = m.done();
      return { size: local.bytes, sha256: local.sha256 };
    } catch (e) {
      throw toSyncError(e);
    }
  }

  /** Reads what is stored back from the server, not what we think we wrote. */
  async hashRemote(path: string, opts: TransferOptions = {}): Promise<{ size: number; sha256: string }> {
    const tree = await this.t();
    try {
      const { stream, size } = await tree.createReadStream(this.full(path));
      const back = metered(stream, opts, size);
      for await (const _ of back.gen) {
        /* hashing is the point */
      }
      const r = back.done();
      return { size: r.bytes, sha256: r.sha256 };
    } catch (e) {
      throw toSyncError(e);
    }
  }

  async download(path: string, localPath: string, opts: TransferOptions = {}): Promise<DownloadResult> {
    const tree = await this.t();
    const { stream, size } = await tree.createReadStream(this.full(path));
    const m = metered(stream, opts, size);
    try {
      await pipeline(
        Readable.from(m.gen, { objectMode: false, highWaterMark: 1024 * 1024 }),
        createWriteStream(localPath, { mode: 0o600 }),
      );
    } catch (e) {
      stream.destroy();
      await fsp.rm(localPath, { force: true }).catch(() => {});
      throw toSyncError(e);
    }
    const r = m.done();
    return { size: r.bytes, sha256: r.sha256 };
  }

  async rename(from: string, to: string, opts: { replace?: boolean } & CallOptions = {}): Promise<void> {
    checkAborted(opts.signal);
    await (await this.t()).rename(this.full(from), this.full(to), { replace: opts.replace });
  }

  async remove(path: string, opts: CallOptions = {}): Promise<void> {
    checkAborted(opts.signal);
    await (await this.t()).remove(this.full(path));
  }

  async test(): Promise<ConnectionReport> {
    const b = reportBuilder('smb', { server: this.host, share: this.share, remote_path: this.root || '/' });
    try {
      await b.step('auth', msg('smb.logged_connected_share'), async () => {
        await this.t();
      });
      const f = this.client!.facts;
      Object.assign(b.report.facts, {
        dialect: f.dialect,
        signing: f.signing,
        signingAlgorithm: f.signingAlgorithm,
        signingRequiredByServer: f.signingRequiredByServer,
        encryption: this.tree!.encrypted ? (f.encryption ?? 'AES') : null,
        auth: f.auth,
        user: f.user,
        domain: f.domain || null,
        transport: f.transport,
        port: f.port,
      });
      await b.step('mkdir', msg('smb.remote_folder_reachable_created'), () => this.open());
      await probeRoundTrip(this, b);
      reportGuarantees(b.report, await this.guarantees());
      b.report.ok = true;
    } catch (err) {
      b.fail(err);
    }
    return b.report;
  }

  async close(): Promise<void> {
    const c = this.client;
    this.client = null;
    this.tree = null;
    if (c) {
      await c.close();
      this.ctx.log.emit({
        type: 'disconnect',
        protocol: 'smb',
        text: msg('smb.disconnected', { host: this.host, share: this.share }),
      });
    }
  }
}
