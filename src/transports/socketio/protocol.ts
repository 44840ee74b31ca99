/**
 * The wire protocol shared by our Socket.IO client and our sync server (one definition, so the two cannot drift).
 *
 * Protocol 1 is the spec's: the server emits `sync_request` on connect; the client answers `sync_data`
 * `{data: <hex>}` with an ack. The spec's Flask server announces nothing in `sync_request` ({}).
 *
 * Protocol 2 (our server announces `{protocol: 2, ...}` in `sync_request`): every request carries an ack whose
 * answer is `{ok: true, ...}` or `{ok: false, code, message: {es, en}, manifest?}`. A push is
 * `p2_begin` (CAS on baseGeneration, resumable by uploadId) -> `p2_chunk` (binary, in order, acked once on disk)
 * -> `p2_end` (sha256 verified by the server). A pull is a series of `p2_read` ranges of a stored generation.
 *
 * Page patches (feature 'patch', announced in `features` of the hello and of `p2_head`): a push may send only the
 * pages that changed since the head (`p2_begin {kind: 'patch', ...}`; the server applies them to its stored head,
 * verifies the result and stores it whole, so protocol 1 and older clients see nothing new), and a pull may ask for
 * the pages that changed between a version it holds and another (`p2_patch`, then `p2_patch_read` ranges). The
 * patch format is src/delta/patch.ts. Never with encryption: the server cannot patch ciphertext.
 */
import type { PushMeta, RemoteManifest } from '../types.js';
import { REMOTE_ID_RE } from '../manifest.js';
import type { Text } from '../../errors.js';

export const DEFAULT_NAMESPACE = '/cordiax-sync/';

/**
 * The spec's Flask server: `max_http_buffer_size` 1,000,000 bytes per request body, framing included. With the
 * packet `42/cordiax-sync/,0["sync_data",{"data":"<hex>"}]` the largest database that fits is 499,978 bytes.
 */
export const FLASK_BUFFER_BYTES = 1_000_000;
export const PROTOCOL1_MAX_BYTES = 499_978;

/** Binary chunk size of protocol 2 (the server may announce a smaller one). */
export const CHUNK_BYTES = 1024 * 1024;
/** Chunks in flight before waiting for acks: enough to fill a loopback link, small enough to bound memory. */
export const WINDOW = 6;

export const EV = {
  syncRequest: 'sync_request',
  syncData: 'sync_data',
  syncUpdate: 'sync_update',
  ping: 'p2_ping',
  head: 'p2_head',
  begin: 'p2_begin',
  chunk: 'p2_chunk',
  end: 'p2_end',
  abort: 'p2_abort',
  read: 'p2_read',
  patch: 'p2_patch',
  patchRead: 'p2_patch_read',
} as const;

/** Feature names a server announces in `features` (hello and p2_head). */
export const FEATURE_PATCH = 'patch';

/** What our server puts in `sync_request` (the Flask server sends {}). */
export interface ServerHello {
  protocol: 2;
  server: 'cordiax-sync';
  databaseId: string;
  maxBytes: number;
  chunkBytes: number;
  /** 'token' when the server checks tokens. */
  auth: 'token' | 'none';
  manifest: RemoteManifest | null;
  /** Largest database it accepts as protocol 1 hex. */
  protocol1MaxBytes?: number;
  /** Optional features (FEATURE_PATCH); absent on servers that predate them. */
  features?: string[];
}

/** What our client sends in the handshake `auth`. */
export interface ClientAuth {
  token?: string;
  database_id?: string;
  device?: string;
}

/** Error codes the server sends; the client maps them to SyncError codes. */
export type WireErrorCode =
  | 'BAD_REQUEST'
  | 'TOO_LARGE'
  | 'CONFLICT'
  | 'NOT_FOUND'
  | 'VERIFY_FAILED'
  | 'RATE_LIMITED'
  | 'BUSY'
  | 'STORAGE'
  | 'INTERNAL'
  /** A page patch the server will not apply or build (base changed, result mismatch...): send or fetch whole. */
  | 'PATCH_REFUSED';

type WireReply<T> =
  | ({ ok: true } & T)
  | { ok: false; code: WireErrorCode; message: Text; manifest?: RemoteManifest | null; offset?: number };

/** The push metadata, plus the upload to resume. */
export interface BeginRequest extends Omit<PushMeta, 'patch'> {
  uploadId?: string;
  /**
   * 'patch': the bytes sent are a page patch (patchSize bytes, sha256 patchSha256) on top of the head, which must be
   * baseGeneration with sha256 baseSha256; sha256/size describe the database it rebuilds (what gets stored).
   */
  kind?: 'whole' | 'patch';
  baseSha256?: string;
  patchSha256?: string;
  patchSize?: number;
}
export type BeginReply = WireReply<{ uploadId: string; offset: number; chunkBytes: number; done?: RemoteManifest }>;
export interface ChunkRequest {
  uploadId: string;
  offset: number;
  data: Buffer;
}
export type ChunkReply = WireReply<{ received: number }>;
export type EndReply = WireReply<{ manifest: RemoteManifest }>;
export interface ReadRequest {
  generation: number;
  offset: number;
  length: number;
}
export type ReadReply = WireReply<{ data: Buffer; size: number }>;
/** The pages that changed from a stored version the client holds to another stored version. */
export interface PatchRequest {
  fromGeneration: number;
  fromSha256: string;
  toGeneration: number;
}
export type PatchReply = WireReply<{ patchId: string; size: number; sha256: string; pages: number }>;
export interface PatchReadRequest {
  patchId: string;
  offset: number;
  length: number;
}
/** Patch ids name a file of the server's patch cache: a safe alphabet only. */
export const PATCH_ID_RE = /^[0-9]{6,}-[0-9]{6,}-[0-9a-f]{32}$/;

export const SHA256_RE = /^[0-9a-f]{64}$/;
/** Database ids name a folder on the server: keep them to a safe alphabet. */
export const DATABASE_ID_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
export const DEVICE_RE = /^[\p{L}\p{N}._-]{1,64}$/u;

/** True for a manifest as our server writes it (the client checks everything a server sends). */
export function isManifest(m: unknown): m is RemoteManifest {
  if (!m || typeof m !== 'object') return false;
  const x = m as Record<string, unknown>;
  return (
    x.format === 'cordiax-sync/1' &&
    Number.isSafeInteger(x.generation) &&
    (x.generation as number) >= 1 &&
    typeof x.sha256 === 'string' &&
    SHA256_RE.test(x.sha256) &&
    Number.isSafeInteger(x.size) &&
    (x.size as number) >= 0 &&
    typeof x.encrypted === 'boolean' &&
    typeof x.device === 'string' &&
    typeof x.time === 'string' &&
    typeof x.file === 'string' &&
    // Lineage fields (newer servers): absent is fine, malformed is not.
    (x.parent === undefined || x.parent === null || isParent(x.parent, x.generation as number)) &&
    (x.remote_id === undefined || (typeof x.remote_id === 'string' && REMOTE_ID_RE.test(x.remote_id)))
  );
}

function isParent(p: unknown, generation: number): boolean {
  if (!p || typeof p !== 'object') return false;
  const x = p as Record<string, unknown>;
  return (
    Number.isSafeInteger(x.generation) &&
    (x.generation as number) >= 1 &&
    (x.generation as number) < generation &&
    typeof x.sha256 === 'string' &&
    SHA256_RE.test(x.sha256)
  );
}

export function isServerHello(p: unknown): p is ServerHello {
  if (!p || typeof p !== 'object') return false;
  const x = p as Record<string, unknown>;
  return (
    x.protocol === 2 &&
    Number.isSafeInteger(x.maxBytes) &&
    Number.isSafeInteger(x.chunkBytes) &&
    (x.chunkBytes as number) > 0 &&
    (x.manifest === null || isManifest(x.manifest))
  );
}
