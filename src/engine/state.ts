/**
 * `$CORDIAX_HOME/sync_state.json`: what the last verified sync saw, per remote target (so switching servers never
 * reuses another server's base), plus health facts for `status`. Written atomically, 0600.
 */
import { promises as fsp } from 'node:fs';
import { writeFileAtomic } from '../util/fs.js';
import type { Base } from './plan.js';
import type { LineageRecord } from './lineage.js';

export interface ConflictInfo {
  /** Where the remote version was saved beside the local database. */
  copyPath: string;
  remoteGeneration: number;
  remoteSha256: string;
  remoteDevice: string;
  remoteTime: string;
  remoteSize: number;
  localSize: number;
  localTime: string;
  detectedAt: string;
  /** Why the sync stopped: 'both-changed', 'would-wipe-rows', 'unlocked-before-pull', ... */
  reason?: string;
}

/** A version this device held (pushed or pulled): its local content hashes in every form, for fast-forwards. */
export interface KnownVersion {
  generation: number;
  hashes: string[];
}

export interface PendingDownload {
  /** A verified remote version that could not be applied yet (e.g. no identity to decrypt it). */
  path: string;
  generation: number;
  reason: string;
}

export interface TargetState {
  base: Base | null;
  /** For push-only endpoints: the hash the remote last acknowledged. */
  lastAckedSha256?: string | null;
  lastGoodSync?: string; // ISO time of the last verified sync (including verified no-ops)
  lastAttempt?: string;
  lastError?: { code: string; message: string; message_en: string; time: string } | null;
  lastAction?: string;
  remoteGeneration?: number | null;
  conflict?: ConflictInfo | null;
  pending?: PendingDownload | null;
  /**
   * Written just before a push commits: if the process dies after the remote accepted it but before the base was
   * recorded, the next sync recognises its own version instead of reporting a conflict.
   */
  pendingPush?: { sha256: string; localSha256: string } | null;
  /**
   * Written just before a pull replaces the local database: if the process dies after the replace but before the
   * base was recorded, the next sync finds the local content equal to it and adopts it instead of a false conflict.
   */
  pendingPull?: { generation: number; remoteSha256: string; localSha256: string } | null;
  /** Local file fingerprint at the last snapshot, to skip snapshots when nothing was written. */
  localFingerprint?: string | null;
  localSha256?: string | null;
  /** Other forms of the content at localFingerprint (the plaintext hash of a locked .enc), see LocalContent. */
  localAliases?: string[] | null;
  /** The last versions this device held, newest first: local content equal to one of them is not a local edit. */
  known?: KnownVersion[];
  /** File identity (device:inode) of the plain database at the base: a state copied to another PC does not match. */
  localIdentity?: string | null;
  /** When a locked pull replaced the .enc (this machine's clock): a plaintext created before it may be stale. */
  encReplacedAt?: number | null;
  /** The local content the user chose to send although it drops most rows (resolve --keep local). */
  shrinkConfirmed?: string | null;
  /** The local content a "restore" put in place: sent next even though it equals an older version. */
  restoredSha256?: string | null;
  /** What this device knows of the remote's history (identity, last version synced, highest generation seen). */
  lineage?: LineageRecord | null;
}

interface StateFile {
  format: 'cordiax-sync-state/1';
  targets: Record<string, TargetState>;
}

export class StateStore {
  constructor(readonly file: string) {}

  private async readAll(): Promise<StateFile> {
    try {
      const data = JSON.parse(await fsp.readFile(this.file, 'utf8')) as StateFile;
      if (data && typeof data === 'object' && data.targets && typeof data.targets === 'object') return data;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
        // A damaged state file only costs a conservative re-baseline (first-sync rules: conflicts, never overwrites).
        await fsp.rename(this.file, `${this.file}.damaged-${Date.now()}`).catch(() => {});
      }
    }
    return { format: 'cordiax-sync-state/1', targets: {} };
  }

  async get(target: string): Promise<TargetState> {
    const all = await this.readAll();
    return all.targets[target] ?? { base: null };
  }

  async update(target: string, patch: Partial<TargetState>): Promise<TargetState> {
    const all = await this.readAll();
    const next = { ...(all.targets[target] ?? { base: null }), ...patch };
    all.targets[target] = next;
    await writeFileAtomic(this.file, `${JSON.stringify(all, null, 2)}\n`, 0o600);
    return next;
  }
}
