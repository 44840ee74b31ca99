/**
 * `$CORDIAX_HOME/sync_state.json`: what the last verified sync saw, per remote target (so switching servers never
 * reuses another server's base), plus health facts for `status`. Written atomically, 0600.
 *
 * Entries are keyed by how the remote is reached (the transport's targetId), but the history belongs to the remote
 * itself: each entry records the remote's identity (`lineage.remoteId`), so the same remote reached by another
 * spelling of its address finds its entry again (findByRemoteId, move).
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
  /** This entry's history moved to another key (the same remote reached by another address): only a signpost. */
  movedTo?: string | null;
  movedAt?: string | null;
  /** The key this entry's history came from, when it moved here. */
  movedFrom?: string | null;
  /** The address pointed to a remote with another identity than the one this database synced with: ask first. */
  question?: RemoteQuestion | null;
  /** The user answered "use this new server" for this identity: synced under first-sync rules, not asked again. */
  acceptedRemoteId?: string | null;
  /** How this remote was reached at the last sync, without secrets (for "Volver a la dirección anterior"). */
  address?: { protocol: string; block: Record<string, unknown> } | null;
}

/** "¿Es el mismo servidor?": the address now leads to a remote with another identity and history. */
export interface RemoteQuestion {
  kind: 'other-remote';
  /** The state key this database last synced with (same protocol) and that remote's identity. */
  previousTarget: string;
  previousRemoteId: string;
  previousGeneration: number | null;
  previousSync: string | null;
  /** The remote the address reaches now. */
  foundRemoteId: string;
  foundGeneration: number;
  foundDevice: string;
  foundTime: string;
  detectedAt: string;
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

  /** Every entry (the file is small: one per address ever used). */
  async all(): Promise<Record<string, TargetState>> {
    return (await this.readAll()).targets;
  }

  /**
   * The entry holding the history of the remote with this identity (not a moved signpost, not `except`): the one
   * that synced last when several do (e.g. written by versions before this lookup existed).
   */
  async findByRemoteId(remoteId: string, except: string): Promise<{ key: string; state: TargetState } | null> {
    const found = Object.entries(await this.all())
      .filter(([k, t]) => k !== except && !t.movedTo && t.lineage?.remoteId === remoteId && hasHistory(t))
      .sort(([, a], [, b]) => (b.lastGoodSync ?? '').localeCompare(a.lastGoodSync ?? ''));
    return found[0] ? { key: found[0][0], state: found[0][1] } : null;
  }

  /**
   * Moves an entry's history to another key in one write: `to` gets everything `from` had (base, versions held,
   * lineage, an unresolved conflict...), `from` keeps only a signpost, so one remote never has two diverging bases.
   */
  async move(from: string, to: string, keep: Partial<TargetState> = {}): Promise<TargetState> {
    const all = await this.readAll();
    const source = all.targets[from];
    if (!source) throw new Error(`state entry ${from} not found`);
    const now = new Date().toISOString();
    const next: TargetState = { ...source, ...keep, movedFrom: from, movedTo: null, question: null };
    all.targets[to] = next;
    all.targets[from] = { base: null, movedTo: to, movedAt: now, lastGoodSync: source.lastGoodSync };
    await writeFileAtomic(this.file, `${JSON.stringify(all, null, 2)}\n`, 0o600);
    return next;
  }

  async update(target: string, patch: Partial<TargetState>): Promise<TargetState> {
    const all = await this.readAll();
    const next = { ...(all.targets[target] ?? { base: null }), ...patch };
    all.targets[target] = next;
    await writeFileAtomic(this.file, `${JSON.stringify(all, null, 2)}\n`, 0o600);
    return next;
  }
}

/** Whether an entry records a sync with its remote (a base or a lineage record), not just an attempt. */
export function hasHistory(t: TargetState): boolean {
  return !!t.base || !!t.lineage?.lastSynced || !!t.conflict || !!t.pendingPush;
}
