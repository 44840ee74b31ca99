/**
 * The page: header, first steps, status card with progress and actions, conflict, version history, the config
 * form (form.ts) and the live log (log.ts). Data comes from /api/state once, then from the event stream.
 */
import type {
  RemoteManifest,
  SampleDbResponse,
  StateResponse,
  StatusReport,
  SyncEvent,
  SyncOutcome,
} from '../api-types.js';
import { $, fill, h } from './dom.js';
import { bi, fmtBytes, fmtRelative, fmtTime, fmtWhen, getLang, initLang, msg, setLang, tr, type Lang } from './i18n.js';
import { followEvents, get, post } from './client.js';
import { app, protocolTitle } from './state.js';
import { button, confirmDialog, toast, toastFailure, type Tone } from './ui.js';
import { initForm, renderForm } from './form.js';
import { addEvent, refreshLogAges, renderLog, resetEvents } from './log.js';
import { renderRemoteQuestion } from './remote-question.js';
import { renderConflictPanel } from './conflict.js';
import { endProgress, onProgressEvent, progressView, seedProgress } from './progress.js';
import { autoBlockedReason, stoppedText, syncBlockedReason, withReason } from './truth.js';
import { plaintextNotice } from './encryption-ui.js';
import { maybeNotify, notifyToggle } from './notify.js';

// ---------- status ----------

/** How old the last good sync may get before it turns amber, then red. */
function freshness(s: StatusReport): Tone {
  if (!s.lastGoodSync) return 'idle';
  const age = (Date.now() - Date.parse(s.lastGoodSync)) / 1000;
  const auto = s.enabled && s.schedulerRunning;
  const amber = auto ? Math.max(3 * s.pollingInterval, 600) : 86400;
  const red = auto ? Math.max(10 * s.pollingInterval, 3600) : 7 * 86400;
  return age > red ? 'bad' : age > amber ? 'warn' : 'ok';
}

function stateView(s: StatusReport): { tone: Tone; title: string; sub: string } {
  const proto = bi(protocolTitle(s.protocol));
  switch (s.state) {
    case 'unconfigured':
      return {
        tone: 'idle',
        title: tr('ui.not_configured'),
        sub: tr('ui.complete_configuration_start'),
      };
    case 'invalid-config':
      return {
        tone: 'bad',
        title: tr('ui.invalid_configuration'),
        sub: tr('ui.configuration_file_errors'),
      };
    case 'syncing':
      return { tone: 'busy', title: tr('ui.syncing'), sub: proto };
    case 'error':
      return {
        tone: 'bad',
        title: tr('ui.last_sync_failed'),
        sub: s.lastError ? msg(s.lastError) : proto,
      };
    case 'conflict':
      return {
        tone: 'warn',
        title: tr('ui.conflict_waiting'),
        sub: tr('ui.choose_which_version_keep'),
      };
    case 'question':
      return { tone: 'warn', title: tr('identity.ui.title'), sub: tr('identity.ui.status_sub') };
    case 'pending':
      return {
        tone: 'warn',
        title: tr('ui.remote_version_pending'),
        sub: tr('ui.encrypted_version_cannot_opened'),
      };
    default: {
      if (!s.lastGoodSync)
        return {
          tone: 'idle',
          title: tr('ui.ready_sync'),
          sub: tr('ui.not_synced_yet', { proto }),
        };
      const f = freshness(s);
      return {
        tone: f,
        title: f === 'ok' ? tr('ui.in_sync') : tr('ui.sync_old'),
        sub: f === 'ok' ? tr('ui.up_date', { proto }) : tr('ui.no_good_sync_while'),
      };
    }
  }
}

function encryptionText(s: StatusReport): string {
  switch (s.encryption) {
    case 'off':
      return tr('ui.not_encrypted');
    case 'locked':
      return tr('ui.encrypted_locked');
    case 'unlocked':
      return tr('ui.encrypted_open');
    default:
      return tr('ui.no_database');
  }
}

function row(label: string, value: Node | string, opts: { id?: string; tone?: Tone } = {}): HTMLElement {
  return h(
    'div',
    { class: `kv${opts.tone ? ` tone-${opts.tone}` : ''}`, id: opts.id },
    h('dt', {}, label),
    h('dd', {}, value),
  );
}

function renderStatus(): void {
  const card = $('status-card');
  const s = app.status;
  if (!s) {
    fill(card, h('p', { class: 'muted' }, tr('ui.loading')));
    return;
  }
  const v = stateView(s);
  const fresh = freshness(s);
  const running = s.schedulerRunning;
  const next = running && s.nextRun ? `${fmtTime(s.nextRun, false)} (${fmtRelative(s.nextRun)})` : '';
  fill(
    card,
    h(
      'div',
      { class: `state tone-${v.tone}`, id: 'state', 'data-state': s.state, 'data-tone': v.tone },
      h('span', { class: 'dot', 'aria-hidden': 'true' }),
      h('div', {}, h('div', { class: 'state-title' }, v.title), h('div', { class: 'state-sub' }, v.sub)),
    ),
    h(
      'dl',
      { class: 'kvs' },
      row(
        tr('common.last_good_sync'),
        s.lastGoodSync ? `${fmtTime(s.lastGoodSync)} · ${fmtRelative(s.lastGoodSync)}` : tr('ui.never'),
        { id: 'last-good', tone: s.lastGoodSync ? fresh : undefined },
      ),
      row(
        tr('ui.automatic_sync'),
        // Never "Activa · próxima …" while a conflict (or a pending download) stops every sync.
        stoppedText(s) ??
          (running ? tr('ui.running_next', { next }) : s.enabled ? tr('ui.enabled_stopped') : tr('ui.disabled')),
        { id: 'auto-state', tone: s.blockedBy ? 'warn' : undefined },
      ),
      row(
        tr('common.remote_version'),
        s.remoteGeneration !== null ? tr('ui.generation', { remoteGeneration: s.remoteGeneration }) : '—',
        { id: 'remote-gen' },
      ),
      row(tr('common.encryption'), s.remotePlaintext ? tr('truth.encryption_on_plaintext_left') : encryptionText(s), {
        id: 'encryption',
        tone: s.remotePlaintext ? 'warn' : undefined,
      }),
      row(tr('ui.database'), h('span', { class: 'path', title: s.databasePath }, s.databasePath)),
    ),
    progressView(),
    plaintextNotice(s, renderStatus),
    s.state === 'error' && s.lastError
      ? h(
          'div',
          { class: 'alert tone-bad', id: 'last-error' },
          h('strong', {}, tr('common.last_error'), ` (${fmtTime(s.lastError.time)})`),
          h('div', {}, msg(s.lastError)),
        )
      : null,
    h(
      'div',
      { class: 'actions' },
      withReason(
        button(tr('ui.sync_now'), {
          kind: 'primary',
          id: 'sync-now',
          busy: app.busy.sync || s.state === 'syncing',
          busyLabel: tr('ui.syncing'),
          disabled: syncBlockedReason(s) !== null,
          onclick: () => void syncNow(),
        }),
        syncBlockedReason(s),
      ),
      running
        ? button(tr('ui.stop_sync'), {
            id: 'auto-toggle',
            busy: app.busy.auto,
            onclick: () => void setAuto(false),
          })
        : withReason(
            button(tr('ui.start_sync'), {
              id: 'auto-toggle',
              busy: app.busy.auto,
              disabled: autoBlockedReason(s) !== null,
              onclick: () => void setAuto(true),
            }),
            autoBlockedReason(s),
          ),
    ),
    notifyToggle(),
  );
  renderHeaderState();
}

function renderHeaderState(): void {
  const s = app.status;
  const el = document.getElementById('header-state');
  if (!el || !s) return;
  const v = stateView(s);
  el.className = `pill tone-${v.tone}`;
  el.textContent = v.title;
  announce(`${v.title}. ${v.sub}`);
  maybeNotify(s, v.title, v.sub);
  document.title = tr('ui.tab_title', { icon: TITLE_ICON[v.tone], state: v.title });
  setFavicon(v.tone);
}

/** The state in the browser tab, for someone working in another tab: "⚠ Conflicto pendiente · Cordiax Sync". */
const TITLE_ICON: Record<Tone, string> = { ok: '✓ ', warn: '⚠ ', bad: '✕ ', busy: '↻ ', idle: '', info: '' };
/** The badge drawn on the icon for states that need a look (the page's own colours). */
const BADGE: Partial<Record<Tone, string>> = { warn: '#b45309', bad: '#b91c1c', busy: '#1d4ed8' };
let baseIcon = '';

function setFavicon(tone: Tone): void {
  const link = document.getElementById('favicon') as HTMLLinkElement | null;
  if (!link || link.dataset.tone === tone) return;
  const colour = BADGE[tone];
  link.dataset.tone = tone;
  link.href =
    colour && baseIcon
      ? `data:image/svg+xml,${encodeURIComponent(
          baseIcon.replace(
            '</svg>',
            `<circle cx="49" cy="49" r="13" fill="${colour}" stroke="#ffffff" stroke-width="4"/></svg>`,
          ),
        )}`
      : '/favicon.svg';
}

/** The live region speaks only when the state's words change: redrawing the card every 10 s says nothing. */
function announce(text: string): void {
  const live = $('status-live');
  if (live.textContent !== text) live.textContent = text;
}

// ---------- conflict, pending ----------

function renderConflict(): void {
  const card = $('conflict-card');
  const c = app.status?.conflict;
  const pending = app.status?.pending;
  if (!c && pending) {
    card.hidden = false;
    fill(
      card,
      h('h2', {}, tr('ui.remote_version_pending')),
      h('p', {}, tr('ui.generation_encrypted_there_no_identity', { generation: pending.generation })),
      h('p', { class: 'path small' }, pending.path),
    );
    return;
  }
  // The conflict panel (conflict.ts): the diff, the choices, confirmation, paths and undo.
  renderConflictPanel(card, {
    status: app.status,
    device: app.device,
    onStatus: (s) => {
      app.status = s;
      renderDynamic();
    },
  });
}

// ---------- versions ----------

function renderVersions(): void {
  const card = $('versions-card');
  const configured = app.status && app.status.state !== 'unconfigured' && app.status.state !== 'invalid-config';
  const list = app.versions;
  fill(
    card,
    h(
      'div',
      { class: 'card-head' },
      h('h2', {}, tr('ui.version_history')),
      configured
        ? button(tr('ui.refresh'), {
            kind: 'ghost',
            id: 'versions-refresh',
            busy: app.versionsLoading,
            onclick: () => void loadVersions(),
          })
        : null,
    ),
    !configured
      ? h('p', { class: 'muted' }, tr('ui.available_once_server_configured'))
      : app.versionsError
        ? h('p', { class: 'muted' }, app.versionsError)
        : !list
          ? h('p', { class: 'muted' }, tr('ui.press_refresh_ask_server'))
          : list.length === 0
            ? h('p', { class: 'muted' }, tr('ui.server_no_version_yet'))
            : h(
                'ol',
                { class: 'versions', id: 'versions' },
                list.map((v, i) =>
                  h(
                    'li',
                    { 'data-generation': v.generation },
                    h('span', { class: 'gen' }, `#${v.generation}`),
                    h(
                      'div',
                      { class: 'v-main' },
                      h(
                        'div',
                        {},
                        fmtTime(v.time),
                        i === 0 ? h('span', { class: 'chip chip-ok' }, tr('ui.current')) : null,
                        v.encrypted ? h('span', { class: 'chip chip-muted' }, tr('ui.encrypted')) : null,
                      ),
                      h('div', { class: 'muted small' }, `${v.device} · ${fmtBytes(v.size)}`),
                    ),
                    button(tr('ui.restore'), { kind: 'ghost', onclick: () => void restore(v) }),
                  ),
                ),
              ),
  );
}

async function loadVersions(): Promise<void> {
  app.versionsLoading = true;
  renderVersions();
  try {
    app.versions = await get<RemoteManifest[]>('/api/versions');
    app.versionsError = '';
  } catch (err) {
    app.versions = null;
    app.versionsError = err instanceof Error ? tr('ui.could_not_read_history', { message: err.message }) : '';
  } finally {
    app.versionsLoading = false;
    renderVersions();
  }
}

// ---------- notices: first steps, invalid config, link ----------

function renderNotices(): void {
  const box = $('notices');
  const s = app.status;
  if (!s) {
    fill(box);
    return;
  }
  const notices: HTMLElement[] = [];
  if (app.link === 'down')
    notices.push(h('div', { class: 'alert tone-bad', id: 'link-down' }, tr('ui.lost_connection_cordiax_sync')));
  if (app.link === 'no-session')
    notices.push(h('div', { class: 'alert tone-bad', id: 'session-ended' }, tr('access.session_ended')));
  if (app.reconnectedAt && Date.now() - app.reconnectedAt < RECONNECTED_NOTICE_MS)
    notices.push(h('div', { class: 'alert', id: 'reconnected' }, tr('access.reconnected_after_restart')));
  if (s.configStatus === 'invalid') {
    notices.push(
      h(
        'div',
        { class: 'alert tone-bad', id: 'invalid-config' },
        h('strong', {}, tr('ui.configuration_file_invalid_not_used')),
        h('div', { class: 'path small' }, s.configPath),
        h(
          'ul',
          {},
          s.problems.map((p) => h('li', {}, h('code', {}, p.key), ': ', bi(p.text))),
        ),
        h('p', {}, tr('ui.fix_hand_reload_set')),
        button(tr('ui.set_aside_start_again'), { onclick: () => void setAside() }),
      ),
    );
  }
  const firstRun =
    s.configStatus !== 'invalid' && (s.configStatus === 'missing' || !s.databaseExists || !s.lastGoodSync);
  if (firstRun) {
    const tested = Object.values(app.reports).some((r) => r?.ok);
    const step = (done: boolean, text: string, extra?: Node | null) =>
      h(
        'li',
        { class: done ? 'done' : '' },
        h('span', { class: 'check', 'aria-hidden': 'true' }, done ? '✓' : ''),
        h('div', {}, text, extra ?? null),
      );
    notices.push(
      h(
        'section',
        { class: 'card first-run', id: 'first-run' },
        h('h2', {}, tr('ui.first_steps')),
        h(
          'ol',
          { class: 'steps-list' },
          step(
            s.databaseExists,
            s.databaseExists
              ? tr('ui.database_found', { databasePath: s.databasePath })
              : tr('ui.there_no_database_if_cordiax', { databasePath: s.databasePath }),
            s.databaseExists
              ? null
              : h(
                  'div',
                  { class: 'step-action' },
                  button(tr('ui.create_sample_database'), {
                    id: 'create-sample',
                    busy: app.busy.sample,
                    onclick: () => void createSample(),
                  }),
                  h('span', { class: 'muted small' }, tr('ui.trying_things_out_never')),
                ),
          ),
          step(s.configStatus === 'ok' && s.problems.length === 0, tr('ui.choose_protocol_fill_server')),
          step(tested, tr('ui.press_test_connection_check')),
          step(s.configStatus === 'ok', tr('ui.press_save_configuration')),
          step(Boolean(s.lastGoodSync), tr('ui.press_sync_now_make')),
        ),
      ),
    );
  }
  fill(box, notices);
}

// ---------- actions ----------

async function refreshStatus(): Promise<void> {
  try {
    app.status = await get<StatusReport>('/api/status');
    seedProgress(app.status.operation);
    renderDynamic();
  } catch {
    /* the stream's error handler shows the link state */
  }
}

let statusTimer: ReturnType<typeof setTimeout> | undefined;
function refreshStatusSoon(): void {
  clearTimeout(statusTimer);
  statusTimer = setTimeout(() => void refreshStatus(), 200);
}

async function syncNow(): Promise<void> {
  app.busy.sync = true;
  renderStatus();
  try {
    const r = await post<SyncOutcome>('/api/sync');
    if (r.action === 'cancelled') toast('info', tr('event.SYNC_CANCELLED'));
    else if (r.action === 'conflict') toast('warn', tr('ui.conflict_database_changed_both'));
    else
      toast(
        'ok',
        tr('ui.sync_finished'),
        r.action === 'push'
          ? tr('ui.local_version_sent')
          : r.action === 'pull'
            ? tr('ui.server_version_received')
            : tr('ui.nothing_had_changed'),
      );
    if (app.versions !== null || r.action !== 'none') void loadVersions();
  } catch (err) {
    toastFailure(err);
  } finally {
    app.busy.sync = false;
    endProgress();
    await refreshStatus();
  }
}

async function setAuto(run: boolean): Promise<void> {
  app.busy.auto = true;
  renderStatus();
  try {
    const r = await post<{ started: boolean; status: StatusReport }>('/api/auto', { run });
    app.status = r.status;
    if (run && !r.started) toast('warn', tr('ui.automatic_sync_disabled'), tr('ui.tick_enable_automatic_sync'));
    else toast('ok', run ? tr('ui.automatic_sync_started') : tr('ui.automatic_sync_stopped'));
  } catch (err) {
    toastFailure(err);
  } finally {
    app.busy.auto = false;
    renderDynamic();
  }
}

async function restore(v: RemoteManifest): Promise<void> {
  const ok = await confirmDialog(
    tr('ui.restore_version', { generation: v.generation }),
    tr('ui.local_database_replaced_version', { time: fmtWhen(v.time), device: v.device }),
    tr('ui.restore'),
  );
  if (!ok) return;
  try {
    const r = await post<{ result: 'restored' | 'cancelled'; status: StatusReport }>('/api/restore', {
      generation: v.generation,
    });
    app.status = r.status;
    endProgress();
    if (r.result === 'cancelled') toast('info', tr('event.RESTORE_CANCELLED'));
    else toast('ok', tr('ui.version_restored', { generation: v.generation }));
  } catch (err) {
    toastFailure(err);
  } finally {
    renderDynamic();
  }
}

async function createSample(): Promise<void> {
  app.busy.sample = true;
  renderNotices();
  try {
    const r = await post<SampleDbResponse>('/api/sample-db');
    app.status = r.status;
    toast('ok', tr('ui.sample_database_created'), r.path);
  } catch (err) {
    toastFailure(err);
  } finally {
    app.busy.sample = false;
    renderDynamic();
  }
}

async function setAside(): Promise<void> {
  try {
    const r = await post<StateResponse & { invalidBackup?: string }>('/api/config/set-aside');
    app.config = r.config;
    app.draft = structuredClone(r.config);
    app.status = r.status;
    toast('ok', tr('ui.file_set_aside'), r.invalidBackup ?? '');
    renderAll();
  } catch (err) {
    toastFailure(err);
  }
}

// ---------- events ----------

const STATUS_EVENTS = new Set(['sync_start', 'sync_end', 'conflict', 'error', 'state', 'connect', 'disconnect']);

function onEvent(e: SyncEvent): void {
  // Ticks update the progress box in place; the card is redrawn only when the box appears or goes.
  if (e.type === 'progress') {
    if (onProgressEvent(e)) renderStatus();
    return;
  }
  addEvent(e);
  const ended =
    e.type === 'sync_end' || e.type === 'error' || e.code === 'VERSION_RESTORED' || e.code === 'RESTORE_CANCELLED';
  if (ended && endProgress(e.code?.endsWith('_CANCELLED') ? msg(e) : undefined)) renderStatus();
  if (
    STATUS_EVENTS.has(e.type) ||
    e.code === 'CONFIG_SAVED' ||
    e.code?.startsWith('CONFLICT_') ||
    e.code === 'VERSION_RESTORED' ||
    e.code === 'RESTORE_CANCELLED'
  )
    refreshStatusSoon();
}

let instance = '';
/** How long "cordiax-sync se ha reiniciado" stays on screen. */
const RECONNECTED_NOTICE_MS = 15000;

// ---------- layout ----------

function renderHeader(): void {
  const langBtn = (l: Lang, label: string) =>
    h(
      'button',
      {
        type: 'button',
        class: `seg${getLang() === l ? ' active' : ''}`,
        id: `lang-${l}`,
        'aria-pressed': getLang() === l ? 'true' : 'false',
        onclick: () => {
          setLang(l);
          renderAll();
        },
      },
      label,
    );
  fill(
    $('topbar'),
    h(
      'div',
      { class: 'brand' },
      h('img', { src: '/favicon.svg', alt: '', width: 32, height: 32 }),
      h(
        'div',
        {},
        h('h1', { class: 'brand-name' }, 'Cordiax Sync'),
        h('div', { class: 'brand-sub' }, tr('ui.database_synchronisation')),
      ),
    ),
    h(
      'div',
      { class: 'top-right' },
      h('span', { class: 'pill', id: 'header-state' }),
      h(
        'div',
        { class: 'segmented', role: 'group', 'aria-label': tr('ui.language') },
        langBtn('es', 'Español'),
        langBtn('en', 'English'),
      ),
    ),
  );
  $('footer').textContent = tr('ui.cordiax_sync_only_database', { version: app.version });
}

/** Everything that depends on the status. */
function renderDynamic(): void {
  renderStatus();
  renderRemoteQuestion(renderAll);
  renderConflict();
  renderVersions();
  renderNotices();
}

function renderAll(): void {
  renderHeader();
  renderDynamic();
  renderForm();
  renderLog($('log-card'));
}

async function boot(): Promise<void> {
  const st = await get<StateResponse>('/api/state');
  app.config = st.config;
  app.draft = structuredClone(st.config);
  app.status = st.status;
  app.device = st.device;
  app.minInterval = st.minInterval;
  app.maxInterval = st.maxInterval;
  app.version = st.version;
  app.transports = st.transports;
  initLang(st.config.language);
  baseIcon = await fetch('/favicon.svg')
    .then((r) => (r.ok ? r.text() : ''))
    .catch(() => '');
  initForm($('config-card'), { changed: renderDynamic });
  renderAll();
  if (st.status.state !== 'unconfigured' && st.status.state !== 'invalid-config' && st.status.lastGoodSync)
    void loadVersions();
  followEvents(
    onEvent,
    (hello) => {
      if (instance && hello.instance !== instance) {
        // The service restarted (its sessions are kept, its anti-forgery value is new and already in use).
        resetEvents();
        app.reconnectedAt = Date.now();
        setTimeout(renderNotices, RECONNECTED_NOTICE_MS + 100);
        void refreshStatus();
      }
      instance = hello.instance;
    },
    (link) => {
      if (app.link !== link) {
        app.link = link;
        renderNotices();
        if (link === 'up') void refreshStatus();
      }
    },
  );
  // "hace 3 min" ages, and the next run moves: redraw the status card regularly, ask the server now and then.
  setInterval(() => {
    renderStatus();
    refreshLogAges();
  }, 10000);
  setInterval(() => void refreshStatus(), 30000);
}

boot().catch((err: unknown) => {
  fill(
    $('notices'),
    h(
      'div',
      { class: 'alert tone-bad' },
      tr('ui.could_not_load_cordiax_sync'),
      ' ',
      err instanceof Error ? err.message : '',
    ),
  );
});
