/**
 * The public face of the library: SmbClient (a logged-in session that reconnects after a drop) and SmbTree (one
 * share, with path-based operations and streaming transfers).
 */
import { Readable } from 'node:stream';
import { SyncError } from '../errors.js';
import {
  Access,
  closeRequest,
  Command,
  CreateOption,
  createRequest,
  Disposition,
  dispositionInfo,
  FileAttribute,
  FileInfoClass,
  InfoType,
  parseCreateResponse,
  parseNetworkOpenInfo,
  parseQueryDirectoryResponse,
  parseQueryInfoResponse,
  parseReadResponse,
  parseTreeConnectResponse,
  parseWriteResponse,
  queryDirectoryRequest,
  queryInfoRequest,
  readRequest,
  renameInfo,
  setInfoRequest,
  ShareAccess,
  ShareFlag,
  smallRequest,
  treeConnectRequest,
  writeRequest,
  type CreateResponse,
  type DialectName,
} from './codec.js';
import type { Connection, Response } from './connection.js';
import { Status, statusError } from './ntstatus.js';
import { establish, validateNegotiate, type SessionFacts } from './session.js';
import { msg as text } from '../messages/index.js';

export interface SmbConnectOptions {
  host: string;
  /** Default: 445, then 139 (NetBIOS session service) if 445 refuses. */
  port?: number;
  /** Send a NetBIOS Session Request first (default: only on port 139). */
  netbios?: boolean;
  username: string;
  password: string;
  domain?: string;
  workstation?: string;
  /** Per request (default 30 s). */
  timeoutMs?: number;
  dialects?: DialectName[];
  /** Sign even when the server only offers signing (default true). */
  alwaysSign?: boolean;
  requireEncryption?: boolean;
  allowGuest?: boolean;
  /** Transfers: bytes per READ/WRITE (capped by the server; default 1 MiB) and requests in flight (default 8). */
  ioSize?: number;
  ioDepth?: number;
  /** Told after every (re)connect, with what was negotiated. */
  onConnect?: (facts: SessionFacts, reconnected: boolean) => void;
  /** Told when a live connection ends other than by close() (dropped, timed out, protocol error). */
  onDisconnect?: (err: Error) => void;
}

export interface SmbStat {
  /** Name of the entry (last path component); '' for the share root. */
  name: string;
  size: number;
  isDirectory: boolean;
  created: Date;
  modified: Date;
  changed: Date;
  accessed: Date;
}

export type ConnectionFacts = SessionFacts & { host: string; share?: string; shareEncrypted?: boolean };

const DEFAULT_TIMEOUT = 30_000;

export class SmbClient {
  private conn: Connection | null = null;
  private reconnecting: Promise<Connection> | null = null;
  private closed = false;
  /** Increases on every (re)connect; trees compare it to know when to tree-connect again. */
  generation = 0;
  facts!: SessionFacts;

  private constructor(readonly opts: SmbConnectOptions) {}

  static async connect(opts: SmbConnectOptions): Promise<SmbClient> {
    const c = new SmbClient(opts);
    await c.connection();
    return c;
  }

  /** The live connection, (re)establishing it if it dropped since the last operation. */
  async connection(): Promise<Connection> {
    if (this.closed) throw new SyncError('CANCELLED', text('smb.smb_client_closed'));
    if (this.conn?.alive) return this.conn;
    if (!this.reconnecting) {
      this.reconnecting = this.open().finally(() => {
        this.reconnecting = null;
      });
    }
    return this.reconnecting;
  }

  private async open(): Promise<Connection> {
    const o = this.opts;
    const base = {
      host: o.host,
      username: o.username,
      password: o.password,
      domain: o.domain,
      workstation: o.workstation,
      timeoutMs: o.timeoutMs ?? DEFAULT_TIMEOUT,
      dialects: o.dialects,
      alwaysSign: o.alwaysSign,
      requireEncryption: o.requireEncryption,
      allowGuest: o.allowGuest,
    };
    const attempts: Array<{ port: number; netbios: boolean }> =
      o.port !== undefined
        ? [{ port: o.port, netbios: o.netbios ?? o.port === 139 }]
        : [
            { port: 445, netbios: o.netbios ?? false },
            { port: 139, netbios: true },
          ];
    let lastError: unknown;
    for (const a of attempts) {
      try {
        const { conn, facts } = await establish({ ...base, ...a });
        this.conn = conn;
        this.facts = facts;
        this.generation++;
        conn.onFail = (err) => {
          if (!this.closed) o.onDisconnect?.(err);
        };
        o.onConnect?.(facts, this.generation > 1);
        return conn;
      } catch (e) {
        lastError = e;
        // Only an unreachable port moves on to the next one; a refused login must not be retried (lockouts).
        if (!(e instanceof SyncError && (e.code === 'CONNECTION_REFUSED' || e.code === 'TIMEOUT'))) throw e;
      }
    }
    throw lastError;
  }

  async treeConnect(share: string): Promise<SmbTree> {
    const tree = new SmbTree(this, share);
    await tree.ready();
    return tree;
  }

  /** Requests sent and interim STATUS_PENDING answers seen on the current connection. */
  get stats(): { requests: number; interim: number } {
    return this.conn?.stats ?? { requests: 0, interim: 0 };
  }

  /** Chunk size for READ/WRITE: 1 MiB by default, never above what the server allows (64 KiB without LARGE_MTU). */
  ioSize(kind: 'read' | 'write'): number {
    const max = kind === 'read' ? this.facts.maxReadSize : this.facts.maxWriteSize;
    const wanted = this.opts.ioSize ?? 1024 * 1024;
    return Math.max(4096, Math.min(wanted, max, this.facts.largeMtu ? 8 * 1024 * 1024 : 65536));
  }
  /** Requests in flight per transfer: 8, or 4 when encrypting (each one then holds a plaintext and a ciphertext). */
  ioDepth(): number {
    return this.opts.ioDepth ?? (this.facts.encryption ? 4 : 8);
  }

  async close(): Promise<void> {
    this.closed = true;
    const c = this.conn;
    this.conn = null;
    if (c?.alive) {
      try {
        await c.request(Command.LOGOFF, smallRequest(4), { timeoutMs: 2000 });
      } catch {
        /* closing anyway */
      }
      c.close();
    }
  }
}

/** Turns a '/'-separated relative path into the share-relative form SMB wants. Refuses '..' and empty segments. */
export function toSmbPath(p: string): string {
  const parts = p.split(/[\\/]+/).filter((s) => s !== '' && s !== '.');
  for (const s of parts) {
    if (s === '..') throw new SyncError('CONFIG_INVALID', text('smb.invalid_smb_path_contains', { path: p }));
  }
  return parts.join('\\');
}

export interface OpenOptions {
  access: number;
  disposition: number;
  options?: number;
  shareAccess?: number;
  attributes?: number;
}

/** An open file or directory handle. Close it (handles are per connection and die with it). */
export class SmbFile {
  private closed = false;
  constructor(
    readonly tree: SmbTree,
    private readonly conn: Connection,
    readonly path: string,
    readonly info: CreateResponse,
  ) {}
  get fileId(): Buffer {
    return this.info.fileId;
  }
  get size(): number {
    return Number(this.info.endOfFile);
  }

  request(command: number, body: ReturnType<typeof closeRequest>, payloadSize?: number): Promise<Response> {
    return this.conn.request(command, body, { treeId: this.tree.treeId, payloadSize });
  }

  async read(offset: number, length: number): Promise<Buffer> {
    const r = await this.request(Command.READ, readRequest({ fileId: this.fileId, offset, length }), length);
    if (r.header.status === Status.END_OF_FILE) return Buffer.alloc(0);
    if (r.header.status !== Status.SUCCESS) throw statusError(r.header.status, 'READ', this.path);
    const data = parseReadResponse(r.msg);
    if (data.length > length) throw statusError(Status.INVALID_PARAMETER, 'READ', `${this.path}: more data than asked`);
    return data;
  }

  async write(data: Buffer, offset: number): Promise<void> {
    const r = await this.request(Command.WRITE, writeRequest({ fileId: this.fileId, offset, data }), data.length);
    if (r.header.status !== Status.SUCCESS) throw statusError(r.header.status, 'WRITE', this.path);
    const n = parseWriteResponse(r.msg);
    if (n !== data.length) {
      throw new SyncError('VERIFY_FAILED', text('smb.server_wrote_bytes', { n, data: data.length, value: this.path }));
    }
  }

  /** QUERY_INFO FileNetworkOpenInformation: size and times of the open file. */
  async queryInfo(): Promise<SmbStat> {
    const r = await this.request(
      Command.QUERY_INFO,
      queryInfoRequest({
        fileId: this.fileId,
        infoType: InfoType.FILE,
        infoClass: FileInfoClass.FileNetworkOpenInformation,
        outputLength: 56,
      }),
    );
    if (r.header.status !== Status.SUCCESS) throw statusError(r.header.status, 'QUERY_INFO', this.path);
    const i = parseNetworkOpenInfo(parseQueryInfoResponse(r.msg));
    return {
      name: baseName(this.path),
      size: Number(i.endOfFile),
      isDirectory: (i.attributes & FileAttribute.DIRECTORY) !== 0,
      created: i.creationTime,
      modified: i.lastWriteTime,
      changed: i.changeTime,
      accessed: i.lastAccessTime,
    };
  }

  async setInfo(infoClass: number, data: Buffer): Promise<void> {
    const r = await this.request(
      Command.SET_INFO,
      setInfoRequest({ fileId: this.fileId, infoType: InfoType.FILE, infoClass, data }),
    );
    if (r.header.status !== Status.SUCCESS) throw statusError(r.header.status, 'SET_INFO', this.path);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (!this.conn.alive) return;
    const r = await this.request(Command.CLOSE, closeRequest(this.fileId));
    if (r.header.status !== Status.SUCCESS && r.header.status !== Status.FILE_CLOSED)
      throw statusError(r.header.status, 'CLOSE', this.path);
  }

  /** Reads the whole file (or the range) as an ordered stream of chunks, several READs in flight. */
  async *chunks(start = 0, end = this.size): AsyncGenerator<Buffer> {
    const size = this.tree.client.ioSize('read');
    const depth = this.tree.client.ioDepth();
    const inflight: Array<{ offset: number; length: number; p: Promise<Buffer> }> = [];
    let next = start;
    const issue = () => {
      while (next < end && inflight.length < depth) {
        const length = Math.min(size, end - next);
        const p = this.read(next, length);
        p.catch(() => {}); // awaited below in order; this only keeps a later failure from being "unhandled"
        inflight.push({ offset: next, length, p });
        next += length;
      }
    };
    try {
      issue();
      while (inflight.length) {
        const { offset, length, p } = inflight.shift()!;
        let data = await p;
        issue();
        if (data.length === 0)
          throw new SyncError('VERIFY_FAILED', text('smb.file_shrank_while_being', { value: this.path }));
        yield data;
        // A short read (allowed by the protocol) is completed in place before going on, so order holds.
        let got = data.length;
        while (got < length) {
          data = await this.read(offset + got, length - got);
          if (data.length === 0)
            throw new SyncError('VERIFY_FAILED', text('smb.file_shrank_while_being', { value: this.path }));
          got += data.length;
          yield data;
        }
      }
    } finally {
      await Promise.allSettled(inflight.map((x) => x.p));
    }
  }

  /** Writes a stream at offset 0 onwards, several WRITEs in flight; resolves with the byte count. */
  async writeFrom(
    source: AsyncIterable<Buffer | Uint8Array | string> | Iterable<Buffer>,
    onProgress?: (bytes: number) => void,
  ): Promise<number> {
    const size = this.tree.client.ioSize('write');
    const depth = this.tree.client.ioDepth();
    const inflight = new Set<Promise<void>>();
    let failure: unknown = null;
    let offset = 0;
    let done = 0;
    let parts: Buffer[] = [];
    let partsLen = 0;
    const issue = async (data: Buffer) => {
      const at = offset;
      offset += data.length;
      const p = this.write(data, at).then(
        () => {
          done += data.length;
          onProgress?.(done);
        },
        (e) => {
          failure ??= e;
        },
      );
      inflight.add(p);
      p.finally(() => inflight.delete(p));
      if (inflight.size >= depth) await Promise.race(inflight);
      if (failure) throw failure;
    };
    try {
      for await (const c of source) {
        const chunk =
          typeof c === 'string'
            ? Buffer.from(c)
            : Buffer.isBuffer(c)
              ? c
              : Buffer.from(c.buffer, c.byteOffset, c.byteLength);
        parts.push(chunk);
        partsLen += chunk.length;
        while (partsLen >= size) {
          const all = parts.length === 1 ? parts[0] : Buffer.concat(parts);
          await issue(all.subarray(0, size));
          parts = all.length > size ? [all.subarray(size)] : [];
          partsLen -= size;
        }
      }
      if (partsLen > 0) await issue(parts.length === 1 ? parts[0] : Buffer.concat(parts));
      await Promise.all(inflight);
      if (failure) throw failure;
      return offset;
    } finally {
      await Promise.allSettled(inflight);
    }
  }
}

function baseName(p: string): string {
  const i = p.lastIndexOf('\\');
  return i >= 0 ? p.slice(i + 1) : p;
}

function statFrom(
  name: string,
  c: {
    endOfFile: bigint;
    attributes: number;
    creationTime: Date;
    lastWriteTime: Date;
    changeTime: Date;
    lastAccessTime: Date;
  },
): SmbStat {
  return {
    name,
    size: Number(c.endOfFile),
    isDirectory: (c.attributes & FileAttribute.DIRECTORY) !== 0,
    created: c.creationTime,
    modified: c.lastWriteTime,
    changed: c.changeTime,
    accessed: c.lastAccessTime,
  };
}

const NOT_FOUND = new Set<number>([Status.OBJECT_NAME_NOT_FOUND, Status.OBJECT_PATH_NOT_FOUND]);

/** One connected share. Every operation reconnects first if the connection dropped since the last one. */
export class SmbTree {
  treeId = 0;
  shareFlags = 0;
  private generation = -1;
  private connecting: Promise<Connection> | null = null;
  constructor(
    readonly client: SmbClient,
    readonly share: string,
  ) {}

  get encrypted(): boolean {
    return (this.shareFlags & ShareFlag.ENCRYPT_DATA) !== 0 || this.client.facts.encryption !== null;
  }

  /** The connection with this tree connected on it. */
  async ready(): Promise<Connection> {
    const conn = await this.client.connection();
    if (this.generation === this.client.generation) return conn;
    if (!this.connecting) {
      this.connecting = this.connect(conn).finally(() => {
        this.connecting = null;
      });
    }
    return this.connecting;
  }

  private async connect(conn: Connection): Promise<Connection> {
    const generation = this.client.generation;
    const unc = `\\\\${this.client.opts.host}\\${this.share}`;
    const r = await conn.request(Command.TREE_CONNECT, treeConnectRequest(unc));
    if (r.header.status !== Status.SUCCESS) throw statusError(r.header.status, 'TREE_CONNECT', this.share);
    const t = parseTreeConnectResponse(r.msg);
    this.treeId = r.header.treeId;
    this.shareFlags = t.shareFlags;
    if (t.shareFlags & ShareFlag.ENCRYPT_DATA) {
      if (!conn.encryption) throw new SyncError('ENCRYPTION', text('smb.share_requires_smb3_encryption'));
      conn.encryptTrees.add(this.treeId);
    }
    await validateNegotiate(conn, this.treeId);
    this.generation = generation;
    return conn;
  }

  async open(path: string, o: OpenOptions): Promise<SmbFile> {
    const conn = await this.ready();
    const name = toSmbPath(path);
    const r = await conn.request(
      Command.CREATE,
      createRequest({
        name,
        access: o.access,
        shareAccess: o.shareAccess ?? ShareAccess.READ | ShareAccess.WRITE | ShareAccess.DELETE,
        disposition: o.disposition,
        options: o.options ?? 0,
        attributes: o.attributes,
      }),
      { treeId: this.treeId },
    );
    if (r.header.status !== Status.SUCCESS) throw statusError(r.header.status, 'CREATE', name || '\\');
    return new SmbFile(this, conn, name, parseCreateResponse(r.msg));
  }

  private async withFile<T>(path: string, o: OpenOptions, fn: (f: SmbFile) => Promise<T>): Promise<T> {
    const f = await this.open(path, o);
    let result: T;
    try {
      result = await fn(f);
    } catch (e) {
      await f.close().catch(() => {});
      throw e;
    }
    await f.close();
    return result;
  }

  /** Size, times and kind of `path`; null if it does not exist. */
  async stat(path: string): Promise<SmbStat | null> {
    try {
      return await this.withFile(
        path,
        { access: Access.FILE_READ_ATTRIBUTES | Access.SYNCHRONIZE, disposition: Disposition.OPEN },
        async (f) => f.queryInfo(),
      );
    } catch (e) {
      if (isNotFound(e)) return null;
      throw e;
    }
  }

  /** Entries of a directory ('' = share root), without '.' and '..'. */
  async list(dir: string): Promise<SmbStat[]> {
    return this.withFile(
      dir,
      {
        access: Access.FILE_READ_DATA | Access.FILE_READ_ATTRIBUTES | Access.SYNCHRONIZE,
        disposition: Disposition.OPEN,
        options: CreateOption.DIRECTORY_FILE,
      },
      async (f) => {
        const out: SmbStat[] = [];
        for (let first = true; ; first = false) {
          const r = await f.request(
            Command.QUERY_DIRECTORY,
            queryDirectoryRequest({ fileId: f.fileId, pattern: '*', restart: first, outputLength: 64 * 1024 }),
          );
          if (r.header.status === Status.NO_MORE_FILES) break;
          if (r.header.status !== Status.SUCCESS) throw statusError(r.header.status, 'QUERY_DIRECTORY', f.path);
          const entries = parseQueryDirectoryResponse(r.msg);
          if (!entries.length) break;
          for (const e of entries)
            if (e.name !== '.' && e.name !== '..') out.push(statFrom(e.name, { ...e, endOfFile: e.size }));
        }
        return out;
      },
    );
  }

  /** Creates `dir` and its missing parents. */
  async mkdirp(dir: string): Promise<void> {
    const parts = toSmbPath(dir).split('\\').filter(Boolean);
    for (let i = 1; i <= parts.length; i++) {
      const p = parts.slice(0, i).join('\\');
      const f = await this.open(p, {
        access: Access.FILE_READ_ATTRIBUTES | Access.SYNCHRONIZE,
        disposition: Disposition.OPEN_IF,
        options: CreateOption.DIRECTORY_FILE,
      });
      await f.close();
    }
  }

  /** A readable stream of the file's bytes (several READs in flight, in order). */
  async createReadStream(path: string): Promise<{ stream: Readable; size: number }> {
    const f = await this.open(path, {
      access: Access.FILE_READ_DATA | Access.FILE_READ_ATTRIBUTES | Access.SYNCHRONIZE,
      disposition: Disposition.OPEN,
      options: CreateOption.NON_DIRECTORY_FILE | CreateOption.SEQUENTIAL_ONLY,
      shareAccess: ShareAccess.READ | ShareAccess.WRITE | ShareAccess.DELETE,
    });
    async function* gen() {
      try {
        yield* f.chunks();
      } finally {
        await f.close().catch(() => {});
      }
    }
    return { stream: Readable.from(gen(), { objectMode: false, highWaterMark: 1024 * 1024 }), size: f.size };
  }

  async readFile(path: string, maxBytes = Number.MAX_SAFE_INTEGER): Promise<Buffer> {
    return this.withFile(
      path,
      {
        access: Access.FILE_READ_DATA | Access.FILE_READ_ATTRIBUTES | Access.SYNCHRONIZE,
        disposition: Disposition.OPEN,
        options: CreateOption.NON_DIRECTORY_FILE,
      },
      async (f) => {
        if (f.size > maxBytes)
          throw new SyncError('TOO_LARGE', text('smb.remote_file_too_large', { path, size: f.size }));
        const parts: Buffer[] = [];
        for await (const c of f.chunks()) parts.push(c);
        return Buffer.concat(parts);
      },
    );
  }

  /**
   * Writes a stream to `path`. 'create' fails with ALREADY_EXISTS if the file exists (atomic: FILE_CREATE);
   * 'overwrite' truncates or creates.
   */
  async upload(
    path: string,
    source: AsyncIterable<Buffer | Uint8Array | string> | Iterable<Buffer>,
    opts: { mode?: 'create' | 'overwrite'; onProgress?: (bytes: number) => void; shareAccess?: number } = {},
  ): Promise<number> {
    const disposition = opts.mode === 'create' ? Disposition.CREATE : Disposition.OVERWRITE_IF;
    return this.withFile(
      path,
      {
        access: Access.FILE_WRITE_DATA | Access.FILE_READ_ATTRIBUTES | Access.SYNCHRONIZE,
        disposition,
        options: CreateOption.NON_DIRECTORY_FILE,
        shareAccess: opts.shareAccess ?? ShareAccess.READ,
        attributes: FileAttribute.ARCHIVE,
      },
      (f) => f.writeFrom(source, opts.onProgress),
    );
  }

  async writeFile(
    path: string,
    data: Buffer,
    opts: { mode?: 'create' | 'overwrite'; shareAccess?: number } = {},
  ): Promise<void> {
    await this.upload(path, [data], opts);
  }

  /**
   * Creates `path` with `data` only if it does not exist (FILE_CREATE: of two racing clients exactly one wins).
   * The handle shares nothing until the data is written and closed, so no reader ever sees the file empty: a
   * reader meanwhile gets SHARING_VIOLATION (LOCKED) instead.
   */
  async createExclusive(path: string, data: Buffer): Promise<boolean> {
    try {
      await this.writeFile(path, data, { mode: 'create', shareAccess: 0 });
      return true;
    } catch (e) {
      if (e instanceof SyncError && e.code === 'ALREADY_EXISTS') return false;
      throw e;
    }
  }

  /** Renames `from` to `to` (both share-relative); `replace` atomically replaces an existing target. */
  async rename(from: string, to: string, opts: { replace?: boolean } = {}): Promise<void> {
    await this.withFile(
      from,
      {
        access: Access.DELETE | Access.FILE_READ_ATTRIBUTES | Access.SYNCHRONIZE,
        disposition: Disposition.OPEN,
        shareAccess: ShareAccess.READ | ShareAccess.WRITE | ShareAccess.DELETE,
      },
      (f) => f.setInfo(FileInfoClass.FileRenameInformation, renameInfo(toSmbPath(to), opts.replace === true)),
    );
  }

  /**
   * Adds the name `to` for the file `from` (a hard link) without ever replacing an existing `to`: the server's
   * link(2) is atomic, unlike a no-replace rename, which Samba checks and then performs in two steps (two of six
   * concurrent no-replace renames to one name both succeeded). Exists -> ALREADY_EXISTS.
   */
  async link(from: string, to: string): Promise<void> {
    await this.withFile(
      from,
      {
        access: Access.FILE_READ_ATTRIBUTES | Access.SYNCHRONIZE,
        disposition: Disposition.OPEN,
        shareAccess: ShareAccess.READ | ShareAccess.WRITE | ShareAccess.DELETE,
      },
      (f) => f.setInfo(FileInfoClass.FileLinkInformation, renameInfo(toSmbPath(to), false)),
    );
  }

  /** Deletes a file (or an empty directory). Missing -> false. */
  async remove(path: string, opts: { directory?: boolean } = {}): Promise<boolean> {
    try {
      await this.withFile(
        path,
        {
          access: Access.DELETE | Access.FILE_READ_ATTRIBUTES | Access.SYNCHRONIZE,
          disposition: Disposition.OPEN,
          options: opts.directory ? CreateOption.DIRECTORY_FILE : CreateOption.NON_DIRECTORY_FILE,
          shareAccess: ShareAccess.READ | ShareAccess.WRITE | ShareAccess.DELETE,
        },
        (f) => f.setInfo(FileInfoClass.FileDispositionInformation, dispositionInfo(true)),
      );
      return true;
    } catch (e) {
      if (isNotFound(e)) return false;
      throw e;
    }
  }

  async disconnect(): Promise<void> {
    const conn = await this.client.connection().catch(() => null);
    if (!conn || this.generation !== this.client.generation) return;
    this.generation = -1;
    const r = await conn.request(Command.TREE_DISCONNECT, smallRequest(4), { treeId: this.treeId });
    if (r.header.status !== Status.SUCCESS) throw statusError(r.header.status, 'TREE_DISCONNECT', this.share);
  }
}

export function isNotFound(e: unknown): boolean {
  return (
    e instanceof SyncError && typeof e.details?.ntstatus === 'string' && NOT_FOUND.has(statusCodeOf(e.details.ntstatus))
  );
}
function statusCodeOf(name: string): number {
  const key = name.replace(/^STATUS_/, '') as keyof typeof Status;
  return Status[key] ?? -1;
}
