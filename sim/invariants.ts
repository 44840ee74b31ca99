/**
 * What must hold after every step, read from the files as they are (never through the engine):
 *  - lost: every row an application committed (the ledger) is in a device database, a conflict copy beside it, a
 *    backup under the state folder's backups/, or the remote's current version;
 *  - silent-replace: a row never leaves a device's database unless it is kept in a conflict copy (or the user chose
 *    "keep remote" on that device, whose rows then live in its backup);
 *  - remote-incomplete / remote-damaged / history-missing: the manifest is valid and points at objects whose size
 *    and sha256 match;
 *  - plaintext-on-remote: with encryption on, no remote file holds an SQLite header;
 *  - integrity: every device database passes PRAGMA integrity_check.
 * Databases are read from private copies (database and -wal), so checking never touches a file the app or the engine
 * has open.
 */
import { createHash } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { decryptFile } from '../src/crypto/index.js';
import { MANIFEST_FILE, parseManifest } from '../src/engine/remote-layout.js';
import { chainOf, rebuildSync } from '../test/helpers/remote-db.js';
import type { Ledger } from './app.js';
import type { RemoteStore } from './remote-store.js';
import type { SimDevice } from './world.js';

const SQLITE_HEADER = Buffer.from('SQLite format 3\0', 'latin1');

export interface Violation {
  kind: string;
  step: number;
  detail: string;
}

type Rows = { ok: true; ids: Set<string> } | { ok: false; error: string };

function sig(file: string): string {
  const parts = [file, `${file}-wal`].map((f) => {
    try {
      const s = statSync(f, { bigint: true });
      return `${s.ino}:${s.size}:${s.mtimeNs}:${s.ctimeNs}`;
    } catch {
      return '-';
    }
  });
  return parts.join('|');
}

function sample(ids: Iterable<string>, n = 6): string {
  const a = [...ids];
  return a.slice(0, n).join(',') + (a.length > n ? ` (+${a.length - n})` : '');
}

export class Observer {
  private cache = new Map<string, Rows>();
  private held = new Map<string, Set<string>>();
  private n = 0;
  current: Set<string> = new Set();

  constructor(
    private readonly devices: SimDevice[],
    private readonly store: RemoteStore,
    private readonly ledger: Ledger,
    private readonly scratch: string,
    private readonly keys: { identities: string[] } | null,
    private readonly encrypted: boolean,
  ) {
    mkdirSync(scratch, { recursive: true });
  }

  /** Rows of an SQLite file (and its -wal) read from a private copy; `integrity` also runs integrity_check. */
  private readSqlite(file: string, integrity: boolean): Rows {
    const dir = path.join(this.scratch, `r${++this.n}`);
    mkdirSync(dir);
    try {
      const copy = path.join(dir, 'x.db');
      copyFileSync(file, copy);
      if (existsSync(`${file}-wal`)) copyFileSync(`${file}-wal`, `${copy}-wal`);
      const db = new Database(copy, { fileMustExist: true });
      try {
        if (integrity) {
          const r = db.pragma('integrity_check', { simple: true });
          if (r !== 'ok') return { ok: false, error: `integrity_check: ${String(r)}` };
        }
        const ids = (db.prepare('SELECT id FROM items').all() as Array<{ id: string }>).map((r) => r.id);
        return { ok: true, ids: new Set(ids) };
      } finally {
        db.close();
      }
    } catch (err) {
      return { ok: false, error: (err as Error).message };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  private async readAny(file: string, key: string, integrity = false): Promise<Rows> {
    const hit = this.cache.get(key);
    if (hit) return hit;
    let rows: Rows;
    if (file.endsWith('.age')) {
      if (!this.keys) rows = { ok: false, error: 'no identity' };
      else {
        const plain = path.join(this.scratch, `p${++this.n}.db`);
        try {
          await decryptFile(file, plain, this.keys);
          rows = this.readSqlite(plain, integrity);
        } catch (err) {
          rows = { ok: false, error: (err as Error).message };
        } finally {
          rmSync(plain, { force: true });
        }
      }
    } else rows = this.readSqlite(file, integrity);
    this.cache.set(key, rows);
    return rows;
  }

  /** The rows of the remote's current version, or why there is none. */
  private async remoteRows(out: Violation[], step: number): Promise<Set<string>> {
    const mf = this.store.get(MANIFEST_FILE);
    if (!mf) return new Set();
    let m: ReturnType<typeof parseManifest>;
    try {
      m = parseManifest(mf.data);
    } catch (err) {
      out.push({ kind: 'remote-damaged', step, detail: (err as Error).message });
      return new Set();
    }
    const obj = this.store.get(m.file);
    if (!obj || obj.data.length !== m.size || createHash('sha256').update(obj.data).digest('hex') !== m.sha256) {
      out.push({
        kind: 'remote-incomplete',
        step,
        detail: `generation ${m.generation} points at ${m.file}: ${obj ? 'content differs' : 'missing'}`,
      });
      return new Set();
    }
    for (const v of m.versions ?? []) {
      if (!this.store.get(v.file))
        out.push({
          kind: 'history-missing',
          step,
          detail: `generation ${m.generation} lists generation ${v.generation} (${v.file}), which is gone`,
        });
    }
    const rebuilt = m.delta && (!m.encrypted || this.keys) && !this.cache.has(`remote:${m.sha256}`);
    const file = path.join(this.scratch, `remote-${m.sha256.slice(0, 16)}.db${m.encrypted && !rebuilt ? '.age' : ''}`);
    if (rebuilt) {
      // A patch version (src/delta): its database is its base plus its patches, each decrypted first if need be.
      const r = await this.rebuild(m);
      if (!r.ok) {
        out.push({ kind: 'remote-incomplete', step, detail: `generation ${m.generation}: ${r.error}` });
        return new Set();
      }
      writeFileSync(file, r.data);
    } else if (!this.cache.has(`remote:${m.sha256}`)) writeFileSync(file, obj.data);
    const rows = await this.readAny(file, `remote:${m.sha256}`);
    rmSync(file, { force: true });
    if (!rows.ok) {
      out.push({ kind: 'remote-incomplete', step, detail: `generation ${m.generation} does not open: ${rows.error}` });
      return new Set();
    }
    return rows.ids;
  }

  private async rebuild(m: ReturnType<typeof parseManifest>): Promise<ReturnType<typeof rebuildSync>> {
    const plain = new Map<string, Buffer>();
    if (m.encrypted && this.keys) {
      for (const e of chainOf(m) ?? []) {
        const o = this.store.get(e.file);
        if (!o) continue;
        const enc = path.join(this.scratch, `c${++this.n}.age`);
        const dec = path.join(this.scratch, `c${this.n}.bin`);
        writeFileSync(enc, o.data);
        try {
          await decryptFile(enc, dec, this.keys);
          plain.set(e.file, readFileSync(dec));
        } catch (err) {
          return { ok: false, error: `${e.file}: ${(err as Error).message}` };
        } finally {
          rmSync(enc, { force: true });
          rmSync(dec, { force: true });
        }
      }
    }
    return rebuildSync(m, (f) => this.store.get(f)?.data ?? null, { plain: (f, stored) => plain.get(f) ?? stored });
  }

  /** Every row held in files beside a device's database: conflict copies (beside it) and backups. */
  private async kept(pattern: RegExp, dir: string): Promise<Set<string>> {
    const out = new Set<string>();
    if (!existsSync(dir)) return out;
    for (const name of readdirSync(dir).sort()) {
      if (!pattern.test(name)) continue;
      const f = path.join(dir, name);
      const rows = await this.readAny(f, `kept:${sig(f)}`);
      if (rows.ok) for (const id of rows.ids) out.add(id);
    }
    return out;
  }

  /** The user chose "keep remote" on this device: the rows it drops are the ones the user let go (kept in backups). */
  forgetHeld(d: SimDevice): void {
    this.held.delete(d.id);
  }

  async check(step: number): Promise<Violation[]> {
    const out: Violation[] = [];
    if (this.encrypted) {
      for (const [p, f] of this.store.files)
        if (f.data.includes(SQLITE_HEADER)) out.push({ kind: 'plaintext-on-remote', step, detail: p });
    }
    const remote = await this.remoteRows(out, step);
    const conflicts = new Set<string>();
    const everywhere = new Set<string>(remote);
    for (const d of this.devices) {
      for (const id of await this.kept(/\.conflict-.*\.db(\.age)?$/, path.dirname(d.db))) conflicts.add(id);
      for (const id of await this.kept(/\.db(\.enc)?$/, path.join(d.home, 'backups'))) everywhere.add(id);
    }
    for (const id of conflicts) everywhere.add(id);
    for (const d of this.devices) {
      if (!existsSync(d.db)) continue;
      const rows = await this.readAny(d.db, `db:${sig(d.db)}`, true);
      if (!rows.ok) {
        out.push({ kind: 'integrity', step, detail: `${d.id}: ${rows.error}` });
        continue;
      }
      for (const id of rows.ids) everywhere.add(id);
      if (process.env.SIM_DEBUG)
        console.error(
          `debug step ${step} ${d.id} rows=${rows.ids.size} wal=${existsSync(`${d.db}-wal`)} shm=${existsSync(`${d.db}-shm`)} ${[...rows.ids].filter((x) => x.startsWith(d.id)).join(',')}`,
        );
      const before = this.held.get(d.id);
      const dropped = before ? [...before].filter((id) => !rows.ids.has(id) && !conflicts.has(id)) : [];
      if (dropped.length)
        out.push({
          kind: 'silent-replace',
          step,
          detail: `${d.id} dropped ${sample(dropped)} with no conflict copy holding them`,
        });
      this.held.set(d.id, rows.ids);
    }
    const lost = [...this.ledger.keys()].filter((id) => !everywhere.has(id));
    if (lost.length)
      out.push({
        kind: 'lost',
        step,
        detail: `committed rows in no database, conflict copy, backup or remote version: ${sample(lost)}`,
      });
    this.current = remote;
    return out;
  }

  /** Rows of each device database now (for the convergence check). */
  async deviceRows(): Promise<Map<string, Set<string> | null>> {
    const m = new Map<string, Set<string> | null>();
    for (const d of this.devices) {
      const r = existsSync(d.db) ? await this.readAny(d.db, `db:${sig(d.db)}`, true) : null;
      m.set(d.id, r?.ok ? r.ids : null);
    }
    return m;
  }
}
