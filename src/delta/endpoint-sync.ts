/**
 * Page deltas over a sync endpoint that stores whole databases (our Socket.IO server, protocol 2 feature 'patch').
 * The engine calls the same hooks as DeltaSync (sync.ts) for file remotes; the server keeps whole versions, so there
 * are no chains here: a push offers the patch from the head to the snapshot beside the whole file (the endpoint
 * sends the patch and falls back to the file when the server refuses it), and a pull asks the server for the patch
 * from the version this device's database still holds to the wanted one.
 *
 * Push: the patch is built exactly as DeltaSync.preparePush builds one (the snapshot's page hashes against the
 * page-hash index of the version the server's head holds: same generation and sha256), and only then.
 * Pull: the base is rebuilt from the live database (rebuildBase) when the index says it holds a version the server
 * keeps; the patch is applied (applyChain: base and result hashes from its header), the result must hash to the
 * manifest's sha256, and quick_check follows in LocalDb.applyDownload as for any download. Anything else downloads
 * the whole version, logged with its reason (DELTA_FULL_PUSH / DELTA_FULL_PULL). Encryption on: whole files always
 * (the server cannot patch ciphertext), said once per sync at debug level.
 */
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { SyncError } from '../errors.js';
import type { Logger } from '../log/events.js';
import { msg } from '../messages/index.js';
import type { Text } from '../messages/text.js';
import type { PatchOffer, RemoteManifest, SyncEndpoint, TransferOptions } from '../transports/types.js';
import { privateTempDir, takeSnapshot, type Snapshot } from '../db/snapshot.js';
import type { LocalContent, LocalDb } from '../engine/local-db.js';
import { sha256File } from '../util/hash.js';
import { applyChain, chainBroken, rebuildBase } from './chain.js';
import {
  indexForHead,
  scanSnapshot,
  loadCurrentIndex,
  type PageIndex,
  pendingIndexFile,
  saveIndex,
  scanDatabase,
} from './page-index.js';
import type { Fetched, PreparedPush } from './sync.js';

/** An endpoint that can move page patches (SocketioEndpoint). */
export interface PatchEndpoint extends SyncEndpoint {
  /** Whether the remote offers patches now (asked once connected). */
  patchSupport(): Promise<boolean>;
  pullPatch(
    localPath: string,
    from: { generation: number; sha256: string },
    to: RemoteManifest,
    opts?: TransferOptions,
  ): Promise<{ size: number; sha256: string; pages: number }>;
}

export function isPatchEndpoint(r: SyncEndpoint): r is PatchEndpoint {
  const x = r as Partial<PatchEndpoint>;
  return typeof x.patchSupport === 'function' && typeof x.pullPatch === 'function';
}

/** A patch beyond DeltaSync's PreparedPush: offered beside the whole file; dispose() removes it after the push. */
export interface EndpointPrepared extends PreparedPush {
  patch?: PatchOffer;
  dispose?: () => Promise<void>;
}

/**
 * Above this fraction of the database a patch is not worth it (the same bound as compaction on file remotes,
 * chain.ts COMPACT_FRACTION): the whole file goes.
 */
const MAX_PATCH_FRACTION = 0.5;

export interface EndpointDeltaOptions {
  endpoint: PatchEndpoint;
  local: LocalDb;
  /** The page-hash index of this target ($CORDIAX_HOME/delta/<target>.idx). */
  indexFile: string;
  log: Logger;
  tmpParent?: string;
}

export class EndpointDeltaSync {
  constructor(private readonly o: EndpointDeltaOptions) {}

  private note(code: string, text: Text, data: Record<string, unknown>, level: 'info' | 'warn' | 'debug' = 'info') {
    this.o.log.emit({ type: level === 'warn' ? 'warning' : 'info', code, text, data, level, protocol: 'socketio' });
  }

  private encryptedWhole(): void {
    this.note('DELTA_ENCRYPTED_WHOLE', msg('siodelta.encrypted_whole'), {}, 'debug');
  }

  private get pendingFile(): string {
    return pendingIndexFile(this.o.indexFile);
  }

  private loadIndex(wanted: (i: PageIndex) => boolean): Promise<PageIndex | null> {
    return loadCurrentIndex(this.o.indexFile, wanted);
  }

  /**
   * The patch from the head to the local snapshot, when the index describes the head. The whole file (the engine's
   * outgoing(), from the same snapshot) always goes with it as the fallback; `local.snapshot` stays the caller's.
   */
  async preparePush(local: LocalContent, head: RemoteManifest | null): Promise<EndpointPrepared> {
    if (this.o.local.encryptionOn) {
      this.encryptedWhole();
      return { out: null, index: null };
    }
    const st = await this.o.local.state();
    if (st === 'locked' || st === 'missing' || !(await this.o.endpoint.patchSupport()))
      return { out: null, index: null };
    local.snapshot ??= await takeSnapshot(this.o.local.databasePath, { tmpParent: this.o.tmpParent, pageHashes: true });
    const snap = local.snapshot;
    const { found: idx, usable: describesHead } = await indexForHead(this.o.indexFile, head);
    const usable = !!head && !head.encrypted && !!describesHead;
    const tmp = await privateTempDir(this.o.tmpParent);
    try {
      const patchPath = path.join(tmp.dir, 'pages.patch');
      const asked = usable ? { previous: idx, patchPath } : {};
      const scan = await scanSnapshot(snap, asked);
      const why = !head
        ? null
        : head.encrypted
          ? 'remote-encrypted'
          : !idx
            ? 'no-index'
            : !usable
              ? 'index-is-not-head'
              : !scan.patch
                ? 'page-size-changed'
                : scan.patch.size > MAX_PATCH_FRACTION * scan.size
                  ? 'patch-bytes'
                  : null;
      if (!head || !idx || !scan.patch || why) {
        await tmp.dispose();
        if (why) this.note('DELTA_FULL_PUSH', msg('event.DELTA_FULL_PUSH', { reason: why }), { reason: why });
        return { out: null, index: scan.index };
      }
      const { sha256, size } = await sha256File(scan.patch.path);
      await this.o.local.guard(scan.patch.path, false);
      // If the process dies after the commit and before committed(), the next sync adopts this (loadIndex).
      await saveIndex(this.pendingFile, { ...scan.index, generation: head.generation + 1, objectSha256: scan.sha256 });
      return {
        out: null,
        index: scan.index,
        patch: { path: scan.patch.path, size, sha256, baseSha256: idx.sha256, pages: scan.patch.pages },
        stats: { pages: scan.patch.pages, bytes: size, dbSize: scan.size, patches: 1 },
        dispose: () => tmp.dispose(),
      };
    } catch (err) {
      await tmp.dispose();
      throw err;
    }
  }

  /** The pushed version is committed (whole or from the patch: the same bytes): the index now describes it. */
  async committed(m: RemoteManifest, p: PreparedPush): Promise<void> {
    if (p.index && !m.encrypted && m.sha256 === p.index.sha256)
      await saveIndex(this.o.indexFile, { ...p.index, generation: m.generation, objectSha256: m.sha256 });
    await fsp.rm(this.pendingFile, { force: true });
  }

  /** A whole database for version `v` in `workDir`: from a patch on the version this device holds, or whole. */
  async fetch(
    v: RemoteManifest,
    workDir: string,
    opts: TransferOptions & { snapshot?: Snapshot; pendingOk?: boolean } = {},
  ): Promise<Fetched> {
    const transfer: TransferOptions = { onProgress: opts.onProgress, signal: opts.signal };
    if (v.encrypted) {
      this.encryptedWhole();
      return this.whole(v, workDir, transfer, false);
    }
    const st = await this.o.local.state();
    if (st === 'locked' || !(await this.o.endpoint.patchSupport())) return this.whole(v, workDir, transfer, false);
    const idx = st === 'missing' ? null : await this.loadIndex(() => true);
    if (!idx) return this.whole(v, workDir, transfer, true);
    const target = path.join(workDir, 'rebuilt.db');
    const patchFile = path.join(workDir, 'pull.patch');
    let why: string;
    try {
      const snap =
        opts.snapshot ??
        (await takeSnapshot(this.o.local.databasePath, { tmpParent: this.o.tmpParent, pageHashes: true }));
      // The engine's snapshot is copied (it stands for the live content until the replace); one taken here is moved.
      if (opts.snapshot) await fsp.copyFile(snap.path, target);
      else {
        await fsp.rename(snap.path, target);
        await snap.dispose();
      }
      if (!(await rebuildBase(target, idx, snap.pages))) why = 'local-differs-from-base';
      else {
        const got = await this.o.endpoint.pullPatch(
          patchFile,
          { generation: idx.generation, sha256: idx.objectSha256 },
          v,
          transfer,
        );
        const scan = await applyChain(target, idx.sha256, [patchFile], { baseVerified: true });
        if (scan.sha256 !== v.sha256 || scan.size !== v.size) throw chainBroken('manifest-mismatch');
        await saveIndex(this.o.indexFile, { ...scan.index, generation: v.generation, objectSha256: v.sha256 });
        await fsp.rm(patchFile, { force: true });
        return {
          path: target,
          encrypted: false,
          bytesDown: got.size,
          stats: { pages: got.pages, bytes: got.size, dbSize: scan.size, patches: 1 },
        };
      }
    } catch (err) {
      if (!(err instanceof SyncError) || err.code === 'CANCELLED') throw err;
      why = `patch-did-not-apply: ${(err.details?.reason as string | undefined) ?? err.code}`;
    }
    await fsp.rm(target, { force: true });
    await fsp.rm(patchFile, { force: true });
    this.note(
      'DELTA_FULL_PULL',
      msg('event.DELTA_FULL_PULL', { generation: v.generation, reason: why }),
      { reason: why, generation: v.generation },
      'warn',
    );
    return this.whole(v, workDir, transfer, true);
  }

  /** The whole version, as the endpoint always pulled it; plaintext: its pages become the index. */
  private async whole(v: RemoteManifest, workDir: string, opts: TransferOptions, remember: boolean): Promise<Fetched> {
    const file = path.join(workDir, v.encrypted ? 'download.db.age' : 'download.db');
    const r = await this.o.endpoint.pull(file, v, opts);
    if (remember && !v.encrypted) {
      const scan = await scanDatabase(file).catch(() => null);
      if (scan) await saveIndex(this.o.indexFile, { ...scan.index, generation: v.generation, objectSha256: v.sha256 });
    }
    return { path: file, encrypted: v.encrypted, bytesDown: r.size };
  }
}
