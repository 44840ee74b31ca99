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
for (let i = 0; i < 100_000 && Date.now() < deadline; i++) {
  await sleep(Math.floor(r() * Number(process.env.SOAK_WRITE_MS ?? 1200)));
  const rows = Array.from({ length: 1 + Math.floor(r() * 3) }, () => `${id}-${n++}`);
  // A fresh connection each time, like an app that opens per operation; busy_timeout as the app would set.
  try {
    const db = new Database(path.join(home, 'cordiax.db'), { fileMustExist: true });
    try {
      db.pragma('busy_timeout = 10000');
      const ins = db.prepare('INSERT INTO notas (texto) VALUES (?)');
      db.transaction(() => rows.forEach((x) => ins.run(x)))();
    } finally {
      db.close();
    }
  } catch {
    busy++;
    continue; // not committed: not in the ledger
  }
  appendFileSync(ledger, rows.join('\n') + '\n');
  committed += rows.length;
}
process.stdout.write(JSON.stringify({ committed, busy }) + '\n');
process.exit(0);
