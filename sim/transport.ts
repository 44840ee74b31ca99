/**
 * A FileTransport on the simulated server. Every remote operation first parks at the device's gate, where the
 * scheduler decides when it happens and whether it fails; the operation then applies to the in-memory store.
 * Faults: a lost request (nothing happened, the caller gets an error), a lost reply (it happened, the caller gets an
 * error), a timeout, a refused connection, a full disk on writes, and a crash of the caller right after the server
 * applied it.
 */
import { createHash } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import { SyncError } from '../src/errors.js';
import { LOCK_FILE } from '../src/engine/remote-layout.js';
import type {
  ConnectionReport,
  DownloadResult,
  FileTransport,
  Guarantees,
  RemoteEntry,
  TransferOptions,
  UploadResult,
} from '../src/transports/types.js';
import type { RemoteStore } from './remote-store.js';

export type NetFault = 'lost-request' | 'lost-reply' | 'timeout' | 'refused' | 'full';
/** The faults of the `net` class; a lost reply is its own class (`lostReply`). */
export const NET_FAULTS: readonly NetFault[] = ['lost-request', 'timeout', 'refused', 'full'];

export interface OpInfo {
  name: string;
  path: string;
  /** Changes the server's state (only these can fail with a full disk). */
  write: boolean;
}

export interface Decision {
  fault?: NetFault;
  /** The server applies the operation, then the calling process dies before it hears back. */
  crashAfter?: boolean;
}

export interface Gate {
  /** Parks until the scheduler picks this operation. */
  wait(op: OpInfo): Promise<Decision>;
  /** The caller died: never returns. */
  halt(): Promise<never>;
}

/** Who the lock bodies say the holder is: a different PC, or one with our very hostname (cloned images). */
export interface HostIdentity {
  host: string;
  pid: number;
}

function faultError(f: NetFault, path: string): SyncError {
  const where = { es: ` (${path})`, en: ` (${path})` };
  switch (f) {
    case 'lost-request':
      return new SyncError('CONNECTION_RESET', {
        es: `La conexión se cortó${where.es}.`,
        en: `The connection dropped${where.en}.`,
      });
    case 'lost-reply':
    case 'timeout':
      return new SyncError('TIMEOUT', {
        es: `El servidor no respondió a tiempo${where.es}.`,
        en: `The server did not answer in time${where.en}.`,
      });
    case 'refused':
      return new SyncError('CONNECTION_REFUSED', {
        es: 'El servidor rechazó la conexión.',
        en: 'The server refused the connection.',
      });
    case 'full':
      return new SyncError('STORAGE_FULL', {
        es: `No queda espacio en el servidor${where.es}.`,
        en: `No space left on the server${where.en}.`,
      });
  }
}

export class SimTransport implements FileTransport {
  readonly protocol = 'webdav' as const;
  private temps = 0;

  constructor(
    private readonly store: RemoteStore,
    private readonly gate: Gate,
    private readonly device: string,
    private readonly identity: HostIdentity,
  ) {}

  /** Parks, then applies `apply` unless the decision says the request never arrived. */
  private async op<T>(info: OpInfo, apply: () => T | Promise<T>): Promise<T> {
    const d = await this.gate.wait(info);
    const f = d.fault === 'full' && !info.write ? 'timeout' : d.fault;
    if (f && f !== 'lost-reply') throw faultError(f, info.path);
    const result = await apply();
    if (d.crashAfter) return this.gate.halt();
    if (f === 'lost-reply') throw faultError(f, info.path);
    return result;
  }

  private entry(path: string): RemoteEntry | null {
    const f = this.store.get(path);
    if (f) return { path, size: f.data.length, isDirectory: false, modified: new Date(f.mtime), version: f.version };
    return this.store.dirs.has(path) ? { path, size: 0, isDirectory: true } : null;
  }

  /** Lock bodies name the simulated PC, not this test process (all devices share one real host and pid). */
  private asWritten(path: string, data: Buffer): Buffer {
    if (path !== LOCK_FILE || data.length === 0) return data;
    try {
      const body = JSON.parse(data.toString('utf8')) as Record<string, unknown>;
      if (!('host' in body)) return data;
      return Buffer.from(JSON.stringify({ ...body, host: this.identity.host, pid: this.identity.pid }));
    } catch {
      return data;
    }
  }

  open(): Promise<void> {
    return this.op({ name: 'open', path: '', write: false }, () => {});
  }

  async guarantees(): Promise<Guarantees> {
    return { ...this.store.behaviour.claims };
  }

  stat(path: string): Promise<RemoteEntry | null> {
    return this.op({ name: 'stat', path, write: false }, () => this.entry(path));
  }

  list(dir: string): Promise<RemoteEntry[]> {
    return this.op({ name: 'list', path: dir, write: false }, () => {
      const prefix = dir ? `${dir}/` : '';
      return [...this.store.files.keys()]
        .filter((p) => p.startsWith(prefix) && !p.slice(prefix.length).includes('/'))
        .map((p) => this.entry(p)!);
    });
  }

  mkdirp(dir: string): Promise<void> {
    return this.op({ name: 'mkdirp', path: dir, write: true }, () => {
      const parts = dir.split('/').filter(Boolean);
      for (let i = 1; i <= parts.length; i++) this.store.dirs.add(parts.slice(0, i).join('/'));
    });
  }

  readSmall(path: string, maxBytes = 1024 * 1024): Promise<{ data: Buffer; version?: string } | null> {
    return this.op({ name: 'readSmall', path, write: false }, () => {
      const f = this.store.get(path);
      if (!f) return null;
      if (f.data.length > maxBytes)
        throw new SyncError('PROTOCOL', { es: `${path} es demasiado grande.`, en: `${path} is too large.` });
      return { data: Buffer.from(f.data), version: f.version };
    });
  }

  writeSmall(path: string, data: Buffer, opts: { ifVersion?: string | null } = {}): Promise<{ version?: string }> {
    return this.op({ name: 'writeSmall', path, write: true }, () => {
      const cur = this.store.get(path);
      if (this.store.behaviour.enforcesConditional && opts.ifVersion !== undefined) {
        if (opts.ifVersion === null && cur)
          throw new SyncError('ALREADY_EXISTS', { es: `${path} ya existe.`, en: `${path} already exists.` });
        if (opts.ifVersion !== null && cur?.version !== opts.ifVersion)
          throw new SyncError('PRECONDITION_FAILED', {
            es: `${path} cambió en el servidor.`,
            en: `${path} changed on the server.`,
          });
      }
      return { version: this.store.put(path, this.asWritten(path, data)).version };
    });
  }

  async createExclusive(path: string, data: Buffer): Promise<boolean> {
    const body = this.asWritten(path, data);
    if (this.store.behaviour.atomicCreate) {
      return this.op({ name: 'createExclusive', path, write: true }, () => {
        if (this.store.get(path)) return false;
        this.store.put(path, body);
        return true;
      });
    }
    // A server without an atomic create: "does it exist?" and "write it" are two requests.
    const exists = await this.op(
      { name: 'createExclusive:check', path, write: false },
      () => this.store.get(path) !== undefined,
    );
    if (exists) return false;
    return this.op({ name: 'createExclusive:put', path, write: true }, () => {
      this.store.put(path, body);
      return true;
    });
  }

  async upload(
    localPath: string,
    path: string,
    expected: { size: number; sha256: string },
    opts: TransferOptions & { replace?: boolean } = {},
  ): Promise<UploadResult> {
    const tmp = `${path.includes('/') ? path.slice(0, path.lastIndexOf('/') + 1) : ''}.upload-${this.device}-${++this.temps}`;
    const landed = await this.op({ name: 'upload:data', path, write: true }, async () => {
      const data = await fsp.readFile(localPath);
      this.store.put(tmp, data);
      return { size: data.length, sha256: createHash('sha256').update(data).digest('hex') };
    });
    if (landed.size !== expected.size || landed.sha256 !== expected.sha256) {
      this.store.delete(tmp);
      throw new SyncError('VERIFY_FAILED', {
        es: 'La copia en el servidor no coincide.',
        en: 'The copy on the server does not match.',
      });
    }
    opts.onProgress?.({ bytes: landed.size, total: landed.size });
    return this.op({ name: 'upload:rename', path, write: true }, () => {
      const f = this.store.get(tmp);
      if (!f)
        throw new SyncError('NOT_FOUND', {
          es: 'La subida temporal desapareció.',
          en: 'The temporary upload vanished.',
        });
      if (!opts.replace && this.store.get(path)) {
        this.store.delete(tmp);
        throw new SyncError('ALREADY_EXISTS', { es: `${path} ya existe.`, en: `${path} already exists.` });
      }
      this.store.delete(tmp);
      const put = this.store.put(path, f.data);
      return { size: landed.size, sha256: landed.sha256, version: put.version };
    });
  }

  async download(path: string, localPath: string, opts: TransferOptions = {}): Promise<DownloadResult> {
    const d = await this.gate.wait({ name: 'download', path, write: false });
    const f = this.store.get(path);
    if (d.fault) {
      // A dropped transfer leaves a partial file behind, like a real one.
      if (f) await fsp.writeFile(localPath, f.data.subarray(0, f.data.length >> 1), { mode: 0o600 });
      throw faultError(d.fault === 'full' ? 'timeout' : d.fault, path);
    }
    if (!f)
      throw new SyncError('NOT_FOUND', {
        es: `No existe en el servidor: ${path}`,
        en: `Not found on the server: ${path}`,
      });
    await fsp.writeFile(localPath, f.data, { mode: 0o600 });
    if (d.crashAfter) return this.gate.halt();
    opts.onProgress?.({ bytes: f.data.length, total: f.data.length });
    return { size: f.data.length, sha256: createHash('sha256').update(f.data).digest('hex') };
  }

  rename(from: string, to: string, opts: { replace?: boolean } = {}): Promise<void> {
    return this.op({ name: 'rename', path: `${from} -> ${to}`, write: true }, () => {
      const f = this.store.get(from);
      if (!f) throw new SyncError('NOT_FOUND', { es: `No existe: ${from}`, en: `Not found: ${from}` });
      if (!opts.replace && this.store.get(to))
        throw new SyncError('ALREADY_EXISTS', { es: `${to} ya existe.`, en: `${to} already exists.` });
      this.store.delete(from);
      this.store.put(to, f.data);
    });
  }

  remove(path: string): Promise<void> {
    return this.op({ name: 'remove', path, write: true }, () => {
      this.store.delete(path);
    });
  }

  async test(): Promise<ConnectionReport> {
    return {
      protocol: this.protocol,
      ok: true,
      steps: [],
      facts: { simulated: true },
      guarantees: await this.guarantees(),
    };
  }

  async close(): Promise<void> {}
}
