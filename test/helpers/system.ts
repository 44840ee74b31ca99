/** Shared test helpers: temp folders, free ports, hashes, test databases, child daemons that die with the test. */
import { spawn, spawnSync, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, mkdtempSync, rmSync, chmodSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';

export const isRoot = process.getuid?.() === 0;

/** CI=true (or 1): missing servers and tools are failures there, never skips. */
export const inCI = !!process.env.CI && process.env.CI !== 'false' && process.env.CI !== '0';

/**
 * A test whose real server or tool is missing (or could not start). In CI that is a failure: a suite that tests
 * nothing must not pass. Elsewhere it is an explicit skip with the reason, which scripts/test.mjs counts and lists by
 * name. Call it and return: `if (!ok) return unavailable(t, 'redis-server is not installed');`
 */
export function unavailable(t: { skip(message?: string): void }, reason: string): void {
  if (inCI) throw new Error(`${reason} -- CI=true: a missing server or tool fails the test instead of skipping it`);
  t.skip(reason);
}

const cleanups: Array<() => void> = [];
let hooked = false;
function hookExit() {
  if (hooked) return;
  hooked = true;
  const run = () => {
    while (cleanups.length) {
      try {
        cleanups.pop()!();
      } catch {
        /* best effort */
      }
    }
  };
  process.on('exit', run);
  for (const sig of ['SIGINT', 'SIGTERM'] as const)
    process.on(sig, () => {
      run();
      process.exit(130);
    });
}
/** Registers a cleanup that runs when the test process exits, even on failure. */
export function atExit(fn: () => void): void {
  hookExit();
  cleanups.push(fn);
}

/** A private temp folder (0700), removed at exit unless KEEP_TMP=1. */
export function tmpDir(prefix = 'cx-test-'): string {
  const d = mkdtempSync(path.join(os.tmpdir(), prefix));
  chmodSync(d, 0o700);
  if (!process.env.KEEP_TMP) atExit(() => rmSync(d, { recursive: true, force: true }));
  return d;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

export async function waitForPort(port: number, host = '127.0.0.1', timeoutMs = 20000): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, host);
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > end) throw new Error(`port ${host}:${port} not listening after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Starts a daemon in its own process group, killed (whole group) at exit. */
export function startDaemon(cmd: string, args: string[], opts: SpawnOptions = {}): ChildProcess {
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true, ...opts });
  child.stdout?.on('data', () => {});
  child.stderr?.on('data', () => {});
  atExit(() => {
    try {
      if (child.pid) process.kill(-child.pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  });
  return child;
}

export function killGroup(child: ChildProcess, signal: NodeJS.Signals = 'SIGKILL'): void {
  try {
    if (child.pid) process.kill(-child.pid, signal);
  } catch {
    /* gone */
  }
}

export function sh(
  cmd: string,
  args: string[],
  opts: { input?: string; env?: NodeJS.ProcessEnv; cwd?: string } = {},
): { status: number; stdout: string; stderr: string } {
  const r = spawnSync(cmd, args, {
    encoding: 'utf8',
    input: opts.input,
    env: opts.env ?? process.env,
    cwd: opts.cwd,
    maxBuffer: 64 * 1024 * 1024,
  });
  return { status: r.status ?? -1, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

export function commandExists(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
}

export async function sha256File(file: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(file)) h.update(chunk as Buffer);
  return h.digest('hex');
}

/** A small Cordiax-like SQLite database with `rows` rows in table `notas`; returns its path. */
export function makeTestDb(file: string, rows = 100, opts: { wal?: boolean; tag?: string } = {}): string {
  const db = new Database(file);
  if (opts.wal !== false) db.pragma('journal_mode = WAL');
  db.exec('CREATE TABLE IF NOT EXISTS notas (id INTEGER PRIMARY KEY, texto TEXT NOT NULL, relleno BLOB)');
  const ins = db.prepare('INSERT INTO notas (texto, relleno) VALUES (?, ?)');
  db.transaction(() => {
    for (let i = 0; i < rows; i++) ins.run(`${opts.tag ?? 'fila'}-${i}`, randomBytes(64));
  })();
  db.close();
  return file;
}

/** Grows a database to about `bytes` with random blobs (incompressible), in WAL mode. */
export function makeLargeDb(file: string, bytes: number): string {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.exec('CREATE TABLE IF NOT EXISTS grande (id INTEGER PRIMARY KEY, datos BLOB)');
  const ins = db.prepare('INSERT INTO grande (datos) VALUES (?)');
  const blob = 256 * 1024;
  const n = Math.ceil(bytes / blob);
  for (let i = 0; i < n; i += 64) {
    db.transaction(() => {
      for (let j = i; j < Math.min(n, i + 64); j++) ins.run(randomBytes(blob));
    })();
  }
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  return file;
}

/** Rows of table `notas` as text, for content comparisons. */
export function readRows(file: string): string[] {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return (db.prepare('SELECT texto FROM notas ORDER BY id').all() as Array<{ texto: string }>).map((r) => r.texto);
  } finally {
    db.close();
  }
}

export function addRows(file: string, texts: string[]): void {
  const db = new Database(file);
  try {
    db.pragma('busy_timeout = 5000');
    const ins = db.prepare('INSERT INTO notas (texto) VALUES (?)');
    db.transaction(() => {
      for (const x of texts) ins.run(x);
    })();
  } finally {
    db.close();
  }
}

/** Peak RSS of this process so far (MB). */
/** Runs SQL on a database file as the app would (its own connection, waiting for a lock rather than failing). */
export function execSql(file: string, sql: string): void {
  const db = new Database(file);
  db.pragma('busy_timeout = 5000');
  db.exec(sql);
  db.close();
}

export function peakRssMb(): number {
  return Math.round(process.resourceUsage().maxRSS / 1024);
}
