/**
 * The spec's "Registro de Sincronización": live events from the stream, newest first, coloured by level, with a
 * level filter and a text search (both remembered). History comes from the server, so a reload keeps it.
 */
import type { SyncEvent } from '../api-types.js';
import { fill, h } from './dom.js';
import { fmtTime, tr, getLang } from './i18n.js';

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
    h('span', { class: 'log-msg' }, getLang() === 'en' ? e.message_en : e.message),
  );
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
  if (listEl && visible(e)) {
    listEl.querySelector('.log-empty')?.remove();
    listEl.prepend(row(e));
    while (listEl.childElementCount > MAX_EVENTS) listEl.lastElementChild?.remove();
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
  const shown = events.filter(visible).reverse();
  fill(listEl, shown.length ? shown.map(row) : h('li', { class: 'log-empty' }, tr('ui.no_events_show_yet')));
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
  listEl = h('ol', { class: 'log-list', id: 'log-list', 'aria-live': 'polite' });
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
