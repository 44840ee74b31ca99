/**
 * The simulated PCs: each has its home folder (database, state file, backups, temp folder), an application writer
 * and a real SyncEngine on the simulated server. A device is `running` (its code executes real local work: SQLite,
 * files), `parked` (waiting at a remote operation or a timer: the scheduler decides when it goes on) or `idle`.
 * The scheduler only chooses when no device is running, so the order of everything remote is a function of the seed.
 */
import path from 'node:path';
import { mkdirSync } from 'node:fs';
import { SyncEngine, type SyncOutcome } from '../src/engine/engine.js';
import type { EncryptionConfig } from '../src/config/schema.js';
import type { Logger } from '../src/log/events.js';
import type { FileTransport, RemoteManifest, SyncEndpoint } from '../src/transports/types.js';
import { AppWriter, type AppOptions, type Ledger } from './app.js';
import { AckedCommits } from './commits.js';
import { inDevice, realDelay, type DeviceContext, type VirtualClock } from './clock.js';
import { Prng } from './prng.js';
import type { RemoteStore, ServerBehaviour } from './remote-store.js';
import { SimTransport, type Decision, type HostIdentity, type OpInfo } from './transport.js';

export interface Pending {
  device: SimDevice;
  incarnation: number;
  kind: 'op' | 'timer';
  op?: OpInfo;
  due?: number;
  resume(d: Decision): void;
}

/** Ways to plant a known bug without editing the engine: wrap its transport, or patch the fresh engine. */
export interface Plant {
  name: string;
  /** The server behaves like this instead of what the schedule's mode says. */
  behaviour?: ServerBehaviour;
  wrapTransport?(t: FileTransport): FileTransport;
  patchEngine?(e: SyncEngine): void;
}

export class SimDevice {
  engine!: SyncEngine;
  incarnation = 0;
  status: 'idle' | 'running' | 'parked' = 'idle';
  suspendedUntil = 0;
  /** A request of this PC is in flight on a slow link until this scheduler step (class `slow`). */
  slowUntilStep = 0;
  inConflict = false;
  crashes = 0;
  lastOutcome = '';
  /** The manifest the current incarnation's remote.push returned in the sync under way (what a 'push' acknowledges). */
  committed: RemoteManifest | undefined;
  /** The remote's restore count when the sync under way started. */
  restoresAtSync = 0;
  readonly db: string;
  readonly statePath: string;
  readonly tmp: string;
  readonly random: Prng;
  app!: AppWriter;

  constructor(
    readonly id: string,
    readonly home: string,
    readonly skewMs: number,
    readonly identity: HostIdentity,
    seed: string,
  ) {
    this.db = path.join(home, 'cordiax.db');
    this.statePath = path.join(home, 'sync_state.json');
    this.tmp = path.join(home, 'tmp');
    mkdirSync(this.tmp, { recursive: true, mode: 0o700 });
    this.random = new Prng(seed, 'math-random', id);
  }
}

export class SimStuck extends Error {}

export class World {
  readonly devices: SimDevice[] = [];
  pendings: Pending[] = [];
  /** Trace lines written by devices while they run (log events). */
  readonly trace: string[] = [];
  private changed: (() => void) | null = null;
  /** Pushes the engine reported as done: the commit protocol promises each stays the remote's record. */
  readonly acked: AckedCommits;

  constructor(
    readonly clock: VirtualClock,
    readonly store: RemoteStore,
    private readonly opts: {
      encryption?: EncryptionConfig;
      plant?: Plant;
      keepVersions: number;
      ledger: Ledger;
      app: AppOptions;
    },
  ) {
    this.acked = new AckedCommits(store);
  }

  addDevice(d: SimDevice): void {
    d.app = new AppWriter(d.id, d.db, this.opts.ledger, this.opts.app);
    this.devices.push(d);
    this.makeEngine(d);
  }

  private notify(): void {
    const c = this.changed;
    this.changed = null;
    c?.();
  }

  private context(d: SimDevice, inc: number): DeviceContext {
    return {
      id: d.id,
      skewMs: d.skewMs,
      random: () => d.random.next(),
      startTimer: (delayMs, fire) => {
        const p: Pending = {
          device: d,
          incarnation: inc,
          kind: 'timer',
          due: this.clock.now + Math.max(0, delayMs),
          resume: () => inDevice(this.context(d, inc), fire),
        };
        this.park(p);
        return () => {
          this.pendings = this.pendings.filter((x) => x !== p);
        };
      },
    };
  }

  private park(p: Pending): void {
    if (p.incarnation !== p.device.incarnation) return; // a dead process does nothing
    this.pendings.push(p);
    p.device.status = 'parked';
    this.notify();
  }

  /** A new engine instance on the same files: a fresh start, or the restart after a crash. */
  private makeEngine(d: SimDevice): void {
    const inc = d.incarnation;
    const gate = {
      wait: (op: OpInfo) =>
        new Promise<Decision>((resume) => this.park({ device: d, incarnation: inc, kind: 'op', op, resume })),
      halt: () => {
        this.crash(d);
        return new Promise<never>(() => {});
      },
    };
    let transport: FileTransport = new SimTransport(this.store, gate, d.id, d.identity);
    if (this.opts.plant?.wrapTransport) transport = this.opts.plant.wrapTransport(transport);
    const log: Logger = {
      emit: (ev) => {
        if (ev.code && ev.type !== 'progress' && ev.type !== 'sync_start' && ev.type !== 'sync_end')
          this.trace.push(`  ${d.id} log ${ev.code}`);
      },
    };
    d.engine = new SyncEngine({
      transport,
      databasePath: d.db,
      statePath: d.statePath,
      device: d.id,
      log,
      tmpDir: d.tmp,
      keepVersions: this.opts.keepVersions,
      direction: 'bidirectional',
      encryption: this.opts.encryption,
    });
    this.opts.plant?.patchEngine?.(d.engine);
    // Observe (not change) what a push committed: the sync outcome carries the generation, not the version.
    const remote = d.engine.remote as SyncEndpoint;
    const push = remote.push.bind(remote);
    remote.push = async (...args) => {
      const r = await push(...args);
      if (inc === d.incarnation) d.committed = r.manifest;
      return r;
    };
  }

  startSync(d: SimDevice): void {
    const inc = d.incarnation;
    d.status = 'running';
    d.committed = undefined;
    d.restoresAtSync = this.acked.restores;
    const done = (what: string, o?: SyncOutcome) => {
      if (inc !== d.incarnation) return;
      if (o?.action === 'push' && d.committed && d.committed.generation === o.generation)
        this.acked.add(d.id, d.committed, d.restoresAtSync);
      d.lastOutcome = what;
      if (what.startsWith('conflict')) d.inConflict = true;
      this.trace.push(`  ${d.id} sync -> ${what}`);
      d.status = 'idle';
      this.notify();
    };
    inDevice(this.context(d, inc), () => d.engine.sync()).then(
      (o: SyncOutcome) => done(`${o.action} ${o.reason} gen=${o.generation}`, o),
      (e: { code?: string; message?: string }) => done(`error ${e.code ?? e.message}`),
    );
  }

  /**
   * The user answers a conflict: local work that must finish before anything else is chosen. A restore that waits
   * for the app's write lock sleeps on its own timers: they fire as they come due (nothing else moves meanwhile).
   */
  async resolve(d: SimDevice, keep: 'local' | 'remote'): Promise<string> {
    d.status = 'running';
    let out: string | undefined;
    inDevice(this.context(d, d.incarnation), () => d.engine.resolve(keep))
      .then(
        () => {
          d.inConflict = false;
          out = 'ok';
        },
        (e: { code?: string; message?: string }) => (out = `error ${e.code ?? e.message}`),
      )
      .finally(() => {
        d.status = 'idle';
        this.notify();
      });
    for (;;) {
      await this.quiescent();
      if (out !== undefined) return out;
      const timer = this.pendings.find((p) => p.device === d && p.kind === 'timer');
      if (!timer) throw new SimStuck(`${d.id} resolve parked at a remote operation`);
      this.resume(timer);
    }
  }

  /** The sync process dies where it stands; its files stay as they are and a new process starts on them. */
  crash(d: SimDevice): void {
    d.incarnation++;
    d.crashes++;
    this.pendings = this.pendings.filter((p) => p.device !== d);
    d.status = 'idle';
    this.makeEngine(d);
    this.notify();
  }

  resume(p: Pending, d: Decision = {}): void {
    this.pendings = this.pendings.filter((x) => x !== p);
    if (p.kind === 'timer' && p.due! > this.clock.now) this.clock.advance(p.due! - this.clock.now);
    p.device.status = 'running';
    p.resume(d);
  }

  /** Waits until no device is running. A device that never parks (a real-time wait in the engine) is reported. */
  async quiescent(limitMs = 30_000): Promise<void> {
    for (;;) {
      // Let promise chains that just settled run to their next park before judging.
      await new Promise((r) => setImmediate(r));
      const busy = this.devices.filter((d) => d.status === 'running');
      if (busy.length === 0) return;
      const wake = new Promise<void>((r) => (this.changed = r));
      const watchdog = realDelay(limitMs);
      const woke = await Promise.race([wake.then(() => true), watchdog.promise.then(() => false)]);
      watchdog.cancel();
      if (!woke)
        throw new SimStuck(
          `device(s) ${busy.map((d) => d.id).join(',')} ran ${limitMs} ms without reaching a remote operation`,
        );
    }
  }

  /** Runs every parked operation without faults, in a seeded order, until all devices are idle. */
  async drain(rng: Prng, maxSteps = 5000): Promise<void> {
    for (let i = 0; i < maxSteps; i++) {
      await this.quiescent();
      if (this.pendings.length === 0) return;
      const p = rng.pick(this.pendings);
      this.trace.push(`  drain ${describe(p)}`);
      this.resume(p);
    }
    throw new SimStuck('drain did not finish');
  }
}

export function describe(p: Pending): string {
  return p.kind === 'timer' ? `${p.device.id} timer` : `${p.device.id} ${p.op!.name} ${p.op!.path}`;
}
