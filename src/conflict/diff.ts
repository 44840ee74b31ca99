/**
 * What differs in a conflict, row by row: each side (this computer's database, the server's version) against the
 * common base (the last version both had), per table: rows added, changed and deleted, with up to three examples.
 * Without a base, a two-way comparison (the server's version against this computer's) says so.
 *
 * The three files are private copies (never the live database). They are ATTACHed to one connection and compared
 * with EXCEPT/INTERSECT inside SQLite, whose temp b-trees go to disk: memory stays bounded whatever the size.
 */
import path from 'node:path';
import Database from 'better-sqlite3';
import {
  keysOf,
  q,
  rowsOf,
  sameValue,
  schemaOf,
  showValue,
  tableKey,
  tablesOf,
  touchedKeys,
  useTempFolder,
  type TableKey,
} from './sql.js';
import type { ConflictDiff, MergeBlocker, RowExample, SideChanges, TableDiff, TableSchemaState } from './types.js';

export type { ConflictDiff, MergeBlocker, RowExample, SideChanges, TableDiff, TableSchemaState };

/** Examples shown per kind of change. */
export const EXAMPLES = 3;
/** Columns shown per example row. */
const SHOWN_COLUMNS = 8;

export interface DiffInputs {
  /** Private copies, plain SQLite (decrypted if need be). */
  local: string;
  remote: string;
  base: string | null;
  /** A private folder for SQLite's temp b-trees. */
  tmpDir: string;
}

const empty = (): SideChanges => ({
  added: 0,
  changed: 0,
  deleted: 0,
  examples: { added: [], changed: [], deleted: [] },
});

function rowExample(
  db: Database.Database,
  schema: string,
  table: string,
  key: TableKey,
  keyValues: unknown[],
  keyNames: string[],
): RowExample {
  const row = db.prepare(`SELECT * FROM ${q(schema)}.${q(table)} WHERE ${key.where}`).get(...keyValues) as
    | Record<string, unknown>
    | undefined;
  const values: Record<string, string> = {};
  for (const [c, v] of Object.entries(row ?? {}).slice(0, SHOWN_COLUMNS)) values[c] = showValue(v);
  return { key: Object.fromEntries(keyNames.map((n, i) => [n, showValue(keyValues[i])])), values };
}

/** The changes of `side` against `base` for one table of the same schema (keys compared in SQLite). */
function sideChanges(db: Database.Database, side: string, base: string, table: string, key: TableKey): SideChanges {
  const out = empty();
  const added = `SELECT ${key.names} FROM (${keysOf(side, table, key)} EXCEPT ${keysOf(base, table, key)})`;
  const deleted = `SELECT ${key.names} FROM (${keysOf(base, table, key)} EXCEPT ${keysOf(side, table, key)})`;
  const changed =
    `SELECT ${key.names} FROM (${rowsOf(side, table, key)} EXCEPT ${rowsOf(base, table, key)}) ` +
    `INTERSECT ${keysOf(base, table, key)}`;
  const count = (sql: string) => db.prepare(`SELECT count(*) FROM (${sql})`).pluck().get() as number;
  const sample = (sql: string) => db.prepare(`${sql} LIMIT ${EXAMPLES}`).raw().all() as unknown[][];
  const keyNames = key.columns;
  out.added = count(added);
  out.deleted = count(deleted);
  out.changed = count(changed);
  if (out.added) out.examples.added = sample(added).map((k) => rowExample(db, side, table, key, k, keyNames));
  if (out.deleted) out.examples.deleted = sample(deleted).map((k) => rowExample(db, base, table, key, k, keyNames));
  if (out.changed)
    out.examples.changed = sample(changed).map((k) => {
      const after = db.prepare(`SELECT * FROM ${q(side)}.${q(table)} WHERE ${key.where}`).get(...k) as Record<
        string,
        unknown
      >;
      const before = db.prepare(`SELECT * FROM ${q(base)}.${q(table)} WHERE ${key.where}`).get(...k) as Record<
        string,
        unknown
      >;
      const ex = rowExample(db, side, table, key, k, keyNames);
      ex.changes = Object.keys(after)
        .filter((c) => !sameValue(after[c], before[c]))
        .map((c) => ({ column: c, before: showValue(before[c]), after: showValue(after[c]) }));
      return ex;
    });
  return out;
}

/** All rows of a table on one side counted as added (a table the base did not have) or deleted (one it dropped). */
function wholeTable(db: Database.Database, schema: string, table: string, as: 'added' | 'deleted'): SideChanges {
  const out = empty();
  const key = tableKey(db, schema, table);
  const keyNames = key.columns;
  out[as] = db
    .prepare(`SELECT count(*) FROM ${q(schema)}.${q(table)}`)
    .pluck()
    .get() as number;
  out.examples[as] = (
    db
      .prepare(`${keysOf(schema, table, key)} LIMIT ${EXAMPLES}`)
      .raw()
      .all() as unknown[][]
  ).map((k) => rowExample(db, schema, table, key, k, keyNames));
  return out;
}

const isEmpty = (s: SideChanges) => s.added + s.changed + s.deleted === 0;

/** One side against the base for every table either has. */
function compareSide(
  db: Database.Database,
  side: string,
  base: string,
  sideTables: Map<string, string>,
  baseTables: Map<string, string>,
): Map<string, { changes: SideChanges | null; schema: TableSchemaState }> {
  const out = new Map<string, { changes: SideChanges | null; schema: TableSchemaState }>();
  for (const [t, sql] of sideTables) {
    const b = baseTables.get(t);
    if (b === undefined) {
      out.set(t, { changes: wholeTable(db, side, t, 'added'), schema: 'created' });
    } else if (b !== sql) {
      // Another shape: rows cannot be matched column by column; the table is reported as changed in structure.
      out.set(t, { changes: null, schema: 'changed' });
    } else {
      const c = sideChanges(db, side, base, t, tableKey(db, side, t));
      out.set(t, { changes: isEmpty(c) ? null : c, schema: 'same' });
    }
  }
  for (const t of baseTables.keys())
    if (!sideTables.has(t)) out.set(t, { changes: wholeTable(db, base, t, 'deleted'), schema: 'dropped' });
  return out;
}

/** Compares the three (or two) private copies. Synchronous SQLite work; call it off the hot path. */
export function diffConflict(inputs: DiffInputs): ConflictDiff {
  const db = new Database(path.join(inputs.tmpDir, 'diff-main.db'));
  const restoreTemp = useTempFolder(db, inputs.tmpDir);
  try {
    const attach = db.prepare('ATTACH DATABASE ? AS ?');
    attach.run(inputs.local, 'l');
    attach.run(inputs.remote, 'r');
    if (inputs.base) attach.run(inputs.base, 'b');
    const local = schemaOf(db, 'l');
    const remote = schemaOf(db, 'r');
    const lt = tablesOf(local.entries);
    const rt = tablesOf(remote.entries);
    const tables: TableDiff[] = [];
    const blockers = new Set<MergeBlocker>();
    const overlapTables: string[] = [];

    if (!inputs.base) {
      // No base: what the server's version has that this computer's does not (and the reverse as deletions).
      blockers.add('no-base');
      const remoteVsLocal = compareSide(db, 'r', 'l', rt.tables, lt.tables);
      for (const [t, v] of [...remoteVsLocal].sort(([a], [b]) => a.localeCompare(b)))
        if (v.changes || v.schema !== 'same')
          tables.push({
            table: t,
            local: null,
            remote: v.changes,
            localSchema: 'same',
            remoteSchema: v.schema,
            touchedOnBoth: 0,
          });
      return { mode: 'two-way', tables, mergeable: false, blockers: [...blockers], overlapTables };
    }

    const base = schemaOf(db, 'b');
    const bt = tablesOf(base.entries);
    const sameSchema =
      JSON.stringify(base) === JSON.stringify(local) && JSON.stringify(base) === JSON.stringify(remote);
    if (!sameSchema) blockers.add('schema-changed');
    if (bt.virtual.length || lt.virtual.length || rt.virtual.length) blockers.add('virtual-table');
    const l = compareSide(db, 'l', 'b', lt.tables, bt.tables);
    const r = compareSide(db, 'r', 'b', rt.tables, bt.tables);
    const names = [...new Set([...l.keys(), ...r.keys()])].sort((a, b) => a.localeCompare(b));
    for (const t of names) {
      const ls = l.get(t) ?? { changes: null, schema: 'same' as const };
      const rs = r.get(t) ?? { changes: null, schema: 'same' as const };
      let touchedOnBoth = 0;
      if (ls.changes && rs.changes && ls.schema === 'same' && rs.schema === 'same') {
        const key = tableKey(db, 'b', t);
        touchedOnBoth = db
          .prepare(
            `SELECT count(*) FROM (SELECT * FROM (${touchedKeys('l', 'b', t, key)}) ` +
              `INTERSECT SELECT * FROM (${touchedKeys('r', 'b', t, key)}))`,
          )
          .pluck()
          .get() as number;
      }
      if (touchedOnBoth) overlapTables.push(t);
      if (ls.changes || rs.changes || ls.schema !== 'same' || rs.schema !== 'same')
        tables.push({
          table: t,
          local: ls.changes,
          remote: rs.changes,
          localSchema: ls.schema,
          remoteSchema: rs.schema,
          touchedOnBoth,
        });
    }
    if (overlapTables.length) blockers.add('same-rows');
    const localChanged = tables.some((t) => t.local);
    const remoteChanged = tables.some((t) => t.remote);
    if (!localChanged || !remoteChanged) blockers.add('one-side-only');
    return { mode: 'three-way', tables, mergeable: blockers.size === 0, blockers: [...blockers], overlapTables };
  } finally {
    restoreTemp();
    db.close();
  }
}
