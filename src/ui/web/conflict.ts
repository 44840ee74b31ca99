/**
 * The conflict panel: both versions (computer, time, size), what each changed against the last version both had (per
 * table, with example rows), the choices with none pre-selected, a confirmation naming what is replaced and where the
 * backup goes, the paths of the server's copy and of the backups, and «Deshacer» after a resolution.
 */
import type { ConflictView, ResolveChoice, ResolveResult } from '../../conflict/types.js';
import type { MergeBlocker, RowExample, SideChanges, TableDiff } from '../../conflict/types.js';
import type { StatusReport } from '../api-types.js';
import { fill, h } from './dom.js';
import { fmtBytes, fmtWhen, tr } from './i18n.js';
import { get, post } from './client.js';
import { button, confirmDialog, toast, toastFailure } from './ui.js';

interface ConflictResponse {
  conflict: ConflictView | null;
  undo: { id: string; choice: ResolveChoice; time: string; backupPath: string | null } | null;
}

interface PanelContext {
  status: StatusReport | null;
  device: string;
  /** Called with the service's status after a resolution or an undo. */
  onStatus: (s: StatusReport) => void;
}

const panel = {
  data: null as ConflictResponse | null,
  /** Which conflict (detectedAt) or resolution the data is for; a new one is fetched once. */
  key: '',
  loading: false,
  error: '',
  busy: false,
  last: null as ResolveResult | null,
};

function wantedKey(s: StatusReport | null): string {
  return s?.conflict ? `c:${s.conflict.detectedAt}` : `u:${panel.last?.undoId ?? ''}`;
}

async function load(ctx: PanelContext, card: HTMLElement, key: string): Promise<void> {
  panel.loading = true;
  panel.key = key;
  try {
    panel.data = await get<ConflictResponse>('/api/conflict');
    panel.error = '';
  } catch (err) {
    panel.data = null;
    panel.error = (err as Error).message;
  } finally {
    panel.loading = false;
    renderConflictPanel(card, ctx);
  }
}

/**
 * Draws the panel into `card` (hidden when there is neither a conflict nor a resolution to undo). Returns whether
 * it is shown.
 */
export function renderConflictPanel(card: HTMLElement, ctx: PanelContext): boolean {
  const key = wantedKey(ctx.status);
  if (!ctx.status?.conflict && !panel.last) {
    card.hidden = true;
    return false;
  }
  card.hidden = false;
  if (key !== panel.key && !panel.loading) void load(ctx, card, key);
  if (!ctx.status?.conflict) {
    fill(card, resolvedView(ctx));
    return true;
  }
  const v = panel.data?.conflict && panel.key === key ? panel.data.conflict : null;
  const c = ctx.status.conflict;
  fill(
    card,
    h('h2', {}, h('span', { class: 'icon', 'aria-hidden': 'true' }, '⚠ '), tr('ui.conflict_database_changed_both')),
    h('p', {}, tr('ui.both_versions_were_kept')),
    h(
      'div',
      { class: 'sides' },
      side(tr('ui.version_local'), ctx.device, c.localTime, c.localSize, 'local'),
      side(tr('ui.server_version'), c.remoteDevice, c.remoteTime, c.remoteSize, 'remote'),
    ),
    !v
      ? h('p', { class: 'muted', id: 'conflict-diff-loading' }, panel.error || tr('conflict.ui_comparing'))
      : diffView(v),
    v?.merge ? mergeView(v) : null,
    h(
      'div',
      { class: 'actions conflict-choices', role: 'group', 'aria-label': tr('conflict.ui_choices') },
      choiceButton('both', tr('conflict.ui_keep_both'), ctx, v, card),
      choiceButton('local', tr('conflict.ui_use_local'), ctx, v, card),
      choiceButton('remote', tr('conflict.ui_use_remote'), ctx, v, card),
      v?.merge ? choiceButton('merge', tr('conflict.ui_merge'), ctx, v, card) : null,
    ),
    h('p', { class: 'small muted' }, tr('conflict.ui_choices_help')),
    c.copyPath ? pathLine(tr('ui.copy_server_version'), c.copyPath, 'conflict-copy-path') : null,
    v ? pathLine(tr('conflict.ui_backups_folder'), v.backupsDir, 'conflict-backups-path') : null,
  );
  return true;
}

function side(title: string, device: string, time: string, size: number, cls: string): HTMLElement {
  return h(
    'div',
    { class: `side ${cls}` },
    h('h3', {}, title),
    h(
      'dl',
      { class: 'kvs compact' },
      kv(tr('ui.computer'), device || '—'),
      kv(tr('ui.modified'), time ? fmtWhen(time) : '—'),
      kv(tr('ui.size'), fmtBytes(size)),
    ),
  );
}

function kv(label: string, value: string): HTMLElement {
  return h('div', { class: 'kv' }, h('dt', {}, label), h('dd', {}, value));
}

const counts = (s: SideChanges | null) =>
  s
    ? tr('conflict.ui_counts', { added: s.added, changed: s.changed, deleted: s.deleted })
    : tr('conflict.ui_no_changes');

function diffView(v: ConflictView): HTMLElement {
  if (!v.diff)
    return h(
      'p',
      { class: 'notice tone-warn', id: 'conflict-no-diff' },
      v.diffUnavailable === 'no-identity' ? tr('conflict.ui_no_identity') : tr('conflict.ui_diff_failed'),
    );
  const d = v.diff;
  const head =
    d.mode === 'two-way'
      ? tr('conflict.ui_two_way')
      : tr(v.base.source === 'backup' ? 'conflict.ui_base_backup' : 'conflict.ui_base_remote', {
          generation: v.base.generation ?? '?',
        });
  const twoWay = d.mode === 'two-way';
  return h(
    'div',
    { class: 'conflict-diff', id: 'conflict-diff' },
    h('p', {}, head),
    d.tables.length === 0
      ? h('p', { class: 'muted' }, tr('conflict.ui_no_row_differences'))
      : h(
          'table',
          { class: 'conflict-table' },
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              h('th', { scope: 'col' }, tr('conflict.ui_table')),
              twoWay ? null : h('th', { scope: 'col' }, tr('conflict.ui_this_computer')),
              h('th', { scope: 'col' }, twoWay ? tr('conflict.ui_server_vs_local') : tr('conflict.ui_server')),
            ),
          ),
          h(
            'tbody',
            {},
            d.tables.map((t) =>
              h(
                'tr',
                { 'data-table': t.table },
                h(
                  'th',
                  { scope: 'row' },
                  t.table,
                  t.touchedOnBoth
                    ? h('span', { class: 'badge tone-warn' }, tr('conflict.ui_same_rows', { rows: t.touchedOnBoth }))
                    : null,
                ),
                twoWay ? null : h('td', { class: 'local' }, sideCell(t, 'local')),
                h('td', { class: 'remote' }, sideCell(t, 'remote')),
              ),
            ),
          ),
        ),
    !twoWay && !d.mergeable ? h('p', { class: 'small muted', id: 'conflict-no-merge' }, noMergeText(d.blockers)) : null,
  );
}

/** Why merging is not offered, the most telling reason first. */
function noMergeText(blockers: MergeBlocker[]): string {
  if (blockers.includes('same-rows')) return tr('conflict.ui_merge_not_offered');
  if (blockers.includes('schema-changed') || blockers.includes('virtual-table'))
    return tr('conflict.ui_merge_no_schema');
  if (blockers.includes('constraint')) return tr('conflict.ui_merge_no_constraint');
  return tr('conflict.ui_merge_no_need');
}

function sideCell(t: TableDiff, which: 'local' | 'remote'): Array<HTMLElement | string> {
  const schema = which === 'local' ? t.localSchema : t.remoteSchema;
  const c = t[which];
  const out: Array<HTMLElement | string> = [];
  if (schema === 'changed') out.push(h('span', { class: 'badge tone-warn' }, tr('conflict.ui_schema_changed')));
  out.push(h('span', { class: 'counts' }, counts(c)));
  if (c) {
    const ex = [
      ...examples(tr('conflict.ui_added'), c.examples.added),
      ...examples(tr('conflict.ui_changed'), c.examples.changed),
      ...examples(tr('conflict.ui_deleted'), c.examples.deleted),
    ];
    if (ex.length)
      out.push(h('details', {}, h('summary', {}, tr('conflict.ui_examples')), h('ul', { class: 'examples' }, ex)));
  }
  return out;
}

function examples(kind: string, rows: RowExample[]): HTMLElement[] {
  return rows.map((r) => {
    const key = Object.entries(r.key)
      .map(([k, v]) => `${k}=${v}`)
      .join(', ');
    const detail = r.changes?.length
      ? r.changes.map((c) => `${c.column}: ${c.before} → ${c.after}`).join('; ')
      : Object.entries(r.values)
          .map(([k, v]) => `${k}: ${v}`)
          .join('; ');
    return h('li', {}, h('strong', {}, `${kind} (${key})`), ' ', h('span', { class: 'small' }, detail));
  });
}

function mergeView(v: ConflictView): HTMLElement {
  const m = v.merge!;
  return h(
    'div',
    { class: 'conflict-merge', id: 'conflict-merge' },
    h('h3', {}, tr('conflict.ui_merge_title')),
    h('p', {}, tr('conflict.ui_merge_explained', { rows: m.totalRows })),
    h(
      'ul',
      { class: 'small' },
      m.tables
        .filter(
          (t) =>
            t.fromLocal.added +
              t.fromLocal.changed +
              t.fromLocal.deleted +
              t.fromRemote.added +
              t.fromRemote.changed +
              t.fromRemote.deleted >
            0,
        )
        .map((t) =>
          h(
            'li',
            {},
            tr('conflict.ui_merge_table', {
              table: t.table,
              rows: t.rows,
              local: counts({ ...t.fromLocal, examples: { added: [], changed: [], deleted: [] } }),
              remote: counts({ ...t.fromRemote, examples: { added: [], changed: [], deleted: [] } }),
            }),
          ),
        ),
    ),
    m.foreignKeyProblems
      ? h('p', { class: 'notice tone-warn' }, tr('conflict.ui_merge_fk', { count: m.foreignKeyProblems }))
      : null,
  );
}

function pathLine(label: string, p: string, id: string): HTMLElement {
  return h(
    'p',
    { class: 'small muted path-line' },
    label,
    h('span', { class: 'path', id }, p),
    ' ',
    button(tr('conflict.ui_copy_path'), { kind: 'ghost', onclick: () => void copyPath(p) }),
  );
}

async function copyPath(p: string): Promise<void> {
  try {
    await navigator.clipboard.writeText(p);
    toast('ok', tr('conflict.ui_path_copied'), p);
  } catch {
    // No clipboard (plain http on another host): the path is on screen to select by hand.
    toast('info', tr('conflict.ui_copy_by_hand'), p);
  }
}

function choiceButton(
  choice: ResolveChoice,
  label: string,
  ctx: PanelContext,
  v: ConflictView | null,
  card: HTMLElement,
): HTMLButtonElement {
  return button(label, {
    kind: 'secondary',
    id: `resolve-${choice}`,
    busy: panel.busy,
    onclick: () => void choose(choice, ctx, v, card),
  });
}

/** What the confirmation says for each choice that changes which version is in use. */
function confirmation(
  choice: ResolveChoice,
  ctx: PanelContext,
  v: ConflictView | null,
): [string, string, string] | null {
  const c = ctx.status!.conflict!;
  const backups = v?.backupsDir ?? '';
  const db = v?.databasePath ?? ctx.status!.databasePath;
  const from = `${c.remoteDevice} ${fmtWhen(c.remoteTime)}`;
  if (choice === 'remote')
    return [
      tr('conflict.ui_confirm_remote_title'),
      tr('conflict.ui_confirm_remote', { db, from, backups }),
      tr('conflict.ui_use_remote'),
    ];
  if (choice === 'merge')
    return [
      tr('conflict.ui_confirm_merge_title'),
      tr('conflict.ui_confirm_merge', { db, rows: v?.merge?.totalRows ?? 0, backups }),
      tr('conflict.ui_merge'),
    ];
  if (choice === 'local')
    return [
      tr('conflict.ui_confirm_local_title'),
      tr('conflict.ui_confirm_local', { from, backups }),
      tr('conflict.ui_use_local'),
    ];
  return null;
}

async function choose(
  choice: ResolveChoice,
  ctx: PanelContext,
  v: ConflictView | null,
  card: HTMLElement,
): Promise<void> {
  const ask = confirmation(choice, ctx, v);
  if (ask && !(await confirmDialog(ask[0], ask[1], ask[2]))) return;
  panel.busy = true;
  renderConflictPanel(card, ctx);
  try {
    const r = await post<{ result: ResolveResult; status: StatusReport }>('/api/resolve', {
      choice,
      ...(ask ? { confirm: true } : {}),
    });
    panel.last = r.result;
    panel.data = null;
    panel.key = '';
    toast('ok', tr('ui.conflict_resolved'), resultText(r.result));
    ctx.onStatus(r.status);
  } catch (err) {
    toastFailure(err);
  } finally {
    panel.busy = false;
    renderConflictPanel(card, ctx);
  }
}

function resultText(r: ResolveResult): string {
  if (r.choice === 'remote') return tr('ui.server_version_replaces_local');
  if (r.choice === 'merge') return tr('conflict.ui_merged');
  if (r.choice === 'both') return tr('conflict.ui_both_kept');
  return tr('ui.local_version_kept_sent');
}

/** After a resolution: what was done, where the backup and the copy are, and «Deshacer» while it is still possible. */
function resolvedView(ctx: PanelContext): HTMLElement {
  const r = panel.last!;
  const undo = panel.data?.undo && panel.data.undo.id === r.undoId ? panel.data.undo : null;
  const card = document.getElementById('conflict-card')!;
  return h(
    'div',
    { class: 'conflict-resolved', id: 'conflict-resolved' },
    h('h2', {}, tr('ui.conflict_resolved')),
    h('p', {}, resultText(r)),
    r.backupPath ? pathLine(tr('conflict.ui_backup_of_previous'), r.backupPath, 'conflict-backup-path') : null,
    r.copyPath ? pathLine(tr('ui.copy_server_version'), r.copyPath, 'conflict-copy-path') : null,
    h(
      'div',
      { class: 'actions' },
      undo
        ? button(tr('conflict.ui_undo'), {
            id: 'conflict-undo',
            busy: panel.busy,
            onclick: () => void undoLast(ctx, card),
          })
        : h('span', { class: 'small muted' }, panel.loading ? '' : tr('conflict.ui_undo_gone')),
      button(tr('conflict.ui_close'), {
        kind: 'ghost',
        onclick: () => {
          panel.last = null;
          renderConflictPanel(card, ctx);
        },
      }),
    ),
  );
}

async function undoLast(ctx: PanelContext, card: HTMLElement): Promise<void> {
  const r = panel.last!;
  const ok = await confirmDialog(
    tr('conflict.ui_confirm_undo_title'),
    r.backupPath ? tr('conflict.ui_confirm_undo_restore', { backup: r.backupPath }) : tr('conflict.ui_confirm_undo'),
    tr('conflict.ui_undo'),
  );
  if (!ok) return;
  panel.busy = true;
  renderConflictPanel(card, ctx);
  try {
    const u = await post<{ result: { backupPath: string | null }; status: StatusReport }>('/api/resolve/undo', {
      id: r.undoId,
    });
    panel.last = null;
    panel.key = '';
    toast('ok', tr('conflict.ui_undone'), u.result.backupPath ?? '');
    ctx.onStatus(u.status);
  } catch (err) {
    toastFailure(err);
  } finally {
    panel.busy = false;
    renderConflictPanel(card, ctx);
  }
}
