/**
 * The page tells the truth (issue 15, items 5 and 8): "Guardada, pero todavía no puede sincronizar" with each problem
 * on its field; every disabled button with its reason beside it; "Detenida: …" while a conflict blocks syncing;
 * https:// added to a bare host. The connection test's headline is in test-report.ts, the encryption section's
 * extras in encryption-ui.ts, the desktop notification in notify.ts.
 */
import type { ReadinessProblem, StatusReport, TransportView } from '../api-types.js';
import { h } from './dom.js';
import { bi, tr } from './i18n.js';
import { transportView } from './state.js';
import { toast } from './ui.js';

// ---------- problems the saved config still has, on their fields ----------

/** The field the last failed connection test named, with its message (not a refused value: nothing was saved). */
export const testMarks: Record<string, string> = {};

/** Problems of the saved config by dotted key (from the last Guardar, or the status at load). */
export const savedProblems: Record<string, string> = {};
let savedSeverity: 'incomplete' | 'warning' | null = null;

/** Takes the problems the API reported for the saved config. */
export function setSavedProblems(list: ReadonlyArray<Pick<ReadinessProblem, 'key' | 'text' | 'severity'>>): void {
  for (const k of Object.keys(savedProblems)) delete savedProblems[k];
  for (const k of Object.keys(testMarks)) delete testMarks[k];
  for (const p of list) savedProblems[p.key] ??= bi(p.text);
  savedSeverity = list.some((p) => p.severity === 'incomplete') ? 'incomplete' : list.length ? 'warning' : null;
}

/** A field edited since: its saved problem (or the test's mark) no longer describes what is typed. */
export function clearSavedProblem(key: string): void {
  delete savedProblems[key];
  delete testMarks[key];
  if (Object.keys(savedProblems).length === 0) savedSeverity = null;
}

/** The heading above the problems of a saved config ("Guardada, pero todavía no puede sincronizar:"). */
export function savedHeadline(): string | null {
  if (!savedSeverity) return null;
  return savedSeverity === 'incomplete' ? tr('truth.saved_cannot_sync') : tr('truth.saved_with_warnings');
}

/** After Guardar: green only when the saved config can sync; otherwise what is missing, in one message. */
export function announceSave(list: readonly ReadinessProblem[]): void {
  setSavedProblems(list);
  const headline = savedHeadline();
  if (!headline) {
    toast('ok', tr('ui.configuration_saved'));
    return;
  }
  toast(savedSeverity === 'incomplete' ? 'warn' : 'info', headline, list.map((p) => bi(p.text)).join(' · '));
}

/** A field's label as the form shows it (a transport's declared field, else the label on the page). */
export function fieldLabel(key: string, view: TransportView | undefined): string {
  const f = view?.fields.find((x) => x.key === key);
  if (f) return bi(f.label);
  return (
    document.querySelector(`.field[data-key="${CSS.escape(key)}"] label`)?.textContent?.replace(/\s*\*$/, '') ?? key
  );
}

// ---------- a bare host in a URL field ----------

/**
 * "cloud.example.com/dav" becomes "https://cloud.example.com/dav" when the field loses focus, and a note under the
 * field says so (the user sees what changed; http:// must be typed on purpose, except for this computer's own
 * address, "localhost:5000", which gets http://).
 */
export function schemeOnBlur(input: HTMLInputElement, changed: (value: string) => void): HTMLElement {
  const note = h('div', { class: 'help scheme-added', id: `${input.id}-scheme`, hidden: true });
  input.addEventListener('blur', () => {
    const v = input.value.trim();
    if (!v || /^[a-z][a-z0-9+.-]*:\/\//i.test(v) || /\s/.test(v)) return;
    // This computer's own servers (the embedded Socket.IO server, a local test) speak plain HTTP.
    const loopback = /^(localhost|127\.\d+\.\d+\.\d+|\[::1\])(:\d+)?(\/|$)/i.test(v.replace(/^\/+/, ''));
    input.value = `${loopback ? 'http' : 'https'}://${v.replace(/^\/+/, '')}`;
    note.textContent = loopback ? tr('truth.http_added_local') : tr('truth.https_added');
    note.hidden = false;
    changed(input.value);
  });
  input.setAttribute('aria-describedby', `${input.getAttribute('aria-describedby') ?? ''} ${note.id}`.trim());
  return note;
}

// ---------- disabled buttons say why ----------

let reasonSeq = 0;
/** A disabled button with its reason beside it, read with it (aria-describedby); an enabled one as it is. */
export function withReason(btn: HTMLButtonElement, reason: string | null): HTMLElement {
  if (!btn.disabled || !reason) return btn;
  const id = `${btn.id || 'btn'}-why-${++reasonSeq}`;
  btn.setAttribute('aria-describedby', id);
  return h('span', { class: 'btn-with-reason' }, btn, h('span', { class: 'why small', id }, reason));
}

/** Why "Sincronizar Ahora" / "Iniciar" cannot run now (null: they can). */
export function syncBlockedReason(s: StatusReport): string | null {
  if (s.state === 'invalid-config') return tr('truth.why_invalid_config');
  if (s.state === 'unconfigured' && s.configStatus === 'ok' && s.problems.length) {
    // Saved, but incomplete: name what is missing (the fields are marked in the form).
    const view = transportView(s.protocol);
    const fields = [...new Set(s.problems.map((p) => fieldLabel(p.key, view)))].join(', ');
    return tr('truth.why_saved_incomplete', { fields });
  }
  if (s.state === 'unconfigured') return tr('truth.why_unconfigured');
  return null;
}

/** Why "Iniciar Sincronización" cannot start (null: it can). */
export function autoBlockedReason(s: StatusReport): string | null {
  return syncBlockedReason(s) ?? (s.enabled ? null : tr('ui.first_tick_enable_automatic'));
}

// ---------- the automatic sync line ----------

/** "Detenida: hay un conflicto por resolver" while something blocks every sync; else null (the usual line). */
export function stoppedText(s: StatusReport): string | null {
  if (s.blockedBy === 'conflict') return tr('truth.stopped_conflict');
  if (s.blockedBy === 'pending') return tr('truth.stopped_pending');
  return null;
}
