/**
 * The SQL pieces the conflict diff and the merge share: how a table's rows are keyed (its primary key, else the
 * rowid), the schema of a database, and how values are shown. Everything runs inside SQLite (EXCEPT, INTERSECT,
 * joins on attached databases): no table is ever read into memory here.
 */
import type Database from 'better-sqlite3';

export const q = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** Alias given to the rowid of a table without a declared primary key. */
const ROWID = '__cordiax_rowid';

export interface TableKey {
  /** Column names the key reads (quoted), as selected from the table. */
  select: string;
  /** The same columns as named in a subquery of `rows()`/`keys()`. */
  names: string;
  /** A WHERE condition matching one key, with one `?` per key column. */
  where: string;
  /** How many values a key has. */
  width: number;
  rowid: boolean;
  /** The key's column names as shown ('rowid' for the rowid). */
  columns: string[];
}

/** A table's key: its primary key columns (WITHOUT ROWID tables always have one), else the rowid. */
export function tableKey(db: Database.Database, schema: string, table: string): TableKey {
  const cols = db.prepare(`PRAGMA ${q(schema)}.table_info(${q(table)})`).all() as Array<{ name: string; pk: number }>;
  const pk = cols.filter((c) => c.pk > 0).sort((a, b) => a.pk - b.pk);
  if (!pk.length)
    return { select: `rowid AS ${ROWID}`, names: ROWID, where: 'rowid = ?', width: 1, rowid: true, columns: ['rowid'] };
  const names = pk.map((c) => q(c.name)).join(', ');
  return {
    select: names,
    names,
    where: `(${names}) = (${pk.map(() => '?').join(', ')})`,
    width: pk.length,
    rowid: false,
    columns: pk.map((c) => c.name),
  };
}

/** Every row with its key first (so EXCEPT compares whole rows, rowid included where it is the key). */
export function rowsOf(schema: string, table: string, key: TableKey): string {
  return key.rowid
    ? `SELECT rowid AS ${ROWID}, * FROM ${q(schema)}.${q(table)}`
    : `SELECT * FROM ${q(schema)}.${q(table)}`;
}

export function keysOf(schema: string, table: string, key: TableKey): string {
  return `SELECT ${key.select} FROM ${q(schema)}.${q(table)}`;
}

/** Keys whose row differs between two attached databases (added, changed or deleted), as one SELECT. */
export function touchedKeys(side: string, base: string, table: string, key: TableKey): string {
  return (
    `SELECT ${key.names} FROM (${rowsOf(side, table, key)} EXCEPT ${rowsOf(base, table, key)}) ` +
    `UNION SELECT ${key.names} FROM (${rowsOf(base, table, key)} EXCEPT ${rowsOf(side, table, key)})`
  );
}

export interface SchemaEntry {
  type: string;
  name: string;
  sql: string | null;
}

/** The user-visible schema of an attached database (tables, indexes, views, triggers) and its user_version. */
export function schemaOf(db: Database.Database, schema: string): { entries: SchemaEntry[]; userVersion: number } {
  const entries = db
    .prepare(
      `SELECT type, name, sql FROM ${q(schema)}.sqlite_schema WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name`,
    )
    .all() as SchemaEntry[];
  const userVersion = db
    .prepare(`PRAGMA ${q(schema)}.user_version`)
    .pluck()
    .get() as number;
  return { entries, userVersion };
}

/** Ordinary tables of a schema (virtual tables are listed apart: their rows live in shadow tables). */
export function tablesOf(entries: SchemaEntry[]): { tables: Map<string, string>; virtual: string[] } {
  const tables = new Map<string, string>();
  const virtual: string[] = [];
  for (const e of entries) {
    if (e.type !== 'table') continue;
    if (/^\s*CREATE\s+VIRTUAL/i.test(e.sql ?? '')) virtual.push(e.name);
    else tables.set(e.name, normaliseSql(e.sql));
  }
  return { tables, virtual };
}

/** CREATE statements compared without their spacing (an ALTER TABLE rewrites the text but not its meaning). */
export function normaliseSql(sql: string | null): string {
  return (sql ?? '').replace(/\s+/g, ' ').trim();
}

/** A value as a short display string: text truncated, blobs as their size, NULL named. */
export function showValue(v: unknown): string {
  if (v === null || v === undefined) return 'NULL';
  if (Buffer.isBuffer(v)) return `[BLOB ${v.length} B]`;
  if (typeof v === 'bigint') return v.toString();
  const s = String(v);
  return s.length > 60 ? `${s.slice(0, 57)}…` : s;
}

/** Same value in SQLite's sense (IS): blobs by bytes. */
export function sameValue(a: unknown, b: unknown): boolean {
  if (Buffer.isBuffer(a) && Buffer.isBuffer(b)) return a.equals(b);
  return a === b;
}

/**
 * Where SQLite puts the temp b-trees of EXCEPT/INTERSECT: on disk (bounded memory), in our private folder (they hold
 * row values: plaintext must not land in the shared /tmp). The folder setting is process-wide in SQLite, so the
 * returned function puts the default back when the diff or merge is done. The pragma is deprecated but compiled in;
 * if a build refuses it, SQLite's own temp folder is used (its temp files are unlinked at once).
 */
export function useTempFolder(db: Database.Database, dir: string): () => void {
  db.pragma('temp_store = FILE');
  db.pragma('cache_size = -8192'); // 8 MB of page cache per connection, whatever the database's size
  try {
    db.pragma(`temp_store_directory = '${dir.replace(/'/g, "''")}'`);
  } catch {
    return () => {};
  }
  return () => {
    try {
      db.pragma("temp_store_directory = ''");
    } catch {
      /* closed already */
    }
  };
}
