/**
 * One schedule: a world drawn from (seed, index), then `steps` scheduler choices (a parked remote operation, with or
 * without a fault; a sync; an app step; a crash; a stale lock; time passing; a suspended PC; a request held on a slow
 * link; the remote rolled back), then a quiet phase (no faults, the apps quit, every PC syncs in turn) and the final
 * checks. Invariants are checked after every step (plus: every push the engine acknowledged is still the remote's
 * commit record of its generation); each kind of violation is reported once per schedule, at its first step.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import path from 'node:path';
import { COMMITS_DIR, LOCK_FILE } from '../src/engine/remote-layout.js';
import type { FaultClass } from './classes.js';
import { installVirtualTime, VirtualClock } from './clock.js';
import { Observer, type Violation } from './invariants.js';
import { Prng } from './prng.js';
import type { StoredFile, ServerMode } from './remote-store.js';
import { build, describeProfile, drawProfile, firstSyncs, type Built, type Profile } from './setup.js';
import { NET_FAULTS, type Decision } from './transport.js';
import { describe, type Plant, type SimDevice } from './world.js';

export interface ScheduleOptions {
  seed: string;
  index: number;
  allowed: readonly FaultClass[];
  modes?: readonly ServerMode[];
  /** Leave out the combinations today's engine is known to fail (classes.ts). */
  baseline?: boolean;
  plant?: Plant;
  /** Parent folder for the schedule's temp folder (a tmpfs keeps fsync cheap). */
  root: string;
}

export interface ScheduleResult {
  index: number;
  profile: Profile;
  trace: string[];
  violations: Violation[];
}

type Action = readonly [string, number, () => Promise<string> | string];

export async function runSchedule(o: ScheduleOptions): Promise<ScheduleResult> {
  const rng = new Prng(o.seed, o.index);
  const profile = drawProfile(rng, o.allowed, { modes: o.modes, baseline: o.baseline });
  const clock = new VirtualClock();
  const dir = mkdtempSync(path.join(o.root, `sim-${o.index}-`));
  const uninstall = installVirtualTime(clock);
  const trace = [`schedule ${o.index} ${describeProfile(profile)}${o.plant ? ` plant=${o.plant.name}` : ''}`];
  const violations: Violation[] = [];
  let b: Built | undefined;
  try {
    b = build(dir, `${o.seed}/${o.index}`, rng, profile, clock, o.plant);
    trace.push(...(await firstSyncs(b, rng)));
    const obs = new Observer(
      b.world.devices,
      b.world.store,
      b.ledger,
      path.join(dir, 'observer'),
      b.keys,
      profile.classes.has('encryption'),
    );
    const report = (vs: Violation[]) => {
      for (const v of vs) if (!violations.some((x) => x.kind === v.kind)) violations.push(v);
    };
    report(await obs.check(0));
    report(b.world.acked.check(0));
    await mainPhase(b, rng, profile, obs, trace, report);
    await quietPhase(b, rng, profile, obs, trace, report);
  } catch (err) {
    violations.push({ kind: 'simulator-error', step: -1, detail: (err as Error).stack ?? String(err) });
  } finally {
    uninstall();
    if (b) for (const d of b.world.devices) d.app.quit(-1);
    rmSync(dir, { recursive: true, force: true });
  }
  for (const v of violations) trace.push(`VIOLATION ${v.kind} at step ${v.step}: ${v.detail}`);
  return { index: o.index, profile, trace, violations };
}

function decide(rng: Prng, c: Set<FaultClass>): Decision {
  if (c.has('net') && rng.chance(0.08)) return { fault: rng.pick(NET_FAULTS) };
  if (c.has('lostReply') && rng.chance(0.03)) return { fault: 'lost-reply' };
  if (c.has('crash') && rng.chance(0.03)) return { crashAfter: true };
  return {};
}

async function mainPhase(
  b: Built,
  rng: Prng,
  profile: Profile,
  obs: Observer,
  trace: string[],
  report: (v: Violation[]) => void,
) {
  const { world } = b;
  const c = profile.classes;
  const backups: Array<Map<string, StoredFile>> = [];
  let step = 0;
  // A suspended PC (laptop lid) and a PC whose request is in flight on a slow link do not move.
  const free = (d: SimDevice) => d.suspendedUntil <= world.clock.now && d.slowUntilStep <= step;
  let last: SimDevice | null = null;
  // Offices differ: some PCs write all the time, some rarely (and only those let pulls happen between commits).
  const busyness = new Map(world.devices.map((d) => [d, rng.pick([0.2, 0.6, 1.5, 3])]));
  for (step = 1; step <= profile.steps; step++) {
    world.acked.step = step;
    const actions: Action[] = [];
    const parked = world.pendings.filter((p) => free(p.device)).sort((a, b) => a.device.id.localeCompare(b.device.id));
    for (const p of parked) {
      // Bursts: the device that just moved often moves again (a fast client next to a slow one), which is what
      // lets a whole lock-break sequence fit inside another device's critical section.
      actions.push([
        describe(p),
        p.device === last ? 30 : 10,
        () => {
          last = p.device;
          const d = p.kind === 'op' ? decide(rng, c) : {};
          world.resume(p, d);
          return d.fault ? ` !${d.fault}` : d.crashAfter ? ' !applied-then-crash' : '';
        },
      ]);
      if (c.has('crash'))
        actions.push([
          `crash ${p.device.id} at ${describe(p)}`,
          0.4,
          () => {
            world.crash(p.device);
            return '';
          },
        ]);
    }
    for (const d of world.devices.filter((d) => d.status === 'idle' && free(d))) {
      if (d.inConflict) {
        actions.push([
          `resolve ${d.id}`,
          1.5,
          async () => {
            const keep = c.has('keepRemote') && rng.chance(0.5) ? 'remote' : 'local';
            const r = await world.resolve(d, keep);
            if (keep === 'remote' && r === 'ok') obs.forgetHeld(d);
            return ` keep ${keep}: ${r}`;
          },
        ]);
      } else
        actions.push([
          `sync ${d.id}`,
          2.5,
          () => {
            world.startSync(d);
            return '';
          },
        ]);
    }
    const ready = world.devices.filter((d) => d.status === 'idle' && free(d) && !d.inConflict);
    // Every PC syncing at once (the scheduled poll after a power cut, "Sincronizar ahora" everywhere): contention.
    if (ready.length > 1) {
      actions.push([
        'sync all',
        1.5,
        async () => {
          for (const d of ready) {
            world.startSync(d);
            await world.quiescent(); // one at a time, so the order they park in is fixed
          }
          return '';
        },
      ]);
    }
    for (const d of world.devices) {
      // The app keeps writing while a pull downloads (a large database takes minutes): the restore must notice.
      const pulling = world.pendings.some((p) => p.device === d && p.op?.name === 'download');
      actions.push(['', busyness.get(d)! * (pulling ? 4 : 1), () => d.app.act(rng, step)]);
    }
    actions.push([
      'tick',
      0.5,
      () => {
        world.clock.advance(rng.int(200, 3000));
        return '';
      },
    ]);
    // The lock file is only used where the server's create is not atomic.
    if (c.has('staleLock') && !world.store.behaviour.claims.exclusiveCreate && !world.store.get(LOCK_FILE)) {
      actions.push([
        'stale lock',
        0.3,
        () => {
          const created = new Date(world.clock.now - rng.int(121_000, 900_000)).toISOString();
          world.store.put(
            LOCK_FILE,
            Buffer.from(JSON.stringify({ device: 'pc-ghost', nonce: 'ghost', created, host: 'pc-ghost', pid: 1234 })),
          );
          return '';
        },
      ]);
    }
    if (c.has('suspend')) {
      for (const p of parked.filter((p) => p.kind === 'op')) {
        // Most harmful right before the commit point: a PC stops just before creating its commit record (in rclone
        // mode after passing its lock's fence, so its lease runs out and another PC takes the lock meanwhile).
        const beforeCommit = p.op!.name.startsWith('createExclusive') && p.op!.path.startsWith(`${COMMITS_DIR}/`);
        actions.push([
          `suspend ${p.device.id}`,
          beforeCommit ? 3 : 0.15,
          () => {
            p.device.suspendedUntil = world.clock.now + rng.int(125_000, 200_000);
            return '';
          },
        ]);
      }
      actions.push([
        'time passes',
        0.4,
        () => {
          world.clock.advance(rng.int(20_000, 150_000));
          return '';
        },
      ]);
    }
    if (c.has('slow')) {
      for (const p of parked.filter((p) => p.kind === 'op')) {
        // A request held on a slow link while the other PCs make several round trips: most telling when it creates
        // or writes a commit record (the other PCs' check, create and read-backs all fit before it lands).
        const atCommit = p.op!.path.startsWith(`${COMMITS_DIR}/`) && p.op!.name !== 'readSmall';
        actions.push([
          `slow ${describe(p)}`,
          atCommit ? 15 : 0.2,
          () => {
            p.device.slowUntilStep = step + rng.int(8, 30);
            return '';
          },
        ]);
      }
    }
    if (c.has('rollback')) {
      if (step % 8 === 0) backups.push(world.store.snapshot());
      if (backups.length) {
        actions.push([
          'remote restored from an older backup',
          0.15,
          () => {
            world.store.restore(rng.pick(backups));
            world.acked.afterRestore(); // the only fault that legitimately removes acknowledged commits
            return '';
          },
        ]);
      }
    }
    const [label, , run] = rng.weighted(actions.map((a) => [a, a[1]] as const));
    world.clock.advance(rng.int(5, 150));
    const note = await run();
    await world.quiescent();
    const lines = [`${step} ${label}${note}`, ...world.trace.splice(0)];
    trace.push(...lines);
    if (process.env.SIM_DEBUG) console.error(lines.join('\n')); // live, so a hang shows where it stands
    report(await obs.check(step));
    report(world.acked.check(step));
    // Nothing is eligible while every parked device is suspended: time passes until one wakes.
    if (
      !world.pendings.some((p) => free(p.device)) &&
      world.pendings.some((p) => p.device.suspendedUntil > world.clock.now)
    ) {
      world.clock.advance(
        Math.min(...world.pendings.map((p) => p.device.suspendedUntil).filter((t) => t > world.clock.now)) -
          world.clock.now,
      );
    }
  }
}

async function quietPhase(
  b: Built,
  rng: Prng,
  profile: Profile,
  obs: Observer,
  trace: string[],
  report: (v: Violation[]) => void,
) {
  const { world } = b;
  const step = profile.steps + 1;
  world.acked.step = step;
  trace.push('quiet: faults stop, apps quit, every PC syncs in turn');
  for (const d of world.devices) {
    d.suspendedUntil = 0;
    d.slowUntilStep = 0;
    trace.push(...d.app.quit(step));
  }
  await world.drain(rng);
  trace.push(...world.trace.splice(0));
  report(await obs.check(step));
  report(world.acked.check(step));
  for (let round = 0; round < 2 * world.devices.length + 2; round++) {
    let settled = true;
    for (const d of world.devices) {
      world.clock.advance(400_000); // past any lock TTL, whatever the clocks' skew
      if (d.inConflict) {
        trace.push(`resolve ${d.id} keep local: ${await world.resolve(d, 'local')}`);
        settled = false;
      }
      world.startSync(d);
      await world.drain(rng);
      trace.push(...world.trace.splice(0));
      if (!d.lastOutcome.startsWith('none')) settled = false;
      report(await obs.check(step));
      report(world.acked.check(step));
    }
    if (settled) break;
  }
  const rows = await obs.deviceRows();
  const want = [...obs.current].sort().join(',');
  for (const d of world.devices) {
    const have = rows.get(d.id);
    if (d.inConflict) continue; // an explicit conflict is an allowed end
    if (!have || [...have].sort().join(',') !== want) {
      report([
        {
          kind: 'no-convergence',
          step,
          detail: `${d.id} (${d.lastOutcome}) holds ${have?.size ?? 'no'} rows, the remote ${obs.current.size}`,
        },
      ]);
    }
  }
}
