/**
 * The application on one PC (Cordiax itself, as far as the database sees it): up to two connections through
 * better-sqlite3 that open and close, commit rows, and (in the `appTxn` class) hold read and write transactions open
 * across scheduler steps; in the `journal` class it also switches the journal mode. Every row is recorded in the
 * ledger only once its COMMIT returned. Never waits on a lock (busy timeout 0): a busy database is an app step that
 * did nothing, as in an app that shows "database is locked" and retries later.
 */
import Database from 'better-sqlite3';
import type { Prng } from './prng.js';

export const SCHEMA =
  'CREATE TABLE IF NOT EXISTS items (id TEXT PRIMARY KEY, origin TEXT NOT NULL, payload TEXT NOT NULL)';

/** Every committed row: id -> where and when it was committed. */
export type Ledger = Map<string, { device: string; step: number }>;

interface Conn {
  db: Database.Database;
  txn: null | 'read' | 'write';
  /** Rows inserted in the open write transaction (not in the ledger until COMMIT returns). */
  uncommitted: string[];
}

export interface AppOptions {
  holdTransactions: boolean;
  switchJournal: boolean;
}

export class AppWriter {
  private conns: Array<Conn | null> = [null, null];
  private n = 0;

  constructor(
    readonly device: string,
    private readonly dbPath: string,
    private readonly ledger: Ledger,
    private readonly opts: AppOptions,
  ) {}

  get holdsTransaction(): boolean {
    return this.conns.some((c) => c?.txn);
  }

  private open(i: number): Conn {
    const c = this.conns[i] ?? {
      db: new Database(this.dbPath, { fileMustExist: true, timeout: 0 }),
      txn: null,
      uncommitted: [],
    };
    this.conns[i] = c;
    return c;
  }

  private newRows(c: Conn, k: number): string[] {
    const ins = c.db.prepare('INSERT INTO items (id, origin, payload) VALUES (?, ?, ?)');
    const ids: string[] = [];
    for (let j = 0; j < k; j++) {
      const id = `${this.device}-${++this.n}`;
      ins.run(id, this.device, `${id}:${'x'.repeat(300)}`);
      ids.push(id);
    }
    return ids;
  }

  /** One application step, chosen by the scheduler's generator; returns what it did, for the trace. */
  act(rng: Prng, step: number): string {
    const i = rng.int(0, 1);
    const kinds: Array<readonly [string, number]> = [
      ['commit', 6],
      ['close', 1],
      ['begin-write', this.opts.holdTransactions ? 2 : 0],
      ['begin-read', this.opts.holdTransactions ? 2 : 0],
      ['end', this.conns[i]?.txn ? 4 : 0],
      ['rollback', this.conns[i]?.txn ? 1 : 0],
      ['journal', this.opts.switchJournal ? 1 : 0],
    ];
    const kind = rng.weighted(kinds);
    try {
      return `app ${this.device}#${i} ${kind}${this.doAct(kind, i, rng, step)}`;
    } catch (err) {
      const code = (err as { code?: string }).code ?? (err as Error).message;
      return `app ${this.device}#${i} ${kind} failed ${code}`;
    }
  }

  private doAct(kind: string, i: number, rng: Prng, step: number): string {
    switch (kind) {
      case 'commit': {
        const c = this.open(i);
        if (c.txn === 'write') {
          c.uncommitted.push(...this.newRows(c, 1));
          return ' (inside its open write transaction)';
        }
        if (c.txn === 'read') return ' skipped (read transaction open)';
        const ids = c.db.transaction(() => this.newRows(c, rng.int(1, 2)))();
        for (const id of ids) this.ledger.set(id, { device: this.device, step });
        return ` ${ids.join(',')}`;
      }
      case 'close':
        this.close(i);
        return '';
      case 'begin-write': {
        const c = this.open(i);
        if (c.txn) return ' skipped';
        c.db.exec('BEGIN IMMEDIATE');
        c.txn = 'write';
        c.uncommitted = this.newRows(c, 1);
        return ` holding ${c.uncommitted.join(',')}`;
      }
      case 'begin-read': {
        const c = this.open(i);
        if (c.txn) return ' skipped';
        c.db.exec('BEGIN');
        c.db.prepare('SELECT count(*) FROM items').get();
        c.txn = 'read';
        return '';
      }
      case 'end':
        return this.end(i, true, step);
      case 'rollback':
        return this.end(i, false, step);
      case 'journal': {
        const c = this.open(i);
        if (c.txn) return ' skipped';
        const want = rng.chance(0.5) ? 'wal' : 'delete';
        // Read first: SQLite 3.53.2 loses rows other connections committed if a connection that has not read since
        // switches WAL -> delete (reproduced without the engine; see the simulator's report). Not the engine's bug.
        c.db.prepare('SELECT count(*) FROM items').get();
        const got = c.db.pragma(`journal_mode = ${want}`, { simple: true });
        return ` ${want} -> ${String(got)}`;
      }
    }
    return '';
  }

  private end(i: number, commit: boolean, step: number): string {
    const c = this.conns[i];
    if (!c?.txn) return ' nothing open';
    if (commit) {
      try {
        c.db.exec('COMMIT');
      } catch (err) {
        // A busy COMMIT keeps its PENDING lock, which would stall every reader: the app gives up on these rows.
        c.db.exec('ROLLBACK');
        c.txn = null;
        c.uncommitted = [];
        throw err;
      }
      if (c.txn === 'write') for (const id of c.uncommitted) this.ledger.set(id, { device: this.device, step });
    } else {
      c.db.exec('ROLLBACK');
    }
    const rows = c.uncommitted;
    c.txn = null;
    c.uncommitted = [];
    return rows.length ? ` ${commit ? 'committed' : 'dropped'} ${rows.join(',')}` : '';
  }

  /** Closing with a transaction open rolls it back, as a crash of the app would. */
  private close(i: number): void {
    const c = this.conns[i];
    if (!c) return;
    this.conns[i] = null;
    if (c.txn) c.db.exec('ROLLBACK');
    c.db.close();
  }

  /** The app quits cleanly: commit what is open (retrying is the app's business), then close. */
  quit(step: number): string[] {
    const out: string[] = [];
    for (let i = 0; i < this.conns.length; i++) {
      const c = this.conns[i];
      if (c?.txn) {
        try {
          out.push(`app ${this.device}#${i} quit${this.end(i, true, step)}`);
        } catch (err) {
          out.push(`app ${this.device}#${i} quit commit failed ${(err as { code?: string }).code}`);
        }
      }
      this.close(i);
    }
    return out;
  }
}
