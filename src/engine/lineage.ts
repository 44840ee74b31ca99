/**
 * Lineage: the backstop that catches what exclusion misses. Pure: given what this device recorded about a remote and
 * what the remote says now, tell whether the remote's history still contains what we saw and sent.
 *
 * Every remote version names its parent ({generation, sha256}) and the remote's random identity (`remote_id`).
 * A device records, per remote: the identity, the version it last pushed or pulled, and the highest generation it
 * ever saw. On every sync, before planning, the engine calls `checkLineage`; any verdict other than 'ok' and
 * 'local-is-older-version' is a conflict (keep both copies, warn loudly), never a silent pull or push.
 *
 * Manifests written by v0.1 carry neither parent nor identity: missing facts are "unknown", never a violation.
 */
import type { Text } from '../errors.js';
import type { LineageEntry, RemoteManifest } from '../transports/types.js';
import { msg } from '../messages/index.js';

/** What this device recorded about the remote at its last verified sync (kept in sync_state.json). */
export interface LineageRecord {
  /** The remote's `remote_id` when we last synced; undefined when unknown (v0.1 remote or v0.1 state file). */
  remoteId?: string;
  /** The version we last pushed or pulled (as the remote stores it: sha256 of the remote bytes). null: never synced. */
  lastSynced: { generation: number; sha256: string; pushedByUs: boolean } | null;
  /** The highest generation this device ever saw on this remote (null: none). */
  highestGeneration: number | null;
}

interface LineageInput {
  recorded: LineageRecord;
  /** The remote's current head; null when the remote holds nothing. (Push-only endpoints: do not call.) */
  head: RemoteManifest | null;
  /**
   * Versions the remote vouches for beyond the head and its `versions` history, e.g. the answer of
   * `SyncEndpoint.lineageEntry(recorded.lastSynced.generation)`. Null answers may be left out.
   */
  entries?: LineageEntry[];
  /** sha256 of the bytes a push would send now (same meaning as the remote's sha256), when known. */
  localBytesSha256?: string | null;
}

type Ver = { generation: number; sha256: string };

type LineageVerdict =
  | {
      verdict: 'ok' /** false: the remote no longer lists the generation we last synced, so it could not be checked. */;
      certain: boolean;
    }
  /** The remote holds nothing, but we synced with it before: deleted or emptied, never "a new remote". */
  | { verdict: 'manifest-disappeared'; lastGeneration: number }
  /** The remote is another one (recreated, or a different folder/server): its versions are not descendants of ours. */
  | { verdict: 'remote-identity-changed'; expected: string; found: string }
  /** The remote's head is older than a generation we saw: restored from an older backup. */
  | { verdict: 'generation-went-back'; highest: number; found: number }
  /** The version we pushed is not in the remote's lineage: another writer replaced our commit. */
  | { verdict: 'our-commit-lost'; ours: Ver; remote: Ver | null }
  /** A version we pulled is not in the remote's lineage any more: the history was rewritten by someone else. */
  | { verdict: 'history-rewritten'; ours: Ver; remote: Ver | null }
  /** The local bytes equal an older version of this remote: a fast-forward (pull), never a local edit to push. */
  | { verdict: 'local-is-older-version'; generation: number };

type LineageResult = LineageVerdict & {
  /** true: stop and keep both copies (conflict copy + warning); false: carry on (maybe as a fast-forward). */
  conflict: boolean;
  /** What to tell the user (Spanish first). Empty for 'ok'. */
  text: Text;
};

/** Every version the remote vouches for, by generation (head first, then history, then extra entries). */
function known(head: RemoteManifest, entries: LineageEntry[]): Map<number, Ver> {
  const out = new Map<number, Ver>();
  const add = (v: Ver | null | undefined) => {
    if (v && !out.has(v.generation)) out.set(v.generation, { generation: v.generation, sha256: v.sha256 });
  };
  add(head);
  for (const v of head.versions ?? []) add(v);
  for (const e of entries) {
    add(e);
    if (e.parent) add(e.parent);
  }
  add(head.parent ?? undefined);
  return out;
}

/**
 * The newest version of the remote's history (head excluded) whose database bytes are `bytesSha256`: a whole
 * version's own sha256, or the database a patch rebuilds to (`delta.db_sha256`, written only when not encrypted).
 * Encrypted versions never match plaintext bytes: with encryption on this answers null (the conservative path).
 */
export function olderVersionWithBytes(
  head: RemoteManifest,
  bytesSha256: string | null | undefined,
  entries: LineageEntry[] = [],
): number | null {
  if (!bytesSha256) return null;
  const candidates: Array<{ generation: number; sha256: string; delta?: { db_sha256?: string } }> = [
    ...(head.versions ?? []),
    ...(head.retained ?? []),
    ...entries,
    ...(head.parent ? [head.parent] : []),
  ];
  let best: number | null = null;
  for (const v of candidates) {
    if (v.generation >= head.generation) continue;
    if (v.sha256 === bytesSha256 || v.delta?.db_sha256 === bytesSha256)
      best = best === null ? v.generation : Math.max(best, v.generation);
  }
  return best;
}

export function checkLineage(input: LineageInput): LineageResult {
  const { recorded, head } = input;
  const last = recorded.lastSynced;
  const seen = Math.max(recorded.highestGeneration ?? 0, last?.generation ?? 0);

  if (head === null) {
    if (seen > 0) {
      return {
        verdict: 'manifest-disappeared',
        lastGeneration: seen,
        conflict: true,
        text: msg('event.LINEAGE_MANIFEST_DISAPPEARED', { seen }),
      };
    }
    return { verdict: 'ok', certain: true, conflict: false, text: { es: '', en: '' } };
  }

  if (recorded.remoteId && head.remote_id && recorded.remoteId !== head.remote_id) {
    return {
      verdict: 'remote-identity-changed',
      expected: recorded.remoteId,
      found: head.remote_id,
      conflict: true,
      text: msg('event.LINEAGE_REMOTE_IDENTITY_CHANGED', {
        remote_id: head.remote_id.slice(0, 8),
        remoteId: recorded.remoteId.slice(0, 8),
      }),
    };
  }

  if (seen > head.generation) {
    return {
      verdict: 'generation-went-back',
      highest: seen,
      found: head.generation,
      conflict: true,
      text: msg('event.LINEAGE_GENERATION_WENT_BACK', { seen, generation: head.generation }),
    };
  }

  const vouched = known(head, input.entries ?? []);
  let certain = true;
  if (last) {
    const there = vouched.get(last.generation) ?? null;
    if (there === null) certain = false;
    else if (there.sha256 !== last.sha256) {
      const ours = { generation: last.generation, sha256: last.sha256 };
      if (last.pushedByUs) {
        return {
          verdict: 'our-commit-lost',
          ours,
          remote: there,
          conflict: true,
          text: msg('event.LINEAGE_OUR_COMMIT_LOST', { generation: last.generation }),
        };
      }
      return {
        verdict: 'history-rewritten',
        ours,
        remote: there,
        conflict: true,
        text: msg('event.LINEAGE_HISTORY_REWRITTEN', { generation: last.generation }),
      };
    }
  }

  const local = input.localBytesSha256;
  const bytesHead = head.delta?.db_sha256 ?? head.sha256;
  const older =
    local && local !== head.sha256 && local !== bytesHead ? olderVersionWithBytes(head, local, input.entries) : null;
  if (older !== null) {
    return {
      verdict: 'local-is-older-version',
      generation: older,
      conflict: false,
      text: msg('event.LINEAGE_LOCAL_IS_OLDER_VERSION', { generation: older, generation2: head.generation }),
    };
  }
  return { verdict: 'ok', certain, conflict: false, text: { es: '', en: '' } };
}

/** What to record after a verified sync (push: pushedByUs true), so the next check has something to compare. */
export function recordAfterSync(
  previous: LineageRecord | null,
  synced: RemoteManifest,
  pushedByUs: boolean,
): LineageRecord {
  return {
    remoteId: synced.remote_id ?? previous?.remoteId,
    lastSynced: { generation: synced.generation, sha256: synced.sha256, pushedByUs },
    highestGeneration: Math.max(previous?.highestGeneration ?? 0, synced.generation),
  };
}

/** After a sync that changed nothing: remember the newest generation seen (and the identity, if we had none). */
export function recordSeen(previous: LineageRecord | null, head: RemoteManifest): LineageRecord {
  return {
    remoteId: previous?.remoteId ?? head.remote_id,
    lastSynced: previous?.lastSynced ?? null,
    highestGeneration: Math.max(previous?.highestGeneration ?? 0, head.generation),
  };
}
