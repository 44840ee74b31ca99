/**
 * A merge the user may choose (never automatic) when both sides changed different rows of the same schema: the
 * server's version with this computer's row changes against the base applied on top, in one transaction, in a
 * private temp file. Nothing here touches the live database: applying goes through the normal safe path
 * (src/conflict/resolution.ts: backup, replace under the write lock, the next sync sends it as a local change).
 */
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { SyncError } from '../errors.js';
import { msg } from '../messages/index.js';
import { diffConflict, type ConflictDiff } from './diff.js';
import { keysOf, q, rowsOf, tableKey, useTempFolder } from './sql.js';
import type { MergePreview } from './types.js';

export type { MergePreview };

export interface MergeResult {
  /** The merged database, plain SQLite, in the given private folder. */
  path: string;
  preview: MergePreview;
  diff: ConflictDiff;
}

const counts = (c: { added: number; changed: number; deleted: number } | null) => ({
  added: c?.added ?? 0,
  changed: c?.changed ?? 0,
  deleted: c?.deleted ?? 0,
});

/**
 * Builds the merged database from private plain copies of the three versions. Refuses (SyncError 'CONFLICT') when
 * the diff does not allow a merge or when applying a row breaks a constraint (a UNIQUE column both sides filled).
 */
export async function buildMerge(inputs: {
  base: string;
  local: string;
  remote: string;
  tmpDir: string;
}): Promise<MergeResult> {
  const diff = diffConflict({ ...inputs });
  if (!diff.mergeable)
    throw new SyncError('CONFLICT', msg('conflict.merge_not_possible', { reasons: diff.blockers.join(', ') }));
  const merged = path.join(inputs.tmpDir, 'merged.db');
  await fsp.copyFile(inputs.remote, merged);
  const db = new Database(merged);
  const restoreTemp = useTempFolder(db, inputs.tmpDir);
  try {
    db.pragma('journal_mode = delete');
    // The merge writes rows as they are on this computer: the application's foreign keys and triggers already acted
    // there (an audit row a trigger wrote is one of the local changes); firing them again would double their effects.
    db.pragma('foreign_keys = OFF');
    db.prepare('ATTACH DATABASE ? AS ?').run(inputs.base, 'b');
    db.prepare('ATTACH DATABASE ? AS ?').run(inputs.local, 'l');
    const triggers = db
      .prepare("SELECT name, sql FROM main.sqlite_schema WHERE type = 'trigger' AND sql IS NOT NULL")
      .all() as Array<{ name: string; sql: string }>;
    const apply = db.transaction(() => {
      for (const t of triggers) db.exec(`DROP TRIGGER main.${q(t.name)}`);
      for (const t of diff.tables) {
        if (!t.local) continue;
        applyLocalRows(db, t.table);
      }
      for (const t of triggers) db.exec(t.sql);
    });
    try {
      apply();
    } catch (err) {
      throw new SyncError('CONFLICT', msg('conflict.merge_failed', { detail: (err as Error).message }));
    }
    const preview: MergePreview = { tables: [], totalRows: 0, foreignKeyProblems: 0 };
    const all = db
      .prepare("SELECT name FROM main.sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
      .pluck()
      .all() as string[];
    for (const name of all) {
      const rows = db
        .prepare(`SELECT count(*) FROM main.${q(name)}`)
        .pluck()
        .get() as number;
      const d = diff.tables.find((x) => x.table === name);
      preview.tables.push({
        table: name,
        rows,
        fromLocal: counts(d?.local ?? null),
        fromRemote: counts(d?.remote ?? null),
      });
      preview.totalRows += rows;
    }
    preview.foreignKeyProblems = db.prepare('PRAGMA main.foreign_key_check').all().length;
    db.exec('DETACH DATABASE b; DETACH DATABASE l');
    return { path: merged, preview, diff };
  } finally {
    restoreTemp();
    db.close();
  }
}

/** This computer's row changes of one table (against the base) applied to main: deletes, updates, inserts. */
function applyLocalRows(db: Database.Database, table: string): void {
  const key = tableKey(db, 'b', table);
  const cols = (db.prepare(`PRAGMA main.table_xinfo(${q(table)})`).all() as Array<{ name: string; hidden: number }>)
    .filter((c) => c.hidden === 0) // generated columns are computed, never written
    .map((c) => q(c.name));
  const target = `main.${q(table)}`;
  const keyExpr = (alias: string) =>
    key.rowid ? `${alias}.rowid` : `(${key.columns.map((c) => `${alias}.${q(c)}`).join(', ')})`;
  const deleted = `SELECT ${key.names} FROM (${keysOf('b', table, key)} EXCEPT ${keysOf('l', table, key)})`;
  const added = `SELECT ${key.names} FROM (${keysOf('l', table, key)} EXCEPT ${keysOf('b', table, key)})`;
  const changed =
    `SELECT ${key.names} FROM (${rowsOf('l', table, key)} EXCEPT ${rowsOf('b', table, key)}) ` +
    `INTERSECT ${keysOf('b', table, key)}`;
  db.exec(`DELETE FROM ${target} WHERE ${keyExpr(target)} IN (${deleted})`);
  if (cols.length)
    db.exec(
      `UPDATE ${target} AS cx_dst SET (${cols.join(', ')}) = ` +
        `(SELECT ${cols.map((c) => `cx_src.${c}`).join(', ')} FROM l.${q(table)} AS cx_src ` +
        `WHERE ${keyExpr('cx_src')} = ${keyExpr('cx_dst')}) WHERE ${keyExpr('cx_dst')} IN (${changed})`,
    );
  // Plain INSERT: a row the server's version already holds under another key (a UNIQUE column) fails the merge
  // instead of replacing (and so deleting) the server's row.
  const insertCols = key.rowid ? ['rowid', ...cols] : cols;
  db.exec(
    `INSERT INTO ${target} (${insertCols.join(', ')}) SELECT ${insertCols.map((c) => `cx_src.${c}`).join(', ')} ` +
      `FROM l.${q(table)} AS cx_src WHERE ${keyExpr('cx_src')} IN (${added})`,
  );
}
