/**
 * The progress box of the status card (issue 15, item 4): what the running sync or restore is doing ("Enviando 42 % ·
 * quedan 35 s", "Comprobando la copia en el servidor", "Publicando"), a bar, and Cancelar while it still applies.
 *
 * One element, updated in place on every progress event: main.ts re-inserts it when it redraws the card, so ticks
 * never rebuild the card. Phase changes (not ticks) are announced politely in a live region of its own.
 */
import type { SyncEvent } from '../api-types.js';
import type { OperationKind, Phase, ProgressData } from '../../engine/operation.js';
import { formatDuration } from '../../messages/format.js';
import { post } from './client.js';
import { h } from './dom.js';
import { fmtBytes, pick, tr } from './i18n.js';
import { failureText } from './ui.js';

const PHASE_KEY = {
  compare: 'progress.phase.compare',
  snapshot: 'progress.phase.snapshot',
  upload: 'progress.phase.upload',
  verify: 'progress.phase.verify',
  publish: 'progress.phase.publish',
  download: 'progress.phase.download',
  check: 'progress.phase.check',
  apply: 'progress.phase.apply',
  save: 'progress.phase.save',
} as const satisfies Record<Phase, string>;

const OPERATION_KEY = {
  sync: 'progress.operation.sync',
  pull: 'progress.operation.pull',
  restore: 'progress.operation.restore',
  'conflict-download': 'progress.operation.conflict-download',
} as const satisfies Record<OperationKind, string>;

let current: ProgressData | null = null;
/** Set while a Cancelar request is out, or the reason it was refused. */
let cancelState: { busy: boolean; refused?: string } = { busy: false };
let box: HTMLElement | null = null;
let liveRegion: HTMLElement | null = null;
let announced = '';

function isProgress(d: unknown): d is ProgressData {
  const x = d as Partial<ProgressData> | undefined;
  return !!x && typeof x.phase === 'string' && x.phase in PHASE_KEY && typeof x.operation === 'string';
}

/** "Enviando 42 % · quedan 35 s" (the time only once the service has a meaningful rate). */
function headline(p: ProgressData): string {
  const what = tr(PHASE_KEY[p.phase]);
  if (p.total === undefined || p.done === undefined || !p.total) return `${what}…`;
  const pct = Math.min(100, Math.floor((p.done / p.total) * 100));
  const text = tr('progress.percent', { what, pct });
  return p.etaSeconds !== undefined && pct < 100
    ? `${text} · ${tr('progress.time_left', { time: formatDuration(p.etaSeconds) })}`
    : text;
}

/** "60,1 MB de 143,6 MB · 2,9 MB/s" */
function detail(p: ProgressData): string {
  if (p.done === undefined) return '';
  const amount =
    p.total !== undefined ? tr('progress.amount', { done: fmtBytes(p.done), total: fmtBytes(p.total) }) : '';
  const speed = p.bytesPerSecond ? `${fmtBytes(p.bytesPerSecond)}/s` : '';
  return [amount, speed].filter(Boolean).join(' · ');
}

function announce(text: string): void {
  if (!liveRegion) {
    liveRegion = h('p', { class: 'sr-only', id: 'progress-live', role: 'status', 'aria-live': 'polite' });
    document.body.append(liveRegion);
  }
  if (announced === text) return;
  announced = text;
  liveRegion.textContent = text;
}

async function cancel(): Promise<void> {
  cancelState = { busy: true };
  draw();
  try {
    await post('/api/cancel');
    // The end arrives as an event (SYNC_CANCELLED / RESTORE_CANCELLED): the box stays until then.
  } catch (err) {
    cancelState = { busy: false, refused: failureText(err).title };
  }
  draw();
}

/** Redraws the box's content in place (the box itself stays the same element). */
function draw(): void {
  if (!box || !current) return;
  const p = current;
  const pct = p.total && p.done !== undefined ? Math.min(100, Math.floor((p.done / p.total) * 100)) : null;
  const refused = !p.cancellable ? (p.notCancellable ? pick(p.notCancellable.es, p.notCancellable.en) : '') : '';
  const why = refused || cancelState.refused || '';
  const bar = h(
    'div',
    {
      class: `bar${pct === null ? ' indeterminate' : ''}`,
      role: 'progressbar',
      'aria-label': tr(OPERATION_KEY[p.operation]),
      'aria-valuemin': 0,
      'aria-valuemax': 100,
      'aria-valuenow': pct ?? null,
      'aria-valuetext': headline(p),
    },
    h('span', {}),
  );
  // Width through the CSSOM: the CSP forbids inline style attributes.
  if (pct !== null) (bar.firstElementChild as HTMLElement).style.width = `${pct}%`;
  box.dataset.phase = p.phase;
  box.dataset.operation = p.operation;
  box.replaceChildren(
    h('div', { class: 'progress-head' }, h('strong', { id: 'progress-phase' }, headline(p))),
    bar,
    h('div', { class: 'small', id: 'progress-detail' }, detail(p)),
    h(
      'div',
      { class: 'progress-actions' },
      h(
        'button',
        {
          type: 'button',
          class: `btn btn-ghost${cancelState.busy ? ' is-busy' : ''}`,
          id: 'progress-cancel',
          disabled: !p.cancellable || cancelState.busy || !!cancelState.refused,
          'aria-describedby': why ? 'progress-why' : null,
          onclick: () => void cancel(),
        },
        cancelState.busy ? tr('progress.cancelling') : tr('progress.cancel'),
      ),
      why ? h('span', { class: 'small muted', id: 'progress-why' }, why) : null,
    ),
  );
}

/** The box for the status card, or null when nothing runs. The same element every time while an operation runs. */
export function progressView(): HTMLElement | null {
  if (!current) return null;
  if (!box) {
    box = h('div', { class: 'progress', id: 'progress' });
    draw();
  }
  return box;
}

/**
 * A progress event from the stream. Returns true when the box has just appeared (the caller redraws the card once
 * to insert it); later ticks update it in place.
 */
export function onProgressEvent(e: SyncEvent): boolean {
  if (!isProgress(e.data)) return false;
  const appeared = !current;
  if (current && current.phase !== e.data.phase) cancelState = cancelState.busy ? cancelState : { busy: false };
  current = e.data;
  announce(tr(PHASE_KEY[current.phase]));
  draw();
  return appeared;
}

/** What the status says is running (a page opened mid-operation); null ends the box. */
export function seedProgress(op: ProgressData | null | undefined): boolean {
  if (!op) return endProgress();
  if (current) return false;
  return onProgressEvent({ data: op } as unknown as SyncEvent);
}

/** The operation ended (done, failed or cancelled): the box goes. Returns whether there was one. */
export function endProgress(finalWords?: string): boolean {
  const had = current !== null;
  current = null;
  box = null;
  cancelState = { busy: false };
  if (finalWords) announce(finalWords);
  return had;
}
