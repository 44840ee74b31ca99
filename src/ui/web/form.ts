/**
 * The "Configuración" card: protocol tabs with the spec's fields and a "Probar Conexión" per protocol, automatic
 * sync (checkbox + interval validated as you type), advanced options, encryption, and "Guardar Configuración".
 * The form edits app.draft; passwords are write-only (the page never has the stored one).
 */
import type { Bilingual, ConnectionReport, SaveResponse } from '../api-types.js';
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
import { app, draftProtocol, protocolTitle, transportView } from './state.js';
import { button, toast, failureText } from './ui.js';

export interface FormHooks {
  /** After a save or a test: the rest of the page redraws (status, first steps). */
  changed(): void;
}

let card: HTMLElement;
let hooks: FormHooks;

const L = (pair: Bilingual) => tr(pair[0], pair[1]);

function isDirty(): boolean {
  return JSON.stringify(app.draft) !== JSON.stringify(app.config) || app.clear.size > 0;
}

function updateDirty(): void {
  const el = card.querySelector('#dirty');
  if (el) el.toggleAttribute('hidden', !isDirty());
}

/** Shows app.errors next to their fields; problems for fields not on screen go to the summary. */
function showErrors(): void {
  const shown = new Set<string>();
  card.querySelectorAll<HTMLElement>('.field').forEach((w) => {
    const key = w.dataset.key!;
    const msg = app.errors[key];
    w.classList.toggle('has-error', Boolean(msg));
    const box = w.querySelector('.field-error')!;
    box.textContent = msg ?? '';
    w.querySelector('input,select,textarea')?.setAttribute('aria-invalid', msg ? 'true' : 'false');
    if (msg) shown.add(key);
  });
  const summary = card.querySelector('#save-summary');
  if (!summary) return;
  const keys = Object.keys(app.errors);
  const hidden = keys.filter((k) => !shown.has(k));
  fill(
    summary,
    keys.length
      ? h(
          'p',
          {},
          tr('Revise los campos marcados: no se ha guardado nada.', 'Check the marked fields: nothing was saved.'),
        )
      : null,
    hidden.length
      ? h(
          'ul',
          {},
          hidden.map((k) => h('li', {}, h('code', {}, k), ': ', app.errors[k]!)),
        )
      : null,
  );
  summary.toggleAttribute('hidden', keys.length === 0);
}

function onFieldInput(f: Field, raw: string | boolean): void {
  const value = toConfigValue(f, raw);
  setKey(app.draft, f.key, value);
  const err = validate(f, value);
  if (err) app.errors[f.key] = err;
  else delete app.errors[f.key];
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
      clearing ? tr('Se borrará al guardar', 'Will be erased on save') : tr('Guardada', 'Stored'),
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
      clearing ? tr('Deshacer', 'Undo') : tr('Borrar', 'Erase'),
    ),
  );
}

function fieldEl(f: Field, placeholder?: string): HTMLElement {
  const id = `f-${f.key.replace(/\./g, '-')}`;
  const value = toInputValue(f, getKey(app.draft, f.key));
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
          h('input', { type: 'checkbox', id, name: f.key, checked: value === true, onchange: on }),
          h('span', { class: 'switch', 'aria-hidden': 'true' }),
          h('span', {}, L(f.label)),
        ),
        f.help ? h('div', { class: 'help' }, L(f.help)) : null,
        h('div', { class: 'field-error', role: 'alert' }),
      );
    case 'select':
      input = h(
        'select',
        { id, name: f.key, onchange: on },
        (f.options ?? []).map(([v, es, en]) => h('option', { value: v, selected: v === value }, tr(es, en))),
      );
      break;
    case 'lines':
      input = h('textarea', {
        id,
        name: f.key,
        rows: 3,
        placeholder: f.placeholder && L(f.placeholder),
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
        placeholder: app.clear.has(f.key)
          ? tr('(se borrará)', '(will be erased)')
          : isSet
            ? tr('•••••••• (escriba para cambiarla)', '•••••••• (type to change it)')
            : '',
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
        placeholder: placeholder ?? (f.placeholder && L(f.placeholder)),
        min: f.min,
        max: f.max,
        step: f.kind === 'number' ? 1 : null,
        inputmode: f.kind === 'number' ? 'numeric' : null,
        spellcheck: 'false',
        autocomplete: 'off',
        oninput: on,
      });
  }
  return h(
    'div',
    { class: `field${f.wide ? ' wide' : ''}`, 'data-key': f.key },
    h(
      'label',
      { for: id },
      L(f.label),
      f.required ? h('span', { class: 'req', title: tr('Obligatorio', 'Required') }, ' *') : null,
    ),
    input,
    f.kind === 'password' ? secretControls(f) : null,
    f.help ? h('div', { class: 'help' }, L(f.help)) : null,
    h('div', { class: 'field-error', role: 'alert' }),
  );
}

function diagnosis(r: ConnectionReport): HTMLElement {
  const name = L(protocolTitle(r.protocol));
  const guarantees = r.guarantees
    ? ([
        [
          'conditionalWrite',
          'Escritura condicional (evita pisar cambios ajenos)',
          'Conditional write (no lost updates)',
        ],
        ['exclusiveCreate', 'Creación exclusiva (bloqueo fiable)', 'Exclusive create (reliable lock)'],
        ['atomicReplace', 'Sustitución atómica', 'Atomic replace'],
      ] as const)
    : [];
  const facts = Object.entries(r.facts ?? {});
  return h(
    'div',
    { class: `diagnosis tone-${r.ok ? 'ok' : 'bad'}`, id: `diagnosis-${r.protocol}`, role: 'status' },
    h(
      'h3',
      {},
      h('span', { class: 'icon', 'aria-hidden': 'true' }, r.ok ? '✓' : '✕'),
      r.ok
        ? tr(`Conexión ${name} correcta`, `${name} connection OK`)
        : tr(`La conexión ${name} ha fallado`, `The ${name} connection failed`),
    ),
    r.error ? h('p', { class: 'diag-error' }, tr(r.error.message, r.error.message_en)) : null,
    r.error && (r.error.hint || r.error.hint_en)
      ? h('p', { class: 'diag-hint' }, '→ ', tr(r.error.hint ?? '', r.error.hint_en ?? r.error.hint ?? ''))
      : null,
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
          // The hint of the step that ended the test is already shown under the error.
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
          guarantees.map(([k, es, en]) =>
            h(
              'span',
              { class: `chip ${r.guarantees![k] ? 'chip-ok' : 'chip-muted'}` },
              r.guarantees![k] ? '✓ ' : '✕ ',
              tr(es, en),
            ),
          ),
        )
      : null,
    facts.length
      ? h(
          'details',
          { class: 'facts' },
          h('summary', {}, tr('Datos del servidor', 'Server facts')),
          h(
            'dl',
            {},
            facts.flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, String(v))]),
          ),
        )
      : null,
  );
}

async function runTest(p: Protocol): Promise<void> {
  app.busy.test = p;
  renderForm();
  try {
    const r = await post<ConnectionReport>('/api/test', { protocol: p, config: app.draft, clear: [...app.clear] });
    app.reports[p] = r;
    if (r.ok) toast('ok', tr('Conexión correcta', 'Connection OK'));
    else
      toast(
        'bad',
        tr('La prueba de conexión ha fallado', 'The connection test failed'),
        r.error ? tr(r.error.message, r.error.message_en) : '',
      );
  } catch (err) {
    const f = failureText(err);
    toast('bad', f.title, f.hint);
  } finally {
    app.busy.test = null;
    renderForm();
    hooks.changed();
  }
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
    toast('bad', tr('No se ha guardado: revise los campos marcados.', 'Not saved: check the marked fields.'));
    return;
  }
  app.busy.save = true;
  renderForm();
  try {
    const r = await post<SaveResponse>('/api/config', { config: app.draft, clear: [...app.clear] });
    app.config = r.config;
    app.draft = structuredClone(r.config);
    app.clear.clear();
    app.status = r.status;
    toast('ok', tr('Configuración guardada', 'Configuration saved'));
  } catch (err) {
    if (err instanceof ApiFailure && err.body.problems?.length) {
      for (const p of err.body.problems) app.errors[p.key] = bi(p.text);
    }
    const f = failureText(err);
    toast('bad', tr('No se ha guardado la configuración', 'The configuration was not saved'), f.title);
  } finally {
    app.busy.save = false;
    renderForm();
    hooks.changed();
  }
}

function protocolTabs(current: Protocol): HTMLElement {
  const avail = app.status?.availability ?? [];
  return h(
    'div',
    { class: 'tabs', role: 'tablist', 'aria-label': tr('Protocolo', 'Protocol') },
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
          onclick: () => {
            app.draft.protocol = p;
            renderForm();
            updateDirty();
          },
        },
        L(title),
        a && !a.available ? h('span', { class: 'tab-badge' }, tr('no disponible', 'unavailable')) : null,
        p === app.config.protocol
          ? h('span', { class: 'tab-dot', title: tr('Protocolo guardado', 'Saved protocol') })
          : null,
      );
    }),
  );
}

function protocolPanel(p: Protocol): HTMLElement {
  const a = app.status?.availability.find((x) => x.protocol === p);
  const view = transportView(p);
  const fields = view?.fields ?? [];
  const title = L(protocolTitle(p));
  const basic = fields.filter((f) => !f.advanced);
  const adv = fields.filter((f) => f.advanced);
  const report = app.reports[p];
  return h(
    'div',
    { class: 'panel', role: 'tabpanel', id: `panel-${p}`, 'aria-labelledby': `tab-${p}` },
    view ? h('p', { class: 'muted' }, L(view.what)) : null,
    a && !a.available
      ? h(
          'div',
          { class: 'alert tone-warn', id: `unavailable-${p}` },
          h('strong', {}, tr(`${title}: no disponible`, `${title}: unavailable`)),
          h('div', {}, bi(a.reason)),
          a.installHint
            ? h('div', {}, tr('Para instalarlo: ', 'To install it: '), h('code', { class: 'cmd' }, a.installHint))
            : null,
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
          h('summary', {}, tr('Opciones avanzadas', 'Advanced options')),
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
      button(tr('Probar Conexión', 'Test Connection'), {
        id: `test-${p}`,
        busy: app.busy.test === p,
        busyLabel: tr('Probando…', 'Testing…'),
        disabled: Boolean(a && !a.available) || (app.busy.test !== null && app.busy.test !== p),
        onclick: () => void runTest(p),
      }),
      h(
        'span',
        { class: 'muted small' },
        tr(
          'Prueba lo escrito en el formulario, sin guardarlo: escribe, lee, renombra y borra un archivo de prueba.',
          'Tests what is typed in the form, without saving: writes, reads, renames and deletes a probe file.',
        ),
      ),
    ),
    report ? diagnosis(report) : null,
  );
}

export function renderForm(): void {
  const p = draftProtocol();
  const dbPlaceholder = app.status?.databasePath ?? '';
  fill(
    card,
    h(
      'div',
      { class: 'card-head' },
      h('h2', {}, tr('Configuración', 'Configuration')),
      app.status ? h('span', { class: 'muted small path', title: app.status.configPath }, app.status.configPath) : null,
    ),
    h('h3', { class: 'section-title' }, tr('Protocolo', 'Protocol')),
    protocolTabs(p),
    protocolPanel(p),
    h('h3', { class: 'section-title' }, tr('Sincronización automática', 'Automatic sync')),
    h(
      'div',
      { class: 'grid' },
      AUTO_FIELDS.map((f) => fieldEl(f)),
    ),
    h(
      'details',
      { class: 'advanced' },
      h('summary', {}, tr('Base de datos, equipo y dirección', 'Database, computer and direction')),
      h(
        'div',
        { class: 'grid' },
        ADVANCED_FIELDS.map((f) => fieldEl(f, f.key === 'database_path' ? dbPlaceholder : undefined)),
      ),
    ),
    h(
      'details',
      { class: 'advanced', open: getKey(app.draft, 'encryption.enabled') === true },
      h('summary', {}, tr('Encriptación', 'Encryption')),
      h(
        'div',
        { class: 'grid' },
        ENCRYPTION_FIELDS.map((f) => fieldEl(f)),
      ),
    ),
    h('div', { class: 'alert tone-bad', id: 'save-summary', hidden: true }),
    h(
      'div',
      { class: 'save-row' },
      button(tr('Guardar Configuración', 'Save Configuration'), {
        kind: 'primary',
        id: 'save-config',
        busy: app.busy.save,
        busyLabel: tr('Guardando…', 'Saving…'),
        onclick: () => void saveConfig(),
      }),
      h('span', { class: 'chip chip-warn', id: 'dirty', hidden: true }, tr('Cambios sin guardar', 'Unsaved changes')),
    ),
  );
  showErrors();
  updateDirty();
}

export function initForm(el: HTMLElement, formHooks: FormHooks): void {
  card = el;
  hooks = formHooks;
}
