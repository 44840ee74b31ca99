/**
 * Multi-client soak: N client processes on one remote, each committing random rows to its own copy and syncing at
 * random times for a bounded time, then a bounded drain (every client syncs until a full round changes nothing).
 * Invariant: every row ever committed by any client (its ledger) is in some client's final database or in a conflict
 * copy: zero lost updates. Reported: rows committed, syncs, conflicts, lost rows, rows found only in local backups.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { SyncService } from '../../src/service.js';
import { toSyncError } from '../../src/errors.js';
import { tmpDir } from '../../test/helpers/system.js';
import { ROOT, makeDb, notesOf, writeConfig } from './util.js';

export interface SoakTarget {
  name: string;
  config(db: string, device: string): Record<string, unknown>;
  /** Rows of the remote's current version, when the test can read it directly. */
  remoteRows?(): string[] | null;
}

export interface SoakOptions {
  clients: number;
  seconds: number;
  seed: number;
  writer: 'inline' | 'external';
  /** Smallest gap between two syncs of one client (ms). */
  minGapMs?: number;
  log?: (s: string) => void;
}

export interface SoakReport {
  transport: string;
  writer: string;
  seconds: number;
  committed: number;
  syncs: number;
  pushes: number;
  pulls: number;
  conflicts: number;
  conflictCopies: number;
  errors: number;
  errorCodes: Record<string, number>;
  lost: number;
  lostRows: string[];
  onlyInBackups: number;
  converged: boolean;
  drainRounds: number;
}

function runProc(script: string, env: Record<string, string>, timeoutMs: number): Promise<Record<string, unknown>> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'reliability', 'lib', script)], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (err += d));
    const t = setTimeout(() => p.kill('SIGKILL'), timeoutMs);
    p.on('close', (code) => {
      clearTimeout(t);
      const line = out.trim().split('\n').pop() ?? '';
      try {
        resolve(JSON.parse(line));
      } catch {
        resolve({ failed: true, code, err: err.slice(-2000) });
      }
    });
  });
}

function rowsIn(files: string[]): Set<string> {
  const s = new Set<string>();
  for (const f of files) {
    try {
      for (const r of notesOf(f)) s.add(r);
    } catch {
      /* encrypted or unreadable copy: counted as holding nothing */
    }
  }
  return s;
}

export async function runSoak(target: SoakTarget, o: SoakOptions): Promise<SoakReport> {
  const log = o.log ?? (() => {});
  const homes = Array.from({ length: o.clients }, (_, i) => tmpDir(`cx-soak-${target.name}-${i}-`));
  const dbs = homes.map((h) => path.join(h, 'cordiax.db'));
  homes.forEach((h, i) => writeConfig(h, target.config(dbs[i]!, `soak${i}`)));
  const drainSync = async (home: string): Promise<string> => {
    const svc = await SyncService.open({ home, embeddedServer: false });
    try {
      const r = await svc.syncNow();
      // «Conservar las dos»: this side goes on, the other stays in the conflict copy beside the database.
      if (r.action === 'conflict') await svc.resolve('both');
      return r.action;
    } catch (err) {
      return `error:${toSyncError(err).code}`;
    } finally {
      await svc.close().catch(() => {});
    }
  };
  // A common start: client 0 publishes, the others pull.
  makeDb(dbs[0]!, Array.from({ length: 20 }, (_, i) => `inicio-${i}`), 0.2);
  const first = await drainSync(homes[0]!);
  if (first !== 'push') throw new Error(`soak setup push: ${first}`);
  for (const h of homes.slice(1)) {
    const a = await drainSync(h);
    if (a !== 'pull') throw new Error(`soak setup pull: ${a}`);
  }

  const procs: Array<Promise<Record<string, unknown>>> = [];
  homes.forEach((h, i) => {
    const env = { CORDIAX_HOME: h, SOAK_ID: `c${i}`, SOAK_SECONDS: String(o.seconds), SOAK_SEED: String(o.seed * 10 + i), SOAK_WRITER: o.writer, SOAK_MIN_GAP_MS: String(o.minGapMs ?? 0) };
    procs.push(runProc('soak-client.ts', env, (o.seconds + 120) * 1000));
    if (o.writer === 'external') procs.push(runProc('soak-writer.ts', { ...env, SOAK_ID: `w${i}` }, (o.seconds + 60) * 1000));
  });
  const results = await Promise.all(procs);
  const rep: SoakReport = { transport: target.name, writer: o.writer, seconds: o.seconds, committed: 0, syncs: 0, pushes: 0, pulls: 0, conflicts: 0, conflictCopies: 0, errors: 0, errorCodes: {}, lost: 0, lostRows: [], onlyInBackups: 0, converged: false, drainRounds: 0 };
  for (const r of results) {
    if (r.failed) throw new Error(`soak process failed: ${JSON.stringify(r).slice(0, 2000)}`);
    if (typeof r.syncs === 'number') {
      rep.syncs += r.syncs;
      rep.pushes += r.push as number;
      rep.pulls += r.pull as number;
      rep.conflicts += r.conflict as number;
      rep.errors += r.errors as number;
      for (const [k, v] of Object.entries(r.errorCodes as Record<string, number>)) rep.errorCodes[k] = (rep.errorCodes[k] ?? 0) + v;
    }
  }

  // Drain: rounds until nothing moves (bounded).
  for (let round = 0; round < 8; round++) {
    rep.drainRounds = round + 1;
    if (round > 0 && o.minGapMs) await new Promise((ok) => setTimeout(ok, o.minGapMs));
    const actions: string[] = [];
    for (const h of homes) actions.push(await drainSync(h));
    rep.syncs += actions.length;
    rep.conflicts += actions.filter((a) => a === 'conflict').length;
    log(`${target.name} drain round ${round}: ${actions.join(' ')}`);
    if (actions.every((a) => a === 'none')) break;
  }

  const ledger = new Set<string>();
  for (const h of homes) {
    const f = path.join(h, 'ledger.txt');
    if (existsSync(f)) for (const row of readFileSync(f, 'utf8').split('\n').filter(Boolean)) ledger.add(row);
  }
  rep.committed = ledger.size;
  // Conflict copies beside the database, and those a resolution moved into backups/ (never pruned: only backup
  // names are, see LocalDb.pruneBackups).
  const copiesIn = (dir: string) =>
    existsSync(dir) ? readdirSync(dir).filter((n) => n.includes('.conflict-')).map((n) => path.join(dir, n)) : [];
  const copies = homes.flatMap((h) => [...copiesIn(h), ...copiesIn(path.join(h, 'backups'))]);
  rep.conflictCopies = copies.length;
  const kept = rowsIn([...dbs, ...copies]);
  const lost = [...ledger].filter((r) => !kept.has(r));
  const backups = homes.flatMap((h) => (existsSync(path.join(h, 'backups')) ? readdirSync(path.join(h, 'backups')).map((n) => path.join(h, 'backups', n)) : []));
  const inBackups = rowsIn(backups);
  rep.lost = lost.length;
  rep.lostRows = lost.slice(0, 20);
  rep.onlyInBackups = lost.filter((r) => inBackups.has(r)).length;
  const finals = dbs.map((d) => JSON.stringify(notesOf(d)));
  const remote = target.remoteRows?.();
  rep.converged = finals.every((f) => f === finals[0]) && (remote === undefined || JSON.stringify(remote) === finals[0]);
  return rep;
}
