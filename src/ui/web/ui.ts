/** Small shared widgets: toasts, the confirm dialog, buttons with a busy state, badges. */
import { $, fill, h } from './dom.js';
import { getLang, tr } from './i18n.js';
import { ApiFailure } from './client.js';

export type Tone = 'ok' | 'warn' | 'bad' | 'busy' | 'idle' | 'info';

/**
 * The page's one status message: a new one replaces the previous (never a stack over the form). Errors stay
 * longer; the detail carries the specifics.
 */
export function toast(tone: Tone, title: string, detail = ''): void {
  const box = $('toasts');
  const el = h(
    'div',
    { class: `toast tone-${tone}`, role: tone === 'bad' ? 'alert' : 'status' },
    h('strong', {}, title),
    detail ? h('div', { class: 'toast-detail' }, detail) : null,
  );
  fill(box, el);
  setTimeout(() => el.classList.add('leaving'), tone === 'bad' ? 9000 : 4500);
  setTimeout(() => el.remove(), tone === 'bad' ? 9500 : 5000);
}

/** A readable message (and hint) from any failure. */
export function failureText(err: unknown): { title: string; hint: string } {
  if (err instanceof ApiFailure) {
    const e = err.body;
    return {
      title: getLang() === 'en' ? e.message_en : e.message,
      hint: (getLang() === 'en' ? e.hint_en : e.hint) ?? '',
    };
  }
  return {
    title: tr('ui.could_not_reach_cordiax_sync'),
    hint: '',
  };
}

export function toastFailure(err: unknown): void {
  const f = failureText(err);
  toast('bad', f.title, f.hint);
}

/** A button that shows a spinner while its action runs. */
export function button(
  label: string,
  opts: {
    kind?: 'primary' | 'secondary' | 'ghost' | 'danger';
    busy?: boolean;
    busyLabel?: string;
    disabled?: boolean;
    id?: string;
    title?: string;
    onclick: () => void;
  },
): HTMLButtonElement {
  return h(
    'button',
    {
      type: 'button',
      class: `btn btn-${opts.kind ?? 'secondary'}${opts.busy ? ' is-busy' : ''}`,
      id: opts.id,
      title: opts.title,
      disabled: opts.busy || opts.disabled,
      'aria-busy': opts.busy ? 'true' : null,
      onclick: () => opts.onclick(),
    },
    opts.busy ? h('span', { class: 'spinner', 'aria-hidden': 'true' }) : null,
    opts.busy && opts.busyLabel ? opts.busyLabel : label,
  );
}

/** Asks before something that replaces data. Resolves true on confirm. */
export function confirmDialog(title: string, text: string, confirmLabel: string): Promise<boolean> {
  const dlg = $('confirm') as HTMLDialogElement;
  return new Promise((resolve) => {
    const done = (v: boolean) => {
      dlg.close();
      resolve(v);
    };
    fill(
      dlg,
      h('h2', {}, title),
      h('p', {}, text),
      h(
        'div',
        { class: 'dialog-actions' },
        button(tr('ui.cancel'), { kind: 'ghost', onclick: () => done(false) }),
        button(confirmLabel, { kind: 'danger', id: 'confirm-ok', onclick: () => done(true) }),
      ),
    );
    dlg.onclose = () => resolve(false);
    dlg.showModal();
  });
}
