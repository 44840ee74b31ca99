/**
 * A stand-in for the Cordiax application: a separate process with its own better-sqlite3 connection that opens,
 * writes, holds read and write transactions, closes, switches journal mode and crashes (SIGKILL) on command, the
 * way a real app does around our syncs. Every row it reports committed goes into a ledger the tests audit.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const betterSqlite = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../node_modules/better-sqlite3');

// The child: one JSON command per line in, one JSON answer per line out.
const CHILD = `
const Database = require(${JSON.stringify(betterSqlite)});
const rl = require('readline').createInterface({ input: process.stdin });
let db = null;
const reply = (o) => process.stdout.write(JSON.stringify(o) + '\\n');
rl.on('line', (line) => {
  const c = JSON.parse(line);
  try {
    switch (c.op) {
      case 'open':
        db = new Database(c.file, { timeout: c.timeout ?? 5000 });
        if (c.journal) db.pragma('journal_mode = ' + c.journal);
        db.exec('CREATE TABLE IF NOT EXISTS notas (id INTEGER PRIMARY KEY, texto TEXT NOT NULL, relleno BLOB)');
        return reply({ ok: true });
      case 'insert': {
        db.prepare('INSERT INTO notas (texto) VALUES (?)').run(c.text);
        return reply({ ok: true, committed: db.inTransaction ? null : c.text });
      }
      case 'begin-write': db.exec('BEGIN IMMEDIATE'); return reply({ ok: true });
      case 'begin-read': db.exec('BEGIN'); db.prepare('SELECT count(*) FROM notas').get(); return reply({ ok: true });
      case 'commit': db.exec('COMMIT'); return reply({ ok: true });
      case 'rollback': db.exec('ROLLBACK'); return reply({ ok: true });
      case 'journal': db.pragma('journal_mode = ' + c.mode); return reply({ ok: true });
      case 'rows': return reply({ ok: true, rows: db.prepare('SELECT texto FROM notas ORDER BY id').all().map((r) => r.texto) });
      case 'close': db.close(); db = null; return reply({ ok: true });
      case 'crash': process.kill(process.pid, 'SIGKILL'); return;
    }
    reply({ ok: false, error: 'unknown op ' + c.op });
  } catch (err) {
    reply({ ok: false, error: String(err && err.message), code: err && err.code });
  }
});
`;

export interface AppAnswer {
  ok: boolean;
  error?: string;
  code?: string;
  committed?: string | null;
  rows?: string[];
}

export class AppProcess {
  private readonly child: ChildProcess;
  private readonly waiting: Array<(a: AppAnswer) => void> = [];
  /** Every row this app saw committed (the ledger). */
  readonly committed: string[] = [];
  /** Rows inserted inside a transaction, committed only when `commit` answers ok. */
  private pendingTx: string[] = [];
  readonly exited: Promise<number | null>;

  constructor() {
    this.child = spawn(process.execPath, ['-e', CHILD], { stdio: ['pipe', 'pipe', 'inherit'] });
    createInterface({ input: this.child.stdout! }).on('line', (l) =>
      this.waiting.shift()?.(JSON.parse(l) as AppAnswer),
    );
    this.exited = new Promise((r) => this.child.on('exit', (code) => r(code)));
  }

  private send(cmd: Record<string, unknown>): Promise<AppAnswer> {
    return new Promise((resolve, reject) => {
      this.waiting.push(resolve);
      this.child.stdin!.write(`${JSON.stringify(cmd)}\n`, (err) => err && reject(err));
    });
  }

  private async must(cmd: Record<string, unknown>): Promise<AppAnswer> {
    const a = await this.send(cmd);
    if (!a.ok) throw new Error(`app ${String(cmd.op)}: ${a.error}`);
    return a;
  }

  open(file: string, opts: { journal?: 'wal' | 'delete'; timeout?: number } = {}) {
    return this.must({ op: 'open', file, ...opts });
  }
  /** Inserts a row; outside a transaction it is committed (and ledgered) when this resolves. */
  async insert(text: string): Promise<AppAnswer> {
    const a = await this.send({ op: 'insert', text });
    if (a.ok && a.committed) this.committed.push(a.committed);
    else if (a.ok) this.pendingTx.push(text);
    return a;
  }
  beginWrite() {
    return this.must({ op: 'begin-write' });
  }
  beginRead() {
    return this.must({ op: 'begin-read' });
  }
  async commit() {
    await this.must({ op: 'commit' });
    this.committed.push(...this.pendingTx);
    this.pendingTx = [];
  }
  async rollback() {
    await this.must({ op: 'rollback' });
    this.pendingTx = [];
  }
  journal(mode: 'wal' | 'delete') {
    return this.must({ op: 'journal', mode });
  }
  async rows(): Promise<string[]> {
    return (await this.must({ op: 'rows' })).rows ?? [];
  }
  close() {
    return this.must({ op: 'close' });
  }
  /** SIGKILL, as a crash or a power cut of the app would leave things (its -wal stays behind). */
  async crash(): Promise<void> {
    this.child.stdin!.write(`${JSON.stringify({ op: 'crash' })}\n`);
    await this.exited;
  }
  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
    await this.exited;
  }
}
