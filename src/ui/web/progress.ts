/**
 * The progress box of the status card (issue 15, item 4): what the running sync or restore is doing ("Enviando 42 % ·
 * quedan 35 s", "Comprobando la copia en el servidor", "Publicando"), a bar, and Cancelar while it still applies.
 *
 * One element, updated in place on every progress event: main.ts re-inserts it when it redraws the card, so ticks
 * never rebuild the card. Phase changes (not ticks) are announced politely in a live region of its own.
 */
import type { SyncEvent } from '../api-types.js';
import type { OperationKind, ProgressData } from '../../engine/operation.js';
import { formatDuration } from '../../messages/format.js';
import { PHASE_KEY } from '../../engine/phases.js';
import { post } from './client.js';
import { h } from './dom.js';
import { fmtBytes, pick, tr } from './i18n.js';
import { failureText } from './ui.js';

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

/** The box's parts, made once: ticks change their text and attributes, so a focused Cancelar keeps its focus. */
interface Parts {
  phase: HTMLElement;
  bar: HTMLElement;
  fill: HTMLElement;
  detail: HTMLElement;
  cancel: HTMLButtonElement;
  why: HTMLElement;
}
let parts: Parts | null = null;

function makeBox(): HTMLElement {
  const fillEl = h('span', {});
  const p: Parts = {
    phase: h('strong', { id: 'progress-phase' }),
    bar: h('div', { class: 'bar', role: 'progressbar', 'aria-valuemin': 0, 'aria-valuemax': 100 }, fillEl),
    fill: fillEl,
    detail: h('div', { class: 'small', id: 'progress-detail' }),
    cancel: h('button', {
      type: 'button',
      class: 'btn btn-ghost',
      id: 'progress-cancel',
      onclick: () => void cancel(),
    }),
    why: h('span', { class: 'small muted', id: 'progress-why' }),
  };
  parts = p;
  return h(
    'div',
    { class: 'progress', id: 'progress' },
    h('div', { class: 'progress-head' }, p.phase),
    p.bar,
    p.detail,
    h('div', { class: 'progress-actions' }, p.cancel, p.why),
  );
}

function attr(el: Element, name: string, value: string | null): void {
  if (value === null) el.removeAttribute(name);
  else if (el.getAttribute(name) !== value) el.setAttribute(name, value);
}

/** Brings the box up to date in place. */
function draw(): void {
  if (!box || !parts || !current) return;
  const p = current;
  const pct = p.total && p.done !== undefined ? Math.min(100, Math.floor((p.done / p.total) * 100)) : null;
  const refused = !p.cancellable ? (p.notCancellable ? pick(p.notCancellable.es, p.notCancellable.en) : '') : '';
  const why = refused || cancelState.refused || '';
  box.dataset.phase = p.phase;
  box.dataset.operation = p.operation;
  parts.phase.textContent = headline(p);
  parts.bar.classList.toggle('indeterminate', pct === null);
  attr(parts.bar, 'aria-label', tr(OPERATION_KEY[p.operation]));
  attr(parts.bar, 'aria-valuenow', pct === null ? null : String(pct));
  attr(parts.bar, 'aria-valuetext', headline(p));
  // Width through the CSSOM: the CSP forbids inline style attributes.
  parts.fill.style.width = pct === null ? '' : `${pct}%`;
  parts.detail.textContent = detail(p);
  parts.cancel.textContent = cancelState.busy ? tr('progress.cancelling') : tr('progress.cancel');
  parts.cancel.classList.toggle('is-busy', cancelState.busy);
  parts.cancel.disabled = !p.cancellable || cancelState.busy || !!cancelState.refused;
  attr(parts.cancel, 'aria-describedby', why ? 'progress-why' : null);
  parts.why.textContent = why;
  parts.why.hidden = !why;
}

/**
 * The box for the status card, or null when nothing runs. The same element every time while an operation runs; when
 * the card is redrawn around it, a Cancelar that had the focus gets it back.
 */
export function progressView(): HTMLElement | null {
  if (!current) return null;
  if (!box) box = makeBox();
  draw();
  const focused = parts?.cancel === document.activeElement ? parts.cancel : null;
  if (focused) queueMicrotask(() => focused.isConnected && focused.focus());
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
  parts = null;
  cancelState = { busy: false };
  if (finalWords) announce(finalWords);
  return had;
}
