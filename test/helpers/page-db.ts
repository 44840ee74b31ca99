/** A small database with an index and blobs of many sizes, in a chosen page size and journal mode (page-level tests). */
import Database from 'better-sqlite3';

export function makeDb(file: string, pageSize: number, wal: boolean, rows = 3000): string {
  const db = new Database(file);
  db.pragma(`page_size = ${pageSize}`);
  if (wal) db.pragma('journal_mode = WAL');
  db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT, b BLOB); CREATE INDEX t_a ON t(a);');
  const ins = db.prepare('INSERT INTO t (a, b) VALUES (?, randomblob(?))');
  db.transaction(() => {
    for (let i = 0; i < rows; i++) ins.run(`fila ${i}`, i % 700);
  })();
  db.close();
  return file;
}
