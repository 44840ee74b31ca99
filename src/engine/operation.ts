/**
 * One running operation (a sync, a pull, a restore, a conflict copy): the phase it is in, told to the log as one
 * typed `progress` event per phase change and a few per second while bytes move, and its Cancelar.
 *
 * Cancel is allowed until the commit point (the manifest's compare-and-swap on a push, the live-database replace on a
 * pull or restore): commit() marks it, and throws CANCELLED instead if a cancel came first, so the two cannot cross.
 * After it, cancel() refuses with the reason.
 */
import { SyncError, type Text } from '../errors.js';
import type { Logger } from '../log/events.js';
import { msg } from '../messages/index.js';
import { PHASE_KEY } from './phases.js';
import type { Progress } from '../transports/types.js';

export type OperationKind = 'sync' | 'pull' | 'restore' | 'conflict-download';

/**
 * In the order a sync goes through them: a push compare, snapshot, upload, verify, publish; a pull compare, snapshot,
 * download, check, apply; a conflict compare, snapshot, download, check, save (the server's copy kept beside).
 */
export const PHASES = [
  'compare',
  'snapshot',
  'upload',
  'verify',
  'publish',
  'download',
  'check',
  'apply',
  'save',
] as const;
export type Phase = (typeof PHASES)[number];

/** The `data` of a `progress` event: what the page and the CLI show. */
export interface ProgressData {
  operation: OperationKind;
  phase: Phase;
  /** Bytes done in this phase and its total, when the phase moves bytes. */
  done?: number;
  total?: number;
  /** Moving average over the last seconds; absent until it means something (~2 s into the phase). */
  bytesPerSecond?: number;
  etaSeconds?: number;
  /** False once the commit point is passed; `notCancellable` says why. */
  cancellable: boolean;
  notCancellable?: Text;
}

/** Phases after the commit point, per kind of commit. */
const COMMIT_PHASE: Record<OperationKind, Phase> = {
  sync: 'publish',
  'conflict-download': 'save',
  pull: 'apply',
  restore: 'apply',
};

const TICK_MS = 250;
const RATE_WINDOW_MS = 5000;
const ETA_AFTER_MS = 2000;

export type CancelAnswer = { ok: true } | { ok: false; reason: Text };

export class Operation {
  private readonly controller = new AbortController();
  private current: Phase | null = null;
  private committedAt: Phase | null = null;
  private phaseStart = 0;
  private lastEmit = 0;
  private samples: Array<{ t: number; bytes: number }> = [];
  private last: ProgressData | null = null;

  constructor(
    public kind: OperationKind,
    private readonly log: Logger,
    private readonly protocol: string,
  ) {}

  get signal(): AbortSignal {
    return this.controller.signal;
  }
  get cancelRequested(): boolean {
    return this.controller.signal.aborted;
  }
  get committed(): boolean {
    return this.committedAt !== null;
  }
  /** The last progress this operation reported (for a page that opens mid-operation). */
  get snapshot(): ProgressData | null {
    return this.last;
  }

  /** A new phase: told at once, with no bytes yet. */
  phase(p: Phase, total?: number): void {
    if (this.current === p) return;
    this.current = p;
    this.phaseStart = Date.now();
    this.samples = [];
    this.send({ ...(total !== undefined ? { done: 0, total } : {}) }, true);
  }

  /** A transfer's progress callback for `p` (a transport may switch it to 'verify' for its read-back). */
  bytes(p: Phase): (x: Progress) => void {
    return (x) => {
      const phase = x.phase ?? p;
      if (phase !== this.current) this.phase(phase, x.total);
      const now = Date.now();
      this.samples.push({ t: now, bytes: x.bytes });
      while (this.samples.length > 2 && now - this.samples[0]!.t > RATE_WINDOW_MS) this.samples.shift();
      const finished = x.total !== undefined && x.bytes >= x.total;
      if (now - this.lastEmit < TICK_MS && !finished) return;
      const data = { done: x.bytes, ...(x.total !== undefined ? { total: x.total } : {}), ...this.rate(now, x) };
      this.send(data, finished); // the last piece always shows (the bar ends at its total)
    };
  }

  /** Bytes per second over the window, and the time left from it, once the phase has run long enough. */
  private rate(now: number, x: Progress): { bytesPerSecond?: number; etaSeconds?: number } {
    const first = this.samples[0];
    if (!first || now - this.phaseStart < ETA_AFTER_MS || now - first.t < 500) return {};
    const bps = ((x.bytes - first.bytes) * 1000) / (now - first.t);
    if (!(bps > 0)) return {};
    return {
      bytesPerSecond: Math.round(bps),
      ...(x.total !== undefined ? { etaSeconds: Math.max(0, Math.round((x.total - x.bytes) / bps)) } : {}),
    };
  }

  /**
   * The commit point: from here the operation finishes whatever is asked. Throws CANCELLED if a cancel came first
   * (nothing committed yet); enters the commit phase ('publish' or 'apply').
   */
  commit(): void {
    this.throwIfCancelled();
    const p = COMMIT_PHASE[this.kind];
    this.committedAt = p;
    this.phase(p);
    // The phase may already have been 'publish': say it is no longer cancellable.
    if (this.last?.cancellable) this.send({}, true);
  }

  /**
   * The remote answered that it committed (an endpoint that commits on its side, like Socket.IO, has no commit point
   * of ours): whatever Cancelar said meanwhile, the operation is past it.
   */
  landed(): void {
    if (!this.committedAt) this.committedAt = COMMIT_PHASE[this.kind];
  }

  /** Cancelar: aborts the signal every transport call carries, unless the commit point is passed. */
  cancel(): CancelAnswer {
    if (this.committedAt) return { ok: false, reason: this.refusal() };
    if (!this.cancelRequested) {
      this.controller.abort(new SyncError('CANCELLED', msg('common.operation_cancelled')));
      this.log.emit({
        type: 'info',
        code: 'CANCEL_REQUESTED',
        text: msg('event.CANCEL_REQUESTED'),
        protocol: this.protocol,
        data: { operation: this.kind, phase: this.current },
      });
    }
    return { ok: true };
  }

  /** At a step boundary: stop here if Cancelar was pressed. */
  throwIfCancelled(): void {
    if (this.cancelRequested) throw new SyncError('CANCELLED', msg('common.operation_cancelled'));
  }

  private refusal(): Text {
    if (this.committedAt === 'publish') return msg('progress.cannot_cancel_publish');
    return msg(this.committedAt === 'save' ? 'progress.cannot_cancel_save' : 'progress.cannot_cancel_apply');
  }

  private send(extra: Partial<ProgressData>, force = false): void {
    if (!this.current) return;
    const now = Date.now();
    if (!force && now - this.lastEmit < TICK_MS) return;
    this.lastEmit = now;
    const data: ProgressData = {
      operation: this.kind,
      phase: this.current,
      cancellable: !this.committedAt,
      ...(this.committedAt ? { notCancellable: this.refusal() } : {}),
      ...extra,
    };
    this.last = data;
    this.log.emit({
      type: 'progress',
      text: msg(PHASE_KEY[data.phase]),
      protocol: this.protocol,
      data: { ...data },
    });
  }
}
