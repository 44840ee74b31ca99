/**
 * Injected time and randomness, without touching the engine: while a simulation runs, code that executes on behalf
 * of a simulated device (tracked with AsyncLocalStorage across every await) sees the virtual clock plus that device's
 * skew through `Date`, sleeps on simulated timers through `setTimeout`, and draws `Math.random` from the device's
 * seeded generator. Code outside a device (the test runner, the scheduler) keeps the real ones.
 *
 * The engine only needs this because it reads the global clock; an injection point in the engine (a `clock` and
 * `random` option passed down to FileRemote and LocalDb) would make these patches unnecessary.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

export interface DeviceContext {
  id: string;
  /** This device's clock minus the true (virtual) time, in ms. */
  skewMs: number;
  random(): number;
  /** A timer the device started: the scheduler decides when it fires. Returns a cancel function. */
  startTimer(delayMs: number, fire: () => void): () => void;
}

/** True time of the simulated world: starts at a fixed instant and moves only when the scheduler says so. */
export class VirtualClock {
  now = Date.UTC(2025, 0, 6, 9, 0, 0);
  advance(ms: number): void {
    if (ms > 0) this.now += Math.round(ms);
  }
}

const als = new AsyncLocalStorage<DeviceContext>();
export function inDevice<T>(ctx: DeviceContext, fn: () => T): T {
  return als.run(ctx, fn);
}
export function currentDevice(): DeviceContext | undefined {
  return als.getStore();
}

const RealDate = Date;
const realSetTimeout = globalThis.setTimeout;
const realClearTimeout = globalThis.clearTimeout;
const realRandom = Math.random;
let clock: VirtualClock | null = null;

function deviceNow(): number | null {
  const ctx = clock ? als.getStore() : undefined;
  return ctx && clock ? clock.now + ctx.skewMs : null;
}

class SimDate extends RealDate {
  constructor(...args: unknown[]) {
    const t = args.length === 0 ? deviceNow() : null;
    if (t !== null) super(t);
    else super(...(args as [string]));
  }
  static override now(): number {
    return deviceNow() ?? RealDate.now();
  }
}

/** A simulated timer handle: enough of NodeJS.Timeout for the engine's use (clearTimeout, unref). */
class SimTimer {
  constructor(readonly cancel: () => void) {}
  unref() {
    return this;
  }
  ref() {
    return this;
  }
  hasRef() {
    return true;
  }
}

/** Installs the patches for one schedule; returns the function that removes them. */
export function installVirtualTime(c: VirtualClock): () => void {
  if (clock) throw new Error('virtual time is already installed');
  clock = c;
  globalThis.Date = SimDate as DateConstructor;
  Math.random = () => als.getStore()?.random() ?? realRandom();
  globalThis.setTimeout = ((fn: (...a: unknown[]) => void, ms?: number, ...args: unknown[]) => {
    const ctx = als.getStore();
    if (!ctx) return realSetTimeout(fn, ms, ...args);
    return new SimTimer(ctx.startTimer(ms ?? 0, () => fn(...args)));
  }) as typeof setTimeout;
  globalThis.clearTimeout = ((h: unknown) => {
    if (h instanceof SimTimer) h.cancel();
    else realClearTimeout(h as NodeJS.Timeout);
  }) as typeof clearTimeout;
  return () => {
    globalThis.Date = RealDate;
    Math.random = realRandom;
    globalThis.setTimeout = realSetTimeout;
    globalThis.clearTimeout = realClearTimeout;
    clock = null;
  };
}

/** A real-time wait that no patch can intercept (the scheduler's watchdog). */
export function realDelay(ms: number): { promise: Promise<void>; cancel: () => void } {
  let t: NodeJS.Timeout | undefined;
  const promise = new Promise<void>((r) => (t = realSetTimeout(r, ms)));
  return { promise, cancel: () => realClearTimeout(t) };
}
