// Socket.IO delta bench (issue 11, protocol 2 feature 'patch'): a Cordiax-like database (BENCH_SIO_DELTA_MB, default
// 200) synced by the real engine through our Socket.IO server on loopback. The server runs in this process so its
// byte counters (server.stats(): chunk bytes received, range bytes sent) are read directly; each sync runs in its own
// child process (bundled with esbuild: no tsx start-up), timed inside the child and measured with /usr/bin/time for
// peak RSS. Peer in the same run: `sqlite3 DB ".backup X"` (the cost floor of any consistent copy).
//
// Cases: first full sync; a 1-row change (up, then a second device pulling it), BENCH_RUNS rounds; a day of reception
// work (20 inserts + 50 scattered updates); a device 3 versions behind (one patch from the version it holds).
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { bundleChild } from './lib/child.js';
import { takeSnapshot } from '../src/db/snapshot.js';
import { startSyncServer, type SyncServer } from '../src/server/server.js';
import { tmpDir } from '../test/helpers/system.js';
import { timed, type Run } from './lib/measure.js';

const MB = Number(process.env.BENCH_SIO_DELTA_MB ?? 200);
const ROUNDS = Number(process.env.BENCH_RUNS ?? 3);

function buildChild(): string {
  const contents = `
import { SyncEngine } from './src/engine/engine.ts';
import { SocketioEndpoint } from './src/transports/socketio/endpoint.ts';
import { defaultConfig } from './src/config/schema.ts';
const job = JSON.parse(process.env.CX_SIO_JOB);
const log = { emit(e) { if (e.code?.startsWith('DELTA_')) process.stderr.write(e.text.es + '\\n'); } };
const cfg = defaultConfig();
cfg.socketio = { ...cfg.socketio, server_url: job.url };
const ep = new SocketioEndpoint(cfg, { log, tmpDir: job.tmp, device: job.device });
const engine = new SyncEngine({ transport: ep, databasePath: job.db, statePath: job.home + '/sync_state.json', device: job.device, log, tmpDir: job.tmp });
const t0 = performance.now();
const out = await engine.sync();
const ms = performance.now() - t0;
await ep.close();
process.stdout.write(JSON.stringify({ out: { action: out.action, delta: out.delta }, ms }) + '\\n');
process.exit(0);
`;
  return bundleChild('socketio-delta-child', contents);
}

/** ~`mb` MB of appointments (indexed by date) and patients, text rows like a clinic's. */
function makeClinicDb(file: string, mb: number): void {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.exec(`CREATE TABLE pacientes (id INTEGER PRIMARY KEY, nombre TEXT, notas TEXT);
           CREATE TABLE citas (id INTEGER PRIMARY KEY, paciente INTEGER, fecha TEXT, notas TEXT);
           CREATE INDEX citas_fecha ON citas(fecha);`);
  const insP = db.prepare('INSERT INTO pacientes (nombre, notas) VALUES (?, ?)');
  const insC = db.prepare('INSERT INTO citas (paciente, fecha, notas) VALUES (?, ?, ?)');
  const txt = (n: number) => randomBytes(n).toString('base64').slice(0, n);
  const batch = db.transaction((from: number) => {
    for (let id = from; id < from + 20_000; id++) {
      if (id % 8 === 0) insP.run(`Paciente ${id}`, txt(200));
      insC.run(id % 50_000, `2026-${String((id % 12) + 1).padStart(2, '0')}-${txt(6)}`, txt(300));
    }
  });
  for (
    let id = 0;
    statSync(file).size + (statSync(`${file}-wal`, { throwIfNoEntry: false })?.size ?? 0) < mb * 1048576;
    id += 20_000
  )
    batch(id);
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
}

function change(file: string, rows: number, updates: number, tag: string): void {
  const db = new Database(file);
  const max = (db.prepare('SELECT max(id) AS m FROM citas').get() as { m: number }).m;
  db.transaction(() => {
    for (let i = 0; i < rows; i++)
      db.prepare('INSERT INTO citas (paciente, fecha, notas) VALUES (?, ?, ?)').run(i, `2026-12-01 ${tag}`, tag);
    for (let i = 0; i < updates; i++)
      db.prepare('UPDATE citas SET notas = ? WHERE id = ?').run(`${tag}-${i}`, 1 + Math.floor(Math.random() * max));
  })();
  db.close();
}

/**
 * measure.ts timed(), without blocking this process: the server lives here and must keep answering while the child
 * syncs.
 */
function timedAsync(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<Run> {
  const t0 = process.hrtime.bigint();
  const p = spawn('/usr/bin/time', ['-f', '%M', cmd, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  p.stdout.on('data', (d: Buffer) => (out += d.toString()));
  p.stderr.on('data', (d: Buffer) => (err += d.toString()));
  return new Promise((resolve, reject) =>
    p.on('exit', (code) => {
      const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
      if (code !== 0) return reject(new Error(`${cmd} failed (${code}): ${err.slice(-2000)}`));
      const kb = Number(err.trim().split('\n').pop());
      resolve({ seconds, peakRssMb: Math.round(kb / 1024), stdout: out });
    }),
  );
}

interface Synced {
  run: Run;
  ms: number;
  out: { action: string; delta?: { patches: number; pages: number } };
  up: number;
  down: number;
}

async function main() {
  const dir = tmpDir('cx-bench-sio-delta-');
  const child = buildChild();
  const source = path.join(dir, 'source.db');
  makeClinicDb(source, MB);
  const dbSize = statSync(source).size;
  const server: SyncServer = await startSyncServer({ host: '127.0.0.1', port: 0, storageDir: path.join(dir, 'store') });
  console.log(
    `Socket.IO delta bench: ${(dbSize / 1048576).toFixed(0)} MiB Cordiax-like database, our server on loopback`,
  );
  const device = (name: string) => {
    const home = path.join(dir, name);
    mkdirSync(path.join(home, 'tmp'), { recursive: true });
    return { name, home, tmp: path.join(home, 'tmp'), db: path.join(home, 'cordiax.db') };
  };
  const A = device('equipoA');
  const B = device('equipoB');
  copyFileSync(source, A.db);
  const sync = async (d: ReturnType<typeof device>): Promise<Synced> => {
    const before = server.stats();
    const run = await timedAsync(process.execPath, [child], {
      ...process.env,
      CX_SIO_JOB: JSON.stringify({ url: server.url, db: d.db, home: d.home, tmp: d.tmp, device: d.name }),
    });
    const after = server.stats();
    const res = JSON.parse(run.stdout!.trim().split('\n').pop()!) as Omit<Synced, 'run' | 'up' | 'down'>;
    return { run, ...res, up: after.bytesIn - before.bytesIn, down: after.bytesOut - before.bytesOut };
  };
  const backup = (): Run => {
    const out = path.join(dir, 'backup.db');
    rmSync(out, { force: true });
    return timed('sqlite3', [A.db, `.backup ${out}`]);
  };
  const kib = (n: number) => `${(n / 1024).toFixed(1)} KiB`;
  const show = (label: string, w: Synced, peer?: Run) =>
    console.log(
      `${label.padEnd(38)} ${w.out.action.padEnd(5)} up ${kib(w.up).padStart(12)}  down ${kib(w.down).padStart(12)}  ${(w.ms / 1000).toFixed(2).padStart(6)} s${peer ? `  x${(w.ms / 1000 / peer.seconds).toFixed(2)} of sqlite3 .backup (${peer.seconds.toFixed(2)} s)` : ''}  peak RSS ${w.run.peakRssMb} MB${w.out.delta?.patches ? `  (${w.out.delta.pages} pages)` : ''}`,
    );
  try {
    show('first full sync (A pushes)', await sync(A), backup());
    show('new device B: first pull', await sync(B));
    for (let r = 0; r < ROUNDS; r++) {
      change(A.db, 1, 0, `fila-${r}`);
      const peer = backup();
      show(`1-row change, A pushes (round ${r + 1})`, await sync(A), peer);
      show(`1-row change, B pulls (round ${r + 1})`, await sync(B), peer);
    }
    const [sa, sb] = [await takeSnapshot(A.db), await takeSnapshot(B.db)];
    console.log(`  B identical to A after the pulls: ${sa.sha256 === sb.sha256 ? 'yes (same snapshot sha256)' : 'NO'}`);
    await sa.dispose();
    await sb.dispose();
    change(A.db, 20, 50, 'dia');
    show('day of work (20 inserts + 50 updates)', await sync(A), backup());
    for (let r = 0; r < 2; r++) {
      change(A.db, 1, 0, `mas-${r}`);
      await sync(A);
    }
    show('B, 3 versions behind, pulls', await sync(B));
    const st = server.stats();
    console.log(`  server: ${st.patchPushes} pushes from patches, ${st.patchPulls} pull patches built`);
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
  console.log('goals (issue 11): 1-row < 256 KiB each way, day < 2 MiB up, RSS < 150 MB');
}

if (spawnSync('sqlite3', ['-version']).status !== 0) throw new Error('sqlite3 (the peer) is not installed');
await main();
process.exit(0);
