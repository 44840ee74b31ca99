/**
 * Deciding a conflict without losing anything: what differs (diff.ts against the last version both sides had), the
 * four choices, and undo.
 *
 *   both    the local database stays live and is sent next; the server's version stays beside it (its copy).
 *   local   the same, and the server's copy moves into the backups folder (out of the way, still there).
 *   remote  the server's version replaces the live database (backup first, under the write lock: LocalDb).
 *   merge   the server's version plus this computer's row changes (merge.ts) replaces it the same way and is sent next.
 *
 * Every resolution writes an undo record ($CORDIAX_HOME/conflict-undo.json): the state before it, the backup it took
 * and where the copy went. Undo restores that backup through the same safe path and puts the conflict back, as long
 * as no sync has moved the base since.
 */
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { SyncError } from '../errors.js';
import { msg } from '../messages/index.js';
import * as ageCrypto from '../crypto/index.js';
import { hashSqliteFile, sha256File } from '../db/snapshot.js';
import { moveToUniqueFile } from '../db/live.js';
import { privateTempDir } from '../util/temp.js';
import { writeFileAtomic } from '../util/fs.js';
import { StateStore, type ConflictInfo, type TargetState } from '../engine/state.js';
import type { SyncEngine } from '../engine/engine.js';
import { diffConflict } from './diff.js';
import { buildMerge } from './merge.js';
import type { ConflictView, ResolveChoice, ResolveResult } from './types.js';

export type { ConflictView, ResolveChoice, ResolveResult };

/** Choices that replace the live database: refused without an explicit confirmation. */
export const REPLACES_LIVE: ReadonlySet<ResolveChoice> = new Set(['remote', 'merge']);

interface UndoRecord {
  id: string;
  target: string;
  choice: ResolveChoice;
  time: string;
  previous: TargetState;
  backupPath: string | null;
  copy: { from: string; to: string } | null;
  /** The base the resolution left: undo is refused once a sync has moved it. */
  afterBase: string;
}

/** Three plain private copies (base may be missing) of a conflict's versions, for the diff and the merge. */
interface Inputs {
  local: string;
  remote: string;
  base: string | null;
  baseSource: 'remote' | 'backup' | null;
  basePath?: string;
  /** The live reading the local copy is, for the replace's "unchanged since" check. */
  expect: { sha256: string | null; fingerprint: string; aliases?: string[] };
}

class NoIdentity extends Error {}

export class ConflictResolver {
  private readonly state: StateStore;
  private cache: { key: string; view: ConflictView } | null = null;
  /** A view being computed: a second caller (two tabs) waits for it instead of copying the databases again. */
  private computing: { key: string; view: Promise<ConflictView> } | null = null;

  constructor(
    private readonly engine: SyncEngine,
    private readonly o: { undoFile: string },
  ) {
    this.state = new StateStore(engine.stateLocation.statePath);
  }

  private get target(): string {
    return this.engine.stateLocation.target;
  }
  private get tmpParent(): string {
    return this.engine.stateLocation.tmpParent;
  }

  /** The conflict, its diff and (when offered) the merge preview; null when there is none. Cached per conflict. */
  async view(): Promise<ConflictView | null> {
    const st = await this.engine.targetState();
    const c = st.conflict;
    if (!c) return null;
    const key = `${c.detectedAt}|${c.copyPath}|${await this.engine.local.fingerprint()}`;
    if (this.cache?.key === key) return this.cache.view;
    if (this.computing?.key === key) return this.computing.view;
    const view = this.compute(st, c);
    this.computing = { key, view };
    try {
      const v = await view;
      this.cache = { key, view: v };
      return v;
    } finally {
      if (this.computing?.view === view) this.computing = null;
    }
  }

  private async compute(st: TargetState, c: ConflictInfo): Promise<ConflictView> {
    const work = await privateTempDir(this.tmpParent);
    const view: ConflictView = {
      conflict: c,
      base: { source: null, generation: st.base?.generation ?? null },
      diff: null,
      diffUnavailable: null,
      merge: null,
      copyEncrypted: c.copyPath.endsWith('.age'),
      backupsDir: this.engine.local.backupsDir,
      databasePath: this.engine.local.databasePath,
    };
    try {
      const inputs = await this.inputs(st, c, work.dir);
      view.base = {
        source: inputs.baseSource,
        generation: st.base?.generation ?? null,
        ...(inputs.basePath ? { path: inputs.basePath } : {}),
      };
      view.diff = diffConflict({ ...inputs, tmpDir: work.dir });
      if (view.diff.mergeable && inputs.base) {
        const m = await buildMerge({ base: inputs.base, local: inputs.local, remote: inputs.remote, tmpDir: work.dir })
          .then((r) => r.preview)
          .catch(() => null);
        view.merge = m;
        if (!m) view.diff = { ...view.diff, mergeable: false, blockers: [...view.diff.blockers, 'constraint'] };
      }
    } catch (err) {
      if (err instanceof NoIdentity) view.diffUnavailable = 'no-identity';
      else {
        view.diffUnavailable = 'failed';
        view.diffError = (err as Error).message;
      }
    } finally {
      await work.dispose();
    }
    return view;
  }

  /** A plain private copy of an age file, or NoIdentity when no key is at hand here. */
  private async decrypt(file: string, out: string): Promise<string> {
    const keys = await this.engine.local.decryptOptions().catch(() => null);
    if (!keys) throw new NoIdentity();
    await ageCrypto.decryptFile(file, out, keys);
    return out;
  }

  private async inputs(st: TargetState, c: ConflictInfo, dir: string): Promise<Inputs> {
    const local = this.engine.local;
    let localCopy: string;
    let expect: Inputs['expect'];
    if ((await local.state()) === 'locked') {
      const fp = await local.fingerprint();
      const sha = (await sha256File(local.encryptedPath)).sha256;
      localCopy = await this.decrypt(local.encryptedPath, path.join(dir, 'local.db'));
      expect = { sha256: sha, fingerprint: fp };
    } else {
      const content = await local.contentHash();
      if (!content.snapshot) throw new SyncError('NOT_FOUND', msg('conflict.local_missing'));
      localCopy = path.join(dir, 'local.db');
      await fsp.rename(content.snapshot.path, localCopy);
      await content.snapshot.dispose();
      expect = { sha256: content.sha256, fingerprint: content.fingerprint, aliases: content.aliases };
    }
    const remoteCopy = c.copyPath.endsWith('.age')
      ? await this.decrypt(c.copyPath, path.join(dir, 'remote.db'))
      : await fsp.copyFile(c.copyPath, path.join(dir, 'remote.db')).then(() => path.join(dir, 'remote.db'));
    const base = await this.findBase(st, dir);
    return { local: localCopy, remote: remoteCopy, expect, ...base };
  }

  /**
   * The last version both sides had: a local backup whose content is the base's (no network), else the remote's
   * retained copy of the base generation (through the engine: verified, rebuilt from patches if need be).
   */
  private async findBase(
    st: TargetState,
    dir: string,
  ): Promise<{ base: string | null; baseSource: 'remote' | 'backup' | null; basePath?: string }> {
    const b = st.base;
    if (!b) return { base: null, baseSource: null };
    const forms = new Set([b.localSha256, b.remoteSha256, ...(b.localAliases ?? [])].filter((h) => h));
    const backups = this.engine.local.backupsDir;
    const names = (await fsp.readdir(backups).catch(() => [] as string[])).sort().reverse();
    for (const name of names) {
      const file = path.join(backups, name);
      if (name.endsWith('.db')) {
        const h = await hashSqliteFile(file).catch(() => null);
        if (h && (forms.has(h.contentSha256) || forms.has(h.sha256))) {
          const out = path.join(dir, 'base.db');
          await fsp.copyFile(file, out);
          return { base: out, baseSource: 'backup', basePath: file };
        }
      } else if (name.endsWith('.db.enc')) {
        const h = await sha256File(file).catch(() => null);
        if (h && forms.has(h.sha256)) {
          const out = await this.decrypt(file, path.join(dir, 'base.db')).catch(() => null);
          if (out) return { base: out, baseSource: 'backup', basePath: file };
        }
      }
    }
    const got = await this.engine.fetchRetained(b.generation, dir).catch(() => null);
    if (got) {
      const plain = got.encrypted ? await this.decrypt(got.path, path.join(dir, 'base.db')) : got.path;
      return { base: plain, baseSource: 'remote' };
    }
    return { base: null, baseSource: null };
  }

  /** Applies a choice. `confirm` must be true for the choices that replace the live database. */
  async resolve(choice: ResolveChoice, opts: { confirm?: boolean } = {}): Promise<ResolveResult> {
    if (REPLACES_LIVE.has(choice) && opts.confirm !== true)
      throw new SyncError('PRECONDITION_FAILED', msg('conflict.confirm_required'));
    const previous = await this.engine.targetState();
    const c = previous.conflict;
    if (!c) throw new SyncError('NOT_FOUND', msg('engine.there_no_pending_conflict'));
    let backupPath: string | null = null;
    if (choice === 'merge') backupPath = await this.applyMerge(previous, c);
    else if (choice === 'remote') backupPath = (await this.engine.resolve('remote')).backupPath;
    else await this.engine.resolve('local');
    if (choice === 'merge') await this.engine.resolve('local'); // the merged database is sent next, over this version
    // The server's copy: kept beside the database for "both", otherwise moved into the backups (never deleted).
    let copy: UndoRecord['copy'] = null;
    let copyPath: string | null = c.copyPath || null;
    if (choice !== 'both' && c.copyPath && (await exists(c.copyPath))) {
      const ext = c.copyPath.endsWith('.db.age') ? '.db.age' : '.db';
      const stem = path.basename(c.copyPath).slice(0, -ext.length);
      const to = await moveToUniqueFile(c.copyPath, this.engine.local.backupsDir, stem, ext);
      copy = { from: c.copyPath, to };
      copyPath = to;
    }
    const after = await this.engine.targetState();
    const id = `${Date.now().toString(36)}-${choice}`;
    const record: UndoRecord = {
      id,
      target: this.target,
      choice,
      time: new Date().toISOString(),
      previous,
      backupPath,
      copy,
      afterBase: JSON.stringify(after.base ?? null),
    };
    await writeFileAtomic(this.o.undoFile, `${JSON.stringify(record, null, 2)}\n`, 0o600);
    this.cache = null;
    return { choice, backupPath, copyPath, undoId: id };
  }

  /** The merged database replaces the live one through LocalDb (backup, write lock, "unchanged since the diff"). */
  private async applyMerge(st: TargetState, c: ConflictInfo): Promise<string | null> {
    const work = await privateTempDir(this.tmpParent);
    try {
      const inputs = await this.inputs(st, c, work.dir).catch((err: unknown) => {
        if (err instanceof NoIdentity) throw new SyncError('ENCRYPTION', msg('conflict.no_identity'));
        throw err;
      });
      if (!inputs.base) throw new SyncError('CONFLICT', msg('conflict.merge_not_possible', { reasons: 'no-base' }));
      const mergeDir = path.join(work.dir, 'merge');
      await fsp.mkdir(mergeDir, { mode: 0o700 });
      const merged = await buildMerge({
        base: inputs.base,
        local: inputs.local,
        remote: inputs.remote,
        tmpDir: mergeDir,
      });
      const applied = await this.engine.local.applyDownload(merged.path, false, work.dir, inputs.expect);
      if (applied.status !== 'applied') throw new SyncError('ENCRYPTION', msg('conflict.no_identity'));
      return applied.backupPath;
    } finally {
      await work.dispose();
    }
  }

  /** What the last resolution can undo, if anything. */
  async undoable(): Promise<{ id: string; choice: ResolveChoice; time: string; backupPath: string | null } | null> {
    const r = await this.readUndo();
    if (!r) return null;
    const st = await this.engine.targetState();
    if (st.conflict || JSON.stringify(st.base ?? null) !== r.afterBase) return null;
    return { id: r.id, choice: r.choice, time: r.time, backupPath: r.backupPath };
  }

  private async readUndo(): Promise<UndoRecord | null> {
    try {
      const r = JSON.parse(await fsp.readFile(this.o.undoFile, 'utf8')) as UndoRecord;
      return r.target === this.target ? r : null;
    } catch {
      return null;
    }
  }

  /**
   * Puts things back as they were before the last resolution: the live database from the backup that resolution
   * took (through LocalDb, which backs up the current one first), the server's copy where it was, and the conflict
   * in the state, so the choice can be made again. Refused once a sync has moved on from what the resolution left.
   */
  async undo(id?: string): Promise<{ backupPath: string | null }> {
    const r = await this.readUndo();
    if (!r || (id && r.id !== id)) throw new SyncError('NOT_FOUND', msg('conflict.nothing_to_undo'));
    const st = await this.engine.targetState();
    if (st.conflict || JSON.stringify(st.base ?? null) !== r.afterBase)
      throw new SyncError('PRECONDITION_FAILED', msg('conflict.undo_too_late', { backup: r.backupPath ?? '—' }));
    let backupPath: string | null = null;
    if (r.backupPath) {
      const work = await privateTempDir(this.tmpParent);
      try {
        const applied = await this.engine.local.applyDownload(r.backupPath, r.backupPath.endsWith('.enc'), work.dir);
        if (applied.status !== 'applied') throw new SyncError('ENCRYPTION', msg('conflict.no_identity'));
        backupPath = applied.backupPath;
      } finally {
        await work.dispose();
      }
    }
    if (r.copy && (await exists(r.copy.to)) && !(await exists(r.copy.from))) await fsp.rename(r.copy.to, r.copy.from);
    // The state as it was, conflict included; the local file is hashed again at the next look.
    await this.state.update(this.target, { ...r.previous, localFingerprint: null });
    await fsp.rm(this.o.undoFile, { force: true });
    this.cache = null;
    return { backupPath };
  }
}

async function exists(p: string): Promise<boolean> {
  return fsp.stat(p).then(
    () => true,
    () => false,
  );
}
