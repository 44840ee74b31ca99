/**
 * Server faults. For each fault: a device with a synced base changes its database, the fault is injected, and
 *  1. one sync runs: it must fail with a clear error code (or, for a slow link, succeed), never hang, never resolve
 *     as a success on a failure, and leave the remote's previous version complete and the local database intact;
 *  2. the real Scheduler (retry base 0.25 s, interval 2 s) retries during the fault: the attempts and the requests
 *     they make are counted (no retry storm);
 *  3. the fault ends: the first scheduled attempt that starts after that must succeed and converge
 *     (recovery within one interval), the remote ending with the local rows.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { SyncService } from '../../src/service.js';
import { Scheduler } from '../../src/engine/scheduler.js';
import { toSyncError } from '../../src/errors.js';
import { tmpDir } from '../../test/helpers/system.js';
import type { FaultProxy } from './proxy.js';
import { addNotes, checkRemoteDir, integrity, makeDb, notesOf, sameRows, sleep, writeConfig } from './util.js';
import type { Remote } from './targets.js';

export interface FaultCase {
  name: string;
  /** Database padding for this case (MB): big enough that a mid-transfer fault lands inside the transfer. */
  padMb?: number;
  /** Codes a clear failure may carry; empty = the sync must succeed despite the fault (slow link). */
  codes: string[];
  /** Runs before the base sync (e.g. mounts a small filesystem behind the remote). */
  prepare?(ctx: { target: { remoteDir: string } }): void;
  /** Starts the fault. May return a promise that resolves once the fault is in place (e.g. after N bytes moved). */
  inject(ctx: FaultContext): Promise<void> | void;
  /** Called right after the first sync starts (for faults that must land mid-transfer). */
  during?(ctx: FaultContext): Promise<void>;
  heal(ctx: FaultContext): Promise<void> | void;
  /** Sync attempts the scheduler may make in the fault window (default 8). */
  maxAttempts?: number;
  /** Requests (HTTP requests or TCP connections through the proxy) one failing attempt may make (default 30). */
  maxRequestsPerAttempt?: number;
}

export interface FaultContext {
  target: Remote;
  proxy?: FaultProxy;
  home: string;
  db: string;
  svc: SyncService;
}

export interface FaultResult {
  transport: string;
  fault: string;
  firstSync: string;
  clear: boolean;
  intact: boolean;
  attemptsDuringFault: number;
  requestsDuringFault: number;
  recovered: boolean;
  problems: string[];
}

async function withTimeout<T>(p: Promise<T>, ms: number): Promise<T | 'HANG'> {
  let t: NodeJS.Timeout;
  return Promise.race([p, new Promise<'HANG'>((r) => (t = setTimeout(() => r('HANG'), ms)))]).finally(() => clearTimeout(t));
}

export async function runFault(target: Remote, c: FaultCase, proxy?: FaultProxy, windowMs = 3000): Promise<FaultResult> {
  const res: FaultResult = { transport: target.name, fault: c.name, firstSync: '', clear: false, intact: false, attemptsDuringFault: 0, requestsDuringFault: 0, recovered: false, problems: [] };
  const home = tmpDir(`cx-fault-${target.name}-`);
  const db = path.join(home, 'cordiax.db');
  if (c.prepare) {
    try {
      c.prepare({ target });
    } catch (err) {
      res.problems.push(`skipped: ${(err as Error).message}`);
      return res;
    }
  }
  writeConfig(home, target.config(db, `fault-${c.name.replace(/[^a-z0-9]+/gi, '-')}`.slice(0, 60)));
  makeDb(db, ['f-1', 'f-2'], c.padMb ?? 2);
  const svc = await SyncService.open({ home, embeddedServer: false });
  const ctx: FaultContext = { target, proxy, home, db, svc };
  try {
    const base = await svc.syncNow();
    if (base.action !== 'push' && base.action !== 'none') throw new Error(`base sync: ${base.action}`);
    const before = checkRemoteDir(target.remoteDir, target.manifestName);
    addNotes(db, [`tras-fallo-${c.name}`]);
    const localRows = notesOf(db);

    // 1. One sync under the fault.
    await c.inject(ctx);
    const first = svc.syncNow().then(
      (r) => `ok:${r.action}`,
      (err) => toSyncError(err).code,
    );
    if (c.during) await c.during(ctx);
    const outcome = await withTimeout(first, 120_000);
    res.firstSync = outcome;
    if (outcome === 'HANG') res.problems.push('the sync under the fault did not end in 120 s');
    else if (c.codes.length === 0) res.clear = outcome.startsWith('ok:');
    else res.clear = c.codes.includes(outcome);
    if (!res.clear) res.problems.push(`first sync under the fault: ${outcome} (expected ${c.codes.length ? c.codes.join('|') : 'success'})`);
    const checkIntact = () => {
      const rc = checkRemoteDir(target.remoteDir, target.manifestName);
      const li = integrity(db);
      res.intact = rc.ok && li === 'ok' && sameRows(notesOf(db), localRows) && (sameRows(rc.rows, before.rows) || sameRows(rc.rows, localRows));
      if (!res.intact) res.problems.push(`after the fault: remote ${rc.ok ? (rc.rows === null ? 'empty' : 'ok') : rc.problems.join(',')}, local ${li}`);
    };
    // A remote that is away during the fault (unmounted drive) is checked as soon as it is back.
    const deferred = !existsSync(target.remoteDir);
    if (!deferred) checkIntact();
    if (outcome === 'HANG') return res;

    // 2. The scheduler retries during the fault (skipped when the fault let the sync through).
    const attempts: Array<{ healed: boolean; ok: boolean }> = [];
    let healed = c.codes.length === 0;
    const sched = new Scheduler({
      intervalSeconds: 2,
      retryBaseSeconds: 0.25,
      run: async () => {
        const a = { healed, ok: false };
        attempts.push(a);
        await svc.syncNow();
        a.ok = true;
      },
    });
    proxy?.resetCounters();
    if (!healed) {
      if (c.codes.length && !res.firstSync.startsWith('ok:')) {
        sched.start();
        await sleep(windowMs);
        res.attemptsDuringFault = attempts.length;
        res.requestsDuringFault = proxy ? Math.max(proxy.httpRequests, proxy.connections) : 0;
        if (res.attemptsDuringFault > (c.maxAttempts ?? 8)) res.problems.push(`retry storm: ${res.attemptsDuringFault} attempts in the fault window`);
        if (proxy && res.requestsDuringFault > (c.maxRequestsPerAttempt ?? 30) * Math.max(1, res.attemptsDuringFault)) res.problems.push(`request storm: ${res.requestsDuringFault} requests for ${res.attemptsDuringFault} attempts`);
        if (attempts.some((a) => a.ok)) res.problems.push('an attempt during the fault reported success');
      }
      await c.heal(ctx);
      healed = true;
      if (deferred) checkIntact();
    }
    // 3. Recovery: the first attempt that starts after the fault ended must succeed (bounded wait: 2 intervals + a sync).
    if (!sched.state().running) sched.start();
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline && !attempts.some((a) => a.healed && (a.ok || !sched.state().syncing))) await sleep(100);
    while (Date.now() < deadline && sched.state().syncing) await sleep(100);
    sched.stop();
    const firstAfter = attempts.find((a) => a.healed);
    if (!firstAfter) res.problems.push('no attempt after the fault ended');
    else if (!firstAfter.ok) {
      // Tell which error stopped it.
      const again = await svc.syncNow().then((r) => `ok:${r.action}`, (err) => toSyncError(err).code);
      res.problems.push(`the first attempt after the fault ended failed (a manual sync then gave ${again})`);
    }
    const end = checkRemoteDir(target.remoteDir, target.manifestName);
    res.recovered = !!firstAfter?.ok && end.ok && sameRows(end.rows, notesOf(db));
    if (firstAfter?.ok && !res.recovered) res.problems.push('after recovery the remote does not hold the local rows');
    return res;
  } catch (err) {
    res.problems.push(`harness: ${(err as Error).message}`);
    return res;
  } finally {
    await svc.close().catch(() => {});
  }
}

/** Writes a config change (e.g. the new password) and makes the service read it, as saving in the UI would. */
export async function updateConfig(ctx: FaultContext, patch: (cfg: Record<string, unknown>) => void): Promise<void> {
  const cfg = ctx.target.config(ctx.db, 'x') as Record<string, unknown>;
  const cur = (await import('node:fs')).readFileSync(path.join(ctx.home, 'sync_config.json'), 'utf8');
  Object.assign(cfg, JSON.parse(cur));
  patch(cfg);
  writeConfig(ctx.home, cfg);
  await ctx.svc.reloadConfig();
}
