/**
 * The verified upload every file transport uses, above the transports: what "upload" means for the sync is decided
 * once here, and a transport only supplies primitives (write a local file to a name, hash what is stored, stat,
 * rename, remove, list).
 *
 * File systems (folder, SMB, WebDAV): the bytes go to a temporary name beside the target, what landed is checked
 * (the store's size, then the bytes read back and hashed), and only then renamed into place; `replace: false` never
 * overwrites an existing target (the rename without replace is the atomic guard); on any failure the temporary file
 * is removed and the target is untouched.
 *
 * Stores whose write publishes the whole object or nothing (S3-like, the declaration's `atomicWrite`): the bytes go
 * straight to the target with the expected hash given to the store (which refuses a body that does not match), then
 * what is stored is read back and hashed; there is no rename to fake.
 */
import { randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import { SyncError } from '../../errors.js';
import type { UploadVerify, FileTransport, TransferOptions, UploadResult } from '../types.js';
import { msg } from '../../messages/index.js';

/**
 * How UploadPrimitives.writeFile may treat the name it writes:
 *  - 'temp': a fresh random name (the temporary file of a file-system store): nothing there to protect.
 *  - 'create': publish only if absent, atomically (ALREADY_EXISTS otherwise). Atomic-write stores only.
 *  - 'replace': overwrite whatever is there. Atomic-write stores only.
 */
export type WriteMode = 'temp' | 'create' | 'replace';

/** The two primitives a transport gives the shared upload, beside its FileTransport methods. */
interface UploadPrimitives {
  /**
   * Streams `localPath` to `path` as it is (see WriteMode) and returns the size and sha256 of the bytes it read from
   * the local file. `expected`: what the caller means to send; a store that can make the server check it (an S3
   * checksum header) passes it on. Nothing is verified here: uploadVerified does that.
   */
  writeFile(
    localPath: string,
    path: string,
    opts: TransferOptions & { mode: WriteMode; expected?: { size: number; sha256: string } },
  ): Promise<{ size: number; sha256: string }>;
  /** Reads `path` back and hashes it: what really landed (`onProgress` counts the bytes read back). */
  hashRemote(path: string, opts?: TransferOptions): Promise<{ size: number; sha256: string }>;
}

/** A store the shared upload can work on. */
export type UploadStore = Pick<FileTransport, 'stat' | 'list' | 'rename' | 'remove'> & UploadPrimitives;

/** Rejects with CANCELLED once `signal` has fired: for calls that do not pass the signal further down. */
export function checkAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new SyncError('CANCELLED', msg('common.operation_cancelled'), { cause: signal.reason });
}

/** Temporary upload names end with this; a day-old one is a dead device's leftover (sweepStaleTemps). */
export const TEMP_SUFFIX = '.cxtmp';
const STALE_TEMP_MS = 24 * 3600 * 1000;

/** '.<name>.tmp-<device>-<random>.cxtmp' beside `path`: hidden, unique, and recognisable as ours. */
function tempName(path: string, device: string): string {
  const i = path.lastIndexOf('/');
  const dev = device.replace(/[^\w.-]/g, '_');
  const name = `.${path.slice(i + 1)}.tmp-${dev}-${randomBytes(6).toString('hex')}${TEMP_SUFFIX}`;
  return i >= 0 ? `${path.slice(0, i)}/${name}` : name;
}

function localChanged(p: string): SyncError {
  return new SyncError('VERIFY_FAILED', msg('webdav.local_file_changed_during', { path: p }), {
    hint: msg('webdav.next_sync_retry_fresh'),
  });
}

function verifyFailed(rel: string, details: Record<string, unknown>): SyncError {
  return new SyncError('VERIFY_FAILED', msg('transport.landed_not_match_sent', { rel }), {
    hint: msg('transport.landed_not_match_sent.hint'),
    details: { target: rel, ...details },
  });
}

export function alreadyExists(rel: string): SyncError {
  return new SyncError('ALREADY_EXISTS', msg('transport.already_exists_target', { rel }), {
    hint: msg('webdav.not_overwritten_next_sync_use'),
    details: { target: rel },
  });
}

interface UploadHow {
  /** This machine's name, in temporary names. */
  device: string;
  /** The store publishes whole objects atomically (the declaration's capabilities.atomicWrite). */
  atomicWrite: boolean;
}

/** FileTransport.upload, for every transport: see the file comment. */
export async function uploadVerified(
  t: UploadStore,
  localPath: string,
  path: string,
  expected: { size: number; sha256: string },
  opts: TransferOptions & { replace?: boolean; verify?: UploadVerify },
  how: UploadHow,
): Promise<UploadResult> {
  const { signal } = opts;
  checkAborted(signal);
  if ((await fsp.stat(localPath)).size !== expected.size) throw localChanged(localPath);
  // Not the guard (the rename or the store's create-only write is), but spares sending a large file for nothing.
  if (!opts.replace && (await t.stat(path, { signal }))) throw alreadyExists(path);
  const write = { onProgress: opts.onProgress, signal, expected };
  // The read-back is a phase of its own for whoever shows progress ("Comprobando la copia en el servidor").
  const readBack = (): TransferOptions => {
    const report = opts.onProgress;
    report?.({ bytes: 0, total: expected.size, phase: 'verify' });
    return { signal, ...(report ? { onProgress: (p) => report({ ...p, phase: 'verify' }) } : {}) };
  };
  if (how.atomicWrite) {
    const sent = await t.writeFile(localPath, path, { ...write, mode: opts.replace ? 'replace' : 'create' });
    const landed = await t.hashRemote(path, readBack()).catch(() => null);
    if (!landed || landed.size !== expected.size || landed.sha256 !== expected.sha256) {
      // A new name holds nothing anyone relies on yet; a replaced one cannot be put back (the store said it checked).
      if (!opts.replace) await t.remove(path).catch(() => undefined);
      throw sent.size !== expected.size || sent.sha256 !== expected.sha256
        ? localChanged(localPath)
        : verifyFailed(path, { expectedSize: expected.size, landedSize: landed?.size ?? null });
    }
    const fin = await t.stat(path, { signal });
    return { size: landed.size, sha256: landed.sha256, ...(fin?.version ? { version: fin.version } : {}) };
  }

  const tmp = tempName(path, how.device);
  let moved = false;
  try {
    const sent = await t.writeFile(localPath, tmp, { ...write, mode: 'temp' });
    if (sent.size !== expected.size || sent.sha256 !== expected.sha256) throw localChanged(localPath);
    // What landed: the store's own size, then the bytes themselves read back and hashed ('size', see UploadVerify:
    // the store's size is the check, and the next device that pulls hashes the bytes).
    const check = readBack();
    const listed = await t.stat(tmp, { signal });
    if (!listed || listed.size !== expected.size)
      throw verifyFailed(path, { expectedSize: expected.size, landedSize: listed?.size ?? null });
    const landed: { size: number; sha256?: string } =
      opts.verify === 'size' ? { size: listed.size } : await t.hashRemote(tmp, check);
    if (landed.size !== expected.size || (landed.sha256 !== undefined && landed.sha256 !== expected.sha256))
      throw verifyFailed(path, { expectedSize: expected.size, landedSize: landed.size });
    await t.rename(tmp, path, { replace: opts.replace === true, signal });
    moved = true;
    const fin = await t.stat(path, { signal });
    if (!fin || fin.size !== expected.size)
      throw verifyFailed(path, { expectedSize: expected.size, landedSize: fin?.size ?? null });
    await sweepStaleTemps(t, path.slice(0, Math.max(0, path.lastIndexOf('/')))).catch(() => undefined);
    return {
      size: landed.size,
      ...(landed.sha256 ? { sha256: landed.sha256 } : {}),
      ...(fin.version ? { version: fin.version } : {}),
    };
  } finally {
    if (!moved) await t.remove(tmp).catch(() => undefined);
  }
}

/**
 * Temporary upload files left by a connection or a process that died mid-upload: removed once they are a day old,
 * so another device's upload in progress is never touched.
 */
export async function sweepStaleTemps(t: UploadStore, dir: string): Promise<void> {
  const cutoff = Date.now() - STALE_TEMP_MS;
  for (const e of await t.list(dir)) {
    const name = e.path.split('/').pop()!;
    if (
      !e.isDirectory &&
      name.startsWith('.') &&
      name.endsWith(TEMP_SUFFIX) &&
      e.modified &&
      e.modified.getTime() < cutoff
    )
      await t.remove(e.path);
  }
}
