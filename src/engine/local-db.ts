/**
 * The local side of a sync: which form the database is in (plain, encrypted and locked, encrypted and unlocked), its
 * content hash (skipping the snapshot when no file changed), what leaves the machine (and the guard that refuses
 * plaintext when encryption is on), and how a verified download is applied.
 */
import { promises as fsp, constants as fsc } from 'node:fs';
import path from 'node:path';
import { SyncError } from '../errors.js';
import { sha256File, takeSnapshot, verifyDatabase, restoreInto, privateTempDir, type Snapshot } from '../db/snapshot.js';
import type { EncryptionConfig } from '../config/schema.js';
import type { Logger } from '../log/events.js';

export const AGE_MAGIC = Buffer.from('age-encryption.org/v1\n', 'latin1');

export type EncryptionState = 'off' | 'locked' | 'unlocked' | 'missing';

/** The local content a plan was made on. */
export interface LocalExpectation {
  sha256: string | null;
  fingerprint: string;
}

export interface LocalDbOptions {
  databasePath: string;
  encryption?: EncryptionConfig;
  tmpParent?: string;
  backupsDir: string;
  log: Logger;
  /** Kept backups of the local database taken before each replacement. */
  keepBackups?: number;
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

/**
 * File stats plus the first bytes of each file: SQLite bumps the header's change counter on every rollback-mode
 * commit and new WAL salts on every WAL reset, so commits inside one timestamp tick are still seen.
 */
async function fingerprintOf(files: string[], headBytes = 32): Promise<string> {
  const parts: string[] = [];
  for (const f of files) {
    const st = await fsp.stat(f, { bigint: true }).catch(() => null);
    if (!st) {
      parts.push(`${f}:-`);
      continue;
    }
    let head = '';
    const fh = await fsp.open(f, 'r').catch(() => null);
    if (fh) {
      const buf = Buffer.alloc(headBytes);
      const { bytesRead } = await fh.read(buf, 0, headBytes, 0).catch(() => ({ bytesRead: 0 }));
      await fh.close();
      head = buf.subarray(0, bytesRead).toString('hex');
    }
    parts.push(`${f}:${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}:${head}`);
  }
  return parts.join('|');
}

/** Lazy import so a missing crypto module only affects encrypted syncs. */
async function crypto() {
  return import('../crypto/index.js');
}

export class LocalDb {
  constructor(private readonly o: LocalDbOptions) {}

  get databasePath(): string {
    return this.o.databasePath;
  }
  get encryptedPath(): string {
    return `${this.o.databasePath}.enc`;
  }
  get encryptionOn(): boolean {
    return this.o.encryption?.enabled === true;
  }

  async state(): Promise<EncryptionState> {
    const plain = await exists(this.o.databasePath);
    if (!this.encryptionOn) return plain ? 'off' : 'missing';
    if (plain) return 'unlocked';
    return (await exists(this.encryptedPath)) ? 'locked' : 'missing';
  }

  /** A cheap fingerprint of the files the content hash depends on. */
  async fingerprint(): Promise<string> {
    const st = await this.state();
    if (st === 'locked') return `locked|${await fingerprintOf([this.encryptedPath])}`;
    return `${st}|${await fingerprintOf([this.o.databasePath, `${this.o.databasePath}-wal`])}`;
  }

  /**
   * The local content hash: of a consistent snapshot (plain or unlocked), or of the .enc file (locked).
   * Returns the snapshot too when one was taken, so a push can use it without taking another.
   */
  async contentHash(previous?: { fingerprint?: string | null; sha256?: string | null }): Promise<{ sha256: string | null; fingerprint: string; snapshot?: Snapshot }> {
    // sha256 here is the CONTENT hash (snapshot.contentSha256 for plain databases, the file hash for a locked .enc).
    const st = await this.state();
    const fp = await this.fingerprint();
    if (st === 'missing') return { sha256: null, fingerprint: fp };
    if (previous?.fingerprint && previous.fingerprint === fp && previous.sha256) return { sha256: previous.sha256, fingerprint: fp };
    if (st === 'locked') return { sha256: (await sha256File(this.encryptedPath)).sha256, fingerprint: fp };
    const snapshot = await takeSnapshot(this.o.databasePath, { tmpParent: this.o.tmpParent });
    return { sha256: snapshot.contentSha256, fingerprint: fp, snapshot };
  }

  /**
   * True when the local content is still what was planned on (`expect`): the cheap fingerprint first, then the
   * content hash. Guards a pull against replacing rows the app committed while the download ran.
   */
  async unchangedSince(expect: LocalExpectation): Promise<boolean> {
    if ((await this.fingerprint()) === expect.fingerprint) return true;
    const h = await this.contentHash();
    await h.snapshot?.dispose();
    if (h.sha256 !== expect.sha256) return false;
    expect.fingerprint = h.fingerprint;
    return true;
  }

  private async assertUnchanged(expect: LocalExpectation | undefined): Promise<void> {
    if (expect && !(await this.unchangedSince(expect))) {
      throw new SyncError('CONFLICT', { es: 'La base de datos local cambió durante la descarga; no se reemplaza.', en: 'The local database changed during the download; it is not replaced.' }, { details: { localChanged: true } });
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
        out = { path: snap.path, sha256: snap.sha256, size: snap.size, encrypted: false, localSha256: snap.contentSha256 };
      } else if (st === 'locked') {
        // Copy first: the app may rewrite the .enc while we upload; the copy is what we hash and send.
        const copy = path.join(tmp.dir, 'locked.db.age');
        await fsp.copyFile(this.encryptedPath, copy);
        const h = await sha256File(copy);
        out = { path: copy, sha256: h.sha256, size: h.size, encrypted: true, localSha256: h.sha256 };
      } else {
        const snap = snapshot ?? (await takeSnapshot(this.o.databasePath, { tmpParent: this.o.tmpParent }));
        snapshot = snap;
        const enc = path.join(tmp.dir, 'snapshot.db.age');
        const c = await crypto();
        const opts = await this.encryptOptions();
        const r = await c.encryptFile(snap.path, enc, opts);
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
    const fh = await fsp.open(file, 'r');
    let head: Buffer;
    try {
      const buf = Buffer.alloc(AGE_MAGIC.length);
      const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
      head = buf.subarray(0, bytesRead);
    } finally {
      await fh.close();
    }
    if (!claimedEncrypted || !head.equals(AGE_MAGIC)) {
      this.o.log.emit({ type: 'error', code: 'PLAINTEXT_REFUSED', text: { es: 'Se ha bloqueado un envío: la encriptación está activada y los datos no están cifrados. No se ha enviado nada.', en: 'An upload was blocked: encryption is on and the data is not encrypted. Nothing was sent.' } });
      throw new SyncError('ENCRYPTION', { es: 'La encriptación está activada y los datos a enviar no están cifrados: no se envía nada.', en: 'Encryption is on and the data to send is not encrypted: nothing is sent.' });
    }
  }

  private async encryptOptions(): Promise<{ recipients?: string[]; passphrase?: string }> {
    const e = this.o.encryption!;
    if (e.mode === 'passphrase') return { passphrase: await (await crypto()).readPassphrase(e) };
    if (!e.recipients.length) throw new SyncError('ENCRYPTION', { es: 'Encriptación activada sin claves públicas (recipients).', en: 'Encryption is on but no public keys (recipients) are set.' });
    return { recipients: e.recipients };
  }

  /** Identities/passphrase to decrypt, or null when none is available (the download then stays pending). */
  async decryptOptions(): Promise<{ identities?: string[]; passphrase?: string } | null> {
    const e = this.o.encryption;
    if (!e) return null;
    const c = await crypto();
    if (e.mode === 'passphrase') {
      if (!e.passphrase_file && !e.passphrase_env) return null;
      return { passphrase: await c.readPassphrase(e) };
    }
    if (!e.identity_file) return null;
    if (!(await exists(e.identity_file))) return null;
    return { identities: await c.loadIdentityFile(e.identity_file) };
  }

  /**
   * Applies a verified download (already hash-checked against the manifest) to the local side.
   * Returns 'pending' when an encrypted download cannot be decrypted here (no identity).
   */
  async applyDownload(file: string, remoteEncrypted: boolean, workDir: string, expect?: LocalExpectation): Promise<{ status: 'applied'; localSha256: string } | { status: 'pending' }> {
    const st = await this.state();
    if (remoteEncrypted) {
      if (!(await this.isAge(file))) throw new SyncError('ENCRYPTION', { es: 'El manifiesto dice que la copia remota está cifrada pero no lo está; no se aplica.', en: 'The manifest says the remote copy is encrypted but it is not; not applied.' });
      if (this.encryptionOn && st === 'locked') {
        await (await crypto()).verifyFile(file, (await this.decryptOptions()) ?? {}).catch((err) => {
          // Without keys the ciphertext cannot be opened here; its hash was checked against the manifest.
          if ((err as { details?: { reason?: string } }).details?.reason !== 'no-key') throw err;
        });
        return { status: 'applied', localSha256: await this.replaceAtomically(file, this.encryptedPath, expect) };
      }
      const keys = await this.decryptOptions();
      if (!keys) return { status: 'pending' };
      const plain = path.join(workDir, 'decrypted.db');
      await (await crypto()).decryptFile(file, plain, keys);
      return { status: 'applied', localSha256: await this.applyPlain(plain, expect) };
    }
    await verifyDatabase(file);
    if (this.encryptionOn && st === 'locked') {
      // A plaintext remote while we are locked: keep the local form (encrypted) rather than writing plaintext here.
      const enc = path.join(workDir, 'incoming.db.age');
      await (await crypto()).encryptFile(file, enc, await this.encryptOptions());
      return { status: 'applied', localSha256: await this.replaceAtomically(enc, this.encryptedPath, expect) };
    }
    return { status: 'applied', localSha256: await this.applyPlain(file, expect) };
  }

  private async isAge(file: string): Promise<boolean> {
    const fh = await fsp.open(file, 'r');
    try {
      const buf = Buffer.alloc(AGE_MAGIC.length);
      const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
      return bytesRead === AGE_MAGIC.length && buf.equals(AGE_MAGIC);
    } finally {
      await fh.close();
    }
  }

  /**
   * Verifies, backs up the current local database, then restores through SQLite into the live file. With `expect`,
   * refuses (CONFLICT) if the local content moved since it was planned on, checked again right before the restore.
   * Returns the content hash the live database has right after the restore: a snapshot of the incoming file hashes
   * the same as a snapshot of the restored database (VACUUM INTO output depends only on the content), and taking it
   * from the file means a commit the app makes just after the restore is seen as a local change, never absorbed.
   */
  async applyPlain(file: string, expect?: LocalExpectation): Promise<string> {
    await verifyDatabase(file);
    const incoming = await takeSnapshot(file, { tmpParent: this.o.tmpParent });
    await incoming.dispose();
    await this.backupLocal('before-replace');
    await this.assertUnchanged(expect);
    await restoreInto(file, this.o.databasePath, { beforeReplace: () => this.assertUnchanged(expect) });
    return incoming.contentSha256;
  }

  /** Keeps a copy of the local database before it is replaced (the last `keepBackups`). */
  async backupLocal(why: string): Promise<string | null> {
    const st = await this.state();
    if (st === 'missing') return null;
    await fsp.mkdir(this.o.backupsDir, { recursive: true, mode: 0o700 });
    const ts = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*$/, '');
    const base = path.basename(this.o.databasePath).replace(/\.db$/, '');
    let dest: string;
    if (st === 'locked') {
      dest = path.join(this.o.backupsDir, `${base}-${ts}-${why}.db.enc`);
      await fsp.copyFile(this.encryptedPath, dest);
    } else {
      dest = path.join(this.o.backupsDir, `${base}-${ts}-${why}.db`);
      const snap = await takeSnapshot(this.o.databasePath, { tmpParent: this.o.tmpParent });
      try {
        await fsp.copyFile(snap.path, dest);
      } finally {
        await snap.dispose();
      }
    }
    await fsp.chmod(dest, 0o600);
    await this.pruneBackups();
    return dest;
  }

  private async pruneBackups(): Promise<void> {
    const keep = this.o.keepBackups ?? 5;
    const names = (await fsp.readdir(this.o.backupsDir)).filter((n) => /-\d{8}T\d{6}-/.test(n)).sort();
    for (const n of names.slice(0, Math.max(0, names.length - keep))) await fsp.rm(path.join(this.o.backupsDir, n), { force: true });
  }

  /** Replaces a file (the .enc) by rename after a backup; returns the hash of what is now in place. */
  private async replaceAtomically(src: string, dest: string, expect?: LocalExpectation): Promise<string> {
    const { sha256 } = await sha256File(src);
    await this.backupLocal('before-replace');
    await this.assertUnchanged(expect);
    const tmp = `${dest}.incoming-${process.pid}`;
    await fsp.copyFile(src, tmp);
    await fsp.chmod(tmp, 0o600);
    await fsp.rename(tmp, dest);
    return sha256;
  }
}
