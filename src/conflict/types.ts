/**
 * What the conflict diff, the merge preview and a resolution look like: types only (no Node imports), shared by the
 * service, the API and the page (src/ui/web/conflict.ts).
 */
import type { ConflictInfo } from '../engine/state.js';

export interface RowExample {
  /** The key's values (primary key columns, or `rowid`). */
  key: Record<string, string>;
  /** The row's values as shown (text truncated, blobs as their size); the state after the change, before a delete. */
  values: Record<string, string>;
  /** For a changed row: the columns that changed, before and after. */
  changes?: Array<{ column: string; before: string; after: string }>;
}

export interface SideChanges {
  added: number;
  changed: number;
  deleted: number;
  examples: { added: RowExample[]; changed: RowExample[]; deleted: RowExample[] };
}

export type TableSchemaState = 'same' | 'changed' | 'created' | 'dropped';

export interface TableDiff {
  table: string;
  /** Per side: its changes against the base (or, two-way, the server's against this computer's); null = untouched. */
  local: SideChanges | null;
  remote: SideChanges | null;
  localSchema: TableSchemaState;
  remoteSchema: TableSchemaState;
  /** Rows (keys) changed on both sides: a merge is impossible when any table has one. */
  touchedOnBoth: number;
}

/** Why no merge is offered; 'constraint': building it failed (a UNIQUE value both sides added, say). */
export type MergeBlocker =
  | 'no-base'
  | 'schema-changed'
  | 'same-rows'
  | 'virtual-table'
  | 'one-side-only'
  | 'constraint';

export interface ConflictDiff {
  /** 'three-way': both sides against the base; 'two-way': no base, the server's version against this computer's. */
  mode: 'three-way' | 'two-way';
  tables: TableDiff[];
  /** Whether a merge can be offered, and if not why (all reasons). */
  mergeable: boolean;
  blockers: MergeBlocker[];
  /** Tables whose rows were changed on both sides (the `same-rows` blocker). */
  overlapTables: string[];
}

export interface MergePreview {
  /** Per table: the rows the merged database will hold, and what each side brings against the base. */
  tables: Array<{
    table: string;
    rows: number;
    fromLocal: { added: number; changed: number; deleted: number };
    fromRemote: { added: number; changed: number; deleted: number };
  }>;
  totalRows: number;
  /** Foreign keys the merged rows leave dangling (PRAGMA foreign_key_check), for the preview to warn about. */
  foreignKeyProblems: number;
}

export type ResolveChoice = 'both' | 'local' | 'remote' | 'merge';

export interface ConflictView {
  conflict: ConflictInfo;
  /** Where the base came from: the remote's retained version, a local backup, or unknown (two-way diff). */
  base: { source: 'remote' | 'backup' | null; generation: number | null; path?: string };
  diff: ConflictDiff | null;
  /** Why there is no diff (e.g. an encrypted copy with no identity here): the choices are still offered. */
  diffUnavailable: 'no-identity' | 'failed' | null;
  diffError?: string;
  /** A preview of the merge, when it is offered. */
  merge: MergePreview | null;
  copyEncrypted: boolean;
  backupsDir: string;
  databasePath: string;
}

export interface ResolveResult {
  choice: ResolveChoice;
  /** The live database as it was before, when it was replaced. */
  backupPath: string | null;
  /** Where the server's copy is now (beside the database, or moved into the backups). */
  copyPath: string | null;
  /** Pass to undo(). */
  undoId: string;
}
