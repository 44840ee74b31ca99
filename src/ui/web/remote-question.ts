/**
 * "¿Es el mismo servidor?": shown when the address leads to a remote with another identity than the one this
 * database synced with. Two honest answers (never "join the histories"): use the new server, compared as on a first
 * sync (a conflict copy if the contents differ), or go back to the previous address.
 */
import type { StateResponse, StatusReport, SyncOutcome } from '../api-types.js';
import { $, fill, h } from './dom.js';
import { fmtTime, tr } from './i18n.js';
import { get, post } from './client.js';
import { app } from './state.js';
import { button, toast, toastFailure } from './ui.js';

let busy = false;

/** The panel's own section, placed before the conflict card (created once: index.html stays as it is). */
function panel(): HTMLElement {
  const existing = document.getElementById('remote-question-card');
  if (existing) return existing;
  const card = h('section', { class: 'card remote-question-card', id: 'remote-question-card', hidden: true });
  const conflict = $('conflict-card');
  conflict.parentElement?.insertBefore(card, conflict);
  return card;
}

/** Draws the question when the status carries one; `redraw` repaints the page after an answer. */
export function renderRemoteQuestion(redraw: () => void): void {
  const card = panel();
  const q = app.status?.question;
  if (!q) {
    card.hidden = true;
    return;
  }
  card.hidden = false;
  const choice = (id: string, label: string, help: string, kind: 'primary' | 'secondary', answer: Answer) =>
    h(
      'div',
      { class: 'choice' },
      button(label, { kind, id, busy, onclick: () => void answerQuestion(answer, redraw) }),
      h('p', { class: 'small muted' }, help),
    );
  fill(
    card,
    h('h2', {}, h('span', { class: 'icon', 'aria-hidden': 'true' }, '⚠ '), tr('identity.ui.title')),
    h(
      'p',
      {},
      tr('identity.ui.explain', {
        found: q.foundRemoteId.slice(0, 8),
        generation: q.foundGeneration,
        device: `${q.foundDevice} (${fmtTime(q.foundTime)})`,
        previous: q.previousRemoteId.slice(0, 8),
        address: q.previousTarget,
      }),
    ),
    h('p', { class: 'small' }, tr('identity.ui.not_merge')),
    h(
      'div',
      { class: 'actions remote-question-choices' },
      choice('remote-use-new', tr('identity.ui.use_new'), tr('identity.ui.use_new_help'), 'primary', 'use-new'),
      choice('remote-go-back', tr('identity.ui.go_back'), tr('identity.ui.go_back_help'), 'secondary', 'go-back'),
    ),
  );
}

type Answer = 'use-new' | 'go-back';

async function answerQuestion(answer: Answer, redraw: () => void): Promise<void> {
  busy = true;
  redraw();
  try {
    const r = await post<{ outcome: SyncOutcome | null; status: StatusReport }>('/api/remote-question', { answer });
    app.status = r.status;
    if (answer === 'go-back') {
      // The address changed: the form shows the saved config again.
      const st = await get<StateResponse>('/api/state');
      app.config = st.config;
      app.draft = structuredClone(st.config);
      app.status = st.status;
    }
    toast('ok', tr('identity.ui.answered'));
  } catch (err) {
    toastFailure(err);
  } finally {
    busy = false;
    redraw();
  }
}
