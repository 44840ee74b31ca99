/**
 * The sync engine: one verified sync between the local database and one remote.
 *   snapshot/hash local -> read remote manifest -> three-way plan (plan.ts) -> push | pull | conflict | nothing.
 * Every outcome is recorded in the state file only after verification; every failure is logged and rethrown.
 */
import path from 'node:path';
import { SyncError, isSyncError, toSyncError, type Text } from '../errors.js';
import type { EncryptionConfig } from '../config/schema.js';
import type { Logger } from '../log/events.js';
import type { FileTransport, PushMeta, RemoteManifest, SyncEndpoint } from '../transports/types.js';
import { privateTempDir } from '../db/snapshot.js';
import { FileRemote } from './remote-layout.js';
import { LocalDb, localBytesSha256, type ApplyResult, type LocalContent, type LocalExpectation } from './local-db.js';
import { plan, type Base, type Direction, type Plan } from './plan.js';
import {
  StateStore,
  hasHistory,
  type ConflictInfo,
  type KnownVersion,
  type RemoteQuestion,
  type TargetState,
} from './state.js';
import { localIdentity, plaintextCreatedAt } from './local-identity.js';
import { checkLineage, olderVersionWithBytes, recordAfterSync, recordSeen, type LineageRecord } from './lineage.js';
import { promises as fsp } from 'node:fs';
import { msg } from '../messages/index.js';
import { pendingIndexFile } from '../delta/page-index.js';
import { DeltaSync, type DeltaStats, type Fetched } from '../delta/sync.js';
import { bytesText } from '../messages/format.js';
import { Operation, type CancelAnswer, type OperationKind, type ProgressData } from './operation.js';
import { EndpointDeltaSync, type EndpointPrepared, isPatchEndpoint } from '../delta/endpoint-sync.js';

export interface EngineOptions {
  /** A file transport (folder, WebDAV, SMB: wrapped in the remote layout) or an endpoint (Socket.IO). */
  transport: FileTransport | SyncEndpoint;
  databasePath: string;
  statePath: string;
  device: string;
  log: Logger;
  /** Parent folder for private temp folders (default: <state folder>/tmp, i.e. $CORDIAX_HOME/tmp; never /tmp). */
  tmpDir?: string;
  keepVersions?: number;
  direction?: Direction;
  encryption?: EncryptionConfig;
  /** Key of this remote in the state file (default: the protocol name). */
  targetId?: string;
  /** Where local backups go before a replacement (default: <state folder>/backups). */
  backupsDir?: string;
  /** How long a pull waits for the application to release the database's write lock (default 30 s). */
  lockWaitMs?: number;
  /** Upload verification on file remotes: 'full' reads every object back (see FileRemoteOptions.verify). */
  verify?: 'full' | 'auto';
  /** How this remote is reached, without secrets: recorded at each sync for "Volver a la dirección anterior". */
  address?: { protocol: string; block: Record<string, unknown> };
}

/** 'question': the address leads to a remote with another identity; nothing moved until the user answers.
 * 'cancelled': Cancelar before the commit point; nothing changed (see Operation). */
export type SyncAction = 'push' | 'pull' | 'none' | 'conflict' | 'pending' | 'question' | 'cancelled';

export interface SyncOutcome {
  action: SyncAction;
  reason: string;
  bytesUp: number;
  bytesDown: number;
  /** Remote generation after the sync (null when the remote cannot tell). */
  generation: number | null;
  durationMs: number;
  conflictCopy?: string;
  /** What moved when pages or patches did (file remotes; src/delta). */
  delta?: DeltaStats;
}

/** What the plan (or a check after it) decided. */
type Decision = Plan | ConflictDecision;
type ConflictDecision = { action: 'conflict'; reason: string };

/** What one step (push, pull, conflict copy, nothing) did; run() times and records it as the SyncOutcome. */
interface StepResult {
  action: SyncAction;
  reason: string;
  bytesUp: number;
  bytesDown: number;
  /** Remote generation after the step (null when the remote cannot tell). */
  generation: number | null;
  conflictCopy?: string;
  /** The local content after a pull (saves a second snapshot). */
  localAfter?: LocalExpectation;
  /** The manifest a push committed (for the lineage record). */
  committed?: RemoteManifest;
  /** What moved when pages or patches did. */
  delta?: DeltaStats;
}

const isoNow = () => new Date().toISOString();

function isFileTransport(t: FileTransport | SyncEndpoint): t is FileTransport {
  return typeof (t as FileTransport).upload === 'function';
}

export class SyncEngine {
  readonly remote: SyncEndpoint;
  readonly local: LocalDb;
  private readonly state: StateStore;
  private readonly target: string;
  /** Page deltas: chains on file remotes, patches on endpoints that take them (Socket.IO protocol 2); else null. */
  private readonly delta: DeltaSync | EndpointDeltaSync | null;
  private inFlight: Promise<SyncOutcome> | null = null;
  private resendRequested = false;
  /** The sync or restore running now: its phase and its Cancelar. */
  private op: Operation | null = null;
  private restoring: Promise<unknown> | null = null;

  constructor(private readonly o: EngineOptions) {
    this.remote = isFileTransport(o.transport)
      ? new FileRemote(o.transport, {
          device: o.device,
          keepVersions: o.keepVersions ?? 10,
          log: o.log,
          verify: o.verify,
        })
      : o.transport;
    this.state = new StateStore(o.statePath);
    this.target = o.targetId ?? this.remote.protocol;
    this.local = new LocalDb({
      databasePath: o.databasePath,
      encryption: o.encryption,
      tmpParent: this.tmpParent,
      backupsDir: o.backupsDir ?? path.join(path.dirname(o.statePath), 'backups'),
      pendingDir: path.join(path.dirname(o.statePath), 'pending'),
      log: o.log,
      lockWaitMs: o.lockWaitMs,
      pageHashes: this.remote instanceof FileRemote || isPatchEndpoint(this.remote),
    });
    const indexFile = path.join(path.dirname(o.statePath), 'delta', `${encodeURIComponent(this.target)}.idx`);
    const deltaOpts = { local: this.local, indexFile, log: o.log, tmpParent: this.tmpParent };
    this.delta =
      this.remote instanceof FileRemote
        ? new DeltaSync({ ...deltaOpts, remote: this.remote })
        : isPatchEndpoint(this.remote)
          ? new EndpointDeltaSync({ ...deltaOpts, endpoint: this.remote })
          : null;
  }

  /** A whole database for version `v` (from its base and patches on file remotes), verified. */
  private fetchVersion(
    v: RemoteManifest,
    workDir: string,
    snapshot?: LocalContent['snapshot'],
    pendingOk = false,
  ): Promise<Fetched> {
    const op = this.op;
    op?.phase('download', v.size);
    const transfer = op ? { onProgress: op.bytes('download'), signal: op.signal } : {};
    if (this.delta) return this.delta.fetch(v, workDir, { ...transfer, snapshot, pendingOk });
    const file = path.join(workDir, v.encrypted ? 'download.db.age' : 'download.db');
    return this.remote.pull(file, v, transfer).then((r) => ({ path: file, encrypted: v.encrypted, bytesDown: r.size }));
  }

  /** Plaintext snapshots stay in our private home, swept at start if a crash leaves one (util/temp.ts). */
  private get tmpParent(): string {
    return this.o.tmpDir ?? path.join(path.dirname(this.o.statePath), 'tmp');
  }

  get protocol() {
    return this.remote.protocol;
  }

  targetState(): Promise<TargetState> {
    return this.state.get(this.target);
  }

  /** One sync. Concurrent calls join the one in flight (one sync at a time). */
  sync(): Promise<SyncOutcome> {
    if (!this.inFlight) {
      // After a restore in progress: one operation at a time touches the live database (and owns `op`).
      const after = this.restoring?.catch(() => {}) ?? Promise.resolve();
      this.inFlight = after
        .then(() => this.run())
        .finally(() => {
          this.inFlight = null;
        });
    }
    return this.inFlight;
  }

  /**
   * "Cifrar ahora": a normal sync first levels both sides; then the current database goes up again as a whole
   * encrypted version (never a patch on a plaintext base) whose history keeps only encrypted versions, and only once
   * that version is committed are the plaintext objects removed (FileRemote.push, `history: 'encrypted-only'`).
   * Refused while a conflict or a pending download waits, and when the remote or the database moved in between.
   */
  async encryptRemote(): Promise<SyncOutcome> {
    if (!this.local.encryptionOn) throw new SyncError('ENCRYPTION', msg('truth.encrypt_now_needs_encryption'));
    if (!(this.remote instanceof FileRemote))
      throw new SyncError('NOT_SUPPORTED', msg('truth.encrypt_now_file_remotes_only'));
    const first = await this.sync();
    if (first.action === 'conflict' || first.action === 'pending')
      throw new SyncError('CONFLICT', msg('truth.encrypt_now_blocked'));
    while (this.inFlight) await this.inFlight.catch(() => undefined);
    this.inFlight = this.runEncryptRemote().finally(() => {
      this.inFlight = null;
    });
    return this.inFlight;
  }

  /** Plaintext version objects the remote still holds (file remotes; null where the remote cannot tell). */
  async plaintextOnRemote(): Promise<string[] | null> {
    if (!(this.remote instanceof FileRemote)) return null;
    await this.remote.open();
    return this.remote.plaintextObjects();
  }

  private async runEncryptRemote(): Promise<SyncOutcome> {
    const started = Date.now();
    // An operation like a sync's (phases, Cancelar up to the commit point): push() reports through it.
    const op = this.begin('sync');
    const st = await this.state.get(this.target);
    if (st.conflict || st.pending) throw new SyncError('CONFLICT', msg('truth.encrypt_now_blocked'));
    const remote = await this.remote.head();
    if (!remote)
      return { action: 'none', reason: 'remote-empty', bytesUp: 0, bytesDown: 0, generation: null, durationMs: 0 };
    const local = await this.local.contentHash({
      fingerprint: st.localFingerprint,
      sha256: st.localSha256,
      aliases: st.localAliases,
    });
    let snapshotToDispose = local.snapshot;
    try {
      // Exactly the version both sides hold: anything else is a change to sync first, never sent by this button.
      const decision = await this.decide(st, local, remote);
      if (decision.action !== 'none' || st.base?.generation !== remote.generation)
        throw new SyncError('PRECONDITION_FAILED', msg('truth.encrypt_now_moved'));
      snapshotToDispose = undefined; // outgoing() owns it now
      const step = await this.push(local, remote, 'encrypt-now', { history: 'encrypted-only' });
      // Recorded whatever happened (a lost race is a conflict like any other, with its copy kept), then reported.
      const outcome = await this.record(st, step, 'encrypt-now', recordedLineage(st), local, remote, started);
      if (outcome.action !== 'push') throw new SyncError('CONFLICT', msg('truth.encrypt_now_blocked'));
      return outcome;
    } finally {
      this.end(op);
      await snapshotToDispose?.dispose().catch(() => {});
    }
  }

  /**
   * A push-only remote (the spec's Flask server) asked for the data (`sync_request` on connect): the next sync sends
   * the current version even if that server acknowledged it before, since it may have lost it (restart).
   */
  requestResend(): void {
    this.resendRequested = true;
  }

  get busy(): boolean {
    return this.inFlight !== null;
  }

  private emit(
    type: Parameters<Logger['emit']>[0]['type'],
    code: string,
    text: Text,
    data?: Record<string, unknown>,
    level?: 'info' | 'warn' | 'error' | 'debug',
  ) {
    this.o.log.emit({
      type,
      code,
      text,
      protocol: this.remote.protocol,
      data,
      ...(level ? { level } : {}),
    });
  }

  /** Cancelar for the running sync or restore; refused after its commit point (with the reason) or when idle. */
  cancel(): CancelAnswer {
    return this.op?.cancel() ?? { ok: false, reason: msg('progress.nothing_to_cancel') };
  }

  /** What the running operation last reported (null when idle): a page opened mid-sync starts from it. */
  get progressNow(): ProgressData | null {
    return this.op?.snapshot ?? null;
  }

  private begin(kind: OperationKind): Operation {
    this.op = new Operation(kind, this.o.log, this.remote.protocol);
    return this.op;
  }

  /** Before the last event of an operation: a status read on that event must not show it still running. */
  private end(op: Operation | null): void {
    if (op && this.op === op) this.op = null;
  }

  /** A sync cancelled before its commit point: nothing changed but lastAttempt; told as such, not as an error. */
  private cancelled(started: number, generation: number | null): SyncOutcome {
    this.end(this.op);
    const outcome: SyncOutcome = {
      action: 'cancelled',
      reason: 'user',
      bytesUp: 0,
      bytesDown: 0,
      generation,
      durationMs: Date.now() - started,
    };
    this.emit('sync_end', 'SYNC_CANCELLED', msg('event.SYNC_CANCELLED'), {
      action: 'cancelled',
      durationMs: outcome.durationMs,
    });
    return outcome;
  }

  /**
   * The protocol of one sync: adopt what an interrupted sync left, hash the local side, plan against the remote
   * head, check the plan against lineage, do the one step it chose (push, pull, conflict copy or nothing), record it.
   */
  private async run(): Promise<SyncOutcome> {
    const started = Date.now();
    const op = this.begin('sync');
    this.emit('sync_start', 'SYNC_START', msg('event.SYNC_START'));
    let st = await this.state.get(this.target);
    await this.state.update(this.target, { lastAttempt: isoNow() });
    const work = await privateTempDir(this.tmpParent);
    let snapshotToDispose: { dispose(): Promise<void> } | undefined;
    let localRead: LocalContent | undefined; // its in-place reading, unless a push took it over (preparePush clears it)
    try {
      if (st.conflict) return this.unresolvedConflict(st, st.conflict, started);

      op.phase('compare');
      await this.remote.open();
      const remote = await this.remote.head({ signal: op.signal });
      op.throwIfCancelled();
      if (remote && remote.encrypted === false && this.local.encryptionOn) {
        this.emit('warning', 'REMOTE_PLAINTEXT', msg('event.REMOTE_PLAINTEXT'));
      }
      st = await this.followIdentity(st, remote);
      if (st.conflict) return this.unresolvedConflict(st, st.conflict, started);
      st = await this.adoptPendingPush(st, remote);
      op.phase('snapshot');
      // When a push is what this sync will most likely do (the remote holds nothing, or still the version of our
      // base), the live database is read in place (src/db/live-reading.ts): with the head's index, the patch is built
      // from it and nothing is copied; without one, the copy for the whole upload is taken in the same read. When
      // the remote moved on, a pull is likely and the snapshot it can rebuild its base from is taken as before.
      const pushLikely =
        remote === null ||
        (!!remote &&
          remote.generation === st.base?.generation &&
          remote.sha256 === st.base.remoteSha256 &&
          remote.encrypted === this.local.encryptionOn);
      const against = !pushLikely
        ? undefined
        : this.delta instanceof DeltaSync && remote
          ? await this.delta.usableIndex(remote)
          : null;
      const local = await this.local.contentHash({
        fingerprint: st.localFingerprint,
        sha256: st.localSha256,
        aliases: st.localAliases,
        verified: st.base?.localSha256,
        against,
      });
      snapshotToDispose = local.snapshot;
      localRead = local;
      op.throwIfCancelled();
      st = await this.adoptPendingPull(st, local);
      const question = await this.otherRemoteQuestion(st, local, remote);
      if (question) return await this.askOtherRemote(st, question, started);
      let decision = await this.decide(st, local, remote);

      // Lineage, the backstop behind the commit protocol: a commit of ours that vanished, a remote restored from an
      // older backup, deleted or replaced by another one is a loud conflict, never a silent pull or push.
      const lineage = recordedLineage(st);
      const checked = await this.checkLineage(st, lineage, decision, local, remote);
      if (checked.vanished) return await this.remoteVanished(checked.vanished, started);
      decision = checked.decision;
      op.throwIfCancelled();

      let step: StepResult;
      switch (decision.action) {
        case 'none':
          step = await this.noTransfer(st, decision.reason, local, remote, work.dir);
          break;
        case 'push':
          step = await this.push(local, remote, decision.reason);
          snapshotToDispose = undefined; // outgoing() owns it now
          break;
        case 'pull':
          op.kind = 'pull';
          step = await this.pull(
            remote!,
            work.dir,
            decision.reason,
            {
              sha256: local.sha256,
              fingerprint: local.fingerprint,
              aliases: local.aliases,
              ...(local.snapshot && local.stableFingerprint
                ? { reading: { fingerprint: local.stableFingerprint, snapshot: local.snapshot } }
                : {}),
            },
            local.snapshot,
          );
          break;
        case 'conflict':
          op.kind = 'conflict-download';
          step = await this.conflict(remote!, work.dir, decision.reason);
          break;
      }
      return await this.record(st, step, decision.reason, lineage, local, remote, started);
    } catch (err) {
      // Cancelar before the commit point: whatever the abort surfaced as, nothing was changed.
      if (op.cancelRequested && !op.committed) return this.cancelled(started, st.remoteGeneration ?? null);
      this.end(op);
      const e = toSyncError(err);
      await this.state
        .update(this.target, {
          lastError: { code: e.code, message: e.describe('es'), message_en: e.describe('en'), time: isoNow() },
        })
        .catch(() => {});
      this.emit(
        'error',
        e.code,
        msg('engine.sync_failed', { detail: { es: e.describe('es'), en: e.describe('en') } }),
        { code: e.code },
        'error',
      );
      throw e;
    } finally {
      await snapshotToDispose?.dispose().catch(() => {});
      await localRead?.inPlace?.dispose().catch(() => {});
      await work.dispose().catch(() => {});
      this.end(op);
    }
  }

  /** A conflict the user has not resolved yet stops every sync until they do. */
  private unresolvedConflict(st: TargetState, c: ConflictInfo, started: number): SyncOutcome {
    this.emit(
      'conflict',
      'CONFLICT_UNRESOLVED',
      msg('event.CONFLICT_UNRESOLVED', { copyPath: c.copyPath }),
      { copyPath: c.copyPath },
      'warn',
    );
    return {
      action: 'conflict',
      reason: 'unresolved',
      bytesUp: 0,
      bytesDown: 0,
      generation: st.remoteGeneration ?? null,
      durationMs: Date.now() - started,
      conflictCopy: c.copyPath,
    };
  }

  /**
   * Our own push landed but the process stopped before recording it: adopt it rather than call it a conflict.
   * Lineage records it as ours too, so a remote restored from a copy without it is seen as our commit lost.
   */
  private async adoptPendingPush(st: TargetState, remote: RemoteManifest | null | undefined): Promise<TargetState> {
    if (!st.pendingPush || !remote || remote.sha256 !== st.pendingPush.sha256) return st;
    return this.state.update(this.target, {
      base: { generation: remote.generation, remoteSha256: remote.sha256, localSha256: st.pendingPush.localSha256 },
      pendingPush: null,
      lineage: recordAfterSync(st.lineage ?? null, remote, true),
    });
  }

  /**
   * A pull was interrupted around its replace: if the local database holds what it was replacing with, that version
   * is ours now (the base), whatever the remote did since; otherwise the old base stands.
   */
  private async adoptPendingPull(st: TargetState, local: LocalContent): Promise<TargetState> {
    if (!st.pendingPull) return st;
    const p = st.pendingPull;
    const adopted = local.sha256 === p.localSha256;
    return this.state.update(this.target, {
      pendingPull: null,
      ...(adopted
        ? this.holding(st, { generation: p.generation, remoteSha256: p.remoteSha256, localSha256: p.localSha256 })
        : {}),
    });
  }

  /** The three-way plan, then the last checks before a push (see pushGuard). */
  private async decide(
    st: TargetState,
    local: LocalContent,
    remote: RemoteManifest | null | undefined,
  ): Promise<Decision> {
    const resend = this.resendRequested;
    this.resendRequested = false;
    const decision: Decision = plan({
      localSha256: local.sha256,
      localBytesSha256: localBytesSha256(local) ?? (this.local.encryptionOn ? local.sha256 : null),
      localAliases: local.aliases,
      localIsOlderVersion: this.isOlderVersion(st, local),
      remote,
      base: st.base,
      direction: this.o.direction ?? 'bidirectional',
      lastAckedSha256: resend ? null : st.lastAckedSha256,
    });
    if (decision.action === 'push') return (await this.pushGuard(st, local, remote)) ?? decision;
    return decision;
  }

  /**
   * Checks the remote head against what this device recorded of its history. A lost commit, a restored, deleted or
   * replaced remote turns the decision into a conflict (or, with no remote left, `vanished`); a local database that
   * is an older version of the remote one is pulled, not pushed.
   */
  private async checkLineage(
    st: TargetState,
    lineage: LineageRecord,
    decision: Decision,
    local: LocalContent,
    remote: RemoteManifest | null | undefined,
  ): Promise<{ decision: Decision; vanished?: Text }> {
    // Checked whenever something would move, and when a remote this device synced with holds nothing now.
    const due =
      (remote !== undefined && decision.action !== 'none') || (remote === null && lineage.lastSynced !== null);
    if (!due) return { decision };
    const entry =
      remote && lineage.lastSynced && this.remote.lineageEntry
        ? await this.remote.lineageEntry(lineage.lastSynced.generation).catch(() => null)
        : null;
    const v = checkLineage({
      recorded: lineage,
      head: remote ?? null,
      entries: entry ? [entry] : [],
      localBytesSha256: localBytesSha256(local),
    });
    if (v.conflict) {
      this.emit(
        'warning',
        `LINEAGE_${v.verdict.toUpperCase().replace(/-/g, '_')}`,
        v.text,
        { verdict: v.verdict },
        'warn',
      );
      if (!remote) return { decision, vanished: v.text };
      return { decision: { action: 'conflict', reason: v.verdict } };
    }
    // A version the user restored on purpose is theirs to send, not an older version to pull over.
    const restored = !!st.restoredSha256 && [local.sha256, ...(local.aliases ?? [])].includes(st.restoredSha256);
    if (v.verdict === 'local-is-older-version' && decision.action === 'push' && !restored)
      return { decision: { action: 'pull', reason: 'local-is-older-version' } };
    // Local bytes equal to a version the remote's history holds (a fresh state file, another address) have no edit
    // of their own: the newer head is a fast-forward, not a conflict. Only where the bytes are comparable
    // (encryption off); the pull still checks the local content under the write lock and keeps a backup.
    const behind = decision.reason === 'first-sync-differs' || decision.reason === 'both-changed';
    if (v.verdict === 'local-is-older-version' && decision.action === 'conflict' && behind && !restored) {
      if ((this.o.direction ?? 'bidirectional') === 'push') return { decision };
      this.emit('info', 'LINEAGE_LOCAL_IS_OLDER_VERSION', v.text, { generation: v.generation });
      return { decision: { action: 'pull', reason: 'local-is-older-version' } };
    }
    return { decision };
  }

  /** The plan moves nothing: say so when there is nothing to sync, and take an equal remote as the base. */
  private async noTransfer(
    st: TargetState,
    reason: string,
    local: LocalContent,
    remote: RemoteManifest | null | undefined,
    workDir: string,
  ): Promise<StepResult> {
    if (reason === 'remote-empty-local-missing') {
      this.emit('warning', 'NO_LOCAL_DATABASE', msg('event.NO_LOCAL_DATABASE', { databasePath: this.o.databasePath }));
    }
    const bytesDown = reason === 'same-content' && remote ? await this.adoptSameContent(st, remote, local, workDir) : 0;
    return { action: 'none', reason, bytesUp: 0, bytesDown, generation: remote?.generation ?? null };
  }

  /**
   * The remote holds exactly our bytes: it becomes the base. Snapshots are deterministic, so a remote can claim our
   * bytes for a version we never held: its objects are downloaded and checked once first (a lying remote is an
   * error, never a silent "in sync"). Returns the bytes downloaded.
   */
  private async adoptSameContent(
    st: TargetState,
    remote: RemoteManifest,
    local: LocalContent,
    workDir: string,
  ): Promise<number> {
    const down =
      this.delta && remote.generation !== st.base?.generation
        ? (await this.fetchVersion(remote, workDir)).bytesDown
        : 0;
    await this.state.update(this.target, {
      base: { generation: remote.generation, remoteSha256: remote.sha256, localSha256: local.sha256! },
    });
    return down;
  }

  /**
   * Records a finished step: what this device now knows of the remote's history, what the local side looks like
   * (so the next idle poll can skip the snapshot), the outcome; then tells the log.
   */
  private async record(
    st: TargetState,
    step: StepResult,
    reason: string,
    lineage: LineageRecord,
    local: LocalContent,
    remote: RemoteManifest | null | undefined,
    started: number,
  ): Promise<SyncOutcome> {
    let nextLineage: LineageRecord | null = lineage;
    if (step.action === 'push' && step.committed) nextLineage = recordAfterSync(lineage, step.committed, true);
    else if (step.action === 'pull' && remote) nextLineage = recordAfterSync(lineage, remote, false);
    else if (step.action === 'none' && remote)
      nextLineage = reason === 'same-content' ? recordAfterSync(lineage, remote, false) : recordSeen(lineage, remote);
    const after = step.localAfter ?? local;
    await this.state.update(this.target, {
      lastGoodSync: step.action === 'conflict' || step.action === 'pending' ? st.lastGoodSync : isoNow(),
      lastAction: step.action,
      lastError: null,
      remoteGeneration: step.generation,
      localFingerprint: after.fingerprint,
      localSha256: after.sha256,
      localAliases: after.aliases ?? null,
      ...(remote !== undefined ? { lineage: nextLineage } : {}),
      ...(step.action === 'push' || step.action === 'pull' || step.action === 'none'
        ? { localIdentity: await localIdentity(this.o.databasePath) }
        : {}),
      ...(this.o.address ? { address: this.o.address } : {}),
    });
    this.end(this.op);
    const outcome: SyncOutcome = {
      action: step.action,
      reason: step.reason,
      bytesUp: step.bytesUp,
      bytesDown: step.bytesDown,
      generation: step.generation,
      durationMs: Date.now() - started,
      ...(step.conflictCopy !== undefined ? { conflictCopy: step.conflictCopy } : {}),
      ...(step.delta ? { delta: step.delta } : {}),
    };
    this.emit(
      'sync_end',
      `SYNC_${outcome.action.toUpperCase()}`,
      describe(outcome),
      {
        action: outcome.action,
        reason: outcome.reason,
        bytesUp: outcome.bytesUp,
        bytesDown: outcome.bytesDown,
        durationMs: outcome.durationMs,
        generation: outcome.generation,
        ...(outcome.delta ? { delta: outcome.delta } : {}),
      },
      outcome.action === 'conflict' ? 'warn' : 'info',
    );
    return outcome;
  }

  /**
   * The remote holds nothing although this device synced with it: deleted or emptied. Nothing is pushed (a stale
   * database must not become everyone's); the state holds a conflict without a copy until the user decides
   * («Usar la de este equipo» sends this database as the first version of a new history).
   */
  private async remoteVanished(text: Text, started: number): Promise<SyncOutcome> {
    const info: ConflictInfo = {
      copyPath: '',
      remoteGeneration: 0,
      remoteSha256: '',
      remoteDevice: '',
      remoteTime: '',
      remoteSize: 0,
      localSize: 0,
      localTime: '',
      detectedAt: new Date().toISOString(),
      reason: 'manifest-disappeared',
    };
    await this.state.update(this.target, { conflict: info });
    this.emit('conflict', 'CONFLICT', msg('event.CONFLICT', { text }), { reason: 'manifest-disappeared' }, 'warn');
    return {
      action: 'conflict',
      reason: 'manifest-disappeared',
      bytesUp: 0,
      bytesDown: 0,
      generation: null,
      durationMs: Date.now() - started,
    };
  }

  /**
   * The history belongs to the remote, not to the spelling of its address: with no history under this key, an
   * entry that recorded the head's identity (the same remote reached by another URL, port or scheme) is moved here
   * whole (base, versions held, lineage, a pending conflict) with its page index, and the sync goes on as usual.
   * A wrong match cannot lose rows: lineage and the three-way plan still check every push and pull against it.
   */
  private async followIdentity(st: TargetState, remote: RemoteManifest | null | undefined): Promise<TargetState> {
    const id = remote?.remote_id;
    if (!id || hasHistory(st) || st.lineage?.remoteId) return st;
    const other = await this.state.findByRemoteId(id, this.target);
    if (!other) return st;
    const moved = await this.state.move(other.key, this.target, { lastAttempt: st.lastAttempt });
    await this.moveDeltaIndex(other.key);
    this.emit(
      'info',
      'REMOTE_SAME_IDENTITY',
      msg('event.REMOTE_SAME_IDENTITY', { id: id.slice(0, 8), previous: other.key }),
      { remoteId: id, from: other.key, to: this.target },
    );
    return moved;
  }

  /** The page index describes the remote's objects, not the address: it follows the history (src/delta). */
  private async moveDeltaIndex(fromKey: string): Promise<void> {
    if (!this.delta) return;
    const dir = path.join(path.dirname(this.o.statePath), 'delta');
    const from = path.join(dir, `${encodeURIComponent(fromKey)}.idx`);
    const to = path.join(dir, `${encodeURIComponent(this.target)}.idx`);
    for (const [a, b] of [
      [from, to],
      [pendingIndexFile(from), pendingIndexFile(to)],
    ])
      await fsp.rename(a, b).catch((err: NodeJS.ErrnoException) => {
        if (err.code !== 'ENOENT') throw err;
      });
  }

  /**
   * "¿Es el mismo servidor?": no history under this key, the head's identity unknown to every entry, and this
   * database synced recently with another remote of the same protocol. Syncing on would be a first contact (a full
   * download and, with different content, a conflict): ask first. Not asked when the local bytes are a version of
   * the new remote (a fast-forward or the same content), when it holds nothing, or after the user accepted it.
   */
  private async otherRemoteQuestion(
    st: TargetState,
    local: LocalContent,
    remote: RemoteManifest | null | undefined,
  ): Promise<RemoteQuestion | null> {
    const found = remote?.remote_id;
    if (!remote || !found || hasHistory(st) || st.acceptedRemoteId === found || local.sha256 === null) return null;
    const bytes = localBytesSha256(local);
    if (bytes && (bytes === remote.sha256 || bytes === remote.delta?.db_sha256)) return null;
    if (olderVersionWithBytes(remote, bytes) !== null) return null;
    const protocol = this.remote.protocol;
    const previous = Object.entries(await this.state.all())
      .filter(
        ([k, t]) =>
          k !== this.target &&
          !t.movedTo &&
          !!t.base &&
          !!t.lineage?.remoteId &&
          t.lineage.remoteId !== found &&
          (t.address?.protocol ?? k.split(':')[0]) === protocol,
      )
      .sort(([, a], [, b]) => (b.lastGoodSync ?? '').localeCompare(a.lastGoodSync ?? ''))[0];
    if (!previous) return null;
    const [key, prev] = previous;
    return {
      kind: 'other-remote',
      previousTarget: key,
      previousRemoteId: prev.lineage!.remoteId!,
      previousGeneration: prev.lineage?.lastSynced?.generation ?? prev.base?.generation ?? null,
      previousSync: prev.lastGoodSync ?? null,
      foundRemoteId: found,
      foundGeneration: remote.generation,
      foundDevice: remote.device,
      foundTime: remote.time,
      detectedAt: st.question?.foundRemoteId === found ? st.question.detectedAt : isoNow(),
    };
  }

  /** Records the question and stops: nothing is downloaded, uploaded or replaced until the user answers. */
  private async askOtherRemote(st: TargetState, q: RemoteQuestion, started: number): Promise<SyncOutcome> {
    const repeated = st.question?.foundRemoteId === q.foundRemoteId && st.question.previousTarget === q.previousTarget;
    await this.state.update(this.target, { question: q, lastAction: 'question' });
    this.emit(
      'warning',
      'REMOTE_QUESTION',
      msg('event.REMOTE_QUESTION', {
        found: q.foundRemoteId.slice(0, 8),
        previous: q.previousRemoteId.slice(0, 8),
        address: q.previousTarget,
      }),
      { ...q },
      repeated ? 'debug' : 'warn',
    );
    return {
      action: 'question',
      reason: 'other-remote',
      bytesUp: 0,
      bytesDown: 0,
      generation: q.foundGeneration,
      durationMs: Date.now() - started,
    };
  }

  /**
   * The user's answer "use this new server": it is synced under first-contact rules (same content: nothing moves;
   * local older: fast-forward; different: a conflict that keeps both copies). Never a merge of two histories.
   */
  async acceptOtherRemote(): Promise<RemoteQuestion> {
    if (this.inFlight) await this.inFlight.catch(() => {});
    const st = await this.state.get(this.target);
    if (!st.question) throw new SyncError('NOT_FOUND', msg('identity.no_question'));
    await this.state.update(this.target, { question: null, acceptedRemoteId: st.question.foundRemoteId });
    this.emit('info', 'REMOTE_ACCEPTED', msg('event.REMOTE_ACCEPTED', { id: st.question.foundRemoteId.slice(0, 8) }));
    return st.question;
  }

  /** Forgets the question under this key (the address was changed back; the answer is the other key's history). */
  async dropQuestion(): Promise<void> {
    await this.state.update(this.target, { question: null });
  }

  /** Local content equal to a version this device held before the base: behind, not edited (see plan). */
  private isOlderVersion(st: TargetState, local: LocalContent): boolean {
    if (!local.sha256 || !st.base) return false;
    const forms = [local.sha256, ...(local.aliases ?? [])];
    if (st.restoredSha256 && forms.includes(st.restoredSha256)) return false;
    return (st.known ?? []).some((k) => k.generation < st.base!.generation && k.hashes.some((h) => forms.includes(h)));
  }

  /**
   * The state of holding a remote version locally: it becomes the base, and its local forms join the versions this
   * device held (newest first, bounded), so an older one seen again later is recognised (see isOlderVersion).
   */
  private holding(
    st: TargetState,
    v: Base,
    moreForms: Array<string | null | undefined> = [],
  ): { base: Base; known: KnownVersion[] } {
    const forms = [v.localSha256, v.remoteSha256, ...(v.localAliases ?? []), ...moreForms];
    const hashes = [...new Set(forms.filter((h): h is string => typeof h === 'string' && h.length > 0))];
    const rest = (st.known ?? []).filter((k) => k.generation !== v.generation);
    return { base: v, known: [{ generation: v.generation, hashes }, ...rest].slice(0, 50) };
  }

  /**
   * Last checks before a push the plan allowed, each turning the push into a conflict (both kept, the user decides):
   * a database that would wipe most of the rows the remote holds; a plaintext unlocked from an .enc older than the
   * one a locked pull put in place; a state file that describes another database file (copied from another PC).
   */
  private async pushGuard(
    st: TargetState,
    local: LocalContent,
    remote: RemoteManifest | null | undefined,
  ): Promise<ConflictDecision | null> {
    if (!remote || !st.base) return null;
    const confirmed = st.shrinkConfirmed && st.shrinkConfirmed === local.sha256;
    const before = st.base.rows;
    if (!confirmed && local.rows !== undefined && before !== undefined && before > 0) {
      if (local.rows === 0 || (before >= 20 && local.rows < before / 2)) {
        this.emit(
          'warning',
          'PUSH_WOULD_WIPE_ROWS',
          msg('event.PUSH_WOULD_WIPE_ROWS', { rows: local.rows, before }),
          { localRows: local.rows, remoteRows: before },
          'warn',
        );
        return { action: 'conflict', reason: 'would-wipe-rows' };
      }
    }
    if (st.encReplacedAt && (await this.local.state()) === 'unlocked') {
      const born = await plaintextCreatedAt(this.o.databasePath);
      if (born !== null && born < st.encReplacedAt) {
        this.emit('warning', 'UNLOCKED_BEFORE_PULL', msg('event.UNLOCKED_BEFORE_PULL'), undefined, 'warn');
        return { action: 'conflict', reason: 'unlocked-before-pull' };
      }
    }
    if (!this.local.encryptionOn && st.localIdentity) {
      const id = await localIdentity(this.o.databasePath);
      if (id && id !== st.localIdentity) {
        this.emit('warning', 'LOCAL_IDENTITY_CHANGED', msg('event.LOCAL_IDENTITY_CHANGED'), undefined, 'warn');
        return { action: 'conflict', reason: 'local-identity-changed' };
      }
    }
    return null;
  }

  /**
   * Sends the local content as the next remote version, by compare-and-swap over the generation it was planned on
   * (`pendingPush` first, so a crash after the commit is adopted, not taken for a conflict); a lost swap keeps both.
   */
  private async push(
    local: LocalContent,
    remote: RemoteManifest | null | undefined,
    reason: string,
    how: { history?: 'encrypted-only' } = {},
  ): Promise<StepResult> {
    const op = this.op!;
    // A patch only on a head encrypted as ours will be: a chain is all age or all plaintext (the delta fetch decrypts
    // every link of an encrypted version, so an encrypted patch on a plaintext base, the first push after turning
    // encryption on, could not be rebuilt anywhere). "Cifrar ahora" always sends a whole database.
    const samePlane = !remote || remote.encrypted === this.local.encryptionOn;
    const prepared: EndpointPrepared | undefined =
      remote !== undefined && !how.history && samePlane ? await this.delta?.preparePush(local, remote) : undefined;
    const out = prepared?.out ?? (await this.local.outgoing(local.snapshot, local.sha256!));
    const pendingBefore = (await this.state.get(this.target)).pendingPush ?? null;
    try {
      op.throwIfCancelled();
      if (remote !== undefined)
        await this.state.update(this.target, { pendingPush: { sha256: out.sha256, localSha256: out.localSha256 } });
      const res = await this.remote
        .push(
          out.path,
          {
            sha256: out.sha256,
            size: out.size,
            encrypted: out.encrypted,
            device: this.o.device,
            baseGeneration: remote?.generation ?? null,
            ...(prepared?.delta ? { delta: prepared.delta } : {}),
            ...(how.history ? { history: how.history } : {}),
            ...(prepared?.patch ? { patch: prepared.patch } : {}),
          } satisfies PushMeta,
          { onProgress: op.bytes('upload'), signal: op.signal, onCommit: () => op.commit() },
        )
        .catch(async (err: unknown) => {
          // A file remote never committed before op.commit(): the pending push it was told about did not happen.
          if (op.cancelRequested && !op.committed && this.remote instanceof FileRemote)
            await this.state.update(this.target, { pendingPush: pendingBefore });
          throw err;
        });
      op.landed();
      if (res.conflict !== undefined || !res.manifest) {
        if (res.conflict === undefined && remote !== undefined) {
          throw new SyncError('PRECONDITION_FAILED', msg('engine.server_refused_version_without'));
        }
        // The remote moved between our read and our commit (compare-and-swap lost): keep both.
        if (res.conflict) return await this.conflict(res.conflict, path.dirname(out.path), 'cas-lost');
      }
      const m = res.manifest;
      const st = await this.state.get(this.target);
      if (m && prepared) await this.delta?.committed(m, prepared);
      if (m) {
        await this.state.update(this.target, {
          ...this.holding(
            st,
            {
              generation: m.generation,
              remoteSha256: m.sha256,
              localSha256: out.localSha256,
              localAliases: local.aliases,
              rows: local.rows,
            },
            [local.sha256],
          ),
          pendingPush: null,
          shrinkConfirmed: null,
          restoredSha256: null,
          encReplacedAt: null,
        });
      } else {
        await this.state.update(this.target, { lastAckedSha256: out.localSha256 });
      }
      return {
        action: 'push',
        reason,
        bytesUp: res.sent ?? out.size,
        bytesDown: 0,
        generation: m?.generation ?? null,
        committed: m,
        ...(prepared?.stats && res.patched !== false ? { delta: prepared.stats } : {}),
      };
    } finally {
      await out.dispose();
      await prepared?.dispose?.();
    }
  }

  /**
   * Downloads the remote version (verified against its manifest) and applies it to the local database under its write
   * lock, only if the local content is still what the plan saw (`pendingPull` just before the replace); an app commit
   * meanwhile keeps both; an encrypted version with no key here waits in the pending folder.
   */
  private async pull(
    remote: RemoteManifest,
    workDir: string,
    reason: string,
    planned: LocalExpectation,
    snapshot?: LocalContent['snapshot'],
  ): Promise<StepResult> {
    const op = this.op;
    const got = await this.fetchVersion(remote, workDir, snapshot, true);
    op?.phase('check');
    op?.throwIfCancelled();
    const file = got.path;
    const r = { size: got.bytesDown };
    const wasLocked = (await this.local.state()) === 'locked';
    let applied: ApplyResult;
    try {
      // An encrypted patch that cannot be rebuilt here is kept pending, never applied (src/delta/sync.ts).
      applied = got.pendingOnly
        ? { status: 'pending' }
        : await this.local.applyDownload(
            file,
            got.encrypted,
            workDir,
            planned,
            async (localSha256) => {
              op?.commit(); // the replace starts: no Cancelar from here
              await this.state.update(this.target, {
                pendingPull: { generation: remote.generation, remoteSha256: remote.sha256, localSha256 },
              });
            },
            got.verified,
          );
    } catch (err) {
      // The app committed while we downloaded (or during the replace): both sides changed, so keep both.
      if (isSyncError(err, 'CONFLICT') && err.details?.localChanged) {
        const kept = await this.conflict(remote, workDir, 'local-changed-during-pull', got);
        return { ...kept, bytesDown: r.size };
      }
      throw err;
    }
    if (applied.status === 'pending') {
      op?.commit();
      const keep = await this.local.keepPending(file, remote);
      await this.state.update(this.target, {
        pending: { path: keep, generation: remote.generation, reason: 'no-identity' },
      });
      this.emit('warning', 'PULL_PENDING', msg('event.PULL_PENDING', { generation: remote.generation, keep }));
      return {
        action: 'pending',
        reason: 'no-identity',
        bytesUp: 0,
        bytesDown: r.size,
        generation: remote.generation,
      };
    }
    const st = await this.state.get(this.target);
    await this.state.update(this.target, {
      ...this.holding(st, {
        generation: remote.generation,
        remoteSha256: remote.sha256,
        localSha256: applied.localSha256,
        localAliases: applied.aliases,
        rows: applied.rows,
      }),
      pending: null,
      pendingPull: null,
      encReplacedAt: wasLocked ? Date.now() : null,
      restoredSha256: null,
    });
    // No fingerprint: the next poll hashes the live database again, so a commit made right after the restore counts.
    return {
      action: 'pull',
      reason,
      bytesUp: 0,
      bytesDown: r.size,
      generation: remote.generation,
      localAfter: { sha256: applied.localSha256, fingerprint: '', aliases: applied.aliases },
      ...(got.stats ? { delta: got.stats } : {}),
    };
  }

  /**
   * Both sides changed: the local database stays; the remote version is saved beside it. Never "newer wins".
   * While the database is locked (only the .enc at rest), the copy stays encrypted: nothing plaintext is written.
   */
  private async conflict(
    remote: RemoteManifest | undefined,
    workDir: string,
    reason: string,
    downloaded?: Fetched,
  ): Promise<StepResult> {
    if (!remote) throw new SyncError('CONFLICT', msg('engine.conflict_unknown_remote_version'));
    let bytesDown = 0;
    if (!downloaded) {
      downloaded = await this.fetchVersion(remote, workDir);
      bytesDown = downloaded.bytesDown;
      this.op?.phase('check');
    }
    if (!this.op?.committed) this.op?.commit(); // the copy and the conflict are recorded from here
    // What was fetched says whether it is ciphertext (a version rebuilt from patches may not be).
    const copy = await this.local.keepConflictCopy(
      downloaded.path,
      { ...remote, encrypted: downloaded.encrypted },
      workDir,
    );
    const localFile = await this.local.fileInfo();
    const info: ConflictInfo = {
      copyPath: copy.path,
      remoteGeneration: remote.generation,
      remoteSha256: remote.sha256,
      remoteDevice: remote.device,
      remoteTime: remote.time,
      remoteSize: remote.size,
      localSize: localFile.size,
      localTime: localFile.time,
      detectedAt: new Date().toISOString(),
      reason,
    };
    await this.state.update(this.target, { conflict: info });
    const encNote = copy.encrypted ? msg('engine.encrypted') : { es: '', en: '' };
    this.emit(
      'conflict',
      'CONFLICT',
      msg('engine.conflict_database_changed_here', {
        device: remote.device,
        time: remote.time,
        encNote,
        copyPath: copy.path,
      }),
      { ...info, reason },
      'warn',
    );
    return {
      action: 'conflict',
      reason,
      bytesUp: 0,
      bytesDown,
      generation: remote.generation,
      conflictCopy: copy.path,
    };
  }

  /**
   * Resolves a conflict. 'local': the local database wins and is pushed next (over the conflicting generation, by
   * compare-and-swap). 'remote': the saved remote copy replaces the local database in the form it is in (locked:
   * the .enc; plain or unlocked: restored under the write lock), after a local backup.
   */
  async resolve(keep: 'local' | 'remote'): Promise<{ backupPath: string | null }> {
    if (this.inFlight) await this.inFlight.catch(() => {});
    const st = await this.state.get(this.target);
    const c = st.conflict;
    if (!c) throw new SyncError('NOT_FOUND', msg('engine.there_no_pending_conflict'));
    if (keep === 'local') {
      // Base = the remote version we saw, local hash unknown: the next sync sees "only local changed" and pushes.
      const local = await this.local.contentHash();
      await local.snapshot?.dispose();
      // The user accepts the remote as it is now (a restored backup, a new identity, or nothing at all).
      const accepted: LineageRecord = {
        lastSynced: c.remoteGeneration
          ? { generation: c.remoteGeneration, sha256: c.remoteSha256, pushedByUs: false }
          : null,
        highestGeneration: c.remoteGeneration || null,
      };
      await this.state.update(this.target, {
        conflict: null,
        lineage: accepted,
        remoteGeneration: c.remoteGeneration || null,
        base: c.remoteGeneration
          ? { generation: c.remoteGeneration, remoteSha256: c.remoteSha256, localSha256: '' }
          : null,
        localFingerprint: null,
        shrinkConfirmed: local.sha256,
        restoredSha256: local.sha256,
        encReplacedAt: null,
        localIdentity: await localIdentity(this.o.databasePath),
      });
      this.emit('info', 'CONFLICT_RESOLVED_LOCAL', msg('event.CONFLICT_RESOLVED_LOCAL'));
      return { backupPath: null };
    }
    if (!c.copyPath) throw new SyncError('NOT_FOUND', msg('engine.server_no_longer_holds_any'));
    const work = await privateTempDir(this.tmpParent);
    let applied: ApplyResult;
    try {
      applied = await this.local.applyDownload(c.copyPath, c.copyPath.endsWith('.age'), work.dir);
    } finally {
      await work.dispose();
    }
    if (applied.status === 'pending') throw new SyncError('ENCRYPTION', msg('engine.remote_copy_encrypted_there'));
    await this.state.update(this.target, {
      conflict: null,
      lineage: {
        lastSynced: { generation: c.remoteGeneration, sha256: c.remoteSha256, pushedByUs: false },
        highestGeneration: c.remoteGeneration,
      },
      remoteGeneration: c.remoteGeneration,
      ...this.holding(st, {
        generation: c.remoteGeneration,
        remoteSha256: c.remoteSha256,
        localSha256: applied.localSha256,
        localAliases: applied.aliases,
        rows: applied.rows,
      }),
      localFingerprint: null,
      localSha256: applied.localSha256,
      localIdentity: await localIdentity(this.o.databasePath),
      encReplacedAt: null,
    });
    const where = applied.backupPath ? msg('engine.backup_at', { path: applied.backupPath }) : '';
    this.emit('info', 'CONFLICT_RESOLVED_REMOTE', msg('event.CONFLICT_RESOLVED_REMOTE', { where }));
    return { backupPath: applied.backupPath };
  }

  /** Where this remote's state is kept (src/conflict records and undoes a resolution there). */
  get stateLocation(): { statePath: string; target: string; tmpParent: string } {
    return { statePath: this.o.statePath, target: this.target, tmpParent: this.tmpParent };
  }

  /** A version the remote still retains, whole and verified (the base of a conflict diff); null if it is gone. */
  async fetchRetained(generation: number, workDir: string): Promise<Fetched | null> {
    const v = (await this.versions()).find((m) => m.generation === generation);
    return v ? this.fetchVersion(v, workDir) : null;
  }

  /** Remote history (newest first) for "restore a version". */
  async versions(): Promise<RemoteManifest[]> {
    const head = await this.remote.head();
    if (!head) return [];
    // An entry without `delta` is a whole database (never the head's delta).
    return [head, ...(head.versions ?? []).map((v) => ({ ...head, ...v, delta: v.delta, versions: undefined }))];
  }

  /**
   * Restores a remote version into the local database (after a local backup); the next sync pushes it as new.
   * 'cancelled': Cancelar came before the replace, and the local database was not touched.
   */
  async restoreVersion(generation: number): Promise<'restored' | 'cancelled'> {
    while (this.inFlight || this.restoring) await (this.inFlight ?? this.restoring)!.catch(() => {});
    const running = this.restore(generation);
    this.restoring = running;
    try {
      return await running;
    } finally {
      this.restoring = null;
    }
  }

  private async restore(generation: number): Promise<'restored' | 'cancelled'> {
    const op = this.begin('restore');
    op.phase('compare');
    const work = await privateTempDir(this.tmpParent);
    try {
      const all = await this.versions();
      op.throwIfCancelled();
      const v = all.find((m) => m.generation === generation);
      if (!v) throw new SyncError('NOT_FOUND', msg('engine.version_not_exist', { generation }));
      const got = await this.fetchVersion(v, work.dir);
      op.phase('check');
      op.throwIfCancelled();
      const applied = await this.local.applyDownload(got.path, got.encrypted, work.dir, undefined, async () =>
        op.commit(),
      );
      if (applied.status === 'pending')
        throw new SyncError('ENCRYPTION', msg('engine.version_encrypted_there_no_identity'));
      await this.state.update(this.target, {
        localFingerprint: null,
        restoredSha256: applied.localSha256,
        localIdentity: await localIdentity(this.o.databasePath),
      });
      const where = applied.backupPath ? msg('engine.backup_of_previous_at', { path: applied.backupPath }) : '';
      this.end(op);
      this.emit('info', 'VERSION_RESTORED', msg('event.VERSION_RESTORED', { generation, where }));
      return 'restored';
    } catch (err) {
      if (!op.cancelRequested || op.committed) throw err;
      this.end(op);
      this.emit('info', 'RESTORE_CANCELLED', msg('event.RESTORE_CANCELLED'), { generation });
      return 'cancelled';
    } finally {
      await work.dispose();
      this.end(op);
    }
  }

  /** Waits a little for a sync in flight, then closes the remote (which aborts a sync stuck on a hostile server). */
  async close(): Promise<void> {
    if (this.inFlight) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([this.inFlight.catch(() => {}), new Promise((r) => (timer = setTimeout(r, 5000)))]);
      clearTimeout(timer);
    }
    await this.remote.close();
  }
}

/** What this device recorded of the remote's history (from the base, for a state written before lineage existed). */
function recordedLineage(st: TargetState): LineageRecord {
  return (
    st.lineage ?? {
      lastSynced: st.base ? { generation: st.base.generation, sha256: st.base.remoteSha256, pushedByUs: false } : null,
      highestGeneration: st.remoteGeneration ?? st.base?.generation ?? null,
    }
  );
}

/** "enviadas 3 páginas (12 KB) de 450 MB": what a patch moved against the database's size. */
function deltaText(d: DeltaStats, push: boolean): Text {
  const size = bytesText;
  const moved = msg(push ? 'engine.delta_pages_sent' : 'engine.delta_pages_received', {
    pages: d.pages,
    bytes: size(d.bytes),
    total: size(d.dbSize),
  });
  return d.patches > 1 ? msg('engine.delta_in_patches', { moved, patches: d.patches }) : moved;
}

function describe(o: SyncOutcome): Text {
  const mb = bytesText;
  if (o.delta?.patches && (o.action === 'push' || o.action === 'pull')) {
    const what = deltaText(o.delta, o.action === 'push');
    return o.action === 'push'
      ? msg('engine.sync_push_delta', { what, generation: o.generation ?? '?' })
      : msg('engine.sync_pull_delta', { what, generation: o.generation ?? '?' });
  }
  switch (o.action) {
    case 'push':
      return msg('event.SYNC_PUSH', { size: mb(o.bytesUp), generation: o.generation ?? '?' });
    case 'pull':
      return msg('event.SYNC_PULL', { size: mb(o.bytesDown), generation: o.generation });
    case 'none':
      return msg('event.SYNC_NONE');
    case 'conflict':
      return msg('event.SYNC_CONFLICT', { copyPath: o.conflictCopy ?? msg('engine.status') });
    case 'pending':
      return msg('event.SYNC_PENDING');
    case 'question':
      return msg('event.SYNC_QUESTION');
    case 'cancelled':
      return msg('event.SYNC_CANCELLED');
  }
}
