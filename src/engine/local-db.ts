/**
 * The local side of a sync: which form the database is in (plain, encrypted and locked, encrypted and unlocked), its
 * content hash (skipping the snapshot when no file changed), what leaves the machine (and the guard that refuses
 * plaintext when encryption is on), and how a verified download is applied.
 */
import { randomBytes } from 'node:crypto';
import { promises as fsp, constants as fsc } from 'node:fs';
import path from 'node:path';
import { SyncError } from '../errors.js';
import { readLivePages, type LivePages } from '../db/live-reading.js';
import type { PageIndex } from '../delta/page-index.js';
import {
  countRows,
  ensureChecked,
  markRollbackJournal,
  sha256File,
  takeSnapshot,
  verifyDatabase,
  privateTempDir,
  type Snapshot,
} from '../db/snapshot.js';
import {
  copyToUniqueFile,
  moveToUniqueFile,
  fileFingerprintSync,
  isAbsentDatabase,
  liveFingerprintSync,
  LocalChangedError,
  readLive,
  replaceLiveDatabase,
} from '../db/live.js';
import * as ageCrypto from '../crypto/index.js';
import type { EncryptionConfig } from '../config/schema.js';
import type { Logger } from '../log/events.js';
import { msg } from '../messages/index.js';

export type EncryptionState = 'off' | 'locked' | 'unlocked' | 'missing';

/** The local content a plan was made on (checked again inside the live database's write lock before a replace). */
export interface LocalExpectation {
  sha256: string | null;
  fingerprint: string;
  /** The same content in other forms (the plaintext of a locked .enc): an unlock of it is not a change. */
  aliases?: string[];
  /** The plan's reading (LocalContent.stableFingerprint and its snapshot): spares the replace a second snapshot. */
  reading?: { fingerprint: string; snapshot: Snapshot };
}

/** The local content now: its hash, the same content's hash in other forms (aliases), and its row count. */
export interface LocalContent {
  sha256: string | null;
  fingerprint: string;
  /**
   * Hashes of the same content in another form: the plaintext content hash of a locked .enc when a key is at hand.
   * An unlock or a lock of the same version is then not taken for a local edit.
   */
  aliases?: string[];
  /** Rows in all tables of a plaintext snapshot (for the guard against pushing a wiped database). */
  rows?: number;
  snapshot?: Snapshot;
  /**
   * The live database read in place instead of a snapshot (src/db/live-reading.ts): the same hashes and page hashes
   * a snapshot would give, and the patch from the remote head's index. Whoever needs a file takes a snapshot then.
   */
  inPlace?: LivePages;
  /** The live fingerprint taken before `snapshot`, only when it did not move while the snapshot was taken. */
  stableFingerprint?: string;
}

/** sha256 of the bytes a snapshot of the local content has (taken or read in place), when known. */
export function localBytesSha256(local: LocalContent): string | null {
  return local.snapshot?.sha256 ?? local.inPlace?.sha256 ?? null;
}

/** What applying a download did. */
export type ApplyResult =
  | { status: 'applied'; localSha256: string; aliases?: string[]; rows?: number; backupPath: string | null }
  | { status: 'pending' };

export interface LocalDbOptions {
  databasePath: string;
  encryption?: EncryptionConfig;
  tmpParent?: string;
  backupsDir: string;
  /** Where an encrypted download that cannot be decrypted here waits for an identity (default: beside backupsDir). */
  pendingDir?: string;
  log: Logger;
  /** Kept backups of the local database taken before each replacement. */
  keepBackups?: number;
  /** How long a replace waits for the application to release the database's write lock (default 30 s). */
  lockWaitMs?: number;
  /** Hash every page of the snapshot a sync takes (delta sync on file remotes compares them: src/delta). */
  pageHashes?: boolean;
}

/** A remote version kept beside the local database when both sides changed (never "newer wins"). */
export interface ConflictCopy {
  path: string;
  /** Kept as ciphertext (.db.age): locked here, or no key at hand to decrypt it. */
  encrypted: boolean;
}

/** Size and modification time of the local database in the form it is in (plain, else the .enc). */
export interface LocalFileInfo {
  size: number;
  time: string;
}

/** The remote version a conflict copy or a pending file comes from. */
interface RemoteVersion {
  generation: number;
  device: string;
  encrypted: boolean;
}

/** What is about to leave the machine, in a private temp folder. */
export interface Outgoing {
  path: string;
  sha256: string;
  size: number;
  encrypted: boolean;
  /** Hash of the local content this payload represents (plaintext snapshot hash when unlocked). */
  localSha256: string;
  dispose(): Promise<void>;
}

async function exists(p: string): Promise<boolean> {
  return fsp.access(p, fsc.F_OK).then(
    () => true,
    () => false,
  );
}

/** Backup file names: `<base>-<YYYYMMDDTHHMMSSmmm>-<why>[-n].db[.enc]`, unique by exclusive create. */
const BACKUP_NAME = /^(.*)-(\d{8}T\d{9})-[a-z-]+?(?:-\d+)?\.db(?:\.enc)?$/;

export class LocalDb {
  constructor(private readonly o: LocalDbOptions) {}

  get databasePath(): string {
    return this.o.databasePath;
  }
  get backupsDir(): string {
    return this.o.backupsDir;
  }
  get encryptedPath(): string {
    return `${this.o.databasePath}.enc`;
  }
  get encryptionOn(): boolean {
    return this.o.encryption?.enabled === true;
  }

  async state(): Promise<EncryptionState> {
    // A 0-byte file (created by an app at launch, or by us before a first pull) holds no database yet.
    const plain = !isAbsentDatabase(this.o.databasePath);
    if (!this.encryptionOn) return plain ? 'off' : 'missing';
    if (plain) return 'unlocked';
    return (await exists(this.encryptedPath)) ? 'locked' : 'missing';
  }

  /** A cheap fingerprint of the files the content hash depends on. */
  async fingerprint(): Promise<string> {
    const st = await this.state();
    if (st === 'locked') return `locked|${fileFingerprintSync(this.encryptedPath)}`;
    return `${st}|${liveFingerprintSync(this.o.databasePath)}`;
  }

  /**
   * The local content hash: of a consistent snapshot (plain or unlocked), or of the .enc file (locked).
   * Returns the snapshot too when one was taken, so a push can use it without taking another. `previous` (what the
   * last sync recorded) lets an unchanged fingerprint skip the snapshot.
   */
  async contentHash(previous?: {
    fingerprint?: string | null;
    sha256?: string | null;
    aliases?: string[] | null;
    /**
     * The content of the last sync (the base), which passed quick_check here when it was pushed or pulled: a snapshot
     * with that content skips the check (same bytes, see takeSnapshot's skipCheck) and is checked if ever pushed.
     */
    verified?: string | null;
    /**
     * The page index of the remote head, when a push would send a patch from it: the live database is then read in
     * place (no copy) and the patch built from it (src/db/live-reading.ts); a snapshot when that is refused.
     */
    against?: PageIndex | null;
  }): Promise<LocalContent> {
    const st = await this.state();
    const fp = await this.fingerprint();
    if (st === 'missing') return { sha256: null, fingerprint: fp };
    if (previous?.fingerprint && previous.fingerprint === fp && previous.sha256)
      return { sha256: previous.sha256, fingerprint: fp, aliases: previous.aliases ?? undefined };
    if (st === 'locked') {
      const sha256 = (await sha256File(this.encryptedPath)).sha256;
      const plain = await this.plainContentOfEncrypted(this.encryptedPath);
      return { sha256, fingerprint: fp, aliases: plain ? [plain.contentSha256] : undefined, rows: plain?.rows };
    }
    if (previous?.against !== undefined && this.o.pageHashes) {
      const fingerprint = liveFingerprintSync(this.o.databasePath);
      // Without an index a push sends the whole database: the reading then also copies it (through its held
      // transaction, while the workers hash), which gives the snapshot with nothing left to read.
      const copyDir = previous.against ? null : await privateTempDir(this.o.tmpParent);
      const copyTo = copyDir ? path.join(copyDir.dir, `snapshot-${randomBytes(4).toString('hex')}.db`) : undefined;
      const inPlace = await readLivePages(this.o.databasePath, {
        tmpParent: this.o.tmpParent,
        against: previous.against,
        copyTo,
        refused: (why, detail) =>
          this.o.log.emit({
            type: 'info',
            level: 'debug',
            code: 'LIVE_READING_REFUSED',
            text: msg('event.LIVE_READING_REFUSED', { why }),
            data: { why, ...(detail ? { detail } : {}) },
          }),
      });
      if (inPlace) {
        this.o.log.emit({
          type: 'info',
          level: 'debug',
          code: 'LIVE_READING',
          text: msg('event.LIVE_READING', { pages: inPlace.changedPages }),
          data: { copied: !!copyTo, changedPages: inPlace.changedPages, patch: !!inPlace.patch },
        });
        const stable = liveFingerprintSync(this.o.databasePath) === fingerprint;
        const common = {
          sha256: inPlace.contentSha256,
          fingerprint: `${st}|${fingerprint}`,
          rows: inPlace.rows,
          ...(stable ? { stableFingerprint: fingerprint } : {}),
        };
        if (!copyDir || !copyTo) return { ...common, inPlace };
        await inPlace.dispose(); // no patch without an index: only the copy is kept
        const snapshot: Snapshot = {
          path: copyTo,
          sha256: inPlace.sha256,
          contentSha256: inPlace.contentSha256,
          size: inPlace.size,
          pages: inPlace.pages,
          checked: true,
          dispose: copyDir.dispose,
        };
        return { ...common, snapshot };
      }
      await copyDir?.dispose();
    }
    const verified = previous?.verified;
    const live = await readLive(this.o.databasePath, {
      tmpParent: this.o.tmpParent,
      pageHashes: this.o.pageHashes,
      ...(verified ? { skipCheck: (h: string) => h === verified } : {}),
    });
    if (!live.snapshot) return { sha256: null, fingerprint: live.fingerprint };
    return {
      sha256: live.contentSha256,
      fingerprint: `${st}|${live.fingerprint}`,
      snapshot: live.snapshot,
      rows: countRows(live.snapshot.path),
      ...(live.stable ? { stableFingerprint: live.fingerprint } : {}),
    };
  }

  /**
   * The plaintext content hash (and rows) of an age file, when a key is at hand here; null otherwise. Decrypted into
   * a private temp folder that is removed at once: with encryption on, nothing plaintext stays on disk.
   */
  async plainContentOfEncrypted(file: string): Promise<{ contentSha256: string; rows: number } | null> {
    const keys = await this.decryptOptions().catch(() => null);
    if (!keys) return null;
    const tmp = await privateTempDir(this.o.tmpParent);
    try {
      const plain = path.join(tmp.dir, 'plain.db');
      await ageCrypto.decryptFile(file, plain, keys);
      const snap = await takeSnapshot(plain, { tmpParent: tmp.dir });
      try {
        return { contentSha256: snap.contentSha256, rows: countRows(snap.path) };
      } finally {
        await snap.dispose();
      }
    } catch {
      return null;
    } finally {
      await tmp.dispose();
    }
  }

  /** Builds the payload to upload. Encryption on: only ciphertext, checked by the guard. */
  async outgoing(snapshot: Snapshot | undefined, localSha256: string): Promise<Outgoing> {
    const st = await this.state();
    const tmp = await privateTempDir(this.o.tmpParent);
    const disposeAll = async () => {
      await tmp.dispose();
      await snapshot?.dispose();
    };
    try {
      let out: Omit<Outgoing, 'dispose'>;
      if (!this.encryptionOn) {
        const snap = snapshot ?? (await takeSnapshot(this.o.databasePath, { tmpParent: this.o.tmpParent }));
        snapshot = snap;
        await ensureChecked(snap); // a corrupt database never leaves
        out = {
          path: snap.path,
          sha256: snap.sha256,
          size: snap.size,
          encrypted: false,
          localSha256: snap.contentSha256,
        };
      } else if (st === 'locked') {
        // Copy first: the app may rewrite the .enc while we upload; the copy is what we hash and send.
        const copy = path.join(tmp.dir, 'locked.db.age');
        await fsp.copyFile(this.encryptedPath, copy);
        const h = await sha256File(copy);
        out = { path: copy, sha256: h.sha256, size: h.size, encrypted: true, localSha256: h.sha256 };
      } else {
        const snap = snapshot ?? (await takeSnapshot(this.o.databasePath, { tmpParent: this.o.tmpParent }));
        snapshot = snap;
        await ensureChecked(snap);
        const enc = path.join(tmp.dir, 'snapshot.db.age');
        const opts = await this.encryptOptions();
        const r = await ageCrypto.encryptFile(snap.path, enc, opts);
        // The plaintext snapshot is no longer needed: remove it before anything goes out.
        await snap.dispose();
        snapshot = undefined;
        out = { path: enc, sha256: r.sha256, size: r.size, encrypted: true, localSha256: localSha256 };
      }
      await this.guard(out.path, out.encrypted);
      return { ...out, dispose: disposeAll };
    } catch (err) {
      await disposeAll();
      throw err;
    }
  }

  /**
   * The guard every upload passes through: with encryption on, bytes that do not start with the age header never
   * leave (Litestream once shipped plaintext because its setting was silently ignored).
   */
  async guard(file: string, claimedEncrypted: boolean): Promise<void> {
    if (!this.encryptionOn) return;
    if (!claimedEncrypted || !(await ageCrypto.isAgeFile(file))) {
      this.o.log.emit({
        type: 'error',
        code: 'PLAINTEXT_REFUSED',
        text: msg('event.PLAINTEXT_REFUSED'),
      });
      throw new SyncError('ENCRYPTION', msg('engine.encryption_data_send_not_encrypted'));
    }
  }

  async encryptOptions(): Promise<{ recipients?: string[]; passphrase?: string }> {
    const e = this.o.encryption!;
    if (e.mode === 'passphrase') return { passphrase: await ageCrypto.readPassphrase(e) };
    if (!e.recipients.length) throw new SyncError('ENCRYPTION', msg('engine.encryption_but_no_public_keys'));
    return { recipients: e.recipients };
  }

  /** Identities/passphrase to decrypt, or null when none is available (the download then stays pending). */
  async decryptOptions(): Promise<{ identities?: string[]; passphrase?: string } | null> {
    const e = this.o.encryption;
    if (!e) return null;
    if (e.mode === 'passphrase') {
      if (!e.passphrase_file && !e.passphrase_env) return null;
      return { passphrase: await ageCrypto.readPassphrase(e) };
    }
    if (!e.identity_file) return null;
    if (!(await exists(e.identity_file))) return null;
    return { identities: await ageCrypto.loadIdentityFile(e.identity_file) };
  }

  /**
   * Saves a downloaded remote version beside the database under a name never used before
   * (`<base>.conflict-<device>-<time>[-n].db[.age]`). While the database is locked (only the .enc at rest), the copy
   * stays encrypted: nothing plaintext is written; unlocked, an encrypted copy is decrypted when a key is at hand.
   */
  async keepConflictCopy(downloaded: string, remote: RemoteVersion, workDir: string): Promise<ConflictCopy> {
    const dbDir = path.dirname(this.o.databasePath);
    const base = path.basename(this.o.databasePath).replace(/\.db$/, '');
    const ts = new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').replace(/\..*$/, '');
    const device = remote.device.replace(/[^\p{L}\p{N}._-]+/gu, '-').slice(0, 64) || 'remoto';
    const locked = (await this.state()) === 'locked';
    let copySource = downloaded;
    let ext = '.db';
    if (remote.encrypted) {
      const keys = locked ? null : await this.decryptOptions().catch(() => null);
      if (keys) {
        copySource = path.join(workDir, `conflict-${remote.generation}.plain`);
        await ageCrypto.decryptFile(downloaded, copySource, keys);
      } else {
        ext = '.db.age';
      }
    } else if (locked) {
      copySource = path.join(workDir, `conflict-${remote.generation}.age`);
      await ageCrypto.encryptFile(downloaded, copySource, await this.encryptOptions());
      ext = '.db.age';
    }
    const copyPath = await copyToUniqueFile(copySource, dbDir, `${base}.conflict-${device}-${ts}`, ext);
    return { path: copyPath, encrypted: ext === '.db.age' };
  }

  /** Size and time of the local database file (the .enc when there is no plaintext); zero and '' when neither. */
  async fileInfo(): Promise<LocalFileInfo> {
    const st = await fsp
      .stat(this.o.databasePath)
      .catch(() => fsp.stat(this.encryptedPath))
      .catch(() => null);
    return { size: st?.size ?? 0, time: st?.mtime.toISOString() ?? '' };
  }

  /** Keeps an encrypted download that cannot be decrypted here, until an identity is configured; returns its path. */
  async keepPending(downloaded: string, remote: RemoteVersion): Promise<string> {
    const dir = this.o.pendingDir ?? path.join(path.dirname(this.o.backupsDir), 'pending');
    await fsp.mkdir(dir, { recursive: true, mode: 0o700 });
    const keep = path.join(dir, `generation-${remote.generation}.db.age`);
    await fsp.copyFile(downloaded, keep);
    await fsp.chmod(keep, 0o600);
    return keep;
  }

  /**
   * Applies a verified download (already hash-checked against the manifest) to the local side, in the form the
   * database is in: locked -> the .enc is replaced (nothing plaintext written); plain or unlocked -> restored into
   * the live database under its write lock. Returns 'pending' when an encrypted download cannot be decrypted here.
   * With `expect`, refuses (LocalChangedError) if the local content moved since it was planned on.
   */
  async applyDownload(
    file: string,
    remoteEncrypted: boolean,
    workDir: string,
    expect?: LocalExpectation,
    beforeReplace?: (localSha256: string) => Promise<void>,
    /** `file` is the sync's own plaintext download, already checked and hashed (see Fetched.verified). */
    verified?: { contentSha256: string },
  ): Promise<ApplyResult> {
    const st = await this.state();
    if (remoteEncrypted && !(await ageCrypto.isAgeFile(file))) {
      throw new SyncError('ENCRYPTION', msg('engine.manifest_says_remote_copy'));
    }
    if (this.encryptionOn && st === 'locked') {
      let enc = file;
      if (remoteEncrypted) {
        await ageCrypto.verifyFile(file, (await this.decryptOptions()) ?? {}).catch((err) => {
          // Without keys the ciphertext cannot be opened here; its hash was checked against the manifest.
          if ((err as { details?: { reason?: string } }).details?.reason !== 'no-key') throw err;
        });
      } else {
        // A plaintext remote while we are locked: keep the local form (encrypted) rather than writing plaintext here.
        await verifyDatabase(file);
        enc = path.join(workDir, 'incoming.db.age');
        await ageCrypto.encryptFile(file, enc, await this.encryptOptions());
      }
      const plain = await this.plainContentOfEncrypted(enc);
      const r = await this.replaceEncrypted(enc, expect, beforeReplace);
      return {
        status: 'applied',
        localSha256: r.sha256,
        aliases: plain ? [plain.contentSha256] : undefined,
        rows: plain?.rows,
        backupPath: r.backupPath,
      };
    }
    if (remoteEncrypted) {
      const keys = await this.decryptOptions();
      if (!keys) return { status: 'pending' };
      const plain = path.join(workDir, 'decrypted.db');
      await ageCrypto.decryptFile(file, plain, keys);
      return { status: 'applied', ...(await this.applyPlain(plain, expect, beforeReplace)) };
    }
    return { status: 'applied', ...(await this.applyPlain(file, expect, beforeReplace, verified)) };
  }

  /**
   * Verifies `file`, then replaces the live database's content with it under the database's write lock (live.ts):
   * the "unchanged since the plan" check, the backup of what is replaced and the replace cannot be separated by an
   * application commit, and the result is read back. `file` is copied first: the caller's file stays as it was.
   * `verified`: `file` is the sync's own download and passed quick_check with this content hash in the read that
   * verified it (src/delta/sync.ts): it is neither checked nor hashed again, and restored from where it is (only its
   * journal-mode header bytes change meanwhile, put back after, so a conflict copy made of it stays a plain file).
   */
  async applyPlain(
    file: string,
    expect?: LocalExpectation,
    beforeReplace?: (localSha256: string) => Promise<void>,
    verified?: { contentSha256: string },
  ): Promise<{ localSha256: string; rows: number; backupPath: string | null }> {
    if (!verified) await verifyDatabase(file);
    const tmp = await privateTempDir(this.o.tmpParent);
    try {
      const incoming = verified ? file : path.join(tmp.dir, 'incoming.db');
      if (!verified) await fsp.copyFile(file, incoming);
      const rows = countRows(incoming);
      const r = await replaceLiveDatabase(incoming, this.o.databasePath, {
        expect: expect
          ? { fingerprint: expect.fingerprint, contentSha256: expect.sha256, aliases: expect.aliases }
          : undefined,
        // The snapshot is ours and disposed right after: moved into the backups, not copied.
        keepBackup: (snap) => this.keepBackup(snap.path, 'before-replace', '.db', true),
        tmpParent: this.o.tmpParent,
        lockWaitMs: this.o.lockWaitMs,
        beforeReplace,
        current: expect?.reading,
        ...(verified ? { incomingContentSha256: verified.contentSha256 } : {}),
      });
      if (r.backupPath) this.logBackup(r.backupPath);
      return { localSha256: r.contentSha256, rows, backupPath: r.backupPath };
    } finally {
      if (verified) await markRollbackJournal(file).catch(() => {});
      await tmp.dispose();
    }
  }

  private logBackup(where: string): void {
    this.o.log.emit({
      type: 'info',
      code: 'LOCAL_BACKUP',
      text: msg('event.LOCAL_BACKUP', { where }),
      data: { path: where },
    });
  }

  /** Keeps a consistent copy of the local database now (e.g. before "restore"); null when there is none. */
  async backupLocal(why: string): Promise<string | null> {
    const st = await this.state();
    if (st === 'missing') return null;
    if (st === 'locked') return this.keepBackup(this.encryptedPath, why, '.db.enc');
    const snap = await takeSnapshot(this.o.databasePath, { tmpParent: this.o.tmpParent });
    try {
      return await this.keepBackup(snap.path, why, '.db');
    } finally {
      await snap.dispose();
    }
  }

  /**
   * Copies `src` into the backups folder under a name that is never reused (milliseconds, then a counter, created
   * exclusively and fsynced), then prunes older backups of the same database only.
   */
  private async keepBackup(src: string, why: string, ext: '.db' | '.db.enc', move = false): Promise<string> {
    const ts = new Date().toISOString().replace(/[-:.]/g, '').replace(/Z$/, '');
    const base = path.basename(this.o.databasePath).replace(/\.db$/, '');
    const dest = await (move ? moveToUniqueFile : copyToUniqueFile)(
      src,
      this.o.backupsDir,
      `${base}-${ts}-${why}`,
      ext,
    );
    await this.pruneBackups(dest).catch(() => {});
    return dest;
  }

  /**
   * Backups are pruned per database (its base name), newest first by the time in the name: the newest
   * `keepBackups` (default 10) stay, and so does any backup younger than an hour (a burst of pulls must not push
   * out the copy that holds displaced rows); never the one just written.
   */
  private async pruneBackups(justWritten: string): Promise<void> {
    const keep = this.o.keepBackups ?? 10;
    const base = path.basename(this.o.databasePath).replace(/\.db$/, '');
    const mine: Array<{ name: string; stamp: string }> = [];
    for (const name of await fsp.readdir(this.o.backupsDir)) {
      const m = BACKUP_NAME.exec(name);
      if (m && m[1] === base) mine.push({ name, stamp: m[2] });
    }
    mine.sort((a, b) => (a.stamp < b.stamp ? 1 : a.stamp > b.stamp ? -1 : a.name < b.name ? 1 : -1));
    const hourAgo = Date.now() - 3600_000;
    for (const { name } of mine.slice(keep)) {
      const p = path.join(this.o.backupsDir, name);
      if (p === justWritten) continue;
      const st = await fsp.stat(p).catch(() => null);
      if (st && st.mtimeMs < hourAgo) await fsp.rm(p, { force: true });
    }
  }

  /**
   * Replaces the .enc (a file the app reads at unlock and writes at lock, never opens as SQLite). The current .enc
   * is first moved into the backups folder (so whatever is there at that instant is kept), checked against the plan,
   * and the new one is linked into place only if no new .enc appeared meanwhile (link never overwrites).
   */
  private async replaceEncrypted(
    src: string,
    expect?: LocalExpectation,
    beforeReplace?: (sha256: string) => Promise<void>,
  ): Promise<{ sha256: string; backupPath: string | null }> {
    const { sha256 } = await sha256File(src);
    await beforeReplace?.(sha256);
    const dest = this.encryptedPath;
    const staged = await copyToUniqueFile(
      src,
      path.dirname(dest),
      `${path.basename(dest)}.incoming-${process.pid}`,
      '',
    );
    try {
      let backupPath: string | null = null;
      if (await exists(dest)) {
        // Move the live .enc aside (same folder, atomic): whatever the app had there at that instant is what we keep.
        // A crash from here to the link below leaves it under this name beside the database.
        const aside = `${dest}.replaced-${process.pid}-${Date.now()}`;
        await fsp.rename(dest, aside);
        backupPath = await this.keepBackup(aside, 'before-replace', '.db.enc');
        const was = (await sha256File(aside)).sha256;
        if (expect && expect.sha256 !== null && was !== expect.sha256) {
          await fsp.link(aside, dest).catch(() => {});
          await fsp.rm(aside, { force: true });
          throw new LocalChangedError(msg('engine.local_encrypted_database_changed'));
        }
        await fsp.rm(aside, { force: true });
        this.logBackup(backupPath);
      } else if (expect && expect.sha256 !== null) {
        throw new LocalChangedError(msg('engine.local_encrypted_database_disappeared'));
      }
      try {
        await fsp.link(staged, dest);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'EEXIST') {
          throw new LocalChangedError(msg('engine.application_wrote_new_encrypted'));
        }
        throw err;
      }
      return { sha256, backupPath };
    } finally {
      await fsp.rm(staged, { force: true });
    }
  }
}
