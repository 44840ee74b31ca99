/**
 * The remote layout on file-based transports (folder, WebDAV, SMB), and the commit protocol built on it.
 *
 *   <remote_path>/versions/000042-<time>-<sha12>-<rand>.db   immutable database objects (".db.age" when encrypted),
 *                                             or ".patch" (".patch.age"): the pages changed since the parent
 *                                             generation (manifest field `delta`, src/delta); pruning keeps every
 *                                             link a kept version needs (manifest field `retained`)
 *   <remote_path>/commits/000042.json         the commit record of generation 42: THE commit point. Created only if
 *                                             absent (put-if-absent, as Delta Lake's _delta_log/N.json), so exactly
 *                                             one device can commit each generation. Same JSON as the manifest.
 *   <remote_path>/cordiax-sync.json           the manifest: a readable copy of the newest commit record, written
 *                                             after it (v0.1 clients read only this file)
 *   <remote_path>/cordiax-sync.id             the remote's random identity (remote_id), created once
 *   <remote_path>/cordiax-sync.lock           only on servers without an atomic create: a lock whose age is
 *                                             measured in the server's time, fenced before the commit
 *
 * Reading the head: the manifest, then the commit records from its generation on (a record newer than the manifest,
 * or of the same generation but different, wins). A remote written by v0.1 (no commits/) reads as its manifest.
 *
 * A push uploads a NEW immutable object (temp name, verified, placed without replacing anything), then creates the
 * commit record for base+1. Losing that create is a conflict; a record that reads back different is a conflict (a
 * foreign commit of the same generation replaced ours: never reported as success); the read-back that counts comes
 * after the other attempts at the generation have settled (ownRecordStands: Apache's create is check-then-rename, so
 * a folder client's create can be replaced after its first read-back). No decision ever compares this
 * machine's clock with another's, and no lock is broken because of a host name or a process id.
 */
import { randomBytes } from 'node:crypto';
import { SyncError, type Text } from '../errors.js';
import type { Logger } from '../log/events.js';
import { REMOTE_ID_RE, newRemoteId, nextManifest } from '../transports/manifest.js';
import { commitGuarantee } from '../transports/commit-guarantee.js';
import { type ChainEntry, chainTo, entriesOf, retainedFor } from '../delta/chain.js';
import type {
  CallOptions,
  ConnectionReport,
  DeltaInfo,
  DownloadResult,
  FileTransport,
  LineageEntry,
  ManifestParent,
  PushMeta,
  RemoteManifest,
  SyncEndpoint,
  TransferOptions,
} from '../transports/types.js';
import { msg } from '../messages/index.js';

export const MANIFEST_FILE = 'cordiax-sync.json';
export const LOCK_FILE = 'cordiax-sync.lock';
export const ID_FILE = 'cordiax-sync.id';
export const VERSIONS_DIR = 'versions';
export const COMMITS_DIR = 'commits';
const MAX_MANIFEST_BYTES = 256 * 1024;
/**
 * A lock guards a read and two small writes: seconds at most. One older than this, by the SERVER's clock (its
 * modification time against that of a probe file written now), was left by a crashed or long-suspended client.
 */
const LOCK_LEASE_MS = 120_000;
/** An empty lock was left by a v0.1 writer that died between creating and filling it. */
const EMPTY_LOCK_LEASE_MS = 10_000;
/** How long we wait for a held lock (our own clock: only our own patience, never a judgement about the holder). */
const LOCK_WAIT_MS = 15_000;
/** Commit records are tiny; they outlive the objects they describe so the lineage stays checkable. */
const COMMITS_KEPT = 1000;
/**
 * How long a new record waits for the other attempts at its generation to settle (see ownRecordStands): longer than
 * a small PUT takes on a loaded server; an object left behind by a crashed device costs at most this once.
 */
const RACE_SETTLE_MS = 10_000;
/** Walking forward from the manifest: a bound against a hostile server answering every name. */
const MAX_WALK = 10_000;

/** The lock file's body. `installation` is a random per-installation id: host names repeat (cloned images). */
interface LockBody {
  format: 'cordiax-sync-lock/2';
  device: string;
  installation: string;
  nonce: string;
  /** Informational only: never compared with another machine's clock. */
  created: string;
}

/** The remote's identity file. */
interface RemoteIdFile {
  format: 'cordiax-sync-id/1';
  remote_id: string;
  created: string;
}

function pad(n: number): string {
  return String(n).padStart(6, '0');
}
/** Relative path of the commit record of `generation`. */
export function commitPath(generation: number): string {
  return `${COMMITS_DIR}/${pad(generation)}.json`;
}
function stamp(d = new Date()): string {
  return d
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Validates a manifest read from a remote: anything else is a hostile or damaged answer, never trusted. */
export function parseManifest(data: Buffer): RemoteManifest {
  let m: unknown;
  try {
    m = JSON.parse(data.toString('utf8'));
  } catch {
    throw damaged(msg('engine.not_json'));
  }
  const o = m as Partial<RemoteManifest>;
  if (!o || typeof o !== 'object' || o.format !== 'cordiax-sync/1') throw damaged(msg('engine.unknown_format'));
  if (!Number.isSafeInteger(o.generation) || (o.generation as number) < 1)
    throw damaged(msg('engine.invalid_generation'));
  if (typeof o.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(o.sha256)) throw damaged(msg('engine.invalid_sha256'));
  if (!Number.isSafeInteger(o.size) || (o.size as number) < 0) throw damaged(msg('engine.invalid_size'));
  if (typeof o.file !== 'string' || !isSafeRelative(o.file)) throw damaged(msg('engine.invalid_file_path'));
  if (o.versions !== undefined && !Array.isArray(o.versions)) throw damaged(msg('engine.invalid_history'));
  const entryOk = (v: { file?: unknown; generation?: unknown; delta?: unknown } | null) =>
    !!v &&
    typeof v.file === 'string' &&
    isSafeRelative(v.file) &&
    Number.isSafeInteger(v.generation) &&
    (v.delta === undefined || parseDelta(v.delta, v.generation as number) !== null);
  const versions = (o.versions ?? []).filter(entryOk);
  if (o.retained !== undefined && !Array.isArray(o.retained)) throw damaged(msg('engine.invalid_chain'));
  const retained = (o.retained ?? []).filter(entryOk);
  let delta: DeltaInfo | undefined;
  if (o.delta !== undefined) {
    delta = parseDelta(o.delta, o.generation as number) ?? undefined;
    if (!delta) throw damaged(msg('engine.invalid_patch_entry'));
  }
  // Lineage fields are new: absent means "unknown" (v0.1), present but malformed means damaged.
  let parent: ManifestParent | null | undefined;
  if (o.parent === null) parent = null;
  else if (o.parent !== undefined) {
    const pr = o.parent as Partial<ManifestParent>;
    if (
      !pr ||
      typeof pr !== 'object' ||
      !Number.isSafeInteger(pr.generation) ||
      (pr.generation as number) < 1 ||
      (pr.generation as number) >= (o.generation as number) ||
      typeof pr.sha256 !== 'string' ||
      !/^[0-9a-f]{64}$/.test(pr.sha256)
    ) {
      throw damaged(msg('engine.invalid_parent'));
    }
    parent = { generation: pr.generation as number, sha256: pr.sha256 };
  }
  if (o.remote_id !== undefined && (typeof o.remote_id !== 'string' || !REMOTE_ID_RE.test(o.remote_id)))
    throw damaged(msg('engine.invalid_identity'));
  // Only ever trusted as the direct parent's content (plan.ts checks it against the base); anything else is ignored.
  const re = o.reencrypts as Partial<ManifestParent> | undefined;
  const reencrypts =
    re &&
    typeof re === 'object' &&
    re.generation === (o.generation as number) - 1 &&
    typeof re.sha256 === 'string' &&
    /^[0-9a-f]{64}$/.test(re.sha256)
      ? { generation: re.generation, sha256: re.sha256 }
      : undefined;
  return {
    format: 'cordiax-sync/1',
    generation: o.generation as number,
    sha256: o.sha256,
    size: o.size as number,
    encrypted: o.encrypted === true,
    device: typeof o.device === 'string' ? o.device.slice(0, 128) : '?',
    time: typeof o.time === 'string' ? o.time.slice(0, 64) : '',
    file: o.file,
    versions,
    ...(parent !== undefined ? { parent } : {}),
    ...(o.remote_id !== undefined ? { remote_id: o.remote_id } : {}),
    ...(delta ? { delta } : {}),
    ...(retained.length ? { retained } : {}),
    ...(reencrypts ? { reencrypts } : {}),
  };
}

/** A manifest's `delta` (src/delta): null when malformed. */
function parseDelta(d: unknown, generation: number): DeltaInfo | null {
  const x = d as Partial<DeltaInfo> | null;
  if (!x || typeof x !== 'object') return null;
  const nat = (n: unknown) => Number.isSafeInteger(n) && (n as number) >= 0;
  if (!nat(x.parent) || (x.parent as number) < 1 || (x.parent as number) >= generation) return null;
  if (!nat(x.pages) || !nat(x.db_size)) return null;
  if (x.db_sha256 !== undefined && (typeof x.db_sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(x.db_sha256)))
    return null;
  return {
    parent: x.parent as number,
    pages: x.pages as number,
    db_size: x.db_size as number,
    ...(x.db_sha256 ? { db_sha256: x.db_sha256 } : {}),
  };
}

/** Our commit lost its ground while it was being made (the remote was restored from an older copy meanwhile). */
function vanished(generation: number): SyncError {
  return new SyncError('PRECONDITION_FAILED', msg('engine.version_vanished_server_while', { generation }));
}

/** An abort before the commit record is created: nothing was committed, and our object is removed. */
function cancelledCommit(signal: AbortSignal): SyncError {
  return new SyncError('CANCELLED', msg('common.operation_cancelled'), { cause: signal.reason });
}

function damaged(detail: Text): SyncError {
  return new SyncError('PROTOCOL', msg('engine.remote_manifest_damaged_nothing', { MANIFEST_FILE, detail }), {
    hint: msg('engine.check_remote_folder_version'),
  });
}

function isSafeRelative(p: string): boolean {
  return (
    p.length > 0 &&
    p.length < 512 &&
    !p.startsWith('/') &&
    !p.includes('\\') &&
    !p.split('/').some((s) => s === '..' || s === '' || s === '.')
  );
}

export interface FileRemoteOptions {
  device: string;
  keepVersions: number;
  log: Logger;
  /**
   * A random id of this installation (kept by the caller, e.g. in sync_state.json), to name lock holders. Host names
   * are not used: they repeat on cloned machines. Default: random per FileRemote.
   */
  installationId?: string;
  /**
   * 'full': every upload is read back whole (v0.1 behaviour). 'auto' (default): objects up to READBACK_MAX_BYTES
   * (patches, small databases) are read back; larger ones are checked by size and hashed by the next device that
   * pulls them (README, "Verificación").
   */
  verify?: 'full' | 'auto';
}

/** Objects up to this size are read back after upload whatever `verify` says: cheap, and a patch is a chain link. */
const READBACK_MAX_BYTES = 16 * 1024 * 1024;

type Outcome = { manifest?: RemoteManifest; conflict?: RemoteManifest };

function sameVersion(a: RemoteManifest | null | undefined, b: RemoteManifest | null | undefined): boolean {
  return (
    (a?.generation ?? null) === (b?.generation ?? null) &&
    (a?.sha256 ?? null) === (b?.sha256 ?? null) &&
    (a?.file ?? null) === (b?.file ?? null)
  );
}

/** Turns a FileTransport into a SyncEndpoint with the layout above. */
export class FileRemote implements SyncEndpoint {
  readonly protocol;
  private readonly installationId: string;
  constructor(
    readonly transport: FileTransport,
    private readonly opts: FileRemoteOptions,
  ) {
    this.protocol = transport.protocol;
    this.installationId = opts.installationId ?? randomBytes(12).toString('base64url');
  }

  async capabilities() {
    return { push: true, pull: true, history: true, compareAndSwap: true };
  }

  open(opts: CallOptions = {}): Promise<void> {
    return this.transport.open(opts);
  }

  /**
   * The manifest. One unreadable answer is read again after a moment before it is reported as damaged: Apache served a
   * truncated manifest to a reader while two devices rewrote it at once (about one in six runs of 5 racing devices).
   * A manifest still damaged on the second read is reported and never touched.
   */
  private async readManifest(signal?: AbortSignal): Promise<{ manifest: RemoteManifest; version?: string } | null> {
    for (let attempt = 0; ; attempt++) {
      const r = await this.transport.readSmall(MANIFEST_FILE, MAX_MANIFEST_BYTES, { signal });
      if (!r) return null;
      try {
        return { manifest: parseManifest(r.data), version: r.version };
      } catch (err) {
        if (attempt > 0) throw err;
        await new Promise((ok) => setTimeout(ok, 200));
      }
    }
  }

  /** The commit record of `generation`, with its exact bytes (for read-backs); null if absent. */
  private async readCommit(
    generation: number,
    signal?: AbortSignal,
  ): Promise<{ manifest: RemoteManifest; data: Buffer } | null> {
    const r = await this.transport.readSmall(commitPath(generation), MAX_MANIFEST_BYTES, { signal });
    // Empty: a record being created under a lock on the file itself (WebDAV 'target' mode, e.g. lighttpd) that is
    // not written yet, or whose writer died before writing it. Never a commit.
    if (!r || r.data.length === 0) return null;
    const manifest = parseManifest(r.data);
    if (manifest.generation !== generation)
      throw damaged(msg('engine.record_holds_another_generation', { generation: commitPath(generation) }));
    return { manifest, data: r.data };
  }

  /** Rewrites the manifest as the newest commit record (none: left as it is). */
  private async manifestFromRecords(signal?: AbortSignal): Promise<void> {
    const top = await this.highestCommit(signal);
    const rec = top > 0 ? await this.readCommit(top, signal) : null;
    if (rec) await this.transport.writeSmall(MANIFEST_FILE, rec.data, { signal });
  }

  /** The highest generation among the commit records (0: none). Only needed when the manifest is missing. */
  private async highestCommit(signal?: AbortSignal): Promise<number> {
    let top = 0;
    for (const e of await this.transport.list(COMMITS_DIR, { signal })) {
      const m = /^(\d{6,})\.json$/.exec(e.path.split('/').pop() ?? '');
      if (!e.isDirectory && m) top = Math.max(top, Number(m[1]));
    }
    return top;
  }

  /**
   * The current head: the manifest, or a newer commit record (a commit whose manifest is not written yet, or whose
   * writer died in between). Two small reads when idle: the manifest and the absent next record. With the manifest
   * gone, the newest record is the head: a deleted manifest loses nothing.
   */
  private async resolveHead(signal?: AbortSignal): Promise<RemoteManifest | null> {
    const m = await this.readManifest(signal);
    const head: RemoteManifest | null = m?.manifest ?? null;
    let newer: { manifest: RemoteManifest; data: Buffer } | null = null;
    let n = head ? head.generation + 1 : await this.highestCommit(signal);
    if (!head) {
      if (n === 0) return null;
      newer = await this.readCommit(n, signal);
      if (!newer) return null;
      n++;
    }
    for (const end = n + MAX_WALK; n < end; n++) {
      const rec = await this.readCommit(n, signal);
      if (!rec) break;
      newer = rec;
    }
    if (!newer) return head;
    // A committed record the manifest does not show yet (its writer died in between, or the manifest was deleted):
    // roll the manifest forward, as a database recovers a committed transaction, so v0.1 readers see it too. Only
    // onto an object that is there: a record whose writer is about to withdraw it (its object vanished in a restore
    // from an older copy) must not leave the manifest dangling (found by the simulator).
    if (await this.transport.stat(newer.manifest.file, { signal }).catch(() => null))
      await this.publishManifest(newer.manifest, newer.data, signal).catch(() => {});
    return newer.manifest;
  }

  async head(opts: CallOptions = {}): Promise<RemoteManifest | null> {
    const head = await this.resolveHead(opts.signal);
    if (head && head.remote_id === undefined) {
      // Written by v0.1: the identity, if this remote has one yet, is in its own file.
      const id = await this.readRemoteId(opts.signal);
      if (id) return { ...head, remote_id: id };
    }
    return head;
  }

  private async readRemoteId(signal?: AbortSignal): Promise<string | null> {
    const r = await this.transport.readSmall(ID_FILE, 4096, { signal });
    if (!r) return null;
    try {
      const o = JSON.parse(r.data.toString('utf8')) as Partial<RemoteIdFile>;
      if (typeof o.remote_id === 'string' && REMOTE_ID_RE.test(o.remote_id)) return o.remote_id;
    } catch {
      /* damaged below */
    }
    throw damaged(msg('engine.unreadable', { ID_FILE }));
  }

  /** The remote's identity, created (only if absent) with its first commit; the file's winner is everyone's id. */
  private async remoteIdentity(signal?: AbortSignal): Promise<string> {
    const existing = await this.readRemoteId(signal);
    if (existing) return existing;
    const body: RemoteIdFile = {
      format: 'cordiax-sync-id/1',
      remote_id: newRemoteId(),
      created: new Date().toISOString(),
    };
    // Whether ours was created or not, what stands is everyone's id (without an atomic create another device may
    // have written its own meanwhile).
    await this.transport.createExclusive(ID_FILE, Buffer.from(`${JSON.stringify(body, null, 2)}\n`), { signal });
    return (await this.readRemoteId(signal)) ?? body.remote_id;
  }

  /** What the remote's chain holds for `generation`: the head or its history, else the commit record. */
  async lineageEntry(generation: number, opts: CallOptions = {}): Promise<LineageEntry | null> {
    const head = await this.resolveHead(opts.signal);
    if (!head || generation > head.generation) return null;
    if (head.generation === generation)
      return { generation, sha256: head.sha256, ...(head.parent !== undefined ? { parent: head.parent } : {}) };
    const v = head.versions?.find((x) => x.generation === generation);
    const rec = await this.readCommit(generation, opts.signal);
    if (v && (!rec || rec.manifest.sha256 !== v.sha256)) return { generation, sha256: v.sha256 };
    if (rec)
      return {
        generation,
        sha256: rec.manifest.sha256,
        ...(rec.manifest.parent !== undefined ? { parent: rec.manifest.parent } : {}),
      };
    return null;
  }

  /**
   * `opts.signal` reaches every transport call on the way; the clean-ups after a failure (our object, an empty lock)
   * run without it, so an abort leaves nothing behind.
   */
  async push(localPath: string, meta: PushMeta, opts: TransferOptions = {}): Promise<Outcome> {
    const t = this.transport;
    const { signal } = opts;
    const before = await this.resolveHead(signal);
    if ((before?.generation ?? null) !== meta.baseGeneration) return { conflict: before ?? undefined };
    // A patch only ever goes on top of the version it was made from.
    if (meta.delta && meta.delta.parent !== before?.generation) return { conflict: before ?? undefined };

    const generation = (before?.generation ?? 0) + 1;
    const now = new Date();
    // A random part keeps names unique even when a crashed attempt left an object for the same generation and second.
    const file = `${VERSIONS_DIR}/${pad(generation)}-${stamp(now)}-${meta.sha256.slice(0, 12)}-${randomBytes(3).toString('hex')}.${meta.delta ? 'patch' : 'db'}${meta.encrypted ? '.age' : ''}`;
    await t.mkdirp(VERSIONS_DIR, { signal });
    const verify = this.opts.verify === 'full' || meta.size <= READBACK_MAX_BYTES ? 'full' : 'size';
    const landed = await t
      .upload(localPath, file, { size: meta.size, sha256: meta.sha256 }, { ...opts, replace: false, verify })
      .catch(async (err: unknown) => {
        // The name is new and ours alone (random part), and nothing refers to it yet: an upload that failed after
        // its MOVE (a lost reply, a failed check) must not leave an orphan version object behind.
        await t.remove(file).catch(() => {});
        throw err;
      });
    if (landed.size !== meta.size || (landed.sha256 !== undefined && landed.sha256 !== meta.sha256)) {
      await t.remove(file).catch(() => {});
      throw new SyncError('VERIFY_FAILED', msg('engine.what_reached_server_not_match'));
    }

    // From the moment our record may exist, our object may be committed: it is only removed on proof of the opposite.
    const progress = { recordCreated: false };
    let outcome: Outcome;
    try {
      const remoteId = before?.remote_id ?? (await this.remoteIdentity(signal));
      const { manifest } = nextManifest(
        before,
        {
          sha256: meta.sha256,
          size: meta.size,
          encrypted: meta.encrypted,
          device: meta.device,
          file,
          time: now,
          remoteId,
        },
        this.opts.keepVersions,
      );
      if (meta.delta) manifest.delta = meta.delta;
      if (meta.history === 'encrypted-only') {
        manifest.versions = encryptedHistory(manifest, before);
        if (before) manifest.reencrypts = { generation: before.generation, sha256: before.sha256 };
      }
      const retained = retainedFor(manifest, before);
      if (retained.length) manifest.retained = retained;
      const body = Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`);
      outcome = await this.commit(before, manifest, body, progress, signal, opts.onCommit);
    } catch (err) {
      if (!progress.recordCreated) await t.remove(file).catch(() => {});
      throw err;
    }
    if (outcome.conflict !== undefined || !outcome.manifest) {
      await t.remove(file).catch(() => {});
      this.opts.log.emit({
        type: 'warning',
        code: 'COMMIT_LOST_RACE',
        text: msg('event.COMMIT_LOST_RACE', { generation }),
      });
      return outcome;
    }
    await this.prune(outcome.manifest, signal).catch((err) => {
      this.opts.log.emit({
        type: 'warning',
        code: 'PRUNE_FAILED',
        text: msg('event.PRUNE_FAILED', { message: (err as Error).message }),
      });
    });
    // Only now, with the encrypted version committed, does plaintext go; the first failed removal stops it (what is
    // left stays listed by plaintextObjects(), and the page keeps saying so).
    if (meta.history === 'encrypted-only')
      await this.removePlaintext(outcome.manifest, before, signal).catch((err) => {
        this.opts.log.emit({
          type: 'warning',
          code: 'PLAINTEXT_REMOVE_FAILED',
          text: msg('event.PLAINTEXT_REMOVE_FAILED', { message: (err as Error).message }),
        });
      });
    return outcome;
  }

  /**
   * The plaintext version objects on the remote: those the head (and its history) names, and any other plaintext
   * object or leftover temporary file in versions/ up to generation `upTo` (a newer one may be another device's
   * upload in flight). Encrypted objects end in `.age`.
   */
  async plaintextObjects(head?: RemoteManifest | null, upTo = Number.POSITIVE_INFINITY, signal?: AbortSignal) {
    const h = head === undefined ? await this.resolveHead(signal) : head;
    if (!h) return [];
    const out = new Set<string>();
    for (const e of entriesOf(h)) if (!isEncryptedObject(e.file)) out.add(e.file);
    for (const e of await this.transport.list(VERSIONS_DIR, { signal })) {
      const name = e.path.split('/').pop() ?? '';
      // An object (000042-...) or a temporary copy of one left by a crash (.000042-....tmp-...).
      const m = /^\.?(\d{6,})-/.exec(name);
      const object = name.replace(/\.tmp-[^/]*$/, '');
      if (e.isDirectory || !m || Number(m[1]) > upTo || isEncryptedObject(object)) continue;
      if (name.startsWith('.') && Number(m[1]) >= upTo) continue; // a temp of the head's generation: in flight
      out.add(`${VERSIONS_DIR}/${name}`);
    }
    return [...out];
  }

  /** After an "encrypt now" commit: removes every plaintext object the new head does not list (it lists none). */
  private async removePlaintext(
    manifest: RemoteManifest,
    before: RemoteManifest | null,
    signal?: AbortSignal,
  ): Promise<void> {
    const keep = new Set(entriesOf(manifest).map((e) => e.file));
    const doomed = new Set<string>();
    for (const e of before ? entriesOf(before) : []) if (!isEncryptedObject(e.file)) doomed.add(e.file);
    for (const f of await this.plaintextObjects(manifest, manifest.generation, signal)) doomed.add(f);
    let removed = 0;
    for (const f of doomed) {
      if (keep.has(f)) continue;
      await this.transport.remove(f, { signal });
      removed++;
    }
    this.opts.log.emit({
      type: 'info',
      code: 'PLAINTEXT_REMOVED',
      text: msg('event.PLAINTEXT_REMOVED', { count: removed, generation: manifest.generation }),
    });
  }

  /**
   * Creates the commit record of `manifest.generation` only if absent, reads it back, then publishes the manifest.
   * Where the server has no atomic create, a fenced lock comes first: the head is re-read under it, and ownership is
   * re-checked right before the record is created.
   */
  private async commit(
    before: RemoteManifest | null,
    manifest: RemoteManifest,
    body: Buffer,
    progress: { recordCreated: boolean },
    signal?: AbortSignal,
    onCommit?: () => void,
  ): Promise<Outcome> {
    const t = this.transport;
    const o = { signal };
    const g = await t.guarantees(o);
    const rec = commitPath(manifest.generation);
    const foreign = async (): Promise<Outcome> => ({ conflict: (await this.resolveHead(signal)) ?? undefined });

    const create = async (fence: () => Promise<void>): Promise<Outcome> => {
      if (!g.exclusiveCreate) {
        const now = await this.resolveHead(signal);
        if (!sameVersion(now, before)) return { conflict: now ?? undefined };
      }
      // A writer that publishes only the manifest (v0.1) took this generation already: it stands.
      const shown = await this.readManifest(signal);
      if (shown && shown.manifest.generation >= manifest.generation) return foreign();
      await t.mkdirp(COMMITS_DIR, o);
      await fence();
      // Nothing is created after an abort: from the create on, the outcome must be learned, not abandoned.
      if (signal?.aborted) throw cancelledCommit(signal);
      onCommit?.(); // the caller's commit point (Operation.commit: no Cancelar from here)
      // Set before the call: a create whose reply is lost (an error after the server made the file) may have
      // committed our object, so from here an error never deletes it (found by the simulator).
      progress.recordCreated = true;
      const created = await t.createExclusive(rec, body);
      if (!created) {
        progress.recordCreated = false;
        return foreign();
      }
      // Read back: on a server whose create is not atomic against every writer (another transport on the same
      // share, a server that ignores conditions), a foreign commit of this generation shows up here. Behind a lock
      // file the other attempts wait for us, so there is nothing to let settle.
      if (!g.exclusiveCreate) {
        const back = await t.readSmall(rec, MAX_MANIFEST_BYTES);
        if (!back?.data.equals(body)) return foreign();
        // Fenced again after the record: a holder suspended between its fence and its create (a check, then a put,
        // on these servers) may have lost the lock to a device whose own create is still on its way and can still
        // replace this record (found by the simulator: both acknowledged generation 2). Then the outcome is not
        // known: never acknowledged here, left to the next sync (the pending push is adopted if this record stands,
        // a conflict keeping both if it was replaced). A holder that still owns the lock now cannot be overtaken:
        // the next one must break the lock first, and then its check finds this record.
        await fence();
        return { manifest };
      }
      return (await this.ownRecordStands(rec, manifest, body)) ? { manifest } : foreign();
    };
    const outcome = g.exclusiveCreate ? await create(async () => {}) : await this.withLock(create, signal);
    if (!outcome.manifest) return outcome;

    // Our object must still be there before anything points at it: a remote restored from an older copy between our
    // upload and our record removes it (found by the simulator). Our record then references nothing: withdraw it.
    if (!(await t.stat(manifest.file))) {
      const mine = await this.readCommit(manifest.generation).catch(() => null);
      if (mine?.data.equals(body) && !(await this.readCommit(manifest.generation + 1).catch(() => null)))
        await t.remove(rec);
      throw vanished(manifest.generation);
    }
    await this.publishManifest(manifest, body);
    // Last look: a replacement that landed after our first read-back (a slower foreign writer) is caught here, and
    // the manifest is made to agree with the record that stands.
    const last = await this.readCommit(manifest.generation);
    if (!last) {
      // Our record vanished after it was created (the remote was restored from an older backup meanwhile). The
      // manifest we just wrote stays if our object is there (a complete version; lineage sorts it out on the next
      // sync); if the object went too, the manifest follows the newest record that stands instead of dangling.
      if (!(await t.stat(manifest.file).catch(() => null))) await this.manifestFromRecords().catch(() => {});
      throw vanished(manifest.generation);
    }
    if (!last.data.equals(body)) {
      const shown = await this.readManifest().catch(() => null);
      if (last && shown && shown.manifest.generation === manifest.generation)
        await t.writeSmall(MANIFEST_FILE, last.data).catch(() => {});
      return foreign();
    }
    return outcome;
  }

  /**
   * Is the record we just created still ours once the race for its generation has settled? An exclusive create is
   * not atomic against every other writer on a shared folder: Apache checks If-None-Match when a PUT starts, writes
   * the body to a temporary file and renames it over the target at the end (strace: stat ENOENT, .davfs.tmpXXXXXX,
   * rename), so a folder or SMB client's create landing in between is replaced silently and both read back their
   * own record. Every attempt at this generation has its object in versions/ under its final name from before its
   * create until it learns that it lost (a winner's stays). So once no other object of this generation is listed,
   * every create that could still replace ours has finished, and the read-back after that listing is final. A
   * replacement seen on any read-back makes us the loser at once. Objects left by a crashed device are waited for
   * RACE_SETTLE_MS at most; after that the lineage check on the next sync remains the backstop.
   */
  private async ownRecordStands(rec: string, manifest: RemoteManifest, body: Buffer): Promise<boolean> {
    const t = this.transport;
    const prefix = `${pad(manifest.generation)}-`;
    const deadline = Date.now() + RACE_SETTLE_MS;
    for (;;) {
      const listed = await t.list(VERSIONS_DIR).catch(() => null);
      const back = await t.readSmall(rec, MAX_MANIFEST_BYTES);
      if (!back?.data.equals(body)) return false;
      const others = listed?.filter((e) => {
        const name = e.path.split('/').pop() ?? '';
        return !e.isDirectory && name.startsWith(prefix) && `${VERSIONS_DIR}/${name}` !== manifest.file;
      });
      if (others?.length === 0) return true;
      if (Date.now() >= deadline) {
        this.opts.log.emit({
          type: 'warning',
          code: 'COMMIT_RACE_UNSETTLED',
          text: msg('event.COMMIT_RACE_UNSETTLED', {
            generation: manifest.generation,
            files: (others ?? []).map((e) => e.path).join(', ') || '?',
          }),
        });
        return true;
      }
      await sleep(150 + Math.random() * 150);
    }
  }

  /** The manifest follows the records, for v0.1 readers; never moved back over a newer one. Not the commit point. */
  private async publishManifest(manifest: RemoteManifest, body: Buffer, signal?: AbortSignal): Promise<void> {
    try {
      const cur = await this.readManifest(signal).catch(() => null);
      if (cur && cur.manifest.generation > manifest.generation) return;
      // A different manifest of this generation from a device that writes records (it names its parent) lost to our
      // record, which is the commit point (its writer learns it on its last look, or by lineage): replaced below.
      if (
        cur &&
        cur.manifest.generation === manifest.generation &&
        cur.manifest.parent === undefined &&
        (cur.manifest.sha256 !== manifest.sha256 || cur.manifest.file !== manifest.file)
      ) {
        // A v0.1 writer published this generation in the manifest meanwhile (it knows nothing of records). v0.1
        // devices may have pulled it already: ours yields, unless a newer record was built on it.
        const mine = await this.readCommit(manifest.generation, signal);
        if (mine?.data.equals(body) && !(await this.readCommit(manifest.generation + 1, signal)))
          await this.transport.remove(commitPath(manifest.generation), { signal });
        return;
      }
      await this.transport.writeSmall(MANIFEST_FILE, body, { signal });
    } catch (err) {
      this.opts.log.emit({
        type: 'warning',
        code: 'MANIFEST_LAGGING',
        text: msg('event.MANIFEST_LAGGING', {
          generation: manifest.generation,
          generation2: commitPath(manifest.generation),
          MANIFEST_FILE,
          message: (err as Error).message,
        }),
      });
    }
  }

  /** Does the lock file hold our nonce? */
  private async ownsLock(nonce: string, signal?: AbortSignal): Promise<boolean> {
    const now = await this.transport.readSmall(LOCK_FILE, 4096, { signal }).catch(() => null);
    return !!now && now.data.toString('utf8').includes(nonce);
  }

  /**
   * Has the lock outlived its lease, measured only in the server's time: the lock's modification time against that
   * of a probe file written now. No modification time, or no answer (rclone answers 500 to a PROPFIND of a file
   * another device is deleting): not judged stale now, so a lock is never broken on a guess.
   */
  private async leaseExpired(lease: number, signal?: AbortSignal): Promise<boolean> {
    const t = this.transport;
    const lock = await t.stat(LOCK_FILE, { signal }).catch(() => null);
    if (!lock?.modified) return false;
    const probe = `.cordiax-clock-${randomBytes(6).toString('hex')}`;
    try {
      await t.writeSmall(probe, Buffer.from('cordiax-sync clock probe\n'), { signal });
      const p = await t.stat(probe, { signal }).catch(() => null);
      if (!p?.modified) return false;
      return p.modified.getTime() - lock.modified.getTime() > lease;
    } finally {
      await t.remove(probe).catch(() => {});
    }
  }

  private async withLock<T>(fn: (fence: () => Promise<void>) => Promise<T>, signal?: AbortSignal): Promise<T> {
    const t = this.transport;
    const nonce = randomBytes(12).toString('hex');
    const body: LockBody = {
      format: 'cordiax-sync-lock/2',
      device: this.opts.device,
      installation: this.installationId,
      nonce,
      created: new Date().toISOString(),
    };
    const data = Buffer.from(JSON.stringify(body));
    const deadline = Date.now() + LOCK_WAIT_MS;
    let leaseCheckedAt = 0;
    for (;;) {
      if (signal?.aborted) throw cancelledCommit(signal);
      // An abort after the create must not strand a lock: the create and its read-back run without the signal.
      if ((await t.createExclusive(LOCK_FILE, data)) && (await this.ownsLock(nonce))) break;
      const held = await t.readSmall(LOCK_FILE, 4096, { signal }).catch(() => null);
      let holder = '?';
      try {
        holder = String((JSON.parse(held?.data.toString('utf8') ?? '{}') as Partial<LockBody>).device ?? '?').slice(
          0,
          64,
        );
      } catch {
        /* empty or torn (v0.1): the lease below decides */
      }
      if (held && Date.now() - leaseCheckedAt > 2000) {
        leaseCheckedAt = Date.now();
        if (await this.leaseExpired(held.data.length === 0 ? EMPTY_LOCK_LEASE_MS : LOCK_LEASE_MS, signal)) {
          // Remove it only if it is still the one judged stale (not a fresh lock taken meanwhile).
          const again = await t.readSmall(LOCK_FILE, 4096, { signal }).catch(() => null);
          if (again?.data.equals(held.data)) {
            this.opts.log.emit({
              type: 'warning',
              code: 'STALE_LOCK_REMOVED',
              text: msg('event.STALE_LOCK_REMOVED', { holder }),
            });
            await t.remove(LOCK_FILE, { signal });
          }
          continue;
        }
      }
      if (Date.now() > deadline) {
        throw new SyncError('LOCKED', msg('engine.another_device_syncing_retry', { holder }));
      }
      await sleep(300 + Math.random() * 400);
    }
    // The fence: right before the commit record is written, the lock must still be ours (a holder that was
    // suspended past its lease finds it taken and stops).
    const fence = async () => {
      if (!(await this.ownsLock(nonce, signal))) {
        throw new SyncError('LOCKED', msg('engine.device_lost_remote_lock'));
      }
    };
    try {
      return await fn(fence);
    } finally {
      if (await this.ownsLock(nonce)) await t.remove(LOCK_FILE).catch(() => {});
    }
  }

  /**
   * Deletes version objects older than the oldest one the manifest still lists (never newer, in-flight ones), and
   * commit records far behind the head (every 100 generations, so the listing stays rare).
   */
  private async prune(manifest: RemoteManifest, signal?: AbortSignal): Promise<void> {
    const o = { signal };
    // Everything a kept version needs to be rebuilt (its base and patches, see src/delta/chain.ts) stays.
    const kept = [manifest, ...(manifest.versions ?? []), ...(manifest.retained ?? [])];
    const keep = new Set(kept.map((v) => v.file));
    const oldestKept = Math.min(...kept.map((v) => v.generation));
    for (const e of await this.transport.list(VERSIONS_DIR, o)) {
      const rel = `${VERSIONS_DIR}/${e.path.split('/').pop()}`;
      const m = /^(\d{6,})-/.exec(rel.slice(VERSIONS_DIR.length + 1));
      if (e.isDirectory || !m || keep.has(rel)) continue;
      if (Number(m[1]) < oldestKept) await this.transport.remove(rel, o);
    }
    if (manifest.generation % 100 === 0 && manifest.generation > COMMITS_KEPT) {
      for (const e of await this.transport.list(COMMITS_DIR, o)) {
        const m = /^(\d{6,})\.json$/.exec(e.path.split('/').pop() ?? '');
        if (!e.isDirectory && m && Number(m[1]) < manifest.generation - COMMITS_KEPT)
          await this.transport.remove(`${COMMITS_DIR}/${m[0]}`, o);
      }
    }
  }

  async pull(localPath: string, manifest?: RemoteManifest, opts: TransferOptions = {}): Promise<DownloadResult> {
    const m = manifest ?? (await this.head({ signal: opts.signal }));
    if (!m) throw new SyncError('NOT_FOUND', msg('engine.server_holds_no_database_yet'));
    const r = await this.transport.download(m.file, localPath, opts);
    if (r.size !== m.size || r.sha256 !== m.sha256) {
      throw new SyncError(
        'VERIFY_FAILED',
        msg('engine.download_bytes_not_match_manifest', { size: r.size, size2: m.size }),
      );
    }
    return r;
  }

  /**
   * The objects that rebuild version `generation` (base first, then patches), from `known` (the manifest the caller
   * planned on) and the head as it stands now; null when a link is missing (pruned meanwhile, or a damaged chain).
   */
  async chainFor(generation: number, known?: RemoteManifest, opts: CallOptions = {}): Promise<ChainEntry[] | null> {
    const entries = known ? entriesOf(known) : [];
    const found = chainTo(generation, entries);
    if (found) return found;
    const head = await this.resolveHead(opts.signal);
    return head ? chainTo(generation, [...entriesOf(head), ...entries]) : null;
  }

  /** Downloads one chain object, verified against its recorded size and sha256. */
  async fetchObject(e: ChainEntry, localPath: string, opts: TransferOptions = {}): Promise<DownloadResult> {
    const r = await this.transport.download(e.file, localPath, opts);
    if (r.size !== e.size || r.sha256 !== e.sha256) {
      throw new SyncError('VERIFY_FAILED', msg('delta.object_mismatch', { file: e.file, got: r.size, size: e.size }), {
        details: { reason: 'object-mismatch', file: e.file },
      });
    }
    return r;
  }

  onRemoteEvent(): () => void {
    return () => {}; // polled remotes have no push notifications
  }

  /** The commit guarantee this remote gives (for status and tests): see src/transports/commit-guarantee.ts. */
  async commitGuarantee() {
    return commitGuarantee(await this.transport.guarantees());
  }

  test(): Promise<ConnectionReport> {
    return this.transport.test();
  }

  close(): Promise<void> {
    return this.transport.close();
  }
}

/** An encrypted version object (age): `.db.age`, `.patch.age`. */
export function isEncryptedObject(file: string): boolean {
  return file.endsWith('.age');
}

/**
 * The history an "encrypt now" version keeps: the earlier versions that are encrypted and whose whole chain (base
 * and patches) is encrypted too; a version that needs a plaintext link goes with it.
 */
function encryptedHistory(
  next: RemoteManifest,
  before: RemoteManifest | null,
): NonNullable<RemoteManifest['versions']> {
  const all = [...entriesOf(next), ...(before ? entriesOf(before) : [])];
  return (next.versions ?? []).filter((v) => {
    const chain = chainTo(v.generation, all);
    return chain?.every((e) => isEncryptedObject(e.file)) === true;
  });
}
