/**
 * The three-way decision, as a pure function: compare the local snapshot and the remote manifest with the base (what
 * the last verified sync saw). Never "newer wins": when both sides moved, the answer is a conflict.
 */
import type { RemoteManifest } from '../transports/types.js';

export type Direction = 'bidirectional' | 'push' | 'pull';

export interface Base {
  /** Remote generation and content hash at the last verified sync. */
  generation: number;
  remoteSha256: string;
  /** Hash of the local database (snapshot) right after that sync. */
  localSha256: string;
  /** The same local content in other forms (plaintext hash of a locked .enc): equal to one of them is unchanged. */
  localAliases?: string[];
  /** Rows of that version, when known (guard against pushing a wiped database). */
  rows?: number;
}

export type Plan =
  | { action: 'none'; reason: 'unchanged' | 'same-content' | 'direction' | 'remote-empty-local-missing' }
  | { action: 'push'; reason: 'local-changed' | 'remote-empty' | 'push-only-endpoint' }
  | { action: 'pull'; reason: 'remote-changed' | 'no-local' | 'local-is-older-version' }
  | { action: 'conflict'; reason: 'both-changed' | 'first-sync-differs' };

export interface PlanInput {
  /** Local content hash, or null when there is no local database. */
  localSha256: string | null;
  /** Hash of the exact bytes a push would send (the snapshot), when known: equal to the remote's means same data. */
  localBytesSha256?: string | null;
  /** null: remote holds nothing yet; undefined: the remote cannot tell (push-only endpoint such as the spec's Flask server). */
  remote: RemoteManifest | null | undefined;
  base: Base | null;
  direction: Direction;
  /** For push-only endpoints: the hash last acknowledged by the remote. */
  lastAckedSha256?: string | null;
  /** Other forms of the local content (see Base.localAliases). */
  localAliases?: string[];
  /**
   * The local content equals a version this device held before the base (an unlock of an older .enc, a state file
   * whose database is behind): it is not a local edit, so the remote's newer version is fast-forwarded.
   */
  localIsOlderVersion?: boolean;
}

export function plan(input: PlanInput): Plan {
  const { localSha256: local, remote, base, direction } = input;

  if (remote === undefined) {
    // A remote that only receives: send when the local content differs from what it last acknowledged.
    if (local === null || direction === 'pull') return { action: 'none', reason: 'direction' };
    return local !== input.lastAckedSha256
      ? { action: 'push', reason: 'push-only-endpoint' }
      : { action: 'none', reason: 'unchanged' };
  }

  if (remote === null) {
    if (local === null) return { action: 'none', reason: 'remote-empty-local-missing' };
    return direction === 'pull' ? { action: 'none', reason: 'direction' } : { action: 'push', reason: 'remote-empty' };
  }

  if (local === null)
    return direction === 'push' ? { action: 'none', reason: 'direction' } : { action: 'pull', reason: 'no-local' };

  // Identical bytes on both sides (first contact, or our own push whose record was lost in a crash): in sync. A
  // version stored as a patch names the bytes of the database it rebuilds to (src/delta).
  const bytes = input.localBytesSha256 ?? local;
  if (remote.sha256 === bytes || (remote.delta?.db_sha256 !== undefined && remote.delta.db_sha256 === bytes))
    return {
      action: 'none',
      reason:
        base && base.generation === remote.generation && base.localSha256 === local ? 'unchanged' : 'same-content',
    };

  // First sync with a remote that already holds a different database: it must not be overwritten in either
  // direction without the user's say, whatever `direction` says (direction picks which side may move, never which
  // side may be thrown away).
  if (!base) return { action: 'conflict', reason: 'first-sync-differs' };

  const forms = [local, ...(input.localAliases ?? [])];
  const localChanged = !forms.some((h) => h === base.localSha256 || (base.localAliases ?? []).includes(h));
  if (localChanged && input.localIsOlderVersion) {
    return direction === 'push'
      ? { action: 'none', reason: 'direction' }
      : { action: 'pull', reason: 'local-is-older-version' };
  }
  // "Cifrar ahora" published the base's own content again, encrypted, as its direct child: not a change of content
  // (a device with edits then sends them on top of it instead of reporting a conflict).
  const reencryptedBase =
    remote.reencrypts !== undefined &&
    remote.generation === base.generation + 1 &&
    remote.reencrypts.generation === base.generation &&
    remote.reencrypts.sha256 === base.remoteSha256 &&
    remote.parent?.generation === base.generation &&
    remote.parent.sha256 === base.remoteSha256;
  const remoteChanged =
    !reencryptedBase && (remote.generation !== base.generation || remote.sha256 !== base.remoteSha256);

  if (!localChanged && !remoteChanged) return { action: 'none', reason: 'unchanged' };
  if (localChanged && !remoteChanged)
    return direction === 'pull' ? { action: 'none', reason: 'direction' } : { action: 'push', reason: 'local-changed' };
  if (!localChanged && remoteChanged)
    return direction === 'push'
      ? { action: 'none', reason: 'direction' }
      : { action: 'pull', reason: 'remote-changed' };
  // Both moved: keep both, in every direction (a one-way setting never silently drops the other side's rows).
  return { action: 'conflict', reason: 'both-changed' };
}
