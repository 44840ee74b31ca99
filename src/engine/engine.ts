/**
 * The sync engine: one verified sync between the local database and one remote.
 *   snapshot/hash local -> read remote manifest -> three-way plan (plan.ts) -> push | pull | conflict | nothing.
 * Every outcome is recorded in the state file only after verification; every failure is logged and rethrown.
 */
import { promises as fsp, constants as fsc } from 'node:fs';
import path from 'node:path';
import { SyncError, isSyncError, toSyncError } from '../errors.js';
import type { EncryptionConfig } from '../config/schema.js';
import type { Logger } from '../log/events.js';
import type { FileTransport, RemoteManifest, SyncEndpoint, Progress } from '../transports/types.js';
import { privateTempDir } from '../db/snapshot.js';
import { FileRemote } from './remote-layout.js';
import { LocalDb, type LocalExpectation } from './local-db.js';
import { plan, type Direction, type Plan } from './plan.js';
import { StateStore, type ConflictInfo, type TargetState } from './state.js';

export interface EngineOptions {
  /** A file transport (folder, WebDAV, SMB: wrapped in the remote layout) or an endpoint (Socket.IO). */
  transport: FileTransport | SyncEndpoint;
  databasePath: string;
  statePath: string;
  device: string;
  log: Logger;
  /** Parent folder for private temp folders (default: the OS temp folder). */
  tmpDir?: string;
  keepVersions?: number;
  direction?: Direction;
  encryption?: EncryptionConfig;
  /** Key of this remote in the state file (default: the protocol name). */
  targetId?: string;
  /** Where local backups go before a replacement (default: <state folder>/backups). */
  backupsDir?: string;
}

export type SyncAction = 'push' | 'pull' | 'none' | 'conflict' | 'pending';

export interface SyncOutcome {
  action: SyncAction;
  reason: string;
  bytesUp: number;
  bytesDown: number;
  /** Remote generation after the sync (null when the remote cannot tell). */
  generation: number | null;
  durationMs: number;
  conflictCopy?: string;
  /** Internal: the local content after a pull (saves a second snapshot). */
  local?: { sha256: string | null; fingerprint: string };
}

function isFileTransport(t: FileTransport | SyncEndpoint): t is FileTransport {
  return typeof (t as FileTransport).upload === 'function';
}

export class SyncEngine {
  readonly remote: SyncEndpoint;
  readonly local: LocalDb;
  private readonly state: StateStore;
  private readonly target: string;
  private inFlight: Promise<SyncOutcome> | null = null;
  private resendRequested = false;

  constructor(private readonly o: EngineOptions) {
    this.remote = isFileTransport(o.transport) ? new FileRemote(o.transport, { device: o.device, keepVersions: o.keepVersions ?? 10, log: o.log }) : o.transport;
    this.state = new StateStore(o.statePath);
    this.target = o.targetId ?? this.remote.protocol;
    this.local = new LocalDb({
      databasePath: o.databasePath,
      encryption: o.encryption,
      tmpParent: o.tmpDir,
      backupsDir: o.backupsDir ?? path.join(path.dirname(o.statePath), 'backups'),
      log: o.log,
    });
  }

  get protocol() {
    return this.remote.protocol;
  }

  targetState(): Promise<TargetState> {
    return this.state.get(this.target);
  }

  /** One sync. Concurrent calls join the one in flight (one sync at a time). */
  sync(): Promise<SyncOutcome> {
    if (!this.inFlight) {
      this.inFlight = this.run().finally(() => {
        this.inFlight = null;
      });
    }
    return this.inFlight;
  }

  /**
   * A push-only remote (the spec's Flask server) asked for the data (`sync_request` on connect): the next sync sends
   * the current version even if that server acknowledged it before, since it may have lost it (restart).
   */
  requestResend(): void {
    this.resendRequested = true;
  }

  get busy(): boolean {
    return this.inFlight !== null;
  }

  private emit(type: Parameters<Logger['emit']>[0]['type'], code: string, es: string, en: string, data?: Record<string, unknown>, level?: 'info' | 'warn' | 'error' | 'debug') {
    this.o.log.emit({ type, code, text: { es, en }, protocol: this.remote.protocol, data, ...(level ? { level } : {}) });
  }

  private progress(phase: 'upload' | 'download') {
    const start = Date.now();
    let last = 0;
    return (p: Progress) => {
      const now = Date.now();
      if (now - last < 250 && p.bytes !== p.total) return;
      last = now;
      const secs = Math.max(0.001, (now - start) / 1000);
      this.o.log.emit({ type: 'progress', text: { es: phase === 'upload' ? 'Enviando…' : 'Descargando…', en: phase === 'upload' ? 'Uploading…' : 'Downloading…' }, protocol: this.remote.protocol, data: { phase, bytes: p.bytes, total: p.total, bytesPerSecond: Math.round(p.bytes / secs) } });
    };
  }

  private async run(): Promise<SyncOutcome> {
    const started = Date.now();
    const now = () => new Date().toISOString();
    this.emit('sync_start', 'SYNC_START', 'Sincronización iniciada.', 'Sync started.');
    let st = await this.state.get(this.target);
    await this.state.update(this.target, { lastAttempt: now() });
    const work = await privateTempDir(this.o.tmpDir);
    let snapshotToDispose: { dispose(): Promise<void> } | undefined;
    try {
      if (st.conflict) {
        this.emit('conflict', 'CONFLICT_UNRESOLVED', `Hay un conflicto sin resolver: la versión remota está en ${st.conflict.copyPath}. Resuélvalo en la interfaz ("Conservar la local" / "Conservar la remota") o con "cordiax-sync resolve --keep local|remote".`, `There is an unresolved conflict: the remote version is at ${st.conflict.copyPath}. Resolve it in the interface ("Keep local" / "Keep remote") or with "cordiax-sync resolve --keep local|remote".`, { copyPath: st.conflict.copyPath }, 'warn');
        return { action: 'conflict', reason: 'unresolved', bytesUp: 0, bytesDown: 0, generation: st.remoteGeneration ?? null, durationMs: Date.now() - started, conflictCopy: st.conflict.copyPath };
      }

      await this.remote.open();
      const remote = await this.remote.head();
      if (remote && remote.encrypted === false && this.local.encryptionOn) {
        this.emit('warning', 'REMOTE_PLAINTEXT', 'La copia remota no está cifrada pero la encriptación está activada: la próxima subida será cifrada.', 'The remote copy is not encrypted but encryption is on: the next upload will be encrypted.');
      }
      if (st.pendingPush && remote && remote.sha256 === st.pendingPush.sha256) {
        // Our own push landed but the process stopped before recording it: adopt it rather than call it a conflict.
        st = await this.state.update(this.target, { base: { generation: remote.generation, remoteSha256: remote.sha256, localSha256: st.pendingPush.localSha256 }, pendingPush: null });
      }
      const local = await this.local.contentHash({ fingerprint: st.localFingerprint, sha256: st.localSha256 });
      snapshotToDispose = local.snapshot;
      const resend = this.resendRequested;
      this.resendRequested = false;
      const decision: Plan = plan({ localSha256: local.sha256, localBytesSha256: local.snapshot?.sha256 ?? (this.local.encryptionOn ? local.sha256 : null), remote, base: st.base, direction: this.o.direction ?? 'bidirectional', lastAckedSha256: resend ? null : st.lastAckedSha256 });

      let outcome: SyncOutcome;
      switch (decision.action) {
        case 'none':
          if (decision.reason === 'same-content' && remote) {
            await this.state.update(this.target, { base: { generation: remote.generation, remoteSha256: remote.sha256, localSha256: local.sha256! } });
          }
          outcome = { action: 'none', reason: decision.reason, bytesUp: 0, bytesDown: 0, generation: remote?.generation ?? null, durationMs: 0 };
          break;
        case 'push':
          outcome = await this.push(local.sha256!, local.snapshot, remote, decision.reason);
          snapshotToDispose = undefined; // outgoing() owns it now
          break;
        case 'pull':
          outcome = await this.pull(remote!, work.dir, decision.reason, { sha256: local.sha256, fingerprint: local.fingerprint });
          break;
        case 'conflict':
          outcome = await this.conflict(remote!, work.dir, decision.reason);
          break;
      }
      // Record what the local side looks like now, so the next idle poll can skip the snapshot.
      const after = outcome.local ?? local;
      delete outcome.local;
      st = await this.state.update(this.target, {
        lastGoodSync: outcome.action === 'conflict' || outcome.action === 'pending' ? st.lastGoodSync : now(),
        lastAction: outcome.action,
        lastError: null,
        remoteGeneration: outcome.generation,
        localFingerprint: after.fingerprint,
        localSha256: after.sha256,
      });
      outcome.durationMs = Date.now() - started;
      this.emit(
        'sync_end',
        `SYNC_${outcome.action.toUpperCase()}`,
        describe(outcome, 'es'),
        describe(outcome, 'en'),
        { action: outcome.action, reason: outcome.reason, bytesUp: outcome.bytesUp, bytesDown: outcome.bytesDown, durationMs: outcome.durationMs, generation: outcome.generation },
        outcome.action === 'conflict' ? 'warn' : 'info',
      );
      return outcome;
    } catch (err) {
      const e = toSyncError(err);
      await this.state.update(this.target, { lastError: { code: e.code, message: e.describe('es'), message_en: e.describe('en'), time: now() } }).catch(() => {});
      this.emit('error', e.code, `La sincronización ha fallado: ${e.describe('es')}`, `Sync failed: ${e.describe('en')}`, { code: e.code }, 'error');
      throw e;
    } finally {
      await snapshotToDispose?.dispose().catch(() => {});
      await work.dispose().catch(() => {});
    }
  }

  private async push(localSha: string, snapshot: Awaited<ReturnType<LocalDb['contentHash']>>['snapshot'], remote: RemoteManifest | null | undefined, reason: string): Promise<SyncOutcome> {
    const out = await this.local.outgoing(snapshot, localSha);
    try {
      if (remote !== undefined) await this.state.update(this.target, { pendingPush: { sha256: out.sha256, localSha256: out.localSha256 } });
      const res = await this.remote.push(out.path, { sha256: out.sha256, size: out.size, encrypted: out.encrypted, device: this.o.device, baseGeneration: remote?.generation ?? null }, { onProgress: this.progress('upload') });
      if (res.conflict !== undefined || !res.manifest) {
        if (res.conflict === undefined && remote !== undefined) {
          throw new SyncError('PRECONDITION_FAILED', { es: 'El servidor rechazó la versión sin dar la suya.', en: 'The server refused the version without giving its own.' });
        }
        // The remote moved between our read and our commit (compare-and-swap lost): keep both.
        if (res.conflict) return await this.conflict(res.conflict, path.dirname(out.path), 'cas-lost');
      }
      const m = res.manifest;
      if (m) {
        await this.state.update(this.target, { base: { generation: m.generation, remoteSha256: m.sha256, localSha256: out.localSha256 }, pendingPush: null });
      } else {
        await this.state.update(this.target, { lastAckedSha256: out.localSha256 });
      }
      return { action: 'push', reason, bytesUp: out.size, bytesDown: 0, generation: m?.generation ?? null, durationMs: 0 };
    } finally {
      await out.dispose();
    }
  }

  private async pull(remote: RemoteManifest, workDir: string, reason: string, planned: LocalExpectation): Promise<SyncOutcome> {
    const file = path.join(workDir, remote.encrypted ? 'download.db.age' : 'download.db');
    const r = await this.remote.pull(file, remote, { onProgress: this.progress('download') });
    let applied: Awaited<ReturnType<LocalDb['applyDownload']>>;
    try {
      applied = await this.local.applyDownload(file, remote.encrypted, workDir, planned);
    } catch (err) {
      // The app committed while we downloaded: both sides changed, so keep both.
      if (isSyncError(err, 'CONFLICT') && err.details?.localChanged) {
        const outcome = await this.conflict(remote, workDir, 'local-changed-during-pull', file);
        return { ...outcome, bytesDown: r.size };
      }
      throw err;
    }
    if (applied.status === 'pending') {
      const pendingDir = path.join(path.dirname(this.o.statePath), 'pending');
      await fsp.mkdir(pendingDir, { recursive: true, mode: 0o700 });
      const keep = path.join(pendingDir, `generation-${remote.generation}.db.age`);
      await fsp.copyFile(file, keep);
      await fsp.chmod(keep, 0o600);
      await this.state.update(this.target, { pending: { path: keep, generation: remote.generation, reason: 'no-identity' } });
      this.emit('warning', 'PULL_PENDING', `Hay una versión remota cifrada (generación ${remote.generation}) pero no hay identidad para descifrarla: queda pendiente en ${keep}. Configure encryption.identity_file.`, `An encrypted remote version (generation ${remote.generation}) cannot be decrypted without an identity: kept pending at ${keep}. Set encryption.identity_file.`);
      return { action: 'pending', reason: 'no-identity', bytesUp: 0, bytesDown: r.size, generation: remote.generation, durationMs: 0 };
    }
    await this.state.update(this.target, { base: { generation: remote.generation, remoteSha256: remote.sha256, localSha256: applied.localSha256 }, pending: null });
    // No fingerprint: the next poll hashes the live database again, so a commit made right after the restore counts.
    return { action: 'pull', reason, bytesUp: 0, bytesDown: r.size, generation: remote.generation, durationMs: 0, local: { sha256: applied.localSha256, fingerprint: '' } };
  }

  /** Both sides changed: the local database stays; the remote version is saved beside it. Never "newer wins". */
  private async conflict(remote: RemoteManifest | undefined, workDir: string, reason: string, downloaded?: string): Promise<SyncOutcome> {
    if (!remote) throw new SyncError('CONFLICT', { es: 'Conflicto con una versión remota desconocida.', en: 'Conflict with an unknown remote version.' });
    let dl = downloaded;
    let bytesDown = 0;
    if (!dl) {
      dl = path.join(workDir, `conflict-${remote.generation}.bin`);
      bytesDown = (await this.remote.pull(dl, remote, { onProgress: this.progress('download') })).size;
    }
    const dbDir = path.dirname(this.o.databasePath);
    const base = path.basename(this.o.databasePath).replace(/\.db$/, '');
    const ts = new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').replace(/\..*$/, '');
    const device = remote.device.replace(/[^\p{L}\p{N}._-]+/gu, '-').slice(0, 64) || 'remoto';
    let plainCopy = dl;
    let ext = '.db';
    if (remote.encrypted) {
      const keys = await this.local.decryptOptions().catch(() => null);
      if (keys) {
        plainCopy = path.join(workDir, `conflict-${remote.generation}.plain`);
        await (await import('../crypto/index.js')).decryptFile(dl, plainCopy, keys);
      } else {
        ext = '.db.age';
      }
    }
    // Never overwrite an earlier conflict copy (two conflicts in the same second): number the new one.
    let copyPath = '';
    for (let n = 1; ; n++) {
      copyPath = path.join(dbDir, `${base}.conflict-${device}-${ts}${n > 1 ? `-${n}` : ''}${ext}`);
      try {
        await fsp.copyFile(plainCopy, copyPath, fsc.COPYFILE_EXCL);
        break;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || n > 1000) throw err;
      }
    }
    await fsp.chmod(copyPath, 0o600);
    const localSt = await fsp.stat(this.o.databasePath).catch(() => fsp.stat(this.local.encryptedPath)).catch(() => null);
    const info: ConflictInfo = {
      copyPath,
      remoteGeneration: remote.generation,
      remoteSha256: remote.sha256,
      remoteDevice: remote.device,
      remoteTime: remote.time,
      remoteSize: remote.size,
      localSize: localSt?.size ?? 0,
      localTime: localSt?.mtime.toISOString() ?? '',
      detectedAt: new Date().toISOString(),
    };
    await this.state.update(this.target, { conflict: info });
    this.emit(
      'conflict',
      'CONFLICT',
      `¡CONFLICTO! La base de datos cambió aquí y en el servidor (${remote.device}, ${remote.time}). Se conservan las dos: la local sigue en uso y la remota se ha guardado en ${copyPath}. Resuelva en la interfaz ("Conservar la local" / "Conservar la remota") o con "cordiax-sync resolve --keep local|remote".`,
      `CONFLICT! The database changed here and on the server (${remote.device}, ${remote.time}). Both are kept: the local one stays in use and the remote one was saved to ${copyPath}. Resolve in the interface ("Keep local" / "Keep remote") or with "cordiax-sync resolve --keep local|remote".`,
      { ...info, reason },
      'warn',
    );
    return { action: 'conflict', reason, bytesUp: 0, bytesDown, generation: remote.generation, durationMs: 0, conflictCopy: copyPath };
  }

  /**
   * Resolves a conflict. 'local': the local database wins and is pushed next (over the conflicting generation, by
   * compare-and-swap). 'remote': the saved remote copy replaces the local database (after a local backup).
   */
  async resolve(keep: 'local' | 'remote'): Promise<void> {
    if (this.inFlight) await this.inFlight.catch(() => {});
    const st = await this.state.get(this.target);
    const c = st.conflict;
    if (!c) throw new SyncError('NOT_FOUND', { es: 'No hay ningún conflicto pendiente.', en: 'There is no pending conflict.' });
    if (keep === 'local') {
      // Base = the remote version we saw, local hash unknown: the next sync sees "only local changed" and pushes.
      await this.state.update(this.target, { conflict: null, base: { generation: c.remoteGeneration, remoteSha256: c.remoteSha256, localSha256: '' }, localFingerprint: null });
      this.emit('info', 'CONFLICT_RESOLVED_LOCAL', 'Conflicto resuelto: se conserva la versión local; se enviará en la próxima sincronización.', 'Conflict resolved: the local version is kept; it will be sent on the next sync.');
      return;
    }
    let localSha: string;
    if (c.copyPath.endsWith('.age')) {
      const keys = await this.local.decryptOptions();
      if (!keys) throw new SyncError('ENCRYPTION', { es: 'La copia remota está cifrada y no hay identidad para descifrarla.', en: 'The remote copy is encrypted and there is no identity to decrypt it.' });
      const work = await privateTempDir(this.o.tmpDir);
      try {
        const plain = path.join(work.dir, 'remote.db');
        await (await import('../crypto/index.js')).decryptFile(c.copyPath, plain, keys);
        localSha = await this.local.applyPlain(plain);
      } finally {
        await work.dispose();
      }
    } else {
      localSha = await this.local.applyPlain(c.copyPath);
    }
    await this.state.update(this.target, { conflict: null, base: { generation: c.remoteGeneration, remoteSha256: c.remoteSha256, localSha256: localSha }, localFingerprint: null, localSha256: localSha });
    this.emit('info', 'CONFLICT_RESOLVED_REMOTE', 'Conflicto resuelto: la versión remota sustituye a la local (se guardó una copia de seguridad de la local).', 'Conflict resolved: the remote version replaces the local one (a backup of the local one was kept).');
  }

  /** Remote history (newest first) for "restore a version". */
  async versions(): Promise<RemoteManifest[]> {
    const head = await this.remote.head();
    if (!head) return [];
    return [head, ...(head.versions ?? []).map((v) => ({ ...head, ...v, versions: undefined }))];
  }

  /** Restores a remote version into the local database (after a local backup); the next sync pushes it as new. */
  async restoreVersion(generation: number): Promise<void> {
    const all = await this.versions();
    const v = all.find((m) => m.generation === generation);
    if (!v) throw new SyncError('NOT_FOUND', { es: `No existe la versión ${generation}.`, en: `Version ${generation} does not exist.` });
    const work = await privateTempDir(this.o.tmpDir);
    try {
      const file = path.join(work.dir, 'version.bin');
      await this.remote.pull(file, v);
      const applied = await this.local.applyDownload(file, v.encrypted, work.dir);
      if (applied.status === 'pending') throw new SyncError('ENCRYPTION', { es: 'La versión está cifrada y no hay identidad para descifrarla.', en: 'The version is encrypted and there is no identity to decrypt it.' });
      await this.state.update(this.target, { localFingerprint: null });
      this.emit('info', 'VERSION_RESTORED', `Versión ${generation} restaurada en la base de datos local (se guardó una copia de seguridad).`, `Version ${generation} restored into the local database (a backup was kept).`);
    } finally {
      await work.dispose();
    }
  }

  /** Waits a little for a sync in flight, then closes the remote (which aborts a sync stuck on a hostile server). */
  async close(): Promise<void> {
    if (this.inFlight) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([this.inFlight.catch(() => {}), new Promise((r) => (timer = setTimeout(r, 5000)))]);
      clearTimeout(timer);
    }
    await this.remote.close();
  }
}

function describe(o: SyncOutcome, lang: 'es' | 'en'): string {
  const mb = (n: number) => `${(n / 1048576).toFixed(2)} MB`;
  const es: Record<SyncAction, string> = {
    push: `Sincronización terminada: enviada la versión local (${mb(o.bytesUp)}), generación remota ${o.generation ?? '?'}.`,
    pull: `Sincronización terminada: recibida la versión remota (${mb(o.bytesDown)}), generación ${o.generation}.`,
    none: 'Sincronización terminada: sin cambios.',
    conflict: `Sincronización detenida por un conflicto (ver ${o.conflictCopy ?? 'estado'}).`,
    pending: 'Sincronización terminada: hay una versión remota pendiente de descifrar.',
  };
  const en: Record<SyncAction, string> = {
    push: `Sync finished: local version sent (${mb(o.bytesUp)}), remote generation ${o.generation ?? '?'}.`,
    pull: `Sync finished: remote version received (${mb(o.bytesDown)}), generation ${o.generation}.`,
    none: 'Sync finished: no changes.',
    conflict: `Sync stopped by a conflict (see ${o.conflictCopy ?? 'status'}).`,
    pending: 'Sync finished: a remote version is waiting to be decrypted.',
  };
  return (lang === 'es' ? es : en)[o.action];
}

