/**
 * Crash consistency: a real sync process (child-sync.ts) is killed with SIGKILL at random points of a push and of a
 * pull. After each kill the remote must hold a complete, verifiable previous or new version (manifest -> object ->
 * size, sha256, integrity_check, rows), the local database must be intact (integrity_check, same rows or the
 * complete new rows), and the next sync must complete and converge (remote rows == local rows).
 *
 * Kill points: half are a random delay inside the measured duration of a sync; the other half fire the instant a
 * named step shows up in the remote folder (temp object, final object, manifest temp file, lock file), seen through
 * inotify on the backing folder.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, utimesSync, watch, writeFileSync, type FSWatcher } from 'node:fs';
import path from 'node:path';
import { SyncService } from '../../src/service.js';
import { toSyncError } from '../../src/errors.js';
import { tmpDir } from '../../test/helpers/system.js';
import { ROOT, addNotes, checkRemoteDir, integrity, makeDb, notesOf, rng, sameRows, writeConfig } from './util.js';

export interface KillTarget {
  name: string;
  /** Folder on this machine that backs the remote layout (for direct checks). */
  remoteDir: string;
  /** The config a device uses (database path and device name filled in). */
  config(db: string, device: string): Record<string, unknown>;
  /** Name of the manifest in remoteDir (default cordiax-sync.json; our Socket.IO server keeps manifest.json). */
  manifestName?: string;
  /** Step triggers: file-name patterns in remoteDir (or versions/) whose appearance fires a kill. */
  triggers?: Array<{ name: string; dir: '' | 'versions'; pattern: RegExp }>;
}

export const FOLDER_TRIGGERS: NonNullable<KillTarget['triggers']> = [
  { name: 'object-temp', dir: 'versions', pattern: /^\..*\.tmp-/ },
  { name: 'object-final', dir: 'versions', pattern: /^\d{6}-/ },
  { name: 'manifest-temp', dir: '', pattern: /^\.cordiax-sync\.json\.tmp-/ },
  { name: 'lock', dir: '', pattern: /^cordiax-sync\.lock$/ },
  { name: 'manifest-final', dir: '', pattern: /^cordiax-sync\.json$/ },
];

export interface KillOptions {
  pushPoints: number;
  pullPoints: number;
  padMb: number;
  seed: number;
  /** Trigger names allowed (default: all of the target's). */
  useTriggers?: string[];
  log?: (s: string) => void;
  /** Extra change to device A's database before push point `i` (e.g. a bulk rewrite that forces a new base). */
  mutate?: (db: string, i: number) => void;
}

export interface PointResult {
  phase: 'push' | 'pull';
  kind: string;
  killedMidway: boolean;
  dataIntact: boolean;
  /** The first sync after the kill completed and converged. */
  recovered: boolean;
  /** Converged after the known failure modes were worked through (see recover()). */
  recoveredEventually: boolean;
  /** What the first sync after the kill did (or its error code). */
  nextSync: string;
  problems: string[];
}

export interface KillReport {
  transport: string;
  points: PointResult[];
  tried: number;
  survived: number;
  recoveredNextSync: number;
  recoveredEventually: number;
  spuriousConflicts: number;
  lockedAfterKill: number;
  nameCollisions: number;
  syncMs: number;
  pullMs: number;
  killedMidway: number;
  /** Device A's publishing sync before a pull point needed help (a stale lock aged, a conflict resolved): each entry a failure. */
  setupNeededHelp: string[];
}

interface Child {
  proc: ChildProcess;
  out: string;
  exited: Promise<number | null>;
}

function startChild(home: string): Promise<Child> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'reliability', 'lib', 'child-sync.ts')], {
      cwd: ROOT,
      env: { ...process.env, CORDIAX_HOME: home, CORDIAX_LANG: 'en' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const c: Child = { proc, out: '', exited: new Promise((r) => proc.once('exit', (code) => r(code))) };
    let err = '';
    const t = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`child not ready in 60 s: ${err}`));
    }, 60_000);
    proc.stderr!.on('data', (d) => (err += d));
    proc.stdout!.on('data', (d) => {
      c.out += d;
      if (c.out.startsWith('ready\n')) {
        clearTimeout(t);
        resolve(c);
      }
    });
    proc.once('exit', () => {
      clearTimeout(t);
      reject(new Error(`child exited before ready: ${err}`));
    });
  });
}

/** Runs a child sync to the end (no kill); returns its JSON answer and the time from "go" to exit. */
async function childSyncToEnd(home: string): Promise<{ answer: Record<string, unknown>; ms: number }> {
  const c = await startChild(home);
  const t0 = Date.now();
  c.proc.stdin!.write('go\n');
  const killer = setTimeout(() => c.proc.kill('SIGKILL'), 120_000);
  await c.exited;
  clearTimeout(killer);
  const line = c.out.split('\n').find((l) => l.startsWith('{'));
  return { answer: line ? JSON.parse(line) : { ok: false, code: 'NO_ANSWER' }, ms: Date.now() - t0 };
}

/**
 * Starts a child sync and SIGKILLs it after `delayMs`, or when `trigger` shows up in the remote folder (whichever
 * first; the delay is then a safety net). Returns whether the kill landed before the child finished.
 */
async function childSyncKilled(home: string, target: KillTarget, delayMs: number, trigger?: { dir: '' | 'versions'; pattern: RegExp }): Promise<{ killedMidway: boolean; answer: string }> {
  const c = await startChild(home);
  const watchers: FSWatcher[] = [];
  let fired = false;
  const fire = () => {
    if (fired) return;
    fired = true;
    c.proc.kill('SIGKILL');
  };
  if (trigger) {
    const dir = path.join(target.remoteDir, trigger.dir);
    mkdirSync(dir, { recursive: true });
    const w = watch(dir, (_ev, name) => {
      if (name && trigger.pattern.test(String(name))) fire();
    });
    watchers.push(w);
  }
  c.proc.stdin!.write('go\n');
  const timer = setTimeout(fire, delayMs);
  const code = await c.exited;
  clearTimeout(timer);
  for (const w of watchers) w.close();
  const finished = c.out.split('\n').some((l) => l.startsWith('{'));
  return { killedMidway: !finished && code === null, answer: c.out.trim().split('\n').pop() ?? '' };
}

/** One in-process sync through the SyncService (as the CLI or UI would), returning the action or the error code. */
async function syncOnce(home: string): Promise<{ action: string; code?: string; message?: string }> {
  const svc = await SyncService.open({ home, embeddedServer: false });
  try {
    const r = await svc.syncNow();
    return { action: r.action };
  } catch (err) {
    const e = toSyncError(err);
    return { action: 'error', code: e.code, message: e.text.en };
  } finally {
    await svc.close().catch(() => {});
  }
}

async function resolveKeep(home: string, keep: 'local' | 'remote'): Promise<void> {
  const svc = await SyncService.open({ home, embeddedServer: false });
  try {
    await svc.resolve(keep);
  } finally {
    await svc.close().catch(() => {});
  }
}

/**
 * The next sync after a kill must complete and converge (remote rows == local rows): `recovered`.
 * When it does not, the known failure modes are worked through the way time or a user would, so the run can go on
 * and every point is still checked for data safety: a stale lock is aged past its TTL (as 120 s passing would do),
 * a name collision waits for the next second, a conflict is resolved keeping local after checking the conflict copy
 * holds nothing the local side lacks. `recoveredEventually` then says whether it converged.
 */
async function recover(home: string, db: string, target: KillTarget, res: PointResult, stats: RecoveryStats): Promise<void> {
  let first = true;
  let countedLock = false;
  for (let attempt = 0; attempt < 10; attempt++) {
    const r = await syncOnce(home);
    if (first) {
      res.nextSync = r.code ?? r.action;
      first = false;
    }
    if (r.action === 'error') {
      res.problems.push(`sync after kill failed: ${r.code} ${r.message}`);
      if (r.code === 'LOCKED') {
        if (!countedLock) stats.locked++;
        countedLock = true;
        // A lock file we can age; otherwise a server-side lock (WebDAV LOCK, 60 s timeout): wait for it to expire.
        if (!ageLock(target.remoteDir)) await new Promise((ok) => setTimeout(ok, 15_000));
        continue;
      }
      if (r.code === 'ALREADY_EXISTS') {
        stats.nameCollision++;
        await new Promise((ok) => setTimeout(ok, 1100));
        continue;
      }
      break;
    }
    if (r.action === 'conflict') {
      stats.spurious++;
      res.problems.push('sync after kill reported a conflict');
      const st = JSON.parse(readFileSync(path.join(home, 'sync_state.json'), 'utf8')) as { targets: Record<string, { conflict?: { copyPath: string } }> };
      const copy = Object.values(st.targets).find((t) => t.conflict)?.conflict?.copyPath;
      const local = notesOf(db);
      if (copy && existsSync(copy) && notesOf(copy).every((row) => local.includes(row))) {
        await resolveKeep(home, 'local');
        continue;
      }
      // The local side holds nothing the remote lacks (a false conflict after pulls): take the remote, as a user would.
      if (copy && existsSync(copy) && local.every((row) => notesOf(copy).includes(row))) {
        await resolveKeep(home, 'remote');
        continue;
      }
      res.problems.push('a real conflict: both sides hold rows the other lacks');
      break;
    }
    const rc = checkRemoteDir(target.remoteDir, target.manifestName);
    const converged = rc.ok && sameRows(rc.rows, notesOf(db));
    if (!rc.ok) res.problems.push(...rc.problems.map((p) => `after recovery: ${p}`));
    if (!converged) {
      res.problems.push('after recovery: remote rows != local rows');
      break;
    }
    res.recoveredEventually = true;
    if (attempt === 0) res.recovered = true;
    break;
  }
}

/**
 * What the lock TTL passing does to a lock file left by a killed process: its creation time (body) and its
 * modification time (the fallback for an empty or torn lock) are moved 10 minutes into the past.
 */
function ageLock(remoteDir: string): boolean {
  const f = path.join(remoteDir, 'cordiax-sync.lock');
  if (!existsSync(f)) return false;
  const past = new Date(Date.now() - 10 * 60_000);
  try {
    const body = JSON.parse(readFileSync(f, 'utf8')) as Record<string, unknown>;
    body.created = past.toISOString();
    writeFileSync(f, JSON.stringify(body));
  } catch {
    /* empty or torn body: the mtime below is what counts */
  }
  utimesSync(f, past, past);
  return true;
}

interface RecoveryStats {
  spurious: number;
  locked: number;
  nameCollision: number;
}

export async function runKillPoints(target: KillTarget, o: KillOptions): Promise<KillReport> {
  const log = o.log ?? (() => {});
  const rand = rng(o.seed);
  const homeA = tmpDir(`cx-kill-${target.name}-a-`);
  const homeB = tmpDir(`cx-kill-${target.name}-b-`);
  const dbA = path.join(homeA, 'cordiax.db');
  const dbB = path.join(homeB, 'cordiax.db');
  writeConfig(homeA, target.config(dbA, 'killA'));
  writeConfig(homeB, target.config(dbB, 'killB'));
  makeDb(dbA, Array.from({ length: 50 }, (_, i) => `base-${i}`), o.padMb);

  // Calibration: the first push, to the end, timed.
  const first = await childSyncToEnd(homeA);
  if (first.answer.action !== 'push') throw new Error(`calibration push failed: ${JSON.stringify(first.answer)}`);
  const syncMs = first.ms;
  log(`${target.name}: one push takes ${syncMs} ms (child process, ${o.padMb} MB)`);
  const b0 = await childSyncToEnd(homeB);
  if (b0.answer.action !== 'pull') throw new Error(`B's first pull: ${JSON.stringify(b0.answer)}`);
  const pullMs = b0.ms;
  log(`${target.name}: one pull takes ${pullMs} ms`);

  const triggers = (target.triggers ?? []).filter((t) => !o.useTriggers || o.useTriggers.includes(t.name));
  const points: PointResult[] = [];
  const stats: RecoveryStats = { spurious: 0, locked: 0, nameCollision: 0 };
  const setupNeededHelp: string[] = [];
  let n = 0;

  const pick = (i: number) => {
    // Even points: a random time inside the sync (process start excluded: the child is already loaded).
    if (i % 2 === 0 || triggers.length === 0) return { kind: 'time', delay: Math.floor(rand() * syncMs * 1.1), trigger: undefined };
    const t = triggers[Math.floor(i / 2) % triggers.length]!;
    return { kind: t.name, delay: syncMs * 3 + 2000, trigger: t };
  };

  for (let i = 0; i < o.pushPoints; i++) {
    addNotes(dbA, [`push-${i}-a`, `push-${i}-b`]);
    o.mutate?.(dbA, i);
    const before = checkRemoteDir(target.remoteDir, target.manifestName);
    const localRows = notesOf(dbA);
    const p = pick(i);
    const res: PointResult = { phase: 'push', kind: p.kind, killedMidway: false, dataIntact: false, recovered: false, recoveredEventually: false, nextSync: '', problems: [] };
    const k = await childSyncKilled(homeA, target, p.delay, p.trigger);
    res.killedMidway = k.killedMidway;
    const rc = checkRemoteDir(target.remoteDir, target.manifestName);
    if (!rc.ok) res.problems.push(...rc.problems);
    if (!sameRows(rc.rows, before.rows) && !sameRows(rc.rows, localRows)) res.problems.push(`remote rows are neither the previous nor the new version (gen ${rc.generation})`);
    const li = integrity(dbA);
    if (li !== 'ok') res.problems.push(`local integrity_check: ${li}`);
    else if (!sameRows(notesOf(dbA), localRows)) res.problems.push('local rows changed by a push');
    res.dataIntact = res.problems.length === 0;
    await recover(homeA, dbA, target, res, stats);
    points.push(res);
    n++;
    log(`${target.name} push #${i} ${p.kind}${p.kind === 'time' ? ` ${p.delay}ms` : ''}: ${res.killedMidway ? 'killed' : 'finished first'}, next=${res.nextSync}${res.problems.length ? ' PROBLEMS: ' + res.problems.join('; ') : ''}`);
  }

  // Pull: A publishes a new version; B's sync (a pull) is killed.
  for (let i = 0; i < o.pullPoints; i++) {
    addNotes(dbA, [`pull-${i}`]);
    // A publishes (a spurious conflict left by an earlier point is resolved as recover() does).
    const ar: PointResult = { phase: 'push', kind: 'setup', killedMidway: false, dataIntact: true, recovered: false, recoveredEventually: false, nextSync: '', problems: [] };
    await recover(homeA, dbA, target, ar, stats);
    if (!ar.recoveredEventually) throw new Error(`A's push before pull point ${i}: ${ar.problems.join('; ')}`);
    if (!ar.recovered) setupNeededHelp.push(`pull point ${i}: A's publishing sync: ${ar.nextSync}: ${ar.problems.join('; ')}`);
    const bBefore = existsSync(dbB) ? notesOf(dbB) : null;
    const remoteRows = checkRemoteDir(target.remoteDir, target.manifestName).rows;
    const delay = Math.floor(rand() * pullMs * 1.1);
    const res: PointResult = { phase: 'pull', kind: 'time', killedMidway: false, dataIntact: false, recovered: false, recoveredEventually: false, nextSync: '', problems: [] };
    const k = await childSyncKilled(homeB, target, delay);
    res.killedMidway = k.killedMidway;
    const li = integrity(dbB);
    if (li !== 'ok') res.problems.push(`local integrity_check after killed pull: ${li}`);
    else {
      const now = notesOf(dbB);
      if (!sameRows(now, bBefore) && !sameRows(now, remoteRows)) res.problems.push('local rows are neither the old nor the new version');
    }
    const rc = checkRemoteDir(target.remoteDir, target.manifestName);
    if (!rc.ok || !sameRows(rc.rows, remoteRows)) res.problems.push('a pull changed the remote');
    res.dataIntact = res.problems.length === 0;
    await recover(homeB, dbB, target, res, stats);
    if (!sameRows(notesOf(dbB), remoteRows)) {
      res.problems.push('after recovery B does not hold the remote rows');
      res.recovered = false;
      res.recoveredEventually = false;
    }
    points.push(res);
    n++;
    log(`${target.name} pull #${i} ${delay}ms: ${res.killedMidway ? 'killed' : `finished first (${k.answer})`}, next=${res.nextSync}${res.problems.length ? ' PROBLEMS: ' + res.problems.join('; ') : ''}`);
  }
  void n;
  return {
    transport: target.name,
    points,
    tried: points.length,
    survived: points.filter((p) => p.dataIntact).length,
    recoveredNextSync: points.filter((p) => p.recovered).length,
    recoveredEventually: points.filter((p) => p.recoveredEventually).length,
    spuriousConflicts: stats.spurious,
    lockedAfterKill: stats.locked,
    nameCollisions: stats.nameCollision,
    syncMs,
    pullMs,
    killedMidway: points.filter((p) => p.killedMidway).length,
    setupNeededHelp,
  };
}
