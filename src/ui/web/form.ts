/**
 * The "Configuración" card: protocol tabs with the spec's fields and a "Probar Conexión" per protocol, automatic
 * sync (checkbox + interval validated as you type), advanced options, encryption, and "Guardar Configuración".
 * The form edits app.draft; passwords are write-only (the page never has the stored one).
 */
import type { ConnectionReport, SaveResponse } from '../api-types.js';
import { fill, h } from './dom.js';
import { bi, tr } from './i18n.js';
import { post, ApiFailure } from './client.js';
import {
  ADVANCED_FIELDS,
  AUTO_FIELDS,
  ENCRYPTION_FIELDS,
  allFields,
  getKey,
  setKey,
  toConfigValue,
  toInputValue,
  validate,
  type Field,
  type Protocol,
} from './fields.js';
import { app, draftProtocol, protocolTitle, transportView, viewedProtocol } from './state.js';
import { button, confirmDialog, toast, failureText } from './ui.js';
import {
  announceSave,
  clearSavedProblem,
  fieldLabel,
  savedHeadline,
  savedProblems,
  schemeOnBlur,
  setSavedProblems,
  testMarks,
  withReason,
} from './truth.js';
import { focusField, markTestField, testReport } from './test-report.js';
import { encryptionExtras, passphrase } from './encryption-ui.js';
import type { PassphraseResponse } from '../api-types.js';

export interface FormHooks {
  /** After a save or a test: the rest of the page redraws (status, first steps). */
  changed(): void;
}

let card: HTMLElement;
let hooks: FormHooks;

function isDirty(): boolean {
  return JSON.stringify(app.draft) !== JSON.stringify(app.config) || app.clear.size > 0 || passphrase.typed !== '';
}

function updateDirty(): void {
  const el = card.querySelector('#dirty');
  if (el) el.toggleAttribute('hidden', !isDirty());
}

/**
 * Shows app.errors (typed values the page or the server refused) and the saved config's problems (what keeps it
 * from syncing) next to their fields; problems for fields not on screen go to the summary.
 */
function showErrors(): void {
  const shown = new Set<string>();
  card.querySelectorAll<HTMLElement>('.field').forEach((w) => {
    const key = w.dataset.key!;
    const msg = app.errors[key] ?? testMarks[key] ?? savedProblems[key];
    w.classList.toggle('has-error', Boolean(msg));
    const box = w.querySelector('.field-error')!;
    box.textContent = msg ?? '';
    w.querySelector('input,select,textarea')?.setAttribute('aria-invalid', msg ? 'true' : 'false');
    if (msg) shown.add(key);
  });
  const summary = card.querySelector('#save-summary');
  if (!summary) return;
  const errors = Object.keys(app.errors);
  // Refused values come first (nothing was saved); otherwise the saved config's problems, if any.
  const saved = errors.length ? [] : Object.keys(savedProblems);
  const keys = errors.length ? errors : saved;
  const text = (k: string) => app.errors[k] ?? savedProblems[k] ?? '';
  // Refused values: those not on screen (the rest are marked). A saved config's problems: all of them, by label.
  const hidden = errors.length ? keys.filter((k) => !shown.has(k)) : keys;
  const name = (k: string) => (errors.length ? h('code', {}, k) : fieldLabel(k, transportView(draftProtocol())));
  fill(
    summary,
    errors.length ? h('p', {}, tr('ui.check_marked_fields_nothing')) : null,
    saved.length ? h('p', {}, savedHeadline() ?? '') : null,
    hidden.length
      ? h(
          'ul',
          {},
          hidden.map((k) => h('li', {}, name(k), ': ', text(k))),
        )
      : null,
  );
  summary.className = `alert ${errors.length ? 'tone-bad' : 'tone-warn'}`;
  summary.toggleAttribute('hidden', keys.length === 0);
}

function onFieldInput(f: Field, raw: string | boolean): void {
  const value = toConfigValue(f, raw);
  setKey(app.draft, f.key, value);
  const err = validate(f, value);
  if (err) app.errors[f.key] = err;
  else delete app.errors[f.key];
  clearSavedProblem(f.key);
  // The encryption mode decides what the section offers ("Generar clave" or the passphrase field).
  if (f.key === 'encryption.mode') {
    renderForm();
    card.querySelector<HTMLElement>('#f-encryption-mode')?.focus();
    return;
  }
  showErrors();
  updateDirty();
}

function secretControls(f: Field): HTMLElement | null {
  const [block, key] = f.key.split('.') as [string, string];
  const isSet = getKey(app.config, `${block}.${key}_set`) === true;
  if (!isSet) return null;
  const clearing = app.clear.has(f.key);
  return h(
    'div',
    { class: 'secret-state' },
    h(
      'span',
      { class: `chip ${clearing ? 'chip-warn' : 'chip-ok'}` },
      clearing ? tr('ui.erased_save') : tr('ui.stored'),
    ),
    h(
      'button',
      {
        type: 'button',
        class: 'link',
        onclick: () => {
          if (clearing) app.clear.delete(f.key);
          else app.clear.add(f.key);
          renderForm();
        },
      },
      clearing ? tr('ui.undo') : tr('ui.erase'),
    ),
  );
}

const PRESETS: Array<[number, () => string]> = [
  [60, () => tr('ui.preset_minutes', { n: 1 })],
  [300, () => tr('ui.preset_minutes', { n: 5 })],
  [900, () => tr('ui.preset_minutes', { n: 15 })],
  [3600, () => tr('ui.preset_hour')],
];

/** One click for the usual intervals, beside the seconds field (which stays for anything else). */
function intervalPresets(f: Field, input: HTMLInputElement): HTMLElement {
  const mark = () =>
    group.querySelectorAll<HTMLButtonElement>('button').forEach((b) => {
      b.setAttribute('aria-pressed', b.dataset.seconds === input.value ? 'true' : 'false');
    });
  const group = h(
    'div',
    { class: 'presets', role: 'group', 'aria-label': tr('ui.interval_presets') },
    PRESETS.map(([secs, label]) =>
      h(
        'button',
        {
          type: 'button',
          class: 'seg preset',
          id: `preset-${secs}`,
          'data-seconds': secs,
          onclick: () => {
            input.value = String(secs);
            onFieldInput(f, input.value);
            mark();
          },
        },
        label(),
      ),
    ),
  );
  input.addEventListener('input', mark);
  mark();
  return group;
}

function fieldEl(f: Field, placeholder?: string): HTMLElement {
  const id = `f-${f.key.replace(/\./g, '-')}`;
  const value = toInputValue(f, getKey(app.draft, f.key));
  // Help and error are read with the field (aria-describedby); the error box is always there, empty when fine.
  const helpId = f.help ? `${id}-help` : null;
  const errorId = `${id}-error`;
  const describedBy = [helpId, errorId].filter(Boolean).join(' ');
  const helpEl = f.help ? h('div', { class: 'help', id: helpId }, bi(f.help)) : null;
  const errorEl = h('div', { class: 'field-error', id: errorId, role: 'alert' });
  const on = (ev: Event) => {
    const t = ev.target as HTMLInputElement;
    onFieldInput(f, f.kind === 'checkbox' ? t.checked : t.value);
  };
  let input: HTMLElement;
  switch (f.kind) {
    case 'checkbox':
      return h(
        'div',
        { class: `field field-check${f.wide ? ' wide' : ''}`, 'data-key': f.key },
        h(
          'label',
          { class: 'check' },
          h('input', {
            type: 'checkbox',
            id,
            name: f.key,
            checked: value === true,
            onchange: on,
            'aria-describedby': describedBy,
          }),
          h('span', { class: 'switch', 'aria-hidden': 'true' }),
          h('span', {}, bi(f.label)),
        ),
        helpEl,
        errorEl,
      );
    case 'select':
      input = h(
        'select',
        { id, name: f.key, onchange: on },
        (f.options ?? []).map(([v, label]) => h('option', { value: v, selected: v === value }, bi(label))),
      );
      break;
    case 'lines':
      input = h('textarea', {
        id,
        name: f.key,
        rows: 3,
        placeholder: f.placeholder && bi(f.placeholder),
        spellcheck: 'false',
        oninput: on,
        value: String(value),
      });
      break;
    case 'password': {
      const isSet = getKey(app.config, `${f.key}_set`) === true;
      input = h('input', {
        type: 'password',
        id,
        name: f.key,
        autocomplete: 'new-password',
        value: String(value),
        placeholder: app.clear.has(f.key) ? tr('ui.erased') : isSet ? tr('ui.type_change') : '',
        oninput: on,
      });
      break;
    }
    default:
      input = h('input', {
        type: f.kind === 'number' ? 'number' : f.kind === 'url' ? 'url' : 'text',
        id,
        name: f.key,
        value: String(value),
        placeholder: placeholder ?? (f.placeholder && bi(f.placeholder)),
        min: f.min,
        max: f.max,
        step: f.kind === 'number' ? 1 : null,
        inputmode: f.kind === 'number' ? 'numeric' : null,
        spellcheck: 'false',
        autocomplete: 'off',
        oninput: on,
      });
  }
  input.setAttribute('aria-describedby', describedBy);
  const presets = f.key === 'polling_interval' ? intervalPresets(f, input as HTMLInputElement) : null;
  const scheme = f.kind === 'url' ? schemeOnBlur(input as HTMLInputElement, (v) => onFieldInput(f, v)) : null;
  return h(
    'div',
    { class: `field${f.wide ? ' wide' : ''}`, 'data-key': f.key },
    h(
      'label',
      { for: id },
      bi(f.label),
      f.required ? h('span', { class: 'req', title: tr('ui.required') }, ' *') : null,
    ),
    input,
    presets,
    scheme,
    f.kind === 'password' ? secretControls(f) : null,
    helpEl,
    errorEl,
  );
}

async function runTest(p: Protocol): Promise<void> {
  app.busy.test = p;
  renderForm();
  try {
    const r = await post<ConnectionReport>('/api/test', { protocol: p, config: app.draft, clear: [...app.clear] });
    app.reports[p] = r;
    // The report's headline is the message (no toast on top of it); the field it names is marked and focused.
    marked = markTestField(r, transportView(p));
  } catch (err) {
    const f = failureText(err);
    toast('bad', tr('ui.connection_test_failed'), f.title);
  } finally {
    app.busy.test = null;
    renderForm();
    hooks.changed();
    if (marked) focusField(marked);
  }
}

/** The field the last failed test named (focused after the redraw). */
let marked: string | null = null;

/** The passphrase typed in the form goes to its own 0600 file first; the config then names that file. */
async function storeTypedPassphrase(): Promise<void> {
  if (!passphrase.typed || getKey(app.draft, 'encryption.mode') !== 'passphrase') return;
  const r = await post<PassphraseResponse>('/api/encryption/passphrase', { passphrase: passphrase.typed });
  setKey(app.draft, 'encryption.passphrase_file', r.file);
  passphrase.typed = '';
}

export async function saveConfig(): Promise<void> {
  // Check every field first: an invalid value saves nothing at all.
  app.errors = {};
  for (const f of allFields(app.transports)) {
    const err = validate(f, getKey(app.draft, f.key));
    if (err) app.errors[f.key] = err;
  }
  if (Object.keys(app.errors).length) {
    showErrors();
    card
      .querySelector<HTMLElement>('.field.has-error input, .field.has-error select, .field.has-error textarea')
      ?.focus();
    toast('bad', tr('ui.not_saved_check_marked_fields'));
    return;
  }
  app.busy.save = true;
  renderForm();
  try {
    await storeTypedPassphrase();
    const r = await post<SaveResponse>('/api/config', { config: app.draft, clear: [...app.clear] });
    app.config = r.config;
    app.draft = structuredClone(r.config);
    app.clear.clear();
    app.status = r.status;
    // Green only when the saved config can sync; otherwise what is missing, each problem on its field.
    announceSave(r.readiness ?? []);
  } catch (err) {
    if (err instanceof ApiFailure && err.body.problems?.length) {
      for (const p of err.body.problems) app.errors[p.key] = bi(p.text);
    }
    const f = failureText(err);
    toast('bad', tr('ui.configuration_not_saved'), f.title);
  } finally {
    app.busy.save = false;
    renderForm();
    hooks.changed();
  }
}

/** Shows another protocol's tab (and keeps keyboard focus on it after the redraw). */
function viewTab(p: Protocol, focus: boolean): void {
  app.viewProtocol = p;
  renderForm();
  if (focus) card.querySelector<HTMLElement>(`#tab-${p}`)?.focus();
}

/** WAI-ARIA tabs: arrows move (and show) the previous/next tab, Home/End the first/last. */
function onTabKey(ev: KeyboardEvent): void {
  const list = app.transports.map((t) => t.protocol);
  const i = list.indexOf(viewedProtocol());
  const next =
    ev.key === 'ArrowRight'
      ? list[(i + 1) % list.length]
      : ev.key === 'ArrowLeft'
        ? list[(i - 1 + list.length) % list.length]
        : ev.key === 'Home'
          ? list[0]
          : ev.key === 'End'
            ? list[list.length - 1]
            : undefined;
  if (!next) return;
  ev.preventDefault();
  viewTab(next, true);
}

function protocolTabs(current: Protocol): HTMLElement {
  const avail = app.status?.availability ?? [];
  const inUse = draftProtocol();
  return h(
    'div',
    {
      class: 'tabs',
      role: 'tablist',
      'aria-label': tr('common.protocol'),
      onkeydown: (ev: Event) => onTabKey(ev as KeyboardEvent),
    },
    app.transports.map(({ protocol: p, title }) => {
      const a = avail.find((x) => x.protocol === p);
      return h(
        'button',
        {
          type: 'button',
          role: 'tab',
          id: `tab-${p}`,
          class: `tab${p === current ? ' active' : ''}${a && !a.available ? ' unavailable' : ''}`,
          'aria-selected': p === current ? 'true' : 'false',
          'aria-controls': p === current ? `panel-${p}` : null,
          tabindex: p === current ? 0 : -1,
          onclick: () => viewTab(p, false),
        },
        bi(title),
        a && !a.available ? h('span', { class: 'tab-badge' }, tr('ui.unavailable')) : null,
        p === inUse ? h('span', { class: 'tab-inuse' }, tr('ui.in_use')) : null,
      );
    }),
  );
}

/** Changing the protocol in use is a decision of its own: asked, never a side effect of looking at a tab. */
async function chooseProtocol(select: HTMLSelectElement): Promise<void> {
  const from = draftProtocol();
  const to = select.value;
  if (to === from) return;
  if (app.status?.configStatus === 'ok') {
    const ok = await confirmDialog(
      tr('ui.switch_protocol_title', { name: bi(protocolTitle(to)) }),
      tr('ui.switch_protocol_text', { from: bi(protocolTitle(from)), to: bi(protocolTitle(to)) }),
      tr('ui.switch_protocol_ok', { name: bi(protocolTitle(to)) }),
    );
    if (!ok) {
      select.value = from;
      return;
    }
  }
  app.draft.protocol = to;
  viewTab(to, false);
}

function protocolInUse(): HTMLElement {
  const inUse = draftProtocol();
  return h(
    'div',
    { class: 'field in-use', 'data-key': 'protocol' },
    h('label', { for: 'f-protocol' }, tr('ui.protocol_in_use')),
    h(
      'select',
      {
        id: 'f-protocol',
        name: 'protocol',
        'aria-describedby': 'f-protocol-help f-protocol-error',
        onchange: (ev: Event) => void chooseProtocol(ev.target as HTMLSelectElement),
      },
      app.transports.map(({ protocol: p, title }) => h('option', { value: p, selected: p === inUse }, bi(title))),
    ),
    h('div', { class: 'help', id: 'f-protocol-help' }, tr('ui.protocol_in_use_help')),
    h('div', { class: 'field-error', id: 'f-protocol-error', role: 'alert' }),
  );
}

function protocolPanel(p: Protocol): HTMLElement {
  const a = app.status?.availability.find((x) => x.protocol === p);
  const view = transportView(p);
  const fields = view?.fields ?? [];
  const title = bi(protocolTitle(p));
  const basic = fields.filter((f) => !f.advanced);
  const adv = fields.filter((f) => f.advanced);
  const report = app.reports[p];
  return h(
    'div',
    { class: 'panel', role: 'tabpanel', id: `panel-${p}`, 'aria-labelledby': `tab-${p}` },
    view ? h('p', { class: 'muted' }, bi(view.what)) : null,
    p !== draftProtocol()
      ? h(
          'p',
          { class: 'alert tone-info', id: 'viewing-other' },
          tr('ui.viewing_other_protocol', { viewed: title, inUse: bi(protocolTitle(draftProtocol())) }),
        )
      : null,
    a && !a.available
      ? h(
          'div',
          { class: 'alert tone-warn', id: `unavailable-${p}` },
          h('strong', {}, tr('ui.protocol_unavailable', { name: title })),
          h('div', {}, bi(a.reason)),
          a.installHint ? h('div', {}, tr('ui.install'), h('code', { class: 'cmd' }, a.installHint)) : null,
        )
      : null,
    h(
      'div',
      { class: 'grid' },
      basic.map((f) => fieldEl(f)),
    ),
    adv.length
      ? h(
          'details',
          { class: 'advanced' },
          h('summary', {}, tr('ui.advanced_options')),
          h(
            'div',
            { class: 'grid' },
            adv.map((f) => fieldEl(f)),
          ),
        )
      : null,
    h(
      'div',
      { class: 'test-row' },
      withReason(
        button(tr('ui.test_connection'), {
          id: `test-${p}`,
          busy: app.busy.test === p,
          busyLabel: tr('ui.testing'),
          disabled: Boolean(a && !a.available) || (app.busy.test !== null && app.busy.test !== p),
          onclick: () => void runTest(p),
        }),
        a && !a.available
          ? tr('truth.why_protocol_unavailable', { name: title })
          : app.busy.test !== null && app.busy.test !== p
            ? tr('truth.why_other_test_running')
            : null,
      ),
      h('span', { class: 'muted small' }, tr('ui.tests_what_typed_form')),
    ),
    report ? testReport(report, view) : null,
  );
}

let firstRender = true;

export function renderForm(): void {
  // The problems the saved config already has (GET /api/state) are on their fields from the first paint.
  if (firstRender && app.status?.configStatus === 'ok') {
    firstRender = false;
    setSavedProblems(app.status.problems.map((x) => ({ key: x.key, text: x.text, severity: 'incomplete' })));
  }
  const p = viewedProtocol();
  const dbPlaceholder = app.status?.databasePath ?? '';
  fill(
    card,
    h(
      'div',
      { class: 'card-head' },
      h('h2', {}, tr('ui.configuration')),
      app.status ? h('span', { class: 'muted small path', title: app.status.configPath }, app.status.configPath) : null,
    ),
    h('h3', { class: 'section-title' }, tr('common.protocol')),
    protocolInUse(),
    protocolTabs(p),
    protocolPanel(p),
    h('h3', { class: 'section-title' }, tr('ui.automatic_sync')),
    h(
      'div',
      { class: 'grid' },
      AUTO_FIELDS.map((f) => fieldEl(f)),
    ),
    h(
      'details',
      { class: 'advanced' },
      h('summary', {}, tr('ui.database_computer_direction')),
      h(
        'div',
        { class: 'grid' },
        ADVANCED_FIELDS.map((f) => fieldEl(f, f.key === 'database_path' ? dbPlaceholder : undefined)),
      ),
    ),
    h(
      'details',
      { class: 'advanced', open: getKey(app.draft, 'encryption.enabled') === true },
      h('summary', {}, tr('common.encryption')),
      h(
        'div',
        { class: 'grid' },
        ENCRYPTION_FIELDS.map((f) => fieldEl(f)),
        encryptionExtras(renderForm, updateDirty),
      ),
    ),
    h('div', { class: 'alert tone-bad', id: 'save-summary', hidden: true }),
    h(
      'div',
      { class: 'save-row' },
      button(tr('ui.save_configuration'), {
        kind: 'primary',
        id: 'save-config',
        busy: app.busy.save,
        busyLabel: tr('ui.saving'),
        onclick: () => void saveConfig(),
      }),
      h('span', { class: 'chip chip-warn', id: 'dirty', hidden: true }, tr('ui.unsaved_changes')),
    ),
  );
  showErrors();
  updateDirty();
}

export function initForm(el: HTMLElement, formHooks: FormHooks): void {
  card = el;
  hooks = formHooks;
}
