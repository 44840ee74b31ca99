/**
 * Shared pieces of the reliability suite: databases with known rows, remote checks by bytes and hashes, config files,
 * figures. Nothing here reads ../shared; every temp folder is private and removed at exit.
 */
import { createHash, randomBytes } from 'node:crypto';
import { appendFileSync, copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { tmpDir, unavailable } from '../../test/helpers/system.js';
import { type ChainManifest, rebuildSync } from '../../test/helpers/remote-db.js';

export const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');

/** Seeded PRNG (mulberry32), so a failing case can be replayed with the same seed. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function seedFromEnv(fallback: number): number {
  const s = Number(process.env.CX_SEED);
  return Number.isFinite(s) && process.env.CX_SEED ? s : fallback;
}

export function sha256(buf: Buffer): string {
  return createHash('sha256').update(buf).digest('hex');
}

/**
 * A Cordiax-like database: table `notas` (the rows we track) plus `relleno` blobs so a sync takes long enough for a
 * kill to land inside it. WAL mode like the app.
 */
export function makeDb(file: string, rows: string[], padMb = 0): void {
  const db = new Database(file);
  try {
    db.pragma('journal_mode = WAL');
    db.exec('CREATE TABLE IF NOT EXISTS notas (id INTEGER PRIMARY KEY, texto TEXT NOT NULL UNIQUE, relleno BLOB)');
    db.exec('CREATE TABLE IF NOT EXISTS relleno (id INTEGER PRIMARY KEY, datos BLOB)');
    const ins = db.prepare('INSERT INTO notas (texto, relleno) VALUES (?, ?)');
    db.transaction(() => rows.forEach((r) => ins.run(r, randomBytes(32))))();
    const pad = db.prepare('INSERT INTO relleno (datos) VALUES (?)');
    const chunks = Math.ceil((padMb * 1024 * 1024) / (256 * 1024));
    db.transaction(() => {
      for (let i = 0; i < chunks; i++) pad.run(randomBytes(256 * 1024));
    })();
  } finally {
    db.close();
  }
}

export function addNotes(file: string, rows: string[]): void {
  const db = new Database(file, { fileMustExist: true });
  try {
    db.pragma('busy_timeout = 10000');
    const ins = db.prepare('INSERT INTO notas (texto) VALUES (?)');
    db.transaction(() => rows.forEach((r) => ins.run(r)))();
  } finally {
    db.close();
  }
}

/** Rows of `notas`, sorted, read through a private copy (never touches the file under test). */
export function notesOf(file: string): string[] {
  const d = tmpDir('cx-rel-read-');
  const copy = path.join(d, 'copy.db');
  copyFileSync(file, copy);
  for (const ext of ['-wal']) if (existsSync(file + ext)) copyFileSync(file + ext, copy + ext);
  const db = new Database(copy, { fileMustExist: true });
  try {
    return (db.prepare('SELECT texto FROM notas').all() as Array<{ texto: string }>).map((r) => r.texto).sort();
  } finally {
    db.close();
    rmSync(d, { recursive: true, force: true });
  }
}

/** PRAGMA integrity_check on a private copy: 'ok' or the first problem. */
export function integrity(file: string): string {
  const d = tmpDir('cx-rel-int-');
  const copy = path.join(d, 'copy.db');
  try {
    copyFileSync(file, copy);
    if (existsSync(file + '-wal')) copyFileSync(file + '-wal', copy + '-wal');
    const db = new Database(copy, { fileMustExist: true });
    try {
      const rows = db.pragma('integrity_check') as Array<Record<string, string>>;
      const first = rows[0] ? String(Object.values(rows[0])[0]) : 'no answer';
      return rows.length === 1 && first === 'ok' ? 'ok' : first;
    } finally {
      db.close();
    }
  } catch (err) {
    return `error: ${(err as Error).message}`;
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
}

export interface RemoteCheck {
  ok: boolean;
  problems: string[];
  generation: number | null;
  /** Rows of the object the manifest points at (sorted), null when the remote is empty. */
  rows: string[] | null;
  manifestSha: string | null;
}

/**
 * Checks a file-layout remote by reading its backing folder directly: the manifest parses, the object it names exists,
 * its size and sha256 match, it passes integrity_check; every older version it lists is complete too.
 */
export function checkRemoteDir(root: string, manifestName = 'cordiax-sync.json'): RemoteCheck {
  const problems: string[] = [];
  const mf = path.join(root, manifestName);
  if (!existsSync(mf)) return { ok: true, problems, generation: null, rows: null, manifestSha: null };
  const raw = readFileSync(mf);
  let m: ChainManifest & { versions?: ChainManifest[] };
  try {
    m = JSON.parse(raw.toString('utf8'));
  } catch (err) {
    return { ok: false, problems: [`manifest not JSON: ${(err as Error).message}`], generation: null, rows: null, manifestSha: sha256(raw) };
  }
  const checkObj = (o: { sha256: string; size: number; file: string }, label: string): Buffer | null => {
    const f = path.join(root, o.file);
    if (!existsSync(f)) {
      problems.push(`${label}: object ${o.file} missing`);
      return null;
    }
    const data = readFileSync(f);
    if (data.length !== o.size) problems.push(`${label}: size ${data.length} != ${o.size}`);
    if (sha256(data) !== o.sha256) problems.push(`${label}: sha256 mismatch`);
    return data;
  };
  let data = checkObj(m, `generation ${m.generation}`);
  if (data && m.delta && !m.encrypted) {
    // A patch version (src/delta): the database is its base plus its patches.
    const r = rebuildSync(m, (f) => (existsSync(path.join(root, f)) ? readFileSync(path.join(root, f)) : null));
    if (!r.ok) problems.push(`generation ${m.generation}: ${r.error}`);
    data = r.ok ? r.data : null;
  }
  let rows: string[] | null = null;
  if (data && !m.encrypted) {
    const d = tmpDir('cx-rel-obj-');
    const f = path.join(d, 'obj.db');
    writeFileSync(f, data);
    const ic = integrity(f);
    if (ic !== 'ok') problems.push(`generation ${m.generation}: integrity_check: ${ic}`);
    else rows = notesOf(f);
    rmSync(d, { recursive: true, force: true });
  }
  for (const v of m.versions ?? []) checkObj(v, `history generation ${v.generation}`);
  return { ok: problems.length === 0, problems, generation: m.generation, rows, manifestSha: sha256(raw) };
}

export function sameRows(a: string[] | null, b: string[] | null): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Writes $home/sync_config.json (0600), home 0700. */
export function writeConfig(home: string, cfg: Record<string, unknown>): string {
  mkdirSync(home, { recursive: true, mode: 0o700 });
  const f = path.join(home, 'sync_config.json');
  writeFileSync(f, JSON.stringify(cfg, null, 2), { mode: 0o600 });
  return f;
}

export function folderConfig(remoteRoot: string, db: string, device: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { enabled: false, protocol: 'folder', polling_interval: 300, folder: { path: remoteRoot }, database_path: db, device_name: device, keep_versions: 5, ...extra };
}

// ---- figures ---------------------------------------------------------------------------------------------------

export type Figure = Record<string, string | number>;

/** Appends one figures line (JSONL) to $CX_FIGURES, which scripts/reliability.mjs turns into the table. */
export function recordFigure(section: string, fig: Figure): void {
  const f = process.env.CX_FIGURES;
  if (!f) return;
  appendFileSync(f, JSON.stringify({ section, ...fig }) + '\n');
}

/** Whether the full (long) suite is running. */
export const FULL = process.env.CX_RELIABILITY_FULL === '1';

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Tells scripts/reliability.mjs's command-line sampler about a password this run uses. */
export function watchSecret(secret: string | undefined): void {
  const f = process.env.CX_SECRETS_FILE;
  if (f && secret) appendFileSync(f, secret + '\n');
}

/** Records that something could not run here, with the reason (printed under the figures table). */
export function recordSkip(what: string, reason: string): void {
  recordFigure('skipped', { what, reason: reason.replace(/\s+/g, ' ').slice(0, 300) });
}

/**
 * A server that could not start: recorded under the figures table and an explicit t.skip (counted and listed by the
 * runner); with CI=true a failure.
 */
export function serverUnavailable(t: { skip(message?: string): void }, what: string, err: unknown): void {
  const reason = `${what}: server could not start: ${err instanceof Error ? err.message : String(err)}`;
  recordSkip(what, reason);
  unavailable(t, reason.replace(/\s+/g, ' ').slice(0, 300));
}
