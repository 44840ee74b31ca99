/**
 * The simulated server's storage: files in memory with a version token and a modification time from the virtual
 * clock. What the server honours is a behaviour, separate from what it claims (a planted bug claims conditional writes
 * and ignores them).
 */
import type { Guarantees } from '../src/transports/types.js';
import type { VirtualClock } from './clock.js';

export type ServerMode = 'cas' | 'folder' | 'rclone';

export interface ServerBehaviour {
  /** What guarantees() answers. */
  claims: Guarantees;
  /** writeSmall's ifVersion (and ifVersion null) is enforced. */
  enforcesConditional: boolean;
  /** createExclusive is one atomic step; otherwise a check and a write that other requests can fall between. */
  atomicCreate: boolean;
}

/** cas: WebDAV with If-Match serialised (Apache + LOCK); folder: O_EXCL but no If-Match; rclone: neither. */
export function behaviourOf(mode: ServerMode): ServerBehaviour {
  switch (mode) {
    case 'cas':
      return {
        claims: { conditionalWrite: true, exclusiveCreate: true, atomicReplace: true },
        enforcesConditional: true,
        atomicCreate: true,
      };
    case 'folder':
      return {
        claims: { conditionalWrite: false, exclusiveCreate: true, atomicReplace: true },
        enforcesConditional: false,
        atomicCreate: true,
      };
    case 'rclone':
      return {
        claims: { conditionalWrite: false, exclusiveCreate: false, atomicReplace: false },
        enforcesConditional: false,
        atomicCreate: false,
      };
  }
}

export interface StoredFile {
  data: Buffer;
  version: string;
  mtime: number;
}

export class RemoteStore {
  /** Insertion order is the listing order: deterministic whatever random parts the names carry. */
  files = new Map<string, StoredFile>();
  dirs = new Set<string>(['']);
  private versions = 0;

  constructor(
    readonly mode: ServerMode,
    readonly behaviour: ServerBehaviour,
    private readonly clock: VirtualClock,
  ) {}

  get(path: string): StoredFile | undefined {
    return this.files.get(path);
  }

  put(path: string, data: Buffer): StoredFile {
    const f = { data: Buffer.from(data), version: `"v${++this.versions}"`, mtime: this.clock.now };
    this.files.delete(path); // a rewrite moves the file to the end of the listing, like a new mtime would
    this.files.set(path, f);
    return f;
  }

  delete(path: string): void {
    this.files.delete(path);
  }

  /** A copy of everything, for "the remote was restored from an older backup". */
  snapshot(): Map<string, StoredFile> {
    return new Map([...this.files].map(([p, f]) => [p, { ...f, data: Buffer.from(f.data) }]));
  }

  restore(snap: Map<string, StoredFile>): void {
    this.files = new Map([...snap].map(([p, f]) => [p, { ...f, data: Buffer.from(f.data) }]));
  }
}
