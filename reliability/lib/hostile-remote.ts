/**
 * Hostile remote contents on the file layout (what a broken or malicious server, or a damaged share, can hand us):
 * damaged manifests, path traversal, objects that are not SQLite, truncated or corrupted databases, hash/size lies,
 * encryption lies. For each, a device with a good local database and a device with none sync against it.
 * Required: a clear SyncError (code + message in both languages, an error event in the log), the local database
 * byte-identical (or still absent), the remote byte-identical (nothing overwritten), and no hang.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { SyncEngine } from '../../src/engine/engine.js';
import { EventLog } from '../../src/log/event-log.js';
import { FolderTransport } from '../../src/transports/folder/index.js';
import { toSyncError } from '../../src/errors.js';
import { tmpDir } from '../../test/helpers/system.js';
import { makeDb, sha256 } from './util.js';

interface Manifest {
  format: string;
  generation: number;
  sha256: string;
  size: number;
  encrypted: boolean;
  device: string;
  time: string;
  file: string;
  versions?: unknown[];
}

export interface HostileCase {
  name: string;
  /** Turns a remote holding one good version (manifest m) into the hostile state. */
  apply(root: string, m: Manifest): void;
}

const OK_CODES = new Set(['PROTOCOL', 'VERIFY_FAILED', 'CORRUPT_DATABASE', 'EMPTY_DATABASE', 'ENCRYPTION', 'NOT_FOUND', 'TOO_LARGE']);

function writeManifest(root: string, m: unknown): void {
  writeFileSync(path.join(root, 'cordiax-sync.json'), typeof m === 'string' || Buffer.isBuffer(m) ? m : JSON.stringify(m));
}

/** Publishes `data` as a new object with a manifest that tells the truth about its hash and size. */
function publish(root: string, m: Manifest, data: Buffer, extra: Partial<Manifest> = {}): void {
  const file = `versions/${String(m.generation + 1).padStart(6, '0')}-hostile.db`;
  writeFileSync(path.join(root, file), data);
  writeManifest(root, { ...m, generation: m.generation + 1, file, size: data.length, sha256: sha256(data), device: 'hostil', ...extra });
}

function sqliteBytes(mutate: (b: Buffer) => Buffer): Buffer {
  const d = tmpDir('cx-hostile-db-');
  const f = path.join(d, 'x.db');
  makeDb(f, Array.from({ length: 200 }, (_, i) => `hostil-${i}`), 0.5);
  const db = new Database(f);
  db.pragma('journal_mode = DELETE');
  db.close();
  return mutate(readFileSync(f));
}

export const HOSTILE_CASES: HostileCase[] = [
  { name: 'manifest is not JSON', apply: (r) => writeManifest(r, Buffer.from([0x00, 0xff, 0x7b, 0x22])) },
  { name: 'manifest is empty', apply: (r) => writeManifest(r, '') },
  { name: 'manifest is 300 KiB', apply: (r, m) => writeManifest(r, JSON.stringify({ ...m, device: 'x'.repeat(300 * 1024) })) },
  { name: 'manifest is 100k-deep JSON', apply: (r) => writeManifest(r, '['.repeat(100_000) + ']'.repeat(100_000)) },
  { name: 'manifest has an unknown format', apply: (r, m) => writeManifest(r, { ...m, format: 'cordiax-sync/99', generation: m.generation + 1 }) },
  { name: 'generation is a string', apply: (r, m) => writeManifest(r, { ...m, generation: String(m.generation + 1) }) },
  { name: 'generation is negative', apply: (r, m) => writeManifest(r, { ...m, generation: -5 }) },
  { name: 'generation beyond 2^53', apply: (r, m) => writeManifest(r, { ...m, generation: 2 ** 60 }) },
  { name: 'sha256 is not hex', apply: (r, m) => writeManifest(r, { ...m, generation: m.generation + 1, sha256: 'z'.repeat(64) }) },
  { name: 'size is negative', apply: (r, m) => writeManifest(r, { ...m, generation: m.generation + 1, size: -1 }) },
  { name: 'file is ../../ traversal', apply: (r, m) => writeManifest(r, { ...m, generation: m.generation + 1, file: '../../../../etc/passwd' }) },
  { name: 'file is absolute', apply: (r, m) => writeManifest(r, { ...m, generation: m.generation + 1, file: '/etc/passwd' }) },
  { name: 'file is versions/../../x', apply: (r, m) => writeManifest(r, { ...m, generation: m.generation + 1, file: 'versions/../../x.db' }) },
  { name: 'file has a backslash traversal', apply: (r, m) => writeManifest(r, { ...m, generation: m.generation + 1, file: 'versions\\..\\..\\x.db' }) },
  { name: 'file is a directory', apply: (r, m) => writeManifest(r, { ...m, generation: m.generation + 1, file: 'versions' }) },
  { name: 'file is missing', apply: (r, m) => writeManifest(r, { ...m, generation: m.generation + 1, file: 'versions/999999-missing.db' }) },
  { name: 'versions is not an array', apply: (r, m) => writeManifest(r, { ...m, generation: m.generation + 1, versions: 'x' }) },
  {
    // A share writer cannot know the hash of a file it cannot read: the manifest carries some other hash.
    name: 'object is a symlink to a file outside the remote',
    apply: (r, m) => {
      const outside = path.join(tmpDir('cx-hostile-out-'), 'private.db');
      writeFileSync(outside, sqliteBytes((b) => b));
      const file = `versions/${String(m.generation + 1).padStart(6, '0')}-link.db`;
      symlinkSync(outside, path.join(r, file));
      writeManifest(r, { ...m, generation: m.generation + 1, file, size: statSync(outside).size });
    },
  },
  { name: 'object is random bytes (true hash)', apply: (r, m) => publish(r, m, randomBytes(64 * 1024)) },
  { name: 'object is empty (true hash)', apply: (r, m) => publish(r, m, Buffer.alloc(0)) },
  { name: 'object is an HTML error page (true hash)', apply: (r, m) => publish(r, m, Buffer.from('<html><body><h1>401 Unauthorized</h1></body></html>')) },
  { name: 'object has an SQLite header then garbage (true hash)', apply: (r, m) => publish(r, m, Buffer.concat([Buffer.from('SQLite format 3\0'), randomBytes(8192)])) },
  { name: 'object is a truncated SQLite database (true hash)', apply: (r, m) => publish(r, m, sqliteBytes((b) => b.subarray(0, Math.floor(b.length / 2)))) },
  {
    name: 'object is an SQLite database with a corrupted page (true hash)',
    apply: (r, m) =>
      publish(
        r,
        m,
        sqliteBytes((b) => {
          const c = Buffer.from(b);
          randomBytes(4096).copy(c, 4096 * 2); // page 3: b-tree page of `notas`
          return c;
        }),
      ),
  },
  {
    name: 'object hash differs from the manifest',
    apply: (r, m) => {
      const f = path.join(r, m.file);
      const b = readFileSync(f);
      b[b.length - 100] ^= 0xff;
      writeFileSync(f, b);
      writeManifest(r, { ...m, generation: m.generation + 1 });
    },
  },
  { name: 'size differs from the manifest', apply: (r, m) => writeManifest(r, { ...m, generation: m.generation + 1, size: m.size + 1 }) },
  { name: 'manifest says encrypted, object is plaintext SQLite', apply: (r, m) => publish(r, m, sqliteBytes((b) => b), { encrypted: true }) },
  { name: 'manifest says plaintext, object is an age file', apply: (r, m) => publish(r, m, Buffer.concat([Buffer.from('age-encryption.org/v1\n-> X25519 abc\n'), randomBytes(4096)])) },
];

export interface HostileResult {
  name: string;
  ok: boolean;
  codes: string[];
  problems: string[];
}

function snapshotDir(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const n of readdirSync(d)) {
      const p = path.join(d, n);
      const st = statSync(p, { throwIfNoEntry: false });
      if (!st) continue;
      if (st.isDirectory()) walk(p);
      else out.set(path.relative(dir, p), createHash('sha256').update(readFileSync(p)).digest('hex'));
    }
  };
  walk(dir);
  return out;
}

function sameDir(a: Map<string, string>, b: Map<string, string>): boolean {
  return a.size === b.size && [...a].every(([k, v]) => b.get(k) === v);
}

async function syncWithTimeout(engine: SyncEngine, ms: number): Promise<unknown> {
  let t: NodeJS.Timeout;
  return Promise.race([engine.sync(), new Promise((_, rej) => (t = setTimeout(() => rej(new Error(`HANG: no answer in ${ms} ms`)), ms)))]).finally(() => clearTimeout(t));
}

export async function runHostileCase(c: HostileCase): Promise<HostileResult> {
  const res: HostileResult = { name: c.name, ok: false, codes: [], problems: [] };
  const root = path.join(tmpDir('cx-hostile-remote-'), 'cordiax_sync');
  mkdirSync(root, { recursive: true });
  const transport = () => new FolderTransport(root, { log: { emit() {} }, tmpDir: tmpDir('cx-hostile-t-'), device: 'x' });
  const device = (name: string) => {
    const home = tmpDir(`cx-hostile-${name}-`);
    const db = path.join(home, 'cordiax.db');
    const log = new EventLog({ dir: path.join(home, 'logs') });
    const engine = new SyncEngine({ transport: transport(), databasePath: db, statePath: path.join(home, 'sync_state.json'), device: name, log, keepVersions: 5 });
    return { home, db, log, engine };
  };
  // A good version from A; B has synced it (a base); C has nothing.
  const a = device('buenoA');
  makeDb(a.db, ['a-1', 'a-2', 'a-3'], 0.2);
  await a.engine.sync();
  const b = device('buenoB');
  await b.engine.sync();
  const m = JSON.parse(readFileSync(path.join(root, 'cordiax-sync.json'), 'utf8')) as Manifest;
  c.apply(root, m);
  const remoteBefore = snapshotDir(root);
  const bBefore = readFileSync(b.db);
  const c0 = device('vacioC');

  for (const [who, dev, before] of [['B', b, bBefore], ['C', c0, null]] as const) {
    try {
      const r = (await syncWithTimeout(dev.engine, 60_000)) as { action: string };
      res.problems.push(`${who}: sync resolved (${r.action}) instead of refusing`);
    } catch (err) {
      if ((err as Error).message.startsWith('HANG')) {
        res.problems.push(`${who}: ${(err as Error).message}`);
        continue;
      }
      const e = toSyncError(err);
      res.codes.push(e.code);
      if (!OK_CODES.has(e.code)) res.problems.push(`${who}: unclear error ${e.code}: ${e.text.en}`);
      if (!e.text.es || !e.text.en) res.problems.push(`${who}: message missing a language`);
      const logged = dev.log.recent(50).some((ev) => ev.type === 'error' && ev.code === e.code);
      if (!logged) res.problems.push(`${who}: the failure was not logged`);
    }
    if (before) {
      if (!readFileSync(dev.db).equals(before)) res.problems.push(`${who}: the local database changed`);
    } else if (existsSync(dev.db) && statSync(dev.db).size > 0) {
      res.problems.push(`${who}: a local database was created from a hostile remote`);
    }
  }
  if (!sameDir(remoteBefore, snapshotDir(root))) res.problems.push('the remote changed');
  res.ok = res.problems.length === 0;
  rmSync(path.dirname(root), { recursive: true, force: true });
  return res;
}
