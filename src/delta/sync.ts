/**
 * Delta sync on file remotes (folder, WebDAV, SMB): the engine's push and pull paths call these hooks.
 *
 * Push: the snapshot is read once against the page-hash index of the version the remote's head holds; the changed
 * pages become a patch object (encrypted on its own when encryption is on), unless the index does not describe the
 * head, or compaction asks for a new base (src/delta/chain.ts): then the whole database goes, as before.
 * Pull: a device whose live database still holds a version of the head's chain rebuilds that version's exact bytes
 * (rebuildBase) and downloads only the patches after it; anything else (a new device, a base mismatch, a patch that
 * does not apply) downloads the chain's base plus its patches. Every fallback is logged with its reason. The result
 * must hash to what the manifest (or, encrypted, the authenticated patch header) says and pass quick_check before
 * the engine restores it into the live database as it always did.
 *
 * Socket.IO endpoints (whole versions on the server, patches only in transit) use endpoint-sync.ts instead.
 */
import type { Text } from '../messages/text.js';
import { msg } from '../messages/index.js';
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { SyncError, isSyncError } from '../errors.js';
import * as ageCrypto from '../crypto/index.js';
import type { Logger } from '../log/events.js';
import type { DeltaInfo, RemoteManifest, TransferOptions } from '../transports/types.js';
import { analyzeSqliteFile, ensureChecked, privateTempDir, takeSnapshot, type Snapshot } from '../db/snapshot.js';
import type { LocalContent, LocalDb, Outgoing } from '../engine/local-db.js';
import type { FileRemote } from '../engine/remote-layout.js';
import { sha256File } from '../util/hash.js';
import { applyChain, baseNeeded, chainBroken, type ChainEntry, rebuildBase } from './chain.js';
import {
  indexForHead,
  scanSnapshot,
  loadCurrentIndex,
  type PageIndex,
  pendingIndexFile,
  saveIndex,
  scanKnown,
} from './page-index.js';
import { readPatchHeader } from './patch.js';

export interface DeltaSyncOptions {
  remote: FileRemote;
  local: LocalDb;
  /** The page-hash index of this remote target ($CORDIAX_HOME/delta/<target>.idx). */
  indexFile: string;
  log: Logger;
  tmpParent?: string;
}

/** What moved, for the log and the UI ("enviados 3 páginas (12 KB) de 450 MB"). */
export interface DeltaStats {
  pages: number;
  /** Bytes on the wire (patch objects, or the whole database). */
  bytes: number;
  dbSize: number;
  /** Patch objects moved (0: a whole database). */
  patches: number;
}

export interface PreparedPush {
  /** The patch to upload; null: upload the whole database (LocalDb.outgoing). */
  out: Outgoing | null;
  delta?: DeltaInfo;
  /** Page hashes of what is pushed, saved once the version is committed. */
  index: PageIndex | null;
  stats?: DeltaStats;
}

export interface Fetched {
  /** A whole database: plaintext, or (encrypted) the remote's own ciphertext of a base. */
  path: string;
  encrypted: boolean;
  bytesDown: number;
  stats?: DeltaStats;
  /** An encrypted patch that cannot be rebuilt here (no identity): to be kept pending, never applied. */
  pendingOnly?: boolean;
  /**
   * The plaintext `path` passed quick_check here, and this is its content hash: the restore need not read it again
   * for either (LocalDb.applyDownload). Absent: the restore checks and hashes it as always.
   */
  verified?: { contentSha256: string };
}

export class DeltaSync {
  constructor(private readonly o: DeltaSyncOptions) {}

  private note(code: string, text: Text, data: Record<string, unknown>, level: 'info' | 'warn' = 'info') {
    this.o.log.emit({ type: level === 'warn' ? 'warning' : 'info', code, text, data, level });
  }

  /**
   * Builds the patch for a push when one can be made. `local.snapshot` is taken when missing (and then belongs to
   * the caller's outgoing() as before); with a patch, the returned `out` owns it.
   */
  async preparePush(local: LocalContent, head: RemoteManifest | null): Promise<PreparedPush> {
    const st = await this.o.local.state();
    // Locked (only the .enc at rest): no plaintext to compare pages with; the .enc goes whole, as before.
    if (st === 'locked' || st === 'missing') return { out: null, index: null };
    const fast = await this.prepareFromReading(local, head);
    if (fast) return fast;
    const took = !local.snapshot;
    local.snapshot ??= await takeSnapshot(this.o.local.databasePath, { tmpParent: this.o.tmpParent, pageHashes: true });
    const snap = local.snapshot;
    await ensureChecked(snap); // a corrupt database never leaves, as a patch or whole
    const { found, usable: idx } = await indexForHead(this.o.indexFile, head);
    const tmp = await privateTempDir(this.o.tmpParent);
    try {
      const patchPath = path.join(tmp.dir, 'pages.patch');
      const asked = idx ? { previous: idx, patchPath } : {};
      const scan = await scanSnapshot(snap, asked);
      const why = !head
        ? null
        : !found
          ? 'no-index'
          : !idx
            ? 'index-is-not-head'
            : !scan.patch
              ? 'page-size-changed'
              : baseNeeded(head, scan.patch.size, scan.size);
      if (!scan.patch || why || !head) {
        await tmp.dispose();
        if (why) this.note('DELTA_FULL_PUSH', msg('event.DELTA_FULL_PUSH', { reason: why }), { reason: why });
        return { out: null, index: scan.index };
      }
      const prepared = await this.patchOut(scan.patch, scan.index, head, tmp.dir, snap.contentSha256, async () => {
        await tmp.dispose();
        await snap.dispose();
      });
      local.snapshot = undefined; // owned by `out` now
      return prepared;
    } catch (err) {
      await tmp.dispose();
      if (took) {
        local.snapshot = undefined;
        await snap.dispose();
      }
      throw err;
    }
  }

  /**
   * The push from a live reading (LocalContent.inPlace, src/db/live-reading.ts): its patch was built from the head's
   * index while the database was held still, so no snapshot is taken. Null when it cannot serve (no reading, a patch
   * from another version, or the chain wants a new base): preparePush then takes a snapshot as before.
   */
  private async prepareFromReading(local: LocalContent, head: RemoteManifest | null): Promise<PreparedPush | null> {
    const r = local.inPlace;
    if (local.snapshot || !r?.patch || !head) return null;
    const a = r.patch.against;
    if (a.generation !== head.generation || a.objectSha256 !== head.sha256) return null;
    if (baseNeeded(head, r.patch.size, r.size)) return null;
    const index: PageIndex = { generation: 0, objectSha256: '', sha256: r.sha256, size: r.size, ...r.pages };
    const tmp = await privateTempDir(this.o.tmpParent);
    try {
      const prepared = await this.patchOut(
        { path: r.patch.path, size: r.patch.size, pages: r.patch.pages },
        index,
        head,
        tmp.dir,
        r.contentSha256,
        async () => {
          await tmp.dispose();
          await r.dispose();
        },
      );
      local.inPlace = undefined; // owned by `out` now
      return prepared;
    } catch (err) {
      await tmp.dispose();
      throw err;
    }
  }

  /** The page index when it describes `head` (the base a patch is made from), else null. */
  async usableIndex(head: RemoteManifest | null | undefined): Promise<PageIndex | null> {
    return (await indexForHead(this.o.indexFile, head)).usable;
  }

  /**
   * The upload for a patch (encrypted into `dir` when encryption is on; the plaintext patch removed at once), with the
   * pending index saved for a crash after the commit. `dispose` frees the patch and whatever it came from.
   */
  private async patchOut(
    patch: { path: string; size: number; pages: number },
    index: PageIndex,
    head: RemoteManifest,
    dir: string,
    localSha256: string,
    dispose: () => Promise<void>,
  ): Promise<PreparedPush> {
    let payload = patch.path;
    let sha256: string;
    let size: number;
    const encrypted = this.o.local.encryptionOn;
    if (encrypted) {
      payload = path.join(dir, 'pages.patch.age');
      const r = await ageCrypto.encryptFile(patch.path, payload, await this.o.local.encryptOptions());
      await fsp.rm(patch.path, { force: true }); // nothing plaintext stays behind
      sha256 = r.sha256;
      size = r.size;
    } else {
      ({ sha256, size } = await sha256File(payload));
    }
    await this.o.local.guard(payload, encrypted);
    // If the process dies after the commit and before committed(), the next sync adopts this (loadIndex).
    await saveIndex(this.pendingFile, { ...index, generation: head.generation + 1, objectSha256: sha256 });
    return {
      out: { path: payload, sha256, size, encrypted, localSha256, dispose },
      delta: {
        parent: head.generation,
        pages: patch.pages,
        db_size: index.size,
        ...(encrypted ? {} : { db_sha256: index.sha256 }),
      },
      index,
      stats: { pages: patch.pages, bytes: size, dbSize: index.size, patches: 1 },
    };
  }

  /** The pushed version is committed: the index now describes it. */
  async committed(m: RemoteManifest, p: PreparedPush): Promise<void> {
    if (p.index) await saveIndex(this.o.indexFile, { ...p.index, generation: m.generation, objectSha256: m.sha256 });
    await fsp.rm(this.pendingFile, { force: true });
  }

  private get pendingFile(): string {
    return pendingIndexFile(this.o.indexFile);
  }

  private loadIndex(wanted: (i: PageIndex) => boolean): Promise<PageIndex | null> {
    return loadCurrentIndex(this.o.indexFile, wanted);
  }

  /**
   * A whole database for version `v` in `workDir`, from its base and patches (or its own object when it is a base).
   * `snapshot`: a snapshot of the live database already taken (copied, never modified).
   */
  async fetch(
    v: RemoteManifest,
    workDir: string,
    opts: TransferOptions & { snapshot?: Snapshot; pendingOk?: boolean } = {},
  ): Promise<Fetched> {
    const st = await this.o.local.state();
    const keys = v.encrypted ? await this.o.local.decryptOptions().catch(() => null) : null;
    if (!v.delta) {
      // A whole database, as before. Plaintext (or decryptable here while unlocked): its pages become the index.
      const file = path.join(workDir, v.encrypted ? 'download.db.age' : 'download.db');
      const r = await this.o.remote.pull(file, v, opts);
      const stats: DeltaStats = { pages: 0, bytes: r.size, dbSize: v.size, patches: 0 };
      if (!v.encrypted) {
        const verified = await this.remember(file, v);
        return { path: file, encrypted: false, bytesDown: r.size, stats, ...verified };
      }
      if (keys && st !== 'locked') {
        const plain = path.join(workDir, 'download.db');
        await ageCrypto.decryptFile(file, plain, keys);
        await fsp.rm(file, { force: true });
        const verified = await this.remember(plain, v);
        return {
          path: plain,
          encrypted: false,
          bytesDown: r.size,
          stats: { ...stats, dbSize: (await fsp.stat(plain)).size },
          ...verified,
        };
      }
      return { path: file, encrypted: true, bytesDown: r.size, stats };
    }
    if (v.encrypted && !keys) {
      // No identity here: nothing can be rebuilt, and an encrypted patch must never be taken for a database (a
      // locked device would put it in place of its .enc). A pull keeps it pending, as it always did with
      // ciphertext it cannot open; anything else stops here.
      if (!opts.pendingOk)
        throw new SyncError('ENCRYPTION', msg('delta.encrypted_patch_needs_identity', { generation: v.generation }));
      const file = path.join(workDir, 'download.patch.age');
      const r = await this.o.remote.pull(file, v, opts);
      return { path: file, encrypted: true, bytesDown: r.size, pendingOnly: true };
    }
    const chain = await this.o.remote.chainFor(v.generation, v);
    if (!chain) throw chainBroken('chain-incomplete');
    const target = path.join(workDir, 'rebuilt.db');
    let bytesDown = 0;
    const download = async (e: ChainEntry, name: string): Promise<string> => {
      const raw = path.join(workDir, `${name}${v.encrypted ? '.age' : ''}`);
      bytesDown += (await this.o.remote.fetchObject(e, raw, opts)).size;
      if (!v.encrypted) return raw;
      const plain = path.join(workDir, name);
      await ageCrypto.decryptFile(raw, plain, keys!);
      await fsp.rm(raw, { force: true });
      return plain;
    };
    const patchesFrom = async (from: number) => {
      const out: string[] = [];
      for (let i = from; i < chain.length; i++) out.push(await download(chain[i], `patch-${chain[i].generation}`));
      return out;
    };

    // 1. Only the patches this device lacks, on top of the version its live database holds.
    const inChain = (i: PageIndex) => chain.some((e) => e.generation === i.generation && e.sha256 === i.objectSha256);
    // `let`, dropped once used: on big databases each page-hash array is megabytes (8 MB at 2 GB), and a pull
    // otherwise holds the index, the plan snapshot's hashes and the result's at once (issue 11: peak RSS).
    let idx = await this.loadIndex(inChain);
    const at = idx ? chain.findIndex((e) => e.generation === idx!.generation && e.sha256 === idx!.objectSha256) : -1;
    let why = !idx ? 'no-index' : at < 0 ? 'version-not-in-chain' : st === 'locked' ? 'locked' : null;
    if (!why && idx) {
      const snap =
        opts.snapshot ??
        (await takeSnapshot(this.o.local.databasePath, { tmpParent: this.o.tmpParent, pageHashes: true }));
      // The engine's snapshot is copied (it stands for the live content until the replace, and becomes its backup);
      // one taken here is moved.
      if (opts.snapshot) await fsp.copyFile(snap.path, target);
      else await fsp.rename(snap.path, target);
      if (!opts.snapshot) await snap.dispose();
      const rebuilt = await rebuildBase(target, idx, snap.pages);
      const baseSha = idx.sha256;
      idx = null;
      snap.pages = undefined; // not needed past this point (the snapshot only stands for the content and the backup)
      if (!rebuilt) why = 'local-differs-from-base';
      else {
        try {
          const patches = await patchesFrom(at + 1);
          const { stats, verified } = await this.finish(target, v, baseSha, patches, bytesDown, true);
          return { path: target, encrypted: false, bytesDown, stats, ...(verified ? { verified } : {}) };
        } catch (err) {
          if (!isSyncError(err, 'VERIFY_FAILED')) throw err;
          why = `patch-did-not-apply: ${(err.details?.reason as string | undefined) ?? err.code}`;
        }
      }
    }
    // 2. The whole chain: its base, then every patch.
    if (why !== 'no-index' && why !== 'locked')
      this.note(
        'DELTA_FULL_PULL',
        msg('event.DELTA_FULL_PULL', { generation: v.generation, reason: why }),
        { reason: why, generation: v.generation },
        'warn',
      );
    await fsp.rm(target, { force: true });
    const base = await download(chain[0], 'base.db');
    await fsp.rename(base, target);
    const patches = await patchesFrom(1);
    // The base's plaintext hash: the manifest's for plaintext remotes (a base object is the database itself); for
    // encrypted ones the first patch's authenticated header names it.
    const baseSha = v.encrypted ? (await readPatchHeader(patches[0])).baseSha256 : chain[0].sha256;
    const { stats, verified } = await this.finish(target, v, baseSha, patches, bytesDown);
    return { path: target, encrypted: false, bytesDown, stats, ...(verified ? { verified } : {}) };
  }

  /**
   * Applies and verifies (hash against the manifest when plaintext, against the authenticated patch header when
   * encrypted) and remembers the rebuilt version. quick_check runs in the same final read (applyChain); a result
   * that did not pass it is not marked verified, and LocalDb.applyDownload checks it again and refuses it.
   */
  private async finish(
    target: string,
    v: RemoteManifest,
    baseSha: string,
    patches: string[],
    bytesDown: number,
    baseVerified = false,
  ): Promise<{ stats: DeltaStats; verified?: Fetched['verified'] }> {
    let pages = 0;
    for (const p of patches) pages += (await readPatchHeader(p)).changedPages;
    const scan = await applyChain(target, baseSha, patches, { baseVerified });
    if (v.delta?.db_sha256 && scan.sha256 !== v.delta.db_sha256) throw chainBroken('manifest-mismatch');
    await saveIndex(this.o.indexFile, { ...scan.index, generation: v.generation, objectSha256: v.sha256 });
    for (const p of patches) await fsp.rm(p, { force: true });
    return {
      stats: { pages, bytes: bytesDown, dbSize: scan.size, patches: patches.length },
      ...(scan.checked ? { verified: { contentSha256: scan.contentSha256 } } : {}),
    };
  }

  /**
   * The index now describes version `v` (whose plaintext is `file`, already checked against the manifest by the
   * transport). The same read takes its content hash and quick_check for the restore (see Fetched.verified).
   */
  private async remember(file: string, v: RemoteManifest): Promise<{ verified?: Fetched['verified'] }> {
    const a = await analyzeSqliteFile(file, { pageHashes: true, reportCheck: true }).catch(() => null);
    if (!a?.pages) return {};
    const scan = await scanKnown(file, { sha256: a.sha256, size: a.size, pages: a.pages });
    await saveIndex(this.o.indexFile, { ...scan.index, generation: v.generation, objectSha256: v.sha256 });
    return a.checked ? { verified: { contentSha256: a.contentSha256 } } : {};
  }
}
