/**
 * The "Cordiax app" of a soak client in concurrent mode: commits 1-3 rows at random moments to the same database the
 * client is syncing, for SOAK_SECONDS, and records each row in ledger.txt after its commit.
 */
import { appendFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { rng, sleep } from './util.js';

const home = process.env.CORDIAX_HOME!;
const id = process.env.SOAK_ID ?? 'w';
const seconds = Number(process.env.SOAK_SECONDS ?? 10);
const r = rng(Number(process.env.SOAK_SEED ?? 1) + 1000);
const ledger = path.join(home, 'ledger.txt');
const deadline = Date.now() + seconds * 1000;
let n = 0;
let committed = 0;
let busy = 0;
const file = path.join(home, 'cordiax.db');
// Like a real app, it mixes habits: a connection kept open across many writes (and reopened now and then), a
// fresh connection per operation, a read transaction held for a while, a write transaction held before its commit.
let kept: Database.Database | null = null;
const open = () => {
  const db = new Database(file, { fileMustExist: true });
  db.pragma('busy_timeout = 10000');
  return db;
};
for (let i = 0; i < 100_000 && Date.now() < deadline; i++) {
  await sleep(Math.floor(r() * Number(process.env.SOAK_WRITE_MS ?? 1200)));
  const rows = Array.from({ length: 1 + Math.floor(r() * 3) }, () => `${id}-${n++}`);
  const habit = r();
  let db: Database.Database | null = null;
  try {
    if (habit < 0.5) {
      kept ??= open();
      db = kept;
    } else {
      db = open();
    }
    const ins = db.prepare('INSERT INTO notas (texto) VALUES (?)');
    if (habit > 0.9) {
      // Holds its write lock a moment before committing (a form being saved in steps).
      db.exec('BEGIN IMMEDIATE');
      rows.forEach((x) => ins.run(x));
      await sleep(Math.floor(r() * 800));
      db.exec('COMMIT');
    } else if (habit > 0.8) {
      // Holds a read transaction open a moment (a report being printed), then writes.
      db.exec('BEGIN');
      db.prepare('SELECT count(*) FROM notas').get();
      await sleep(Math.floor(r() * 800));
      db.exec('COMMIT');
      db.transaction(() => rows.forEach((x) => ins.run(x)))();
    } else {
      db.transaction(() => rows.forEach((x) => ins.run(x)))();
    }
  } catch {
    busy++;
    if (db?.inTransaction) db.exec('ROLLBACK');
    continue; // not committed: not in the ledger
  } finally {
    if (db && db !== kept) db.close();
    if (kept && r() < 0.1) {
      kept.close();
      kept = null;
    }
  }
  appendFileSync(ledger, rows.join('\n') + '\n');
  committed += rows.length;
}
kept?.close();
process.stdout.write(JSON.stringify({ committed, busy }) + '\n');
process.exit(0);
