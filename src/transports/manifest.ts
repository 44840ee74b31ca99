/** The manifest's history rule, shared by the file remote layout (engine) and the Socket.IO server's storage. */
import { randomBytes } from 'node:crypto';
import type { RemoteManifest } from './types.js';

/** A new random remote identity (`remote_id`), made once with a remote's first commit. */
export function newRemoteId(): string {
  return randomBytes(16).toString('base64url');
}

export const REMOTE_ID_RE = /^[A-Za-z0-9_-]{8,64}$/;

type VersionEntry = NonNullable<RemoteManifest['versions']>[number];

/**
 * The manifest for a new generation on top of `previous`: the previous head joins the history, which keeps
 * `keepVersions - 1` older entries (plus the new head = keepVersions). `dropped` lists the entries that fell out.
 * The new manifest names its parent (the previous head) and carries the remote's identity: the previous one's, or
 * `next.remoteId` when the previous has none (a new remote, or one last written by v0.1).
 */
export function nextManifest(
  previous: RemoteManifest | null,
  next: {
    sha256: string;
    size: number;
    encrypted: boolean;
    device: string;
    file: string;
    time?: Date;
    remoteId?: string;
  },
  keepVersions: number,
): { manifest: RemoteManifest; dropped: VersionEntry[] } {
  const older: VersionEntry[] = previous
    ? [
        {
          generation: previous.generation,
          sha256: previous.sha256,
          size: previous.size,
          device: previous.device,
          time: previous.time,
          file: previous.file,
          // A version stored as a patch stays one in the history (src/delta: its chain is walked to rebuild it).
          ...(previous.delta ? { delta: previous.delta } : {}),
        },
        ...(previous.versions ?? []),
      ]
    : [];
  const keep = older.slice(0, Math.max(0, keepVersions - 1));
  return {
    manifest: {
      format: 'cordiax-sync/1',
      generation: (previous?.generation ?? 0) + 1,
      sha256: next.sha256,
      size: next.size,
      encrypted: next.encrypted,
      device: next.device,
      time: (next.time ?? new Date()).toISOString(),
      file: next.file,
      versions: keep,
      // Lineage: who this version descends from, and which remote it belongs to (carried forward).
      parent: previous ? { generation: previous.generation, sha256: previous.sha256 } : null,
      ...((previous?.remote_id ?? next.remoteId) ? { remote_id: previous?.remote_id ?? next.remoteId } : {}),
    },
    dropped: older.slice(keep.length),
  };
}
