/**
 * An optional desktop notification (issue 15, item 10) when a conflict or an error appears while the tab is hidden:
 * opt-in, remembered in the browser (localStorage), through the browser's Notification API.
 */
import type { StatusReport } from '../api-types.js';
import { h } from './dom.js';
import { tr } from './i18n.js';

const NOTIFY_KEY = 'cordiax-ui-notify';
let lastNotified = '';

function notifyWanted(): boolean {
  return localStorage.getItem(NOTIFY_KEY) === '1' && typeof Notification !== 'undefined';
}

/** The opt-in checkbox: "Avisar en el escritorio de un conflicto o un error". */
export function notifyToggle(): HTMLElement {
  const supported = typeof Notification !== 'undefined';
  const denied = supported && Notification.permission === 'denied';
  const box = h('input', {
    type: 'checkbox',
    id: 'notify-desktop',
    checked: notifyWanted() && !denied,
    disabled: !supported || denied,
    'aria-describedby': 'notify-desktop-help',
    onchange: (ev: Event) => void setNotify((ev.target as HTMLInputElement).checked, ev.target as HTMLInputElement),
  });
  return h(
    'div',
    { class: 'notify-row field-check' },
    h(
      'label',
      { class: 'check' },
      box,
      h('span', { class: 'switch', 'aria-hidden': 'true' }),
      h('span', {}, tr('truth.notify_label')),
    ),
    h(
      'div',
      { class: 'help', id: 'notify-desktop-help' },
      !supported ? tr('truth.notify_unsupported') : denied ? tr('truth.notify_denied') : tr('truth.notify_help'),
    ),
  );
}

async function setNotify(on: boolean, box: HTMLInputElement): Promise<void> {
  if (on && Notification.permission !== 'granted') {
    const p = await Notification.requestPermission().catch(() => 'denied' as NotificationPermission);
    if (p !== 'granted') {
      box.checked = false;
      localStorage.removeItem(NOTIFY_KEY);
      return;
    }
  }
  if (on) localStorage.setItem(NOTIFY_KEY, '1');
  else localStorage.removeItem(NOTIFY_KEY);
}

/**
 * Called when the state is drawn: a conflict or an error that appears while the tab is hidden becomes one desktop
 * notification (once per new state; nothing when the page is in front, where the card already says it).
 */
export function maybeNotify(s: StatusReport, title: string, sub: string): void {
  const key = s.state === 'conflict' || s.state === 'error' || s.state === 'pending' ? `${s.state}|${title}` : '';
  if (key === lastNotified) return;
  lastNotified = key;
  if (!key || !document.hidden || !notifyWanted() || Notification.permission !== 'granted') return;
  try {
    const n = new Notification(`Cordiax Sync · ${title}`, { body: sub, tag: 'cordiax-sync-state' });
    n.onclick = () => {
      window.focus();
      n.close();
    };
  } catch {
    /* some browsers allow notifications only from a service worker: the title and the icon still say it */
  }
}
