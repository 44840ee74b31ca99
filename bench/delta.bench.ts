// Delta sync bench (issue 11): a Cordiax-like database (BENCH_DELTA_MB, default 500) synced by the real engine through
// Apache WebDAV, the folder target and Samba (our SMB transport); BENCH_DELTA_TRANSPORTS picks them (default
// webdav,folder,smb; Samba binds 445/139: run under `flock /tmp/cordiax-serial.lock`). One sync per child process
// (bundled with esbuild: no tsx start-up), timed inside the child and measured with /usr/bin/time for peak RSS.
// Bytes: WebDAV counts at the server (Apache's %I/%O), Samba too (the SMB2 request/reply bytes of smbd's profile);
// the folder target counts up as the size of the objects new or changed under the remote folder, down as the bytes
// the engine read from the remote (its bytesDown; the read-back checks and manifest reads are not counted). Peers in the same run: `sqlite3 DB ".backup X"` (the cost floor of any consistent copy)
// and, for the first sync, `sqlite3 .backup` + copying the same bytes to the remote (curl -T, cp, smbclient put).
//
// Cases: first full sync; a 1-row change (up, then a second device pulling it); a day of reception work (20 inserts
// + 50 scattered updates); a device 3 versions behind; compaction figures (patch sizes against the database).
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { bundleChild } from './lib/child.js';
import { startApache } from '../test/helpers/apache.js';
import { startSamba } from '../test/helpers/samba.js';
import { tmpDir } from '../test/helpers/system.js';
import { takeSnapshot } from '../src/db/snapshot.js';
import { median, summary, timed, type Run } from './lib/measure.js';

const MB = Number(process.env.BENCH_DELTA_MB ?? 500);
const ROUNDS = Number(process.env.BENCH_RUNS ?? 3);
const TRANSPORTS = (process.env.BENCH_DELTA_TRANSPORTS ?? 'webdav,folder,smb').split(',').filter(Boolean);

/** Bundled next to node_modules, so its one external (better-sqlite3, a native module) resolves. */
function buildChild(): string {
  const contents = `
import { SyncEngine } from './src/engine/engine.ts';
import { WebdavTransport } from './src/transports/webdav/transport.ts';
import { FolderTransport } from './src/transports/folder/index.ts';
import { SmbTransport } from './src/transports/smb/index.ts';
const job = JSON.parse(process.env.CX_DELTA_JOB);
const log = { emit(e) { if (e.code === 'SYNC_PUSH' || e.code === 'SYNC_PULL' || e.code?.startsWith('DELTA_')) process.stderr.write(e.text.es + '\\n'); } };
const ctx = { log, tmpDir: job.tmp, device: job.device };
const password = process.env.CX_REMOTE_PASSWORD;
const t =
  job.kind === 'folder'
    ? new FolderTransport(job.folder, ctx)
    : job.kind === 'smb'
      ? new SmbTransport({ server: job.host, share_name: job.share, username: job.user, password, domain: '', remote_path: job.remote_path, port: 445, timeout_seconds: 120 }, ctx)
      : new WebdavTransport({ url: job.url, username: job.user, password, remote_path: job.remote_path, auth: 'basic' }, ctx);
const engine = new SyncEngine({ transport: t, databasePath: job.db, statePath: job.home + '/sync_state.json', device: job.device, log, tmpDir: job.tmp });
const t0 = performance.now();
const c0 = process.cpuUsage();
const out = await engine.sync();
const ms = performance.now() - t0;
const c = process.cpuUsage(c0);
await engine.close();
process.stdout.write(JSON.stringify({ out, ms, cpuMs: (c.user + c.system) / 1000 }) + '\\n');
`;
  return bundleChild('delta-child', contents);
}

/** ~`mb` MB: appointments (indexed by date and patient) and patients, text rows like a clinic's. */
function makeClinicDb(file: string, mb: number): void {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.exec(`CREATE TABLE pacientes (id INTEGER PRIMARY KEY, nombre TEXT, telefono TEXT, notas TEXT);
           CREATE TABLE citas (id INTEGER PRIMARY KEY, paciente INTEGER, fecha TEXT, motivo TEXT, notas TEXT);
           CREATE INDEX citas_fecha ON citas(fecha);
           CREATE INDEX citas_paciente ON citas(paciente);`);
  const insP = db.prepare('INSERT INTO pacientes (nombre, telefono, notas) VALUES (?, ?, ?)');
  const insC = db.prepare('INSERT INTO citas (paciente, fecha, motivo, notas) VALUES (?, ?, ?, ?)');
  const txt = (n: number) => randomBytes(n).toString('base64').slice(0, n);
  const batch = db.transaction((n: number, from: number) => {
    for (let i = 0; i < n; i++) {
      const id = from + i;
      if (id % 8 === 0) insP.run(`Paciente ${id}`, `6${String(id).padStart(8, '0')}`, txt(200));
      insC.run(
        id % 50_000,
        `2026-${String((id % 12) + 1).padStart(2, '0')}-${String((id % 28) + 1).padStart(2, '0')} ${txt(6)}`,
        txt(40),
        txt(300),
      );
    }
  });
  for (
    let id = 0;
    statSync(file).size + (statSync(`${file}-wal`, { throwIfNoEntry: false })?.size ?? 0) < mb * 1048576;
    id += 20_000
  )
    batch(20_000, id);
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
}

function oneRow(file: string, tag: string): void {
  const db = new Database(file);
  db.prepare('INSERT INTO citas (paciente, fecha, motivo, notas) VALUES (?, ?, ?, ?)').run(
    7,
    `2026-12-01 ${tag}`,
    'revisión',
    tag,
  );
  db.close();
}

function dayOfWork(file: string): void {
  const db = new Database(file);
  const max = (db.prepare('SELECT max(id) AS m FROM citas').get() as { m: number }).m;
  db.transaction(() => {
    for (let i = 0; i < 20; i++)
      db.prepare('INSERT INTO citas (paciente, fecha, motivo, notas) VALUES (?, ?, ?, ?)').run(
        i,
        `2026-12-02 ${i}`,
        'nueva',
        'cita del día',
      );
    for (let i = 0; i < 50; i++)
      db.prepare("UPDATE citas SET notas = notas || ' (confirmada)' WHERE id = ?").run(
        1 + Math.floor(Math.random() * max),
      );
  })();
  db.close();
}

interface Device {
  name: string;
  home: string;
  db: string;
  tmp: string;
}

function device(base: string, name: string): Device {
  const home = path.join(base, name);
  mkdirSync(path.join(home, 'tmp'), { recursive: true, mode: 0o700 });
  return { name, home, db: path.join(home, 'cordiax.db'), tmp: path.join(home, 'tmp') };
}

/** One remote: the child's job fields, how bytes are counted, and the peer's copy of the backup to the remote. */
interface Target {
  name: string;
  job: Record<string, unknown>;
  password: string;
  /** Bytes up/down of one sync, counted at or under the remote. */
  wire(fn: () => Synced): Promise<Synced & { up: number; down: number }>;
  peerCopy(file: string): Run;
  stop(): Promise<void>;
}

type Synced = { run: Run; out: { action: string; bytesUp: number; bytesDown: number }; ms: number; cpuMs: number };

/** name -> size and mtime of every file under `dir` (the remote folder), to find the objects a sync wrote. */
function listing(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const e of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!e.isFile()) continue;
    const f = path.join(e.parentPath, e.name);
    const st = statSync(f, { throwIfNoEntry: false });
    if (st) out.set(f, `${st.size}:${st.mtimeMs}`);
  }
  return out;
}

/** Up = size of the objects new or changed under `dir`; down = what the engine read from the remote. */
function folderWire(dir: string) {
  return async (fn: () => Synced) => {
    const before = listing(dir);
    const r = fn();
    let up = 0;
    for (const [f, v] of listing(dir)) if (before.get(f) !== v) up += Number(v.split(':')[0]);
    return { ...r, up, down: r.out.bytesDown };
  };
}

async function webdavTarget(): Promise<Target> {
  const a = await startApache();
  // Apache writes its log after it answers; on a loaded machine a marker can take more than mark()'s 2 s.
  const mark = async () => {
    for (let i = 0; ; i++) {
      try {
        return await a.mark();
      } catch (err) {
        if (i >= 5) throw err;
      }
    }
  };
  return {
    name: 'Apache WebDAV',
    job: { kind: 'webdav', url: `${a.origin}/dav/`, user: a.user, remote_path: '/delta/' },
    password: a.password,
    async wire(fn) {
      await mark();
      const before = a.accessLines().length;
      const r = fn();
      await mark();
      const lines = a.accessLines().slice(before);
      return { ...r, up: lines.reduce((n, l) => n + l.bytesIn, 0), down: lines.reduce((n, l) => n + l.bytesOut, 0) };
    },
    peerCopy: (file) =>
      timed('curl', ['-sS', '-K', '-', '-T', file, '-o', '/dev/null', `${a.origin}/dav/peer.db`], {
        input: `user = "${a.user}:${a.password.replace(/"/g, '\\"')}"\n`,
      }),
    stop: () => a.stop(),
  };
}

function folderTarget(dir: string): Target {
  const remote = path.join(dir, 'remote');
  mkdirSync(remote, { recursive: true });
  return {
    name: 'folder target',
    job: { kind: 'folder', folder: remote },
    password: '',
    wire: folderWire(remote),
    peerCopy: (file) => timed('cp', [file, path.join(dir, 'peer.db')]),
    stop: async () => {},
  };
}

async function smbTarget(): Promise<Target> {
  const s = await startSamba();
  // Samba's profile counts the bytes of every SMB2 request (in) and reply (out), on every connection: the wire at
  // the server, without TCP framing. Turned on at run time (the helper's smb.conf stays as the tests use it).
  const on = spawnSync('smbcontrol', ['-s', s.conf, 'smbd', 'profile', 'on'], { encoding: 'utf8' });
  if (on.status !== 0) throw new Error(`smbcontrol profile on: ${on.stderr}`);
  const counted = () => {
    const out = spawnSync('smbstatus', ['-s', s.conf, '-P'], { encoding: 'utf8' }).stdout;
    const sum = (re: RegExp) => [...out.matchAll(re)].reduce((n, m) => n + Number(m[1]), 0);
    return { up: sum(/^smb2_\w+_inbytes:\s+(\d+)$/gm), down: sum(/^smb2_\w+_outbytes:\s+(\d+)$/gm) };
  };
  return {
    name: 'Samba (our SMB transport)',
    job: { kind: 'smb', host: s.host, share: s.share, user: s.user, remote_path: '/delta/' },
    password: s.password,
    async wire(fn) {
      const before = counted();
      const r = fn();
      const after = counted();
      return { ...r, up: after.up - before.up, down: after.down - before.down };
    },
    peerCopy: (file) =>
      timed('smbclient', [`//127.0.0.1/${s.share}`, '-A', s.authFile, '-s', s.conf, '-c', `put ${file} peer.db`]),
    stop: () => s.stop(),
  };
}

async function runCases(t: Target, child: string, dir: string, source: string): Promise<void> {
  const A = device(dir, 'equipoA');
  const B = device(dir, 'equipoB');
  const C = device(dir, 'equipoC');
  copyFileSync(source, A.db);
  console.log(`\n[${t.name}]`);

  const sync = (d: Device): Synced => {
    const r = timed(process.execPath, [child], {
      env: {
        ...process.env,
        CX_REMOTE_PASSWORD: t.password,
        CX_DELTA_JOB: JSON.stringify({ ...t.job, db: d.db, home: d.home, tmp: d.tmp, device: d.name }),
      },
    });
    const res = JSON.parse(r.stdout!.trim().split('\n').pop()!) as Omit<Synced, 'run'>;
    return { run: r, ...res };
  };
  const wire = (fn: () => Synced) => t.wire(fn);
  const backupOnce = (): Run => {
    const out = path.join(dir, 'backup.db');
    rmSync(out, { force: true });
    return timed('sqlite3', [A.db, `.backup ${out}`]);
  };
  // The peer of each sync: the median of three `.backup` runs (one taken alone swung 2x with the machine's load).
  const backup = (): Run => {
    const runs = [backupOnce(), backupOnce(), backupOnce()];
    return { ...summary(runs), cpuSeconds: median(runs.map((r) => r.cpuSeconds ?? 0)) };
  };
  const kib = (n: number) => `${(n / 1024).toFixed(1)} KiB`;
  const ratios = new Map<string, { wall: number[]; cpu: number[] }>();
  const fmt = (
    label: string,
    w: { up: number; down: number; ms: number; cpuMs: number; run: Run; out: { action: string } },
    peer?: Run,
    group?: string,
  ) => {
    const wall = peer ? w.ms / 1000 / peer.seconds : 0;
    const cpu = peer?.cpuSeconds ? w.cpuMs / 1000 / peer.cpuSeconds : 0;
    if (group && peer) {
      const g = ratios.get(group) ?? { wall: [], cpu: [] };
      g.wall.push(wall);
      g.cpu.push(cpu);
      ratios.set(group, g);
    }
    console.log(
      `${label.padEnd(38)} ${w.out.action.padEnd(5)} up ${kib(w.up).padStart(12)}  down ${kib(w.down).padStart(12)}  ${(w.ms / 1000).toFixed(2).padStart(6)} s${peer ? `  x${wall.toFixed(2)} of sqlite3 .backup (${peer.seconds.toFixed(2)} s)` : ''}  cpu ${(w.cpuMs / 1000).toFixed(2)} s${cpu ? ` (x${cpu.toFixed(2)} of its ${peer!.cpuSeconds!.toFixed(2)} s)` : ''}  peak RSS ${w.run.peakRssMb} MB`,
    );
  };

  // First full sync, against sqlite3 .backup + a plain copy of the same bytes to the remote.
  const b0 = backup();
  const c0 = t.peerCopy(path.join(dir, 'backup.db'));
  const first = await wire(() => sync(A));
  fmt('first full sync (A pushes)', first, {
    seconds: b0.seconds + c0.seconds,
    peakRssMb: 0,
    cpuSeconds: (b0.cpuSeconds ?? 0) + (c0.cpuSeconds ?? 0),
  });
  console.log(`  peer: sqlite3 .backup ${b0.seconds.toFixed(2)} s + copy to the remote ${c0.seconds.toFixed(2)} s`);
  const pullFirst = await wire(() => sync(B));
  fmt('new device B: first pull', pullFirst);

  for (let r = 0; r < ROUNDS; r++) {
    oneRow(A.db, `fila-${r}`);
    const peer = backup();
    const up = await wire(() => sync(A));
    fmt(`1-row change, A pushes (round ${r + 1})`, up, peer, '1-row push');
    const down = await wire(() => sync(B));
    fmt(`1-row change, B pulls (round ${r + 1})`, down, peer, '1-row pull');
  }
  for (const [group, g] of ratios)
    console.log(
      `  ${group}, median of ${g.wall.length}: x${median(g.wall).toFixed(2)} of sqlite3 .backup (wall), x${median(g.cpu).toFixed(2)} (cpu)`,
    );
  const snapA = await takeSnapshot(A.db);
  const snapB = await takeSnapshot(B.db);
  console.log(
    `  B identical to A after the pulls: ${snapA.sha256 === snapB.sha256 ? 'yes (same snapshot sha256)' : 'NO'}`,
  );
  await snapA.dispose();
  await snapB.dispose();

  dayOfWork(A.db);
  const day = await wire(() => sync(A));
  fmt('day of work (20 inserts + 50 updates)', day, backup());
  for (let r = 0; r < 2; r++) {
    oneRow(A.db, `mas-${r}`);
    await wire(() => sync(A));
  }
  const behind = await wire(() => sync(B));
  fmt('B, 3 versions behind, pulls', behind);
  const fresh = await wire(() => sync(C));
  fmt('new device C: base + patches', fresh);
}

async function main() {
  const dir = tmpDir('cx-bench-delta-');
  const child = buildChild();
  // BENCH_DELTA_SOURCE: an existing database to start from instead of building one (building 2 GB takes minutes).
  const source = process.env.BENCH_DELTA_SOURCE ?? path.join(dir, 'source.db');
  const t0 = Date.now();
  if (!process.env.BENCH_DELTA_SOURCE) makeClinicDb(source, MB);
  const dbSize = statSync(source).size;
  console.log(
    `Delta bench: ${(dbSize / 1048576).toFixed(0)} MiB Cordiax-like database (built in ${((Date.now() - t0) / 1000).toFixed(0)} s), transports ${TRANSPORTS.join(', ')} on loopback`,
  );
  for (const name of TRANSPORTS) {
    const sub = path.join(dir, name);
    mkdirSync(sub, { recursive: true });
    const t =
      name === 'webdav'
        ? await webdavTarget()
        : name === 'folder'
          ? folderTarget(sub)
          : name === 'smb'
            ? await smbTarget()
            : null;
    if (!t) throw new Error(`BENCH_DELTA_TRANSPORTS: unknown transport ${name} (webdav, folder, smb)`);
    try {
      await runCases(t, child, sub, source);
    } finally {
      await t.stop();
    }
    rmSync(sub, { recursive: true, force: true });
  }
  console.log(
    `goals: 1-row < 256 KiB each way, day < 2 MiB up, second device < 256 KiB down, sync <= 1.5x sqlite3 .backup, RSS < 150 MB`,
  );
}

await main();
process.exit(0);
