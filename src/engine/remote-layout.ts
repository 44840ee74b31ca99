/**
 * The remote layout on file-based transports (folder, WebDAV, SMB), and the compare-and-swap built on them.
 *
 *   <remote_path>/cordiax-sync.json           the manifest: generation, sha256, size, device, time, file, history
 *   <remote_path>/versions/000042-<time>-<sha12>-<rand>.db   immutable database objects (".db.age" when encrypted)
 *   <remote_path>/cordiax-sync.lock           short-lived lock, only on servers without conditional writes
 *
 * A push uploads a NEW immutable object (temp name, verified, renamed into place without replacing anything), then
 * commits by replacing the manifest only if its generation is still the one the push was based on. The manifest is
 * the single commit point: a lost race leaves the winner's data and manifest untouched (our object is removed), and a
 * crash at any point leaves the previous manifest pointing at a complete, verified object.
 */
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { SyncError, isSyncError } from '../errors.js';
import type { Logger } from '../log/events.js';
import { nextManifest } from '../transports/manifest.js';
import type { ConnectionReport, DownloadResult, FileTransport, RemoteManifest, SyncEndpoint, TransferOptions } from '../transports/types.js';

export const MANIFEST_FILE = 'cordiax-sync.json';
export const LOCK_FILE = 'cordiax-sync.lock';
export const VERSIONS_DIR = 'versions';
const MAX_MANIFEST_BYTES = 256 * 1024;
/** The lock guards a read + a small write: seconds at most. Older locks are from a crashed client. */
const LOCK_TTL_MS = 120_000;
/** An empty lock is one whose writer died between creating and filling it (transports without atomic create+write). */
const EMPTY_LOCK_TTL_MS = 10_000;
const LOCK_WAIT_MS = 15_000;

interface LockBody {
  device: string;
  nonce: string;
  created: string;
  /** Host and process that hold it: a lock of a dead process on this same machine is stale at once. */
  host?: string;
  pid?: number;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function pad(n: number): string {
  return String(n).padStart(6, '0');
}
function stamp(d = new Date()): string {
  return d.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
}

/** Validates a manifest read from a remote: anything else is a hostile or damaged answer, never trusted. */
export function parseManifest(data: Buffer): RemoteManifest {
  let m: unknown;
  try {
    m = JSON.parse(data.toString('utf8'));
  } catch {
    throw damaged('no es JSON', 'not JSON');
  }
  const o = m as Partial<RemoteManifest>;
  if (!o || typeof o !== 'object' || o.format !== 'cordiax-sync/1') throw damaged('formato desconocido', 'unknown format');
  if (!Number.isSafeInteger(o.generation) || (o.generation as number) < 1) throw damaged('generación no válida', 'invalid generation');
  if (typeof o.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(o.sha256)) throw damaged('sha256 no válido', 'invalid sha256');
  if (!Number.isSafeInteger(o.size) || (o.size as number) < 0) throw damaged('tamaño no válido', 'invalid size');
  if (typeof o.file !== 'string' || !isSafeRelative(o.file)) throw damaged('ruta de archivo no válida', 'invalid file path');
  if (o.versions !== undefined && !Array.isArray(o.versions)) throw damaged('historial no válido', 'invalid history');
  const versions = (o.versions ?? []).filter((v) => v && typeof v.file === 'string' && isSafeRelative(v.file) && Number.isSafeInteger(v.generation));
  return {
    format: 'cordiax-sync/1',
    generation: o.generation as number,
    sha256: o.sha256,
    size: o.size as number,
    encrypted: o.encrypted === true,
    device: typeof o.device === 'string' ? o.device.slice(0, 128) : '?',
    time: typeof o.time === 'string' ? o.time.slice(0, 64) : '',
    file: o.file,
    versions,
  };
}

function damaged(es: string, en: string): SyncError {
  return new SyncError(
    'PROTOCOL',
    { es: `El manifiesto remoto ${MANIFEST_FILE} está dañado (${es}); no se modifica nada.`, en: `The remote manifest ${MANIFEST_FILE} is damaged (${en}); nothing is changed.` },
    { hint: { es: 'Revise la carpeta remota; puede restaurar una versión desde versions/.', en: 'Check the remote folder; a version can be restored from versions/.' } },
  );
}

function isSafeRelative(p: string): boolean {
  return p.length > 0 && p.length < 512 && !p.startsWith('/') && !p.includes('\\') && !p.split('/').some((s) => s === '..' || s === '' || s === '.');
}

export interface FileRemoteOptions {
  device: string;
  keepVersions: number;
  log: Logger;
}

/** Turns a FileTransport into a SyncEndpoint with the layout above. */
export class FileRemote implements SyncEndpoint {
  readonly protocol;
  constructor(
    readonly transport: FileTransport,
    private readonly opts: FileRemoteOptions,
  ) {
    this.protocol = transport.protocol;
  }

  async capabilities() {
    return { push: true, pull: true, history: true, compareAndSwap: true };
  }

  open(): Promise<void> {
    return this.transport.open();
  }

  private async readManifest(): Promise<{ manifest: RemoteManifest; version?: string } | null> {
    const r = await this.transport.readSmall(MANIFEST_FILE, MAX_MANIFEST_BYTES);
    if (!r) return null;
    return { manifest: parseManifest(r.data), version: r.version };
  }

  async head(): Promise<RemoteManifest | null> {
    return (await this.readManifest())?.manifest ?? null;
  }

  async push(
    localPath: string,
    meta: { sha256: string; size: number; encrypted: boolean; device: string; baseGeneration: number | null },
    opts: TransferOptions = {},
  ): Promise<{ manifest?: RemoteManifest; conflict?: RemoteManifest }> {
    const t = this.transport;
    const before = await this.readManifest();
    if ((before?.manifest.generation ?? null) !== meta.baseGeneration) return { conflict: before?.manifest };

    const generation = (before?.manifest.generation ?? 0) + 1;
    const now = new Date();
    // A random part keeps names unique even when a crashed attempt left an object for the same generation and second.
    const file = `${VERSIONS_DIR}/${pad(generation)}-${stamp(now)}-${meta.sha256.slice(0, 12)}-${randomBytes(3).toString('hex')}.db${meta.encrypted ? '.age' : ''}`;
    await t.mkdirp(VERSIONS_DIR);
    const landed = await t.upload(localPath, file, { size: meta.size, sha256: meta.sha256 }, { ...opts, replace: false });
    if (landed.size !== meta.size || (landed.sha256 !== undefined && landed.sha256 !== meta.sha256)) {
      await t.remove(file).catch(() => {});
      throw new SyncError('VERIFY_FAILED', { es: 'Lo que llegó al servidor no coincide con lo enviado; no se ha publicado.', en: 'What reached the server does not match what was sent; not published.' });
    }

    const { manifest } = nextManifest(before?.manifest ?? null, { sha256: meta.sha256, size: meta.size, encrypted: meta.encrypted, device: meta.device, file, time: now }, this.opts.keepVersions);
    const body = Buffer.from(JSON.stringify(manifest, null, 2) + '\n');

    let outcome: { manifest?: RemoteManifest; conflict?: RemoteManifest };
    try {
      outcome = await this.commit(before, manifest, body);
    } catch (err) {
      // Not committed: our object is unreferenced; remove it so it cannot be mistaken for data.
      await t.remove(file).catch(() => {});
      throw err;
    }
    if (outcome.conflict !== undefined || !outcome.manifest) {
      await t.remove(file).catch(() => {});
      return outcome;
    }
    await this.prune(manifest).catch((err) => {
      this.opts.log.emit({ type: 'warning', code: 'PRUNE_FAILED', text: { es: `No se pudieron borrar versiones antiguas: ${(err as Error).message}`, en: `Could not delete old versions: ${(err as Error).message}` } });
    });
    return outcome;
  }

  /** Replaces the manifest only if it is still `before` (compare-and-swap), by the strongest means the server offers. */
  private async commit(before: { manifest: RemoteManifest; version?: string } | null, manifest: RemoteManifest, body: Buffer): Promise<{ manifest?: RemoteManifest; conflict?: RemoteManifest }> {
    const t = this.transport;
    const g = await t.guarantees();
    if (g.conditionalWrite && (before === null || before.version !== undefined)) {
      try {
        await t.writeSmall(MANIFEST_FILE, body, { ifVersion: before ? before.version! : null });
      } catch (err) {
        if (isSyncError(err, 'PRECONDITION_FAILED') || isSyncError(err, 'ALREADY_EXISTS')) return { conflict: (await this.readManifest())?.manifest };
        throw err;
      }
      return { manifest };
    }
    return this.withLock(async () => {
      const now = await this.readManifest();
      if ((now?.manifest.generation ?? null) !== (before?.manifest.generation ?? null) || now?.manifest.sha256 !== before?.manifest.sha256) return { conflict: now?.manifest };
      await t.writeSmall(MANIFEST_FILE, body);
      // Where even exclusive create is not enforced, read back: a concurrent writer shows up here as a foreign manifest.
      const after = await this.readManifest();
      if (!after || after.manifest.generation !== manifest.generation || after.manifest.file !== manifest.file) return { conflict: after?.manifest };
      return { manifest };
    });
  }

  private async withLock<T>(fn: () => Promise<T>): Promise<T> {
    const t = this.transport;
    const body: LockBody = { device: this.opts.device, nonce: randomBytes(8).toString('hex'), created: new Date().toISOString(), host: os.hostname(), pid: process.pid };
    const data = Buffer.from(JSON.stringify(body));
    const deadline = Date.now() + LOCK_WAIT_MS;
    let brokeStale = false;
    for (;;) {
      if (await t.createExclusive(LOCK_FILE, data)) break;
      const held = await t.readSmall(LOCK_FILE, 4096).catch(() => null);
      let created = NaN;
      let holder = '?';
      let deadHere = false;
      let ttl = LOCK_TTL_MS;
      try {
        const lb = JSON.parse(held?.data.toString('utf8') ?? '{}') as Partial<LockBody>;
        created = Date.parse(lb.created ?? '');
        holder = String(lb.device ?? '?').slice(0, 64);
        deadHere = lb.host === os.hostname() && typeof lb.pid === 'number' && lb.pid !== process.pid && !processAlive(lb.pid);
      } catch {
        // Empty or unreadable: possibly caught between its creation and its first byte. Judge its age by the
        // server's modification time instead, so a live lock is never taken for a stale one.
        const st = await t.stat(LOCK_FILE).catch(() => null);
        created = st?.modified ? st.modified.getTime() : Date.now();
        if (held?.data.length === 0) ttl = EMPTY_LOCK_TTL_MS;
      }
      if (held && (deadHere || !Number.isFinite(created) || Date.now() - created > ttl) && !brokeStale) {
        brokeStale = true;
        this.opts.log.emit({ type: 'warning', code: 'STALE_LOCK_REMOVED', text: { es: `Se elimina un bloqueo remoto caducado de ${holder}.`, en: `Removing an expired remote lock held by ${holder}.` } });
        await t.remove(LOCK_FILE);
        continue;
      }
      if (Date.now() > deadline) {
        throw new SyncError('LOCKED', { es: `Otro equipo (${holder}) está sincronizando; se reintentará.`, en: `Another device (${holder}) is syncing; will retry.` });
      }
      await new Promise((r) => setTimeout(r, 300 + Math.random() * 400));
    }
    try {
      return await fn();
    } finally {
      // Only remove the lock if it is still ours.
      const now = await t.readSmall(LOCK_FILE, 4096).catch(() => null);
      if (now && now.data.toString('utf8').includes(body.nonce)) await t.remove(LOCK_FILE).catch(() => {});
    }
  }

  /** Deletes version objects older than the oldest one the manifest still lists. Never touches newer (in-flight) ones. */
  private async prune(manifest: RemoteManifest): Promise<void> {
    const keep = new Set([manifest.file, ...(manifest.versions ?? []).map((v) => v.file)]);
    const oldestKept = Math.min(manifest.generation, ...(manifest.versions ?? []).map((v) => v.generation));
    for (const e of await this.transport.list(VERSIONS_DIR)) {
      const rel = `${VERSIONS_DIR}/${e.path.split('/').pop()}`;
      const m = /^(\d{6,})-/.exec(rel.slice(VERSIONS_DIR.length + 1));
      if (e.isDirectory || !m || keep.has(rel)) continue;
      if (Number(m[1]) < oldestKept) await this.transport.remove(rel);
    }
  }

  async pull(localPath: string, manifest?: RemoteManifest, opts: TransferOptions = {}): Promise<DownloadResult> {
    const m = manifest ?? (await this.head());
    if (!m) throw new SyncError('NOT_FOUND', { es: 'El servidor aún no tiene ninguna base de datos.', en: 'The server holds no database yet.' });
    const r = await this.transport.download(m.file, localPath, opts);
    if (r.size !== m.size || r.sha256 !== m.sha256) {
      throw new SyncError('VERIFY_FAILED', {
        es: `La copia descargada (${r.size} bytes) no coincide con el manifiesto (${m.size} bytes, sha256 distinto); no se aplica.`,
        en: `The download (${r.size} bytes) does not match the manifest (${m.size} bytes, different sha256); not applied.`,
      });
    }
    return r;
  }

  onRemoteEvent(): () => void {
    return () => {}; // polled remotes have no push notifications
  }

  test(): Promise<ConnectionReport> {
    return this.transport.test();
  }

  close(): Promise<void> {
    return this.transport.close();
  }
}
