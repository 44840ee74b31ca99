/**
 * The page tells the truth (issue 15, items 5, 8 and the desktop notice of 10): a connection test with one headline
 * and its field marked, the technical steps folded; "Guardada, pero todavía no puede sincronizar" with each problem
 * on its field; every disabled button with its reason beside it; "Detenida: …" while a conflict blocks syncing;
 * the server's plaintext versions and "Cifrar ahora"; "Generar clave" and a write-only passphrase; https:// added
 * to a bare host; an opt-in desktop notification when a conflict or an error appears while the tab is hidden.
 */
import type {
  ConnectionReport,
  EncryptNowResponse,
  KeygenResponse,
  ReadinessProblem,
  StatusReport,
  TransportView,
} from '../api-types.js';
import { h } from './dom.js';
import { bi, msg, pick, tr } from './i18n.js';
import { post } from './client.js';
import { app, protocolTitle, transportView } from './state.js';
import { getKey, setKey } from './fields.js';
import { button, confirmDialog, toast, toastFailure } from './ui.js';

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

// ---------- the connection test ----------

const NETWORK = new Set(['DNS', 'CONNECTION_REFUSED', 'CONNECTION_RESET', 'TIMEOUT', 'TLS']);
const ADDRESS = new Set(['NOT_FOUND', 'NOT_SUPPORTED', 'PROTOCOL', 'TOO_LARGE']);

/** The address field of a transport: its URL field, else its first required one (the SMB server). */
function addressField(view: TransportView): string | undefined {
  return (view.fields.find((f) => f.kind === 'url') ?? view.fields.find((f) => f.required))?.key;
}

/** The one field a failed test points at, from the error's code and the transport's declared fields. */
export function fieldToFix(r: ConnectionReport, view: TransportView | undefined): string | null {
  const e = r.error;
  if (!e || !view) return null;
  const known = (k: string | undefined) => (k && allFieldKeys(view).includes(k) ? k : null);
  if (e.problems?.length) return e.problems.map((p) => p.key).find((k) => known(k) || isFormOwnKey(k)) ?? null;
  if (e.code === 'AUTH_FAILED' || e.code === 'ACCOUNT_LOCKED') return known(view.secrets[0]);
  if (e.code === 'PERMISSION_DENIED') return known(view.fields.find((f) => f.key.endsWith('.remote_path'))?.key);
  if (NETWORK.has(e.code) || ADDRESS.has(e.code)) return known(addressField(view));
  return null;
}

function allFieldKeys(view: TransportView): string[] {
  return view.fields.map((f) => f.key);
}
/** Keys the form itself owns (the interval, encryption...) that a config problem may name. */
function isFormOwnKey(k: string): boolean {
  return document.querySelector(`.field[data-key="${CSS.escape(k)}"]`) !== null;
}

export function fieldLabel(key: string, view: TransportView | undefined): string {
  const f = view?.fields.find((x) => x.key === key);
  if (f) return bi(f.label);
  return (
    document.querySelector(`.field[data-key="${CSS.escape(key)}"] label`)?.textContent?.replace(/\s*\*$/, '') ?? key
  );
}

/** The report as the page shows it: one headline (success, or the one thing to fix), the protocol steps folded. */
export function testReport(r: ConnectionReport, view: TransportView | undefined): HTMLElement {
  const name = bi(protocolTitle(r.protocol));
  const field = r.ok ? null : fieldToFix(r, view);
  const problem = field ? r.error?.problems?.find((p) => p.key === field) : undefined;
  const what = problem ? bi(problem.text) : msg(r.error);
  const hint = r.error ? pick(r.error.hint ?? '', r.error.hint_en ?? r.error.hint ?? '') : '';
  const headline = r.ok
    ? tr('ui.connection_ok', { name })
    : field
      ? tr('truth.test_fix_field', { field: fieldLabel(field, view) })
      : tr('ui.connection_failed', { name });
  const facts = Object.entries(r.facts ?? {});
  const guarantees = r.guarantees
    ? ([
        ['conditionalWrite', tr('ui.guarantee.conditional_write')],
        ['exclusiveCreate', tr('ui.guarantee.exclusive_create')],
        ['atomicReplace', tr('ui.guarantee.atomic_replace')],
      ] as const)
    : [];
  return h(
    'div',
    {
      class: `diagnosis tone-${r.ok ? 'ok' : 'bad'}`,
      id: `diagnosis-${r.protocol}`,
      role: 'status',
      'data-field': field ?? '',
    },
    h(
      'h3',
      { class: 'diag-headline' },
      h('span', { class: 'icon', 'aria-hidden': 'true' }, r.ok ? '✓' : '✕'),
      headline,
    ),
    r.ok ? h('p', { class: 'diag-ok' }, tr('truth.test_ok_text')) : h('p', { class: 'diag-error' }, what),
    !r.ok && hint ? h('p', { class: 'diag-hint' }, '→ ', hint) : null,
    h(
      'details',
      { class: 'tech', id: `tech-${r.protocol}` },
      h('summary', {}, tr('truth.technical_details')),
      h(
        'ul',
        { class: 'steps' },
        r.steps.map((s) =>
          h(
            'li',
            { class: s.skipped ? 'skipped' : s.ok ? 'ok' : 'fail' },
            h('span', { class: 'icon', 'aria-hidden': 'true' }, s.skipped ? '–' : s.ok ? '✓' : '✕'),
            h(
              'span',
              {},
              bi(s.text),
              s.durationMs !== undefined ? h('span', { class: 'muted small' }, ` · ${s.durationMs} ms`) : null,
            ),
            !s.ok && !s.skipped && s.hint && s.hint.es !== r.error?.hint
              ? h('div', { class: 'step-hint' }, bi(s.hint))
              : null,
          ),
        ),
      ),
      guarantees.length
        ? h(
            'div',
            { class: 'chips' },
            guarantees.map(([k, label]) =>
              h(
                'span',
                { class: `chip ${r.guarantees![k] ? 'chip-ok' : 'chip-muted'}` },
                r.guarantees![k] ? '✓ ' : '✕ ',
                label,
              ),
            ),
          )
        : null,
      facts.length ? h('h4', { class: 'facts-title' }, tr('ui.server_facts')) : null,
      facts.length
        ? h(
            'dl',
            { class: 'facts' },
            facts.flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, String(v))]),
          )
        : null,
    ),
  );
}

/** The field a failed test names gets the error in its box (aria-invalid) and the focus. */
export function markTestField(r: ConnectionReport, view: TransportView | undefined): string | null {
  for (const k of Object.keys(testMarks)) delete testMarks[k];
  const field = r.ok ? null : fieldToFix(r, view);
  if (!field) return null;
  const problem = r.error?.problems?.find((p) => p.key === field);
  testMarks[field] = problem ? bi(problem.text) : msg(r.error);
  return field;
}

export function focusField(key: string): void {
  document
    .querySelector<HTMLElement>(
      `.field[data-key="${CSS.escape(key)}"] input, .field[data-key="${CSS.escape(key)}"] select, .field[data-key="${CSS.escape(key)}"] textarea`,
    )
    ?.focus();
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

// ---------- encryption: plaintext on the server, "Cifrar ahora" ----------

let encrypting = false;

/** The warning under the status while the server still holds plaintext versions, with "Cifrar ahora". */
export function plaintextNotice(s: StatusReport, redraw: () => void): HTMLElement | null {
  if (s.encryption === 'off' || !s.remotePlaintext) return null;
  const blocked = s.blockedBy ? tr('truth.why_encrypt_blocked') : syncBlockedReason(s);
  return h(
    'div',
    { class: 'alert tone-warn', id: 'plaintext-warning' },
    h('strong', {}, tr('truth.server_plaintext_title')),
    h('div', {}, tr('truth.server_plaintext_text', { count: s.remotePlaintext })),
    h(
      'div',
      { class: 'actions' },
      withReason(
        button(tr('truth.encrypt_now'), {
          kind: 'primary',
          id: 'encrypt-now',
          busy: encrypting,
          busyLabel: tr('truth.encrypting'),
          disabled: Boolean(blocked),
          onclick: () => void encryptNow(redraw),
        }),
        blocked,
      ),
    ),
  );
}

async function encryptNow(redraw: () => void): Promise<void> {
  const ok = await confirmDialog(
    tr('truth.encrypt_now_confirm_title'),
    tr('truth.encrypt_now_confirm_text'),
    tr('truth.encrypt_now_confirm_ok'),
  );
  if (!ok) return;
  encrypting = true;
  redraw();
  try {
    const r = await post<EncryptNowResponse>('/api/encryption/encrypt-now');
    app.status = r.status;
    toast('ok', tr('truth.encrypt_now_done'), tr('truth.encrypt_now_done_text', { generation: r.generation ?? '—' }));
  } catch (err) {
    toastFailure(err);
  } finally {
    encrypting = false;
    redraw();
  }
}

// ---------- encryption: "Generar clave", the passphrase ----------

/** The passphrase typed in the form: sent to its own endpoint on Guardar, never kept in the draft. */
export const passphrase = { typed: '' };
let generated: KeygenResponse | null = null;
let generating = false;

/** The extras of the encryption section: "Generar clave" (X25519) or the passphrase field (passphrase mode). */
export function encryptionExtras(redraw: () => void, changed: () => void): HTMLElement {
  const mode = getKey(app.draft, 'encryption.mode') === 'passphrase' ? 'passphrase' : 'x25519';
  if (mode === 'passphrase') {
    const isSet = typeof getKey(app.config, 'encryption.passphrase_file') === 'string';
    return h(
      'div',
      { class: 'field wide', 'data-key': 'encryption.passphrase' },
      h('label', { for: 'f-encryption-passphrase' }, tr('truth.passphrase_label')),
      h('input', {
        type: 'password',
        id: 'f-encryption-passphrase',
        name: 'encryption.passphrase',
        autocomplete: 'new-password',
        value: passphrase.typed,
        placeholder: isSet ? tr('ui.type_change') : '',
        'aria-describedby': 'f-encryption-passphrase-help f-encryption-passphrase-error',
        oninput: (ev: Event) => {
          passphrase.typed = (ev.target as HTMLInputElement).value;
          changed();
        },
      }),
      isSet ? h('div', { class: 'secret-state' }, h('span', { class: 'chip chip-ok' }, tr('ui.stored'))) : null,
      h('div', { class: 'help', id: 'f-encryption-passphrase-help' }, tr('truth.passphrase_help')),
      h('div', { class: 'field-error', id: 'f-encryption-passphrase-error', role: 'alert' }),
    );
  }
  return h(
    'div',
    { class: 'keygen wide', id: 'keygen' },
    h(
      'div',
      { class: 'test-row' },
      button(tr('truth.generate_key'), {
        id: 'generate-key',
        busy: generating,
        onclick: () => void generateKey(redraw),
      }),
      h('span', { class: 'muted small' }, tr('truth.generate_key_help')),
    ),
    generated
      ? h(
          'div',
          { class: 'alert tone-warn', id: 'key-created', role: 'status' },
          h('strong', {}, tr('truth.key_created_title')),
          h('div', {}, tr('truth.key_created_where'), ' ', h('code', { class: 'path' }, generated.identityFile)),
          h('div', {}, tr('truth.key_created_keep_copy')),
        )
      : null,
  );
}

async function generateKey(redraw: () => void): Promise<void> {
  generating = true;
  redraw();
  try {
    generated = await post<KeygenResponse>('/api/encryption/keygen');
    const recipients = getKey(app.draft, 'encryption.recipients');
    const list = Array.isArray(recipients) ? (recipients as string[]) : [];
    setKey(app.draft, 'encryption.recipients', [
      ...list.filter((r) => r !== generated!.recipient),
      generated.recipient,
    ]);
    setKey(app.draft, 'encryption.identity_file', generated.identityFile);
    delete app.errors['encryption.recipients'];
    delete app.errors['encryption.identity_file'];
    clearSavedProblem('encryption.recipients');
    clearSavedProblem('encryption.identity_file');
  } catch (err) {
    toastFailure(err);
  } finally {
    generating = false;
    redraw();
  }
}

// ---------- desktop notification (opt-in) ----------

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
