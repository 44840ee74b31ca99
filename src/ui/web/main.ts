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
import { fmtBytes, fmtRelative, fmtTime, getLang, initLang, msg, setLang, tr, type Lang } from './i18n.js';
import { followEvents, get, post } from './client.js';
import { app, protocolTitle } from './state.js';
import { button, confirmDialog, toast, toastFailure, type Tone } from './ui.js';
import { initForm, renderForm } from './form.js';
import { addEvent, renderLog, resetEvents } from './log.js';

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
  const proto = tr(...protocolTitle(s.protocol));
  switch (s.state) {
    case 'unconfigured':
      return {
        tone: 'idle',
        title: tr('Sin configurar', 'Not configured'),
        sub: tr('Complete la configuración para empezar.', 'Complete the configuration to start.'),
      };
    case 'invalid-config':
      return {
        tone: 'bad',
        title: tr('Configuración no válida', 'Invalid configuration'),
        sub: tr('El archivo de configuración tiene errores.', 'The configuration file has errors.'),
      };
    case 'syncing':
      return { tone: 'busy', title: tr('Sincronizando…', 'Syncing…'), sub: proto };
    case 'error':
      return {
        tone: 'bad',
        title: tr('Error en la última sincronización', 'The last sync failed'),
        sub: s.lastError ? msg(s.lastError) : proto,
      };
    case 'conflict':
      return {
        tone: 'warn',
        title: tr('Conflicto pendiente', 'Conflict waiting'),
        sub: tr('Elija qué versión se conserva.', 'Choose which version to keep.'),
      };
    case 'pending':
      return {
        tone: 'warn',
        title: tr('Versión remota pendiente', 'Remote version pending'),
        sub: tr('Hay una versión cifrada que no se puede abrir todavía.', 'An encrypted version cannot be opened yet.'),
      };
    default: {
      if (!s.lastGoodSync)
        return {
          tone: 'idle',
          title: tr('Listo para sincronizar', 'Ready to sync'),
          sub: tr(`Aún no se ha sincronizado con ${proto}.`, `Not synced with ${proto} yet.`),
        };
      const f = freshness(s);
      return {
        tone: f,
        title: f === 'ok' ? tr('Sincronizado', 'In sync') : tr('Sincronización antigua', 'Sync is old'),
        sub:
          f === 'ok'
            ? tr(`Todo al día con ${proto}.`, `Up to date with ${proto}.`)
            : tr('Hace tiempo que no hay una sincronización correcta.', 'No good sync for a while.'),
      };
    }
  }
}

function encryptionText(s: StatusReport): string {
  switch (s.encryption) {
    case 'off':
      return tr('Sin cifrar', 'Not encrypted');
    case 'locked':
      return tr('Cifrada (bloqueada)', 'Encrypted (locked)');
    case 'unlocked':
      return tr('Cifrada (abierta)', 'Encrypted (open)');
    default:
      return tr('Sin base de datos', 'No database');
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

function progressEl(): HTMLElement | null {
  const p = app.progress;
  if (!p) return null;
  const pct = p.total ? Math.min(100, Math.round((p.bytes / p.total) * 100)) : null;
  const what = p.phase === 'upload' ? tr('Enviando', 'Uploading') : tr('Descargando', 'Downloading');
  const speed = p.bytesPerSecond ? ` · ${fmtBytes(p.bytesPerSecond)}/s` : '';
  return h(
    'div',
    { class: 'progress', id: 'progress' },
    h(
      'div',
      {
        class: `bar${pct === null ? ' indeterminate' : ''}`,
        role: 'progressbar',
        'aria-valuemin': 0,
        'aria-valuemax': 100,
        'aria-valuenow': pct ?? null,
      },
      h('span', { style: null, 'data-pct': pct ?? '' }),
    ),
    h(
      'div',
      { class: 'small' },
      `${what}… ${fmtBytes(p.bytes)}${p.total ? ` ${tr('de', 'of')} ${fmtBytes(p.total)}` : ''}${speed}`,
    ),
  );
}

function renderStatus(): void {
  const card = $('status-card');
  const s = app.status;
  if (!s) {
    fill(card, h('p', { class: 'muted' }, tr('Cargando…', 'Loading…')));
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
        tr('Última sincronización correcta', 'Last good sync'),
        s.lastGoodSync ? `${fmtTime(s.lastGoodSync)} · ${fmtRelative(s.lastGoodSync)}` : tr('Nunca', 'Never'),
        { id: 'last-good', tone: s.lastGoodSync ? fresh : undefined },
      ),
      row(
        tr('Sincronización automática', 'Automatic sync'),
        running
          ? tr(`Activa · próxima ${next}`, `Running · next ${next}`)
          : s.enabled
            ? tr('Habilitada, detenida', 'Enabled, stopped')
            : tr('Deshabilitada', 'Disabled'),
        { id: 'auto-state' },
      ),
      row(
        tr('Versión remota', 'Remote version'),
        s.remoteGeneration !== null ? tr(`generación ${s.remoteGeneration}`, `generation ${s.remoteGeneration}`) : '—',
        { id: 'remote-gen' },
      ),
      row(tr('Encriptación', 'Encryption'), encryptionText(s), { id: 'encryption' }),
      row(tr('Base de datos', 'Database'), h('span', { class: 'path', title: s.databasePath }, s.databasePath)),
    ),
    progressEl(),
    s.state === 'error' && s.lastError
      ? h(
          'div',
          { class: 'alert tone-bad', id: 'last-error' },
          h('strong', {}, tr('Último error', 'Last error'), ` (${fmtTime(s.lastError.time)})`),
          h('div', {}, msg(s.lastError)),
        )
      : null,
    h(
      'div',
      { class: 'actions' },
      button(tr('Sincronizar Ahora', 'Sync Now'), {
        kind: 'primary',
        id: 'sync-now',
        busy: app.busy.sync || s.state === 'syncing',
        busyLabel: tr('Sincronizando…', 'Syncing…'),
        disabled: s.state === 'unconfigured' || s.state === 'invalid-config',
        onclick: () => void syncNow(),
      }),
      running
        ? button(tr('Detener Sincronización', 'Stop Sync'), {
            id: 'auto-toggle',
            busy: app.busy.auto,
            onclick: () => void setAuto(false),
          })
        : button(tr('Iniciar Sincronización', 'Start Sync'), {
            id: 'auto-toggle',
            busy: app.busy.auto,
            disabled: s.state === 'unconfigured' || s.state === 'invalid-config',
            title: s.enabled
              ? undefined
              : tr(
                  'Active antes «Habilitar sincronización automática» y guarde.',
                  'First tick "Enable automatic sync" and save.',
                ),
            onclick: () => void setAuto(true),
          }),
    ),
  );
  // The bar width cannot be an inline style (CSP): set it through the CSSOM, which the CSP allows.
  const bar = card.querySelector<HTMLElement>('.bar span[data-pct]');
  if (bar?.dataset.pct) bar.style.width = `${bar.dataset.pct}%`;
  renderHeaderState();
}

function renderHeaderState(): void {
  const s = app.status;
  const el = document.getElementById('header-state');
  if (!el || !s) return;
  const v = stateView(s);
  el.className = `pill tone-${v.tone}`;
  el.textContent = v.title;
}

// ---------- conflict, pending ----------

function renderConflict(): void {
  const card = $('conflict-card');
  const c = app.status?.conflict;
  const pending = app.status?.pending;
  if (!c && !pending) {
    card.hidden = true;
    return;
  }
  card.hidden = false;
  if (!c && pending) {
    fill(
      card,
      h('h2', {}, tr('Versión remota pendiente', 'Remote version pending')),
      h(
        'p',
        {},
        tr(
          `La generación ${pending.generation} está cifrada y no hay identidad para descifrarla. Indique el «Archivo de identidad» en Encriptación.`,
          `Generation ${pending.generation} is encrypted and there is no identity to decrypt it. Set the "Identity file" under Encryption.`,
        ),
      ),
      h('p', { class: 'path small' }, pending.path),
    );
    return;
  }
  const side = (title: string, device: string, time: string, size: number, cls: string) =>
    h(
      'div',
      { class: `side ${cls}` },
      h('h3', {}, title),
      h(
        'dl',
        { class: 'kvs compact' },
        row(tr('Equipo', 'Computer'), device || '—'),
        row(tr('Modificada', 'Modified'), fmtTime(time)),
        row(tr('Tamaño', 'Size'), fmtBytes(size)),
      ),
    );
  fill(
    card,
    h(
      'h2',
      {},
      h('span', { class: 'icon', 'aria-hidden': 'true' }, '⚠ '),
      tr('Conflicto: la base de datos cambió en los dos sitios', 'Conflict: the database changed on both sides'),
    ),
    h(
      'p',
      {},
      tr(
        'Se han conservado las dos versiones. Elija cuál sigue en uso; la otra no se pierde (queda una copia).',
        'Both versions were kept. Choose which one stays in use; the other is not lost (a copy is kept).',
      ),
    ),
    h(
      'div',
      { class: 'sides' },
      side(tr('Esta versión (local)', 'This version (local)'), app.device, c!.localTime, c!.localSize, 'local'),
      side(tr('Versión del servidor', 'Server version'), c!.remoteDevice, c!.remoteTime, c!.remoteSize, 'remote'),
    ),
    h(
      'div',
      { class: 'actions' },
      button(tr('Conservar la local', 'Keep local'), {
        kind: 'primary',
        id: 'keep-local',
        busy: app.busy.resolve,
        onclick: () => void resolve('local'),
      }),
      button(tr('Conservar la del servidor', 'Keep the server’s'), {
        id: 'keep-remote',
        busy: app.busy.resolve,
        onclick: () => void resolve('remote'),
      }),
    ),
    h(
      'p',
      { class: 'small muted' },
      tr('Copia de la versión del servidor: ', 'Copy of the server version: '),
      h('span', { class: 'path' }, c!.copyPath),
    ),
  );
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
      h('h2', {}, tr('Historial de versiones', 'Version history')),
      configured
        ? button(tr('Actualizar', 'Refresh'), {
            kind: 'ghost',
            id: 'versions-refresh',
            busy: app.versionsLoading,
            onclick: () => void loadVersions(),
          })
        : null,
    ),
    !configured
      ? h(
          'p',
          { class: 'muted' },
          tr('Disponible cuando haya un servidor configurado.', 'Available once a server is configured.'),
        )
      : app.versionsError
        ? h('p', { class: 'muted' }, app.versionsError)
        : !list
          ? h(
              'p',
              { class: 'muted' },
              tr('Pulse «Actualizar» para consultar el servidor.', 'Press "Refresh" to ask the server.'),
            )
          : list.length === 0
            ? h(
                'p',
                { class: 'muted' },
                tr('El servidor aún no tiene ninguna versión.', 'The server has no version yet.'),
              )
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
                        i === 0 ? h('span', { class: 'chip chip-ok' }, tr('actual', 'current')) : null,
                        v.encrypted ? h('span', { class: 'chip chip-muted' }, tr('cifrada', 'encrypted')) : null,
                      ),
                      h('div', { class: 'muted small' }, `${v.device} · ${fmtBytes(v.size)}`),
                    ),
                    button(tr('Restaurar', 'Restore'), { kind: 'ghost', onclick: () => void restore(v) }),
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
    app.versionsError =
      err instanceof Error
        ? tr(`No se pudo consultar el historial: ${err.message}`, `Could not read the history: ${err.message}`)
        : '';
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
  if (!app.linkUp)
    notices.push(
      h(
        'div',
        { class: 'alert tone-bad', id: 'link-down' },
        tr(
          'Se perdió la conexión con cordiax-sync (¿se ha detenido?). Reintentando…',
          'Lost the connection to cordiax-sync (has it stopped?). Retrying…',
        ),
      ),
    );
  if (s.configStatus === 'invalid') {
    notices.push(
      h(
        'div',
        { class: 'alert tone-bad', id: 'invalid-config' },
        h(
          'strong',
          {},
          tr('El archivo de configuración no es válido y no se usa', 'The configuration file is invalid and not used'),
        ),
        h('div', { class: 'path small' }, s.configPath),
        h(
          'ul',
          {},
          s.problems.map((p) => h('li', {}, h('code', {}, p.key), ': ', tr(p.text.es, p.text.en))),
        ),
        h(
          'p',
          {},
          tr(
            'Corríjalo a mano y recargue la página, o apártelo (se conserva con otro nombre) para empezar de nuevo desde aquí.',
            'Fix it by hand and reload, or set it aside (kept under another name) to start again from here.',
          ),
        ),
        button(tr('Apartar y empezar de nuevo', 'Set aside and start again'), { onclick: () => void setAside() }),
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
        h('h2', {}, tr('Primeros pasos', 'First steps')),
        h(
          'ol',
          { class: 'steps-list' },
          step(
            s.databaseExists,
            s.databaseExists
              ? tr(`Base de datos encontrada: ${s.databasePath}`, `Database found: ${s.databasePath}`)
              : tr(
                  `No hay ninguna base de datos en ${s.databasePath}. Si Cordiax la guarda en otro sitio, indíquelo en «Ruta de la base de datos» (Opciones avanzadas).`,
                  `There is no database at ${s.databasePath}. If Cordiax keeps it elsewhere, set "Database path" (Advanced options).`,
                ),
            s.databaseExists
              ? null
              : h(
                  'div',
                  { class: 'step-action' },
                  button(tr('Crear base de datos de ejemplo', 'Create a sample database'), {
                    id: 'create-sample',
                    busy: app.busy.sample,
                    onclick: () => void createSample(),
                  }),
                  h(
                    'span',
                    { class: 'muted small' },
                    tr(
                      ' Para probar; nunca sustituye una base de datos existente.',
                      ' For trying things out; never replaces an existing database.',
                    ),
                  ),
                ),
          ),
          step(
            s.configStatus === 'ok' && s.problems.length === 0,
            tr(
              'Elija el protocolo y complete los datos del servidor.',
              'Choose the protocol and fill in the server details.',
            ),
          ),
          step(tested, tr('Pulse «Probar Conexión» para comprobarlos.', 'Press "Test Connection" to check them.')),
          step(s.configStatus === 'ok', tr('Pulse «Guardar Configuración».', 'Press "Save Configuration".')),
          step(
            Boolean(s.lastGoodSync),
            tr(
              'Pulse «Sincronizar Ahora». Para que sea automática, active «Habilitar sincronización automática», guarde y pulse «Iniciar Sincronización».',
              'Press "Sync Now". To make it automatic, tick "Enable automatic sync", save and press "Start Sync".',
            ),
          ),
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
    if (app.status.state !== 'syncing' && !app.busy.sync) app.progress = null;
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
    if (r.action === 'conflict')
      toast(
        'warn',
        tr('Conflicto: la base de datos cambió en los dos sitios', 'Conflict: the database changed on both sides'),
      );
    else
      toast(
        'ok',
        tr('Sincronización terminada', 'Sync finished'),
        r.action === 'push'
          ? tr('Enviada la versión local.', 'Local version sent.')
          : r.action === 'pull'
            ? tr('Recibida la versión del servidor.', 'Server version received.')
            : tr('No había cambios.', 'Nothing had changed.'),
      );
    if (app.versions !== null || r.action !== 'none') void loadVersions();
  } catch (err) {
    toastFailure(err);
  } finally {
    app.busy.sync = false;
    app.progress = null;
    await refreshStatus();
  }
}

async function setAuto(run: boolean): Promise<void> {
  app.busy.auto = true;
  renderStatus();
  try {
    const r = await post<{ started: boolean; status: StatusReport }>('/api/auto', { run });
    app.status = r.status;
    if (run && !r.started)
      toast(
        'warn',
        tr('La sincronización automática está deshabilitada', 'Automatic sync is disabled'),
        tr(
          'Active «Habilitar sincronización automática», pulse «Guardar Configuración» y vuelva a intentarlo.',
          'Tick "Enable automatic sync", press "Save Configuration" and try again.',
        ),
      );
    else
      toast(
        'ok',
        run
          ? tr('Sincronización automática iniciada', 'Automatic sync started')
          : tr('Sincronización automática detenida', 'Automatic sync stopped'),
      );
  } catch (err) {
    toastFailure(err);
  } finally {
    app.busy.auto = false;
    renderDynamic();
  }
}

async function resolve(keep: 'local' | 'remote'): Promise<void> {
  app.busy.resolve = true;
  renderConflict();
  try {
    const r = await post<{ status: StatusReport }>('/api/resolve', { keep });
    app.status = r.status;
    toast(
      'ok',
      tr('Conflicto resuelto', 'Conflict resolved'),
      keep === 'local'
        ? tr(
            'Se conserva la versión local; se enviará en la próxima sincronización.',
            'The local version is kept; it will be sent on the next sync.',
          )
        : tr(
            'La versión del servidor sustituye a la local (se guardó una copia).',
            'The server version replaces the local one (a copy was kept).',
          ),
    );
  } catch (err) {
    toastFailure(err);
  } finally {
    app.busy.resolve = false;
    renderDynamic();
  }
}

async function restore(v: RemoteManifest): Promise<void> {
  const ok = await confirmDialog(
    tr(`¿Restaurar la versión #${v.generation}?`, `Restore version #${v.generation}?`),
    tr(
      `La base de datos local se sustituirá por la versión del ${fmtTime(v.time)} (${v.device}). Antes se guarda una copia de seguridad de la actual. La próxima sincronización la enviará como versión nueva.`,
      `The local database will be replaced by the version of ${fmtTime(v.time)} (${v.device}). A backup of the current one is kept first. The next sync sends it as a new version.`,
    ),
    tr('Restaurar', 'Restore'),
  );
  if (!ok) return;
  try {
    const r = await post<{ status: StatusReport }>('/api/restore', { generation: v.generation });
    app.status = r.status;
    toast('ok', tr(`Versión #${v.generation} restaurada`, `Version #${v.generation} restored`));
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
    toast('ok', tr('Base de datos de ejemplo creada', 'Sample database created'), r.path);
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
    toast('ok', tr('Archivo apartado', 'File set aside'), r.invalidBackup ?? '');
    renderAll();
  } catch (err) {
    toastFailure(err);
  }
}

// ---------- events ----------

const STATUS_EVENTS = new Set(['sync_start', 'sync_end', 'conflict', 'error', 'state', 'connect', 'disconnect']);

function onEvent(e: SyncEvent): void {
  if (e.type === 'progress') {
    const d = e.data as
      | { phase?: 'upload' | 'download'; bytes?: number; total?: number; bytesPerSecond?: number }
      | undefined;
    if (d && typeof d.bytes === 'number') {
      app.progress = { phase: d.phase ?? 'upload', bytes: d.bytes, total: d.total, bytesPerSecond: d.bytesPerSecond };
      renderStatus();
    }
    return;
  }
  addEvent(e);
  if ((e.type === 'sync_end' || e.type === 'error') && app.progress) {
    app.progress = null;
    renderStatus();
  }
  if (
    STATUS_EVENTS.has(e.type) ||
    e.code === 'CONFIG_SAVED' ||
    e.code?.startsWith('CONFLICT_') ||
    e.code === 'VERSION_RESTORED'
  )
    refreshStatusSoon();
}

let instance = '';

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
        h('div', { class: 'brand-name' }, 'Cordiax Sync'),
        h('div', { class: 'brand-sub' }, tr('Sincronización de la base de datos', 'Database synchronisation')),
      ),
    ),
    h(
      'div',
      { class: 'top-right' },
      h('span', { class: 'pill', id: 'header-state' }),
      h(
        'div',
        { class: 'segmented', role: 'group', 'aria-label': tr('Idioma', 'Language') },
        langBtn('es', 'Español'),
        langBtn('en', 'English'),
      ),
    ),
  );
  document.title = tr('Cordiax Sync · Sincronización', 'Cordiax Sync · Synchronisation');
  $('footer').textContent = tr(
    `cordiax-sync ${app.version} · solo se sincroniza el archivo de base de datos, no los documentos ni PDFs adjuntos.`,
    `cordiax-sync ${app.version} · only the database file is synced, not attached documents or PDFs.`,
  );
}

/** Everything that depends on the status. */
function renderDynamic(): void {
  renderStatus();
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
  initForm($('config-card'), { changed: renderDynamic });
  renderAll();
  if (st.status.state !== 'unconfigured' && st.status.state !== 'invalid-config' && st.status.lastGoodSync)
    void loadVersions();
  followEvents(
    onEvent,
    (hello) => {
      if (instance && hello.instance !== instance) {
        resetEvents();
        void refreshStatus();
      }
      instance = hello.instance;
    },
    (up) => {
      if (app.linkUp !== up) {
        app.linkUp = up;
        renderNotices();
        if (up) void refreshStatus();
      }
    },
  );
  // "hace 3 min" ages, and the next run moves: redraw the status card regularly, ask the server now and then.
  setInterval(() => renderStatus(), 10000);
  setInterval(() => void refreshStatus(), 30000);
}

boot().catch((err: unknown) => {
  fill(
    $('notices'),
    h(
      'div',
      { class: 'alert tone-bad' },
      tr(
        'No se pudo cargar el estado de cordiax-sync. Recargue la página.',
        'Could not load the cordiax-sync state. Reload the page.',
      ),
      ' ',
      err instanceof Error ? err.message : '',
    ),
  );
});
