/**
 * Chains of versions on a remote: a "base" object holds a whole database; a "patch" object (manifest field `delta`)
 * holds the pages that changed from its parent generation. Any kept version is rebuilt from the nearest base below
 * it plus the patches up to it. The rules for when a push writes a new base (compaction) and which objects pruning
 * must keep live here; the remote layout (src/engine/remote-layout.ts) and the engine only call them.
 */
import { msg } from '../messages/index.js';
import { createHash } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import { SyncError } from '../errors.js';
import type { RemoteManifest } from '../transports/types.js';
import { sha256File } from '../util/hash.js';
import { readPatchHeader, writePatchPages } from './patch.js';
import { analyzeSqliteFile } from '../db/snapshot.js';
import { PAGE_HASH_BYTES, type PageHashes, type PageIndex, type ScanResult, scanKnown } from './page-index.js';

export type ChainEntry = Pick<RemoteManifest, 'generation' | 'sha256' | 'size' | 'file' | 'delta'>;

/**
 * Compaction: a push writes a new base instead of a patch when the patches since the last base (this one included)
 * would exceed COMPACT_FRACTION of the database's size, or number more than COMPACT_MAX_PATCHES. The fraction bounds
 * what a new device downloads (at most 1.5x the database) and the work of rebuilding an old version; the count
 * bounds the manifest (each retained chain entry is ~200 bytes: 256 of them ~50 KB of the 256 KiB a manifest may
 * hold). Measured (bench/delta.bench.ts): a 1-row change patch is a few KiB, a day of reception work tens of KiB,
 * so on a 500 MB database the count decides (one base per 256 syncs with changes, ~2 MB per sync amortised) and
 * the fraction only trips on bulk changes (deleting 1% of a big table rewrites ~11% of the pages).
 */
export const COMPACT_FRACTION = 0.5;
export const COMPACT_MAX_PATCHES = 256;

export function entriesOf(m: RemoteManifest): ChainEntry[] {
  return [m, ...(m.versions ?? []), ...(m.retained ?? [])];
}

/** The objects that rebuild `generation`: its base first, then each patch up to it; null if a link is missing. */
export function chainTo(generation: number, entries: ChainEntry[]): ChainEntry[] | null {
  const byGen = new Map<number, ChainEntry>();
  for (const e of entries) if (!byGen.has(e.generation)) byGen.set(e.generation, e);
  const out: ChainEntry[] = [];
  let e = byGen.get(generation);
  while (e) {
    out.unshift(e);
    if (!e.delta) return out;
    if (e.delta.parent >= e.generation) return null;
    e = byGen.get(e.delta.parent);
    if (out.length > COMPACT_MAX_PATCHES * 4) return null; // a hostile manifest's loop
  }
  return null;
}

/** Why the next push must be a whole database rather than a patch of `patchSize` bytes; null: a patch is fine. */
export function baseNeeded(head: RemoteManifest, patchSize: number, dbSize: number): string | null {
  const chain = chainTo(head.generation, entriesOf(head));
  if (!chain) return 'chain-incomplete';
  const patches = chain.slice(1);
  if (patches.length + 1 > COMPACT_MAX_PATCHES) return 'patch-count';
  const bytes = patches.reduce((n, e) => n + e.size, 0) + patchSize;
  if (bytes > COMPACT_FRACTION * dbSize) return 'patch-bytes';
  return null;
}

/**
 * The entries a new manifest must keep beyond its shown history: every link of the chains of the versions it
 * shows that fell out of `versions` (pruning then never removes what a kept version needs).
 */
export function retainedFor(next: RemoteManifest, previous: RemoteManifest | null): ChainEntry[] {
  if (!previous) return [];
  const shown = new Set([next.generation, ...(next.versions ?? []).map((v) => v.generation)]);
  const all = [...entriesOf(next), ...entriesOf(previous)];
  const keep = new Map<number, ChainEntry>();
  for (const g of shown) {
    for (const e of chainTo(g, all) ?? []) {
      if (!shown.has(e.generation) && !keep.has(e.generation))
        keep.set(e.generation, {
          generation: e.generation,
          sha256: e.sha256,
          size: e.size,
          file: e.file,
          ...(e.delta ? { delta: e.delta } : {}),
        });
    }
  }
  return [...keep.values()].sort((a, b) => b.generation - a.generation);
}

/**
 * Applies patches in order to `file` (in place), which must hash to `baseSha256` (hashed here unless the caller
 * just did: `baseVerified`): each patch's base must be the previous one's result (checked from the headers), and the
 * final file must hash to the last result. The final read also yields the file's page-hash index. One full read
 * before (at most) and one after, whatever the number of patches.
 */
export async function applyChain(
  file: string,
  baseSha256: string,
  patches: string[],
  opts: { baseVerified?: boolean } = {},
): Promise<AppliedChain> {
  let expect = baseSha256;
  for (const p of patches) {
    const h = await readPatchHeader(p);
    if (h.baseSha256 !== expect) throw chainBroken('patch-base-mismatch');
    expect = h.resultSha256;
  }
  if (!opts.baseVerified && (await sha256File(file)).sha256 !== baseSha256) throw chainBroken('base-mismatch');
  for (const p of patches) await writePatchPages(p, file);
  // The final read also takes the content hash and quick_check (side by side, see analyzeSqliteFile): the restore
  // needs both, and took them in reads of its own before.
  const a = await analyzeSqliteFile(file, { pageHashes: true, reportCheck: true }).catch(() => null);
  if (!a?.pages || a.sha256 !== expect) throw chainBroken('result-mismatch');
  const after = await scanKnown(file, { sha256: a.sha256, size: a.size, pages: a.pages });
  return { ...after, contentSha256: a.contentSha256, checked: a.checked };
}

/** A rebuilt database: its scan, its content hash, and whether it passed quick_check. */
export interface AppliedChain extends ScanResult {
  contentSha256: string;
  /** quick_check passed (false: not run or failed; the restore then checks it again and refuses it). */
  checked: boolean;
}

export function chainBroken(reason: string): SyncError {
  return new SyncError('VERIFY_FAILED', msg('delta.chain_broken', { reason }), { details: { reason } });
}

/**
 * Turns a snapshot of the live database into the exact bytes of the version the index describes, when the live
 * database still holds that version: SQLite rewrites only page 1's header counters on a restore or a backup, so page
 * 1 is put back from the index. Returns false (nothing to rely on) unless the result hashes to the index's sha256.
 */
export async function rebuildBase(snapshotPath: string, idx: PageIndex, pages?: PageHashes): Promise<boolean> {
  const st = await fsp.stat(snapshotPath);
  if (st.size !== idx.size) return false;
  // With the snapshot's page hashes (taken in the read that hashed it), pages 2..N are compared with the index's
  // instead of hashing the whole file again. As safe: a page wrongly taken for the base's (2^-128 a page, see
  // page-index.ts) cannot slip through, because applyChain checks the full sha256 of the result against the last
  // patch's result hash (and the manifest's), and any difference falls back to a full pull.
  if (pages) {
    const H = PAGE_HASH_BYTES;
    if (pages.pageSize !== idx.pageSize || pages.pageCount !== idx.pageCount) return false;
    if (pages.hashes.compare(idx.hashes, H, idx.hashes.length, H, pages.hashes.length) !== 0) return false;
    // Page 1 comes from the index's copy: it must hash like the index says page 1 of the base does.
    if (!createHash('sha256').update(idx.page1).digest().subarray(0, H).equals(idx.hashes.subarray(0, H))) return false;
  }
  const fh = await fsp.open(snapshotPath, 'r+');
  try {
    await fh.write(idx.page1, 0, idx.page1.length, 0);
  } finally {
    await fh.close();
  }
  return pages ? true : (await sha256File(snapshotPath)).sha256 === idx.sha256;
}

/** Header facts of a patch file (for logs and tests). */
export { readPatchHeader };
