/**
 * The spec's "Registro de Sincronización": live events from the stream, newest first, coloured by level, with a
 * level filter and a text search (both remembered). History comes from the server, so a reload keeps it.
 */
import type { SyncEvent } from '../api-types.js';
import { fill, h } from './dom.js';
import { fmtRelative, fmtTime, getLang, localText, tr } from './i18n.js';

const MAX_EVENTS = 1000;
const FILTER_KEY = 'cordiax-ui-log-filter';
type LevelFilter = 'all' | 'info' | 'warn' | 'error' | 'debug';

const events: SyncEvent[] = [];
const seen = new Set<number>();
let filter: LevelFilter = (localStorage.getItem(FILTER_KEY) as LevelFilter | null) ?? 'all';
let search = '';
let listEl: HTMLElement | null = null;
let countEl: HTMLElement | null = null;

const RANK: Record<string, number> = { debug: 0, info: 1, warn: 2, error: 3 };

function visible(e: SyncEvent): boolean {
  if (e.type === 'progress') return false; // the progress bar shows these
  if (filter === 'debug') {
    /* everything */
  } else if (e.level === 'debug') return false;
  else if (filter !== 'all' && RANK[e.level]! < RANK[filter]!) return false;
  if (search) {
    const text = `${e.message} ${e.message_en} ${e.code ?? ''} ${e.protocol ?? ''}`.toLowerCase();
    if (!text.includes(search)) return false;
  }
  return true;
}

function levelLabel(level: string): string {
  switch (level) {
    case 'error':
      return tr('common.error');
    case 'warn':
      return tr('ui.warning');
    case 'debug':
      return tr('ui.debug');
    default:
      return tr('ui.info');
  }
}

function row(e: SyncEvent): HTMLElement {
  return h(
    'li',
    { class: `log-row lvl-${e.level} type-${e.type}`, 'data-id': e.id, 'data-code': e.code ?? '' },
    h(
      'time',
      { datetime: e.time, title: fmtTime(e.time) },
      new Date(e.time).toDateString() === new Date().toDateString() ? fmtTime(e.time, false) : fmtTime(e.time),
    ),
    h('span', { class: `lvl-badge lvl-${e.level}` }, levelLabel(e.level)),
    e.protocol ? h('span', { class: 'log-proto' }, e.protocol) : null,
    h('span', { class: 'log-msg' }, localText(getLang() === 'en' ? e.message_en : e.message)),
  );
}

/** A log line, or a run of idle checks shown as one. */
type Item = { e: SyncEvent } | { idle: true; n: number; first: SyncEvent; last: SyncEvent };

/**
 * An idle check is a sync start followed by "no changes" (SYNC_NONE). Runs of them become one line, "Comprobado
 * hace 1 min, sin cambios (12 comprobaciones desde las 10:05)", instead of two lines a minute.
 */
function fold(list: SyncEvent[]): Item[] {
  const out: Item[] = [];
  for (let i = 0; i < list.length; i++) {
    const e = list[i]!;
    const next = list[i + 1];
    if (e.code === 'SYNC_START' && next?.code === 'SYNC_NONE') {
      const prev = out[out.length - 1];
      if (prev && 'idle' in prev) {
        prev.n++;
        prev.last = next;
      } else out.push({ idle: true, n: 1, first: e, last: next });
      i++;
      continue;
    }
    out.push({ e });
  }
  return out;
}

function idleText(el: HTMLElement): string {
  const n = Number(el.dataset.count);
  const ago = fmtRelative(el.dataset.last);
  const since = fmtTime(el.dataset.first, false);
  return tr('ui.idle_checks', { ago }) + (n > 1 ? tr('ui.idle_checks_count', { n, since }) : '');
}

function idleRow(n: number, first: SyncEvent, last: SyncEvent): HTMLElement {
  const msgEl = h('span', { class: 'log-msg' });
  const li = h(
    'li',
    {
      class: 'log-row lvl-info type-idle',
      'data-code': 'IDLE_CHECKS',
      'data-count': n,
      'data-first': first.time,
      'data-last': last.time,
    },
    h('time', { datetime: last.time, title: fmtTime(last.time) }, fmtTime(last.time, false)),
    h('span', { class: 'lvl-badge lvl-info' }, levelLabel('info')),
    last.protocol ? h('span', { class: 'log-proto' }, last.protocol) : null,
    msgEl,
  );
  msgEl.textContent = idleText(li);
  return li;
}

/** "hace 1 min" moves on: the idle lines are reworded now and then (main.ts calls this with the status clock). */
export function refreshLogAges(): void {
  listEl?.querySelectorAll<HTMLElement>('.log-row.type-idle').forEach((li) => {
    const m = li.querySelector('.log-msg');
    if (m) m.textContent = idleText(li);
  });
}

function updateCount(): void {
  if (!countEl) return;
  const n = events.filter(visible).length;
  countEl.textContent = n === 1 ? tr('ui.one_event') : tr('ui.events', { n });
}

export function addEvent(e: SyncEvent): void {
  if (seen.has(e.id)) return;
  seen.add(e.id);
  events.push(e);
  if (events.length > MAX_EVENTS) seen.delete(events.shift()!.id);
  // An idle check may fold into the line above it: those redraw the list; anything else is added on top.
  if (listEl && visible(e)) {
    if (e.code === 'SYNC_START' || e.code === 'SYNC_NONE') renderList();
    else {
      listEl.querySelector('.log-empty')?.remove();
      listEl.prepend(row(e));
      while (listEl.childElementCount > MAX_EVENTS) listEl.lastElementChild?.remove();
    }
  }
  updateCount();
}

/** A restarted server numbers its events anew: start over. */
export function resetEvents(): void {
  events.length = 0;
  seen.clear();
  if (listEl) renderList();
}

function renderList(): void {
  if (!listEl) return;
  const shown = fold(events.filter(visible)).reverse();
  fill(
    listEl,
    shown.length
      ? shown.map((it) => ('idle' in it ? idleRow(it.n, it.first, it.last) : row(it.e)))
      : h('li', { class: 'log-empty' }, tr('ui.no_events_show_yet')),
  );
  updateCount();
}

export function renderLog(card: HTMLElement): void {
  const opts: Array<[LevelFilter, string]> = [
    ['all', tr('ui.all')],
    ['info', tr('ui.information')],
    ['warn', tr('ui.warnings')],
    ['error', tr('ui.errors')],
    ['debug', tr('ui.details')],
  ];
  // Not a live region: the status announces state changes; reading every log line aloud would drown them.
  listEl = h('ol', { class: 'log-list', id: 'log-list' });
  countEl = h('span', { class: 'muted small' });
  fill(
    card,
    h(
      'div',
      { class: 'card-head' },
      h('h2', {}, tr('ui.sync_log')),
      countEl,
      h(
        'div',
        { class: 'log-tools' },
        h(
          'select',
          {
            id: 'log-filter',
            'aria-label': tr('ui.level'),
            onchange: (ev: Event) => {
              filter = (ev.target as HTMLSelectElement).value as LevelFilter;
              localStorage.setItem(FILTER_KEY, filter);
              renderList();
            },
          },
          opts.map(([v, label]) => h('option', { value: v, selected: v === filter }, label)),
        ),
        h('input', {
          type: 'search',
          id: 'log-search',
          placeholder: tr('ui.search_log'),
          value: search,
          oninput: (ev: Event) => {
            search = (ev.target as HTMLInputElement).value.trim().toLowerCase();
            renderList();
          },
        }),
      ),
    ),
    listEl,
  );
  renderList();
}
