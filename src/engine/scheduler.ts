/**
 * Automatic sync: a run every polling interval (>= 60 s), immediately on request, on change notifications (debounced,
 * with a maximum wait so a database written every 0.5 s still syncs within CHANGE_MAX_WAIT_MS; used by Socket.IO), one run at a time, and exponential backoff with jitter after failures, never longer than the
 * interval (the README's promise), so a fault that ends is recovered within one interval.
 */
export interface SchedulerOptions {
  /** Runs one sync; rejects on failure. */
  run: () => Promise<unknown>;
  intervalSeconds: number;
  /** First retry delay after a failure (doubles each time, capped at the interval). */
  retryBaseSeconds?: number;
  /** Debounce for change notifications. */
  changeDebounceMs?: number;
  /** Longest a burst of change notifications may postpone its sync (CHANGE_MAX_WAIT_MS by default). */
  changeMaxWaitMs?: number;
  onStateChange?: (s: SchedulerState) => void;
  /** Uniform [0, 1) source for the jitter (tests inject the extremes); Math.random by default. */
  random?: () => number;
  /** Clock for nextRun (tests inject a fixed one to read the planned delay exactly); Date.now by default. */
  now?: () => number;
}

export interface SchedulerState {
  running: boolean;
  syncing: boolean;
  nextRun: string | null;
  consecutiveFailures: number;
}

/**
 * The bound on-change sync keeps under continuous writes: a trailing debounce alone never fires while an app writes
 * more often than the debounce (a busy reception desk writes every 0.5 s), so the first hint of a burst starts a
 * clock and the sync runs at most this long after it.
 */
const CHANGE_MAX_WAIT_MS = 5000;

export class Scheduler {
  private timer: NodeJS.Timeout | null = null;
  private debounce: NodeJS.Timeout | null = null;
  /** When the first unsynced change hint of the current burst arrived. */
  private burstSince: number | null = null;
  private running = false;
  private syncing: Promise<void> | null = null;
  private again = false;
  private failures = 0;
  private nextAt: number | null = null;

  constructor(private o: SchedulerOptions) {}

  state(): SchedulerState {
    return {
      running: this.running,
      syncing: this.syncing !== null,
      nextRun: this.nextAt ? new Date(this.nextAt).toISOString() : null,
      consecutiveFailures: this.failures,
    };
  }

  setInterval(seconds: number): void {
    this.o = { ...this.o, intervalSeconds: seconds };
    if (this.running && !this.syncing) this.arm(seconds * 1000);
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    void this.trigger();
  }

  stop(): void {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    if (this.debounce) clearTimeout(this.debounce);
    this.timer = this.debounce = null;
    this.burstSince = null;
    this.nextAt = null;
    this.o.onStateChange?.(this.state());
  }

  /**
   * A change hint (file watcher, server event): sync soon, coalescing bursts, but never later than the maximum wait
   * after the burst's first hint.
   */
  notifyChange(): void {
    if (!this.running) return;
    const now = Date.now();
    this.burstSince ??= now;
    const deadline = this.burstSince + (this.o.changeMaxWaitMs ?? CHANGE_MAX_WAIT_MS);
    const delay = Math.max(0, Math.min(this.o.changeDebounceMs ?? 1000, deadline - now));
    if (this.debounce) clearTimeout(this.debounce);
    this.debounce = setTimeout(() => {
      this.debounce = null;
      this.burstSince = null;
      void this.trigger();
    }, delay);
  }

  /** Runs now; if a run is in progress, one more run follows it (a request during a sync is never lost). */
  trigger(): Promise<void> {
    if (this.syncing) {
      this.again = true;
      return this.syncing;
    }
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.syncing = (async () => {
      this.o.onStateChange?.(this.state());
      let ok = false;
      try {
        await this.o.run();
        ok = true;
      } catch {
        /* the engine logged it; the backoff below handles the retry */
      }
      this.failures = ok ? 0 : this.failures + 1;
    })().finally(() => {
      this.syncing = null;
      if (this.again && this.running) {
        this.again = false;
        void this.trigger();
        return;
      }
      this.again = false;
      if (this.running) this.arm(this.delayMs());
      this.o.onStateChange?.(this.state());
    });
    return this.syncing;
  }

  /**
   * After a failure: retryBase * 2^(failures-1), capped at the interval, then jittered DOWN by up to 20 % so devices
   * that failed together spread out. The jitter only shortens the wait: applying it after the cap (or upwards) would
   * break "never more than the interval" (a former version multiplied by 0.8-1.2 after the cap: up to 72 s for 60 s).
   */
  private delayMs(): number {
    const interval = this.o.intervalSeconds * 1000;
    if (this.failures === 0) return interval;
    // 2 ** failures overflows to Infinity after ~1000 failures; Math.min still caps it.
    const backoff = Math.min(interval, (this.o.retryBaseSeconds ?? 15) * 1000 * 2 ** (this.failures - 1));
    const r = Math.min(Math.max((this.o.random ?? Math.random)(), 0), 1);
    return Math.floor(backoff * (1 - 0.2 * r));
  }

  private arm(ms: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.nextAt = (this.o.now ?? Date.now)() + ms;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.trigger();
    }, ms);
    this.timer.unref?.();
  }
}
