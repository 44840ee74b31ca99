/**
 * Change hints for the live database: fs.watch on its folder, filtered to the database, its -wal and the .enc file.
 * Hints only (watchers miss events on some file systems): the periodic reconcile stays the source of truth.
 */
import { watch, type FSWatcher } from 'node:fs';
import path from 'node:path';

export function watchDatabase(databasePath: string, onChange: () => void): () => void {
  const dir = path.dirname(databasePath);
  const base = path.basename(databasePath);
  const names = new Set([base, `${base}-wal`, `${base}-journal`, `${base}.enc`]);
  let w: FSWatcher | null = null;
  try {
    w = watch(dir, { persistent: false }, (_event, name) => {
      if (name && names.has(name.toString())) onChange();
    });
    w.on('error', () => {});
  } catch {
    return () => {};
  }
  return () => w?.close();
}
