/**
 * The one interface every file-based remote implements (folder, WebDAV, SMB), in the spirit of rclone's backends:
 * a handful of primitive operations on paths relative to the configured remote folder. A transport knows nothing of
 * the engine, manifests or SQLite: the engine (src/engine/remote-layout.ts) builds the sync protocol on top.
 *
 * Socket.IO is not a file store: it implements `SyncEndpoint` below instead, where the server keeps the manifest.
 *
 * Paths: always relative, '/'-separated, no leading slash, never '..' (e.g. 'cordiax-sync.json',
 * 'versions/000012-ab12cd34ef56.db'). Implementations resolve them under their configured root.
 */
import type { Logger } from '../log/events.js';
import type { Text } from '../errors.js';

/** The protocol names, from the transport registry (declared once there). */
export type ProtocolName = import('./registry.js').Protocol;

export interface RemoteEntry {
  /** Relative path as given to the transport. */
  path: string;
  size: number;
  isDirectory: boolean;
  modified?: Date;
  /**
   * An opaque version token for conditional writes (WebDAV: the exact ETag with its quotes; folder/SMB: undefined
   * or size+mtime). Only meaningful where `guarantees.conditionalWrite` is true.
   */
  version?: string;
}

export interface Guarantees {
  /**
   * writeSmall(ifVersion) is a real compare-and-swap: of concurrent writers with the same ifVersion at most one
   * succeeds (WebDAV on Apache: If-Match serialised by a LOCK, since Apache alone lets racing writers through;
   * rclone: no, it ignores conditions).
   */
  conditionalWrite: boolean;
  /** createExclusive() is atomic: of two concurrent callers exactly one wins (O_EXCL, SMB FILE_CREATE, If-None-Match:* honoured). */
  exclusiveCreate: boolean;
  /** rename(..., {replace:true}) atomically replaces the target (readers see old or new, never nothing). */
  atomicReplace: boolean;
}

export interface Progress {
  /** Bytes moved so far in this transfer. */
  bytes: number;
  /** Total bytes when known. */
  total?: number;
  /** 'verify': the bytes are the read-back of an upload (shared/upload.ts), not the upload itself. */
  phase?: 'upload' | 'verify';
}

export interface TransferOptions {
  onProgress?: (p: Progress) => void;
  signal?: AbortSignal;
  /**
   * A push's commit point (file remotes: right before the commit record is created), after which it is finished
   * whatever the signal says. Throwing here (Cancelar came first) stops the push with nothing committed.
   */
  onCommit?: () => void;
}

/**
 * How an upload checks what landed before it is renamed into place: 'full' reads every byte back and hashes it;
 * 'size' checks the size the server reports (for large objects: the bytes are hashed by the next device that pulls
 * them, and a normal sync must not move a whole database twice). Default 'full'.
 */
export type UploadVerify = 'full' | 'size';

export interface UploadResult {
  size: number;
  /** sha256 (hex) of what landed, when the transport could verify it by reading back or by a server checksum. */
  sha256?: string;
  version?: string;
}

export interface DownloadResult {
  size: number;
  sha256: string; // computed while streaming to disk
}

/** One line of a connection test: what was tried and how it went. */
export interface CheckStep {
  /** Stable id, e.g. 'auth', 'mkdir', 'write', 'read', 'rename', 'delete', 'if-match', 'lock', 'tls', 'clock'. */
  id: string;
  ok: boolean;
  /** 'skipped' steps did not run (a previous step failed, or not applicable). */
  skipped?: boolean;
  text: Text;
  /** What to fix, when !ok. */
  hint?: Text;
  durationMs?: number;
}

/** The result of "Probar Conexión". `ok` is true only if a real write/read/rename/delete round trip worked. */
export interface ConnectionReport {
  protocol: ProtocolName;
  ok: boolean;
  steps: CheckStep[];
  /** Facts the server showed: dialect, signing, encryption, transport, capabilities, clock skew, honoured features. */
  facts: Record<string, string | number | boolean | null>;
  guarantees?: Guarantees;
  /** The error that ended the test, if any (code + bilingual message + hint). */
  error?: {
    code: string;
    message: string;
    message_en: string;
    hint?: string;
    hint_en?: string;
    /** Config problems by dotted key (a form value the rules refuse), so the page can mark the field. */
    problems?: Array<{ key: string; text: { es: string; en: string } }>;
  };
}

export interface TransportContext {
  log: Logger;
  /** A private (0700) folder for temporary files this transport may need. */
  tmpDir: string;
  /** Name of this machine, for temp-file and lock names. */
  device: string;
}

/** Every call can be cancelled: a transport stops at its next request or chunk and rejects (CANCELLED). */
export interface CallOptions {
  signal?: AbortSignal;
}

/**
 * A file-based remote. Every method throws SyncError (src/errors.ts) with a precise code on failure; never resolves
 * on an HTTP error / NTSTATUS failure. Every method takes an AbortSignal (its last argument's `signal`).
 *
 * What an upload means (temporary name, verification, rename, cleanup) is shared code above the transports
 * (shared/upload.ts: uploadVerified); a transport supplies two primitives (UploadPrimitives there) and calls it.
 */
export interface FileTransport {
  readonly protocol: ProtocolName;

  /** Connects/authenticates if needed and makes sure the remote root folder exists (mkdir -p). Idempotent. */
  open(opts?: CallOptions): Promise<void>;
  /** What this remote guarantees; may probe the server once (cached). */
  guarantees(opts?: CallOptions): Promise<Guarantees>;

  stat(path: string, opts?: CallOptions): Promise<RemoteEntry | null>;
  /** Entries directly inside `dir` ('' = root). Missing dir -> []. */
  list(dir: string, opts?: CallOptions): Promise<RemoteEntry[]>;
  mkdirp(dir: string, opts?: CallOptions): Promise<void>;

  /** Reads a small file (manifest, lock) whole. null if missing. Refuses more than maxBytes (default 1 MiB). */
  readSmall(path: string, maxBytes?: number, opts?: CallOptions): Promise<{ data: Buffer; version?: string } | null>;
  /**
   * Writes a small file whole and atomically (readers never see a partial file).
   * ifVersion: a version token from stat/readSmall -> write only if unchanged (PRECONDITION_FAILED otherwise; only
   * enforced when guarantees.conditionalWrite). ifVersion === null -> only if the file does not exist.
   */
  writeSmall(
    path: string,
    data: Buffer,
    opts?: { ifVersion?: string | null } & CallOptions,
  ): Promise<{ version?: string }>;
  /** Creates `path` with `data` only if it does not exist. Resolves false (does not throw) when it exists. */
  createExclusive(path: string, data: Buffer, opts?: CallOptions): Promise<boolean>;

  /**
   * Streams a local file to `path` verified (shared/upload.ts: uploadVerified): on a file system to a temporary
   * name beside it, then verifies what landed (size, and the bytes read back and hashed), then renames it into
   * place. Fails with VERIFY_FAILED if what landed differs from `expected`. `replace: false` (the default) must not
   * overwrite an existing target (ALREADY_EXISTS). On any failure the temporary file is removed and `path` is
   * untouched.
   */
  upload(
    localPath: string,
    path: string,
    expected: { size: number; sha256: string },
    opts?: TransferOptions & { replace?: boolean; verify?: UploadVerify },
  ): Promise<UploadResult>;
  /** Streams `path` to `localPath` (created 0600), hashing on the way. Rejects (never hangs) on a dropped connection. */
  download(path: string, localPath: string, opts?: TransferOptions): Promise<DownloadResult>;

  rename(from: string, to: string, opts?: { replace?: boolean } & CallOptions): Promise<void>;
  /** Deletes a file. Missing file -> resolves (idempotent). */
  remove(path: string, opts?: CallOptions): Promise<void>;

  /** "Probar Conexión": a real probe round trip (write, read, rename, delete) with a report; never throws. */
  test(opts?: CallOptions): Promise<ConnectionReport>;
  close(): Promise<void>;
}

/** What a remote holds for the current database: written by the engine (file transports) or a sync server. */
export interface RemoteManifest {
  format: 'cordiax-sync/1';
  generation: number;
  /** sha256 of the bytes stored remotely (the ciphertext when encrypted). */
  sha256: string;
  size: number;
  encrypted: boolean;
  device: string;
  time: string; // ISO
  /** Relative path of the object holding these bytes. */
  file: string;
  /** Earlier versions still kept, newest first. */
  versions?: Array<{
    generation: number;
    sha256: string;
    size: number;
    device: string;
    time: string;
    file: string;
    delta?: DeltaInfo;
  }>;
  /**
   * Present when `file` holds a page patch on top of the parent generation instead of a whole database (a "base").
   * `sha256`/`size` always describe the object at `file` as stored (src/delta).
   */
  delta?: DeltaInfo;
  /** Chain links older than `versions` that a kept version still needs (never shown as versions; never pruned). */
  retained?: Array<{ generation: number; sha256: string; size: number; file: string; delta?: DeltaInfo }>;
  /**
   * Lineage: the version this one was committed on top of (null for a remote's first version). Absent in manifests
   * written by v0.1 (unknown, never a violation).
   */
  parent?: ManifestParent | null;
  /** Random identity of the remote, created with its first commit and carried forward. Absent from v0.1 manifests. */
  remote_id?: string;
  /**
   * "Cifrar ahora": this version holds the same database as its parent, encrypted (the parent's generation and
   * stored sha256). A device whose base is that parent has not seen a change of content (src/engine/plan.ts).
   */
  reencrypts?: ManifestParent;
}

/** A version stored as a patch (src/delta/patch.ts) of the changed pages since `parent`. */
export interface DeltaInfo {
  /** The generation whose database the patch applies to. */
  parent: number;
  /** Pages in the patch. */
  pages: number;
  /** Size of the database the version rebuilds to. */
  db_size: number;
  /** sha256 of that database: only when not encrypted (manifests never carry plaintext hashes of encrypted data). */
  db_sha256?: string;
}

/** A version's parent: enough to tell whether one version descends from another. */
export interface ManifestParent {
  generation: number;
  sha256: string;
}

/** One version as the remote vouches for it (commit record, manifest head or history entry). */
export interface LineageEntry {
  generation: number;
  sha256: string;
  /** undefined: not recorded (v0.1 or history entry); null: the first version. */
  parent?: ManifestParent | null;
}

/**
 * A remote that keeps its own manifest (our Socket.IO server, or the spec's Flask server which keeps nothing).
 * The engine uses it directly instead of the file layout.
 */
/** What a push says about the file it sends: the remote checks it and commits it over `baseGeneration` (CAS). */
export interface PushMeta {
  sha256: string;
  size: number;
  encrypted: boolean;
  device: string;
  /** The generation the push was planned on; null when the remote held nothing (or cannot tell). */
  baseGeneration: number | null;
  /** The file is a page patch on top of baseGeneration (file remotes only; src/delta). */
  delta?: DeltaInfo;
  /**
   * "Cifrar ahora" (file remotes only): the new version's history lists only encrypted versions whose whole chain is
   * encrypted, and once it is committed every plaintext version object is removed from the remote.
   */
  history?: 'encrypted-only';
  /**
   * Endpoints that store whole files (our Socket.IO server): the file is the whole database, and this page patch
   * from the head (baseGeneration) to it may be sent instead; the endpoint falls back to the file when the remote
   * refuses the patch (src/delta/endpoint-sync.ts).
   */
  patch?: PatchOffer;
}

/** A page patch (src/delta/patch.ts) offered in place of a whole database. */
export interface PatchOffer {
  path: string;
  size: number;
  sha256: string;
  /** sha256 of the database it applies to (the head's stored bytes). */
  baseSha256: string;
  pages: number;
}

/** What a push did beyond its manifest: bytes actually sent, and whether a patch offered went (endpoints). */
export interface PushResult {
  manifest?: RemoteManifest;
  conflict?: RemoteManifest;
  /** Bytes sent (the patch's when it went); absent: the file's size. */
  sent?: number;
  /** false: a patch was offered and the whole file went instead. */
  patched?: boolean;
}

export interface SyncEndpoint {
  readonly protocol: ProtocolName;
  /** What this endpoint can do: the spec's Flask server can only receive (push). */
  capabilities(): Promise<{
    push: boolean;
    pull: boolean;
    history: boolean;
    compareAndSwap: boolean;
    maxBytes?: number;
  }>;
  open(): Promise<void>;
  /** Current remote manifest; null if nothing stored yet; undefined if the endpoint cannot tell (push-only). */
  head(opts?: CallOptions): Promise<RemoteManifest | null | undefined>;
  /**
   * Sends a verified local file as the next version. baseGeneration: what we last saw (CAS); a server that
   * supports CAS answers { conflict } instead of overwriting a newer generation.
   */
  push(localPath: string, meta: PushMeta, opts?: TransferOptions): Promise<PushResult>;
  /** Downloads the version described by `manifest` (or the newest) to localPath, verified against its sha256. */
  pull(localPath: string, manifest?: RemoteManifest, opts?: TransferOptions): Promise<DownloadResult>;
  /** Called by the endpoint when the remote says something changed or asks for data (Socket.IO sync_request/sync_update). */
  onRemoteEvent(
    listener: (ev: {
      kind: 'sync_request' | 'sync_update' | 'connected' | 'disconnected';
      manifest?: RemoteManifest;
    }) => void,
  ): () => void;
  /**
   * What the remote recorded for `generation` (its commit record, or the head's history), for the lineage check
   * (src/engine/lineage.ts). null: the remote no longer knows (pruned) or never had it. Optional: endpoints without
   * history leave it out.
   */
  lineageEntry?(generation: number): Promise<LineageEntry | null>;
  test(): Promise<ConnectionReport>;
  close(): Promise<void>;
}
