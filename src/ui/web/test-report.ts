/**
 * "Probar Conexión" in plain language (issue 15, item 8): one headline (success, or the one field to fix, marked and
 * focused), the hint, and the protocol steps, guarantees and server facts folded under "Detalles técnicos".
 */
import type { ConnectionReport, TransportView } from '../api-types.js';
import { h } from './dom.js';
import { bi, msg, pick, tr } from './i18n.js';
import { protocolTitle } from './state.js';
import { fieldLabel, testMarks } from './truth.js';

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
