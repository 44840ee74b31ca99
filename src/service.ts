/**
 * The sync service: the one object the CLI, the web UI and embedding applications use. It owns the config, the event
 * log, the engine for the configured remote, the scheduler and the change watcher.
 *
 *   const svc = await SyncService.open();          // reads $CORDIAX_HOME/sync_config.json
 *   svc.subscribe((e) => console.log(e.message));  // live log
 *   await svc.syncNow();                           // "Sincronizar Ahora"
 *   await svc.test('webdav');                      // "Probar Conexión"
 *   svc.start(); ... svc.stop();                   // automatic sync
 */
import path from 'node:path';
import { promises as fsp } from 'node:fs';
import { SyncError, toSyncError } from './errors.js';
import {
  completenessProblems,
  cordiaxHome,
  defaultConfig,
  parseConfig,
  resolvedDatabasePath,
  resolvedDeviceName,
  resolvedDirection,
  resolvedKeepVersions,
  type ConfigProblem,
  type Protocol,
  type SyncConfig,
} from './config/schema.js';
import { FORM_SOURCE, configError, configPath, loadConfig, saveConfig } from './config/store.js';
import { EventLog } from './log/event-log.js';
import type { SyncEvent } from './log/events.js';
import { clearSecrets } from './log/redact.js';
import { SyncEngine, type SyncOutcome } from './engine/engine.js';
import { Scheduler, type SchedulerState } from './engine/scheduler.js';
import { writeFileAtomic } from './util/fs.js';
import { securePrivateFolders } from './util/private-dir.js';
import { sweepStaleTemp, useTempRoot } from './util/temp.js';
import { watchDatabase } from './engine/watcher.js';
import type { ConflictInfo, PendingDownload, RemoteQuestion } from './engine/state.js';
import { ConflictResolver, type ConflictView, type ResolveChoice, type ResolveResult } from './conflict/resolution.js';
import type { CancelAnswer, ProgressData } from './engine/operation.js';
import {
  allAvailability,
  blockOf,
  createTransport,
  declarationOf,
  registerConfigSecrets,
  secretFields,
  secretFileFields,
  targetId,
  type Availability,
} from './transports/registry.js';
import { failedReport } from './transports/shared/report.js';
import type { ConnectionReport, RemoteManifest } from './transports/types.js';
import { msg, protocolName } from './messages/index.js';
import { readinessProblems, type ReadinessProblem } from './config/readiness.js';
import { writeNewIdentity, writePassphrase } from './crypto/key-files.js';

export interface ServiceOptions {
  /** The Cordiax folder (default: $CORDIAX_HOME or ~/_SuperCordiax). */
  home?: string;
  /** Share an event log (default: one under <home>/logs). */
  log?: EventLog;
  /** Start the embedded Socket.IO server when the config points at localhost:5000 and nothing listens (default true). */
  embeddedServer?: boolean;
}

export type ServiceState =
  | 'unconfigured'
  | 'invalid-config'
  | 'idle'
  | 'syncing'
  | 'error'
  | 'conflict'
  | 'pending'
  | 'question';

export interface StatusReport {
  state: ServiceState;
  protocol: Protocol;
  enabled: boolean;
  schedulerRunning: boolean;
  pollingInterval: number;
  nextRun: string | null;
  lastGoodSync: string | null;
  secondsSinceLastGoodSync: number | null;
  lastAttempt: string | null;
  lastAction: string | null;
  lastError: { code: string; message: string; message_en: string; time: string } | null;
  remoteGeneration: number | null;
  conflict: ConflictInfo | null;
  pending: PendingDownload | null;
  /** "¿Es el mismo servidor?": the address leads to a remote with another identity; syncing waits for an answer. */
  question: RemoteQuestion | null;
  databasePath: string;
  databaseExists: boolean;
  encryption: 'off' | 'locked' | 'unlocked' | 'missing';
  configPath: string;
  configStatus: 'ok' | 'missing' | 'invalid';
  problems: ConfigProblem[];
  availability: Availability[];
  /** The sync or restore running in this process: its phase and whether Cancelar still applies (null when idle). */
  operation: ProgressData | null;
  /** What stops every sync until the user acts, whatever the scheduler does: the page says "Detenida: …". */
  blockedBy: 'conflict' | 'pending' | null;
  /** Plaintext version objects the server still holds while encryption is on (null: not checked, or not applicable). */
  remotePlaintext: number | null;
}

export class SyncService {
  readonly home: string;
  readonly log: EventLog;
  private cfg: SyncConfig;
  private cfgStatus: 'ok' | 'missing' | 'invalid' = 'missing';
  private problems: ConfigProblem[] = [];
  private engine: SyncEngine | null = null;
  private engineKey = '';
  private scheduler: Scheduler;
  private unwatch: (() => void) | null = null;
  private unRemote: (() => void) | null = null;
  private embedded: { close(): Promise<void> } | null = null;
  private resolver: { engine: SyncEngine; r: ConflictResolver } | null = null;
  private readonly opts: ServiceOptions;
  /** The last count of plaintext objects on the remote (encryption on), for the target it was taken from. */
  private plaintext: { target: string; count: number } | null = null;

  private constructor(home: string, log: EventLog, cfg: SyncConfig, opts: ServiceOptions) {
    this.home = home;
    this.log = log;
    this.cfg = cfg;
    this.opts = opts;
    this.scheduler = new Scheduler({
      run: () => this.syncNow(),
      intervalSeconds: cfg.polling_interval,
      onStateChange: (s) => {
        this.log.emit({
          type: 'state',
          level: 'debug',
          code: 'SCHEDULER',
          text: msg(s.syncing ? 'event.SCHEDULER.syncing' : 'event.SCHEDULER.waiting'),
          data: { ...s },
        });
        void this.publishSchedulerState(s);
      },
    });
  }

  static async open(opts: ServiceOptions = {}): Promise<SyncService> {
    const home = path.resolve(opts.home ?? cordiaxHome());
    // Before anything is written there: a home, logs or backups folder another user planted is refused.
    securePrivateFolders(home);
    useTempRoot(path.join(home, 'tmp'));
    await sweepStaleTemp(path.join(home, 'tmp'));
    const log = opts.log ?? new EventLog({ dir: path.join(home, 'logs') });
    const svc = new SyncService(home, log, defaultConfig(), opts);
    await svc.reloadConfig();
    return svc;
  }

  get configFile(): string {
    return configPath(this.home);
  }
  get statePath(): string {
    return path.join(this.home, 'sync_state.json');
  }

  /** Re-reads the config file. An invalid file keeps the service usable (status explains) and is never rewritten. */
  async reloadConfig(): Promise<void> {
    const r = await loadConfig(this.configFile);
    if (r.status === 'invalid') {
      this.cfgStatus = 'invalid';
      this.problems = r.problems;
      this.log.emit({ type: 'error', code: 'CONFIG_INVALID', text: configError(this.configFile, r.problems).text });
      return;
    }
    this.cfgStatus = r.status;
    this.problems = [];
    this.applyConfig(r.config);
  }

  private applyConfig(cfg: SyncConfig): void {
    this.cfg = cfg;
    clearSecrets();
    registerConfigSecrets(cfg);
    this.scheduler.setInterval(cfg.polling_interval);
  }

  /** The config in force (with secrets). For display use publicConfig(). */
  config(): SyncConfig {
    return this.cfg;
  }

  /**
   * The config without secrets (each transport's declared `secrets`): each secret field becomes '' and
   * `<field>_set` says whether one is stored.
   */
  publicConfig(): Record<string, unknown> {
    const out = structuredClone(this.cfg) as Record<string, Record<string, unknown>>;
    for (const [block, key] of secretFields()) {
      const b = out[block];
      if (!b) continue;
      b[`${key}_set`] = typeof b[key] === 'string' && (b[key] as string).length > 0;
      b[key] = '';
    }
    return out;
  }

  /** Problems that stop a sync: structural errors, or what the selected protocol still lacks. */
  checkConfig(protocol?: Protocol): ConfigProblem[] {
    if (this.cfgStatus === 'invalid') return this.problems;
    return completenessProblems(this.cfg, protocol ?? this.cfg.protocol);
  }

  get configState(): 'ok' | 'missing' | 'invalid' {
    return this.cfgStatus;
  }

  /**
   * A form's values with the stored secrets put back where the field came empty (a UI never receives them), except
   * those listed in `clear` (e.g. 'webdav.password') which the user asked to erase. `<field>_set` flags are dropped.
   */
  withStoredSecrets(form: Record<string, unknown>, clear: string[] = []): Record<string, unknown> {
    const merged = structuredClone(form) as Record<string, Record<string, unknown> | unknown>;
    const refused: ConfigProblem[] = [];
    for (const [block, key] of secretFields()) {
      const b = merged[block];
      if (!b || typeof b !== 'object' || Array.isArray(b)) continue;
      const rec = b as Record<string, unknown>;
      delete rec[`${key}_set`];
      const stored = (this.cfg[block] as Record<string, unknown> | undefined)?.[key];
      if (
        (rec[key] === undefined || rec[key] === '') &&
        !clear.includes(`${block}.${key}`) &&
        typeof stored === 'string' &&
        stored
      ) {
        // A stored secret goes only where it was saved for (scheme, host, port): never to a server the form names anew.
        const change = this.secretDestinationChange(block, rec);
        if (change === 'same') rec[key] = stored;
        else if (change !== 'invalid')
          refused.push({
            key: `${block}.${key}`,
            severity: 'error',
            text: msg('service.secret_other_destination', { field: `${block}.${key}`, ...change }),
          });
      }
      if (rec[key] === '' && isOptionalKey(block, key)) delete rec[key]; // an optional key: absent rather than empty
    }
    for (const [block, key] of secretFileFields()) {
      const b = merged[block];
      const wanted = b && typeof b === 'object' && !Array.isArray(b) ? (b as Record<string, unknown>)[key] : undefined;
      const stored = (this.cfg[block] as Record<string, unknown> | undefined)?.[key];
      if ((wanted || undefined) !== (stored || undefined))
        refused.push({
          key: `${block}.${key}`,
          severity: 'error',
          text: msg('service.secret_file_not_from_form', { field: `${block}.${key}` }),
        });
    }
    if (refused.length)
      throw new SyncError(
        'CONFIG_INVALID',
        refused.length === 1
          ? refused[0]!.text
          : msg('service.configuration_missing', {
              problems: {
                es: refused.map((p) => `  - ${p.text.es}`).join('\n'),
                en: refused.map((p) => `  - ${p.text.en}`).join('\n'),
              },
            }),
        { details: { problems: refused } },
      );
    return merged as Record<string, unknown>;
  }

  /**
   * For `config set` of an address: the stored secrets of every block whose destination the new config changes are
   * left out of it (they were saved for the old server), and named, so the CLI can say to type them again.
   */
  forgetSecretsForNewDestinations(next: Record<string, unknown>): string[] {
    const dropped: string[] = [];
    for (const [block, key] of secretFields()) {
      const rec = next[block];
      if (!rec || typeof rec !== 'object' || Array.isArray(rec)) continue;
      const r = rec as Record<string, unknown>;
      const stored = (this.cfg[block] as Record<string, unknown> | undefined)?.[key];
      if (typeof r[key] !== 'string' || r[key] !== stored) continue; // typed anew (or absent): nothing stored to keep
      const { [key]: _secret, ...rest } = r;
      if (typeof this.secretDestinationChange(block, rest) === 'object') {
        delete r[key];
        dropped.push(`${block}.${key}`);
      }
    }
    return dropped;
  }

  /**
   * Whether a form's block sends its secrets somewhere else than the stored block (the declaration's
   * secretDestination): 'same', the two destinations, or 'invalid' for a block the schema refuses (nothing is
   * merged into it; its own validation error follows).
   */
  private secretDestinationChange(
    block: string,
    rec: Record<string, unknown>,
  ): { saved: string; wanted: string } | 'same' | 'invalid' {
    const d = declarationOf(block);
    if (!d.secretDestination) return 'same';
    const saved = d.secretDestination(blockOf(this.cfg, block));
    const parsed = d.schema.safeParse(rec);
    if (!parsed.success) return 'invalid';
    const wanted = d.secretDestination(parsed.data);
    return saved === wanted ? 'same' : { saved, wanted };
  }

  /**
   * Validates and saves a new config (atomic, 0600). By default secret fields left empty keep the stored value
   * (withStoredSecrets), so a UI never needs the password back; `keepEmptySecrets: false` saves exactly what is given.
   */
  async saveConfig(
    next: Record<string, unknown>,
    opts: { keepEmptySecrets?: boolean; clear?: string[] } = {},
  ): Promise<SyncConfig> {
    const merged = opts.keepEmptySecrets === false ? next : this.withStoredSecrets(next, opts.clear);
    const saved = await saveConfig(merged, this.configFile);
    this.cfgStatus = 'ok';
    this.problems = [];
    this.applyConfig(saved);
    this.log.emit({
      type: 'info',
      code: 'CONFIG_SAVED',
      text: msg('event.CONFIG_SAVED'),
    });
    await this.refreshAutomation();
    if (saved.encryption?.enabled) void this.checkRemotePlaintext().catch(() => {});
    return saved;
  }

  private requireUsableConfig(protocol?: Protocol, cfg: SyncConfig = this.cfg): void {
    if (cfg === this.cfg && this.cfgStatus === 'invalid') throw configError(this.configFile, this.problems);
    const problems = completenessProblems(cfg, protocol ?? cfg.protocol);
    if (problems.length) {
      throw new SyncError(
        'CONFIG_INVALID',
        msg('service.configuration_missing', {
          problems: {
            es: problems.map((p) => `  - ${p.key}: ${p.text.es}`).join('\n'),
            en: problems.map((p) => `  - ${p.key}: ${p.text.en}`).join('\n'),
          },
        }),
        { details: { problems } },
      );
    }
  }

  private transportContext(cfg: SyncConfig = this.cfg) {
    return { log: this.log, tmpDir: path.join(this.home, 'tmp'), device: resolvedDeviceName(cfg) };
  }

  /** Where the database lives: database_path relative to this service's home. */
  get databasePath(): string {
    return resolvedDatabasePath(this.cfg, this.home);
  }

  /** The config as this machine's client uses it: the protocol's block with a local server's credentials, if any. */
  private forThisMachine(cfg: SyncConfig, protocol: Protocol): SyncConfig {
    const d = declarationOf(protocol);
    if (!d.localClientBlock) return cfg;
    return { ...cfg, [d.name]: d.localClientBlock(blockOf(cfg, d.name), this.home) } as SyncConfig;
  }

  /** The engine for the configured remote, rebuilt when the config changes. */
  private async getEngine(): Promise<SyncEngine> {
    this.requireUsableConfig();
    // The local server's token file counts too: once the embedded server has written it, the client is rebuilt to use it.
    const clientCfg = this.forThisMachine(this.cfg, this.cfg.protocol);
    const key = JSON.stringify(clientCfg);
    if (this.engine && this.engineKey === key) return this.engine;
    if (this.engine) {
      this.unRemote?.();
      this.unRemote = null;
      await this.engine.close().catch(() => {});
    }
    const transport = await createTransport(clientCfg, this.transportContext());
    this.engine = new SyncEngine({
      transport,
      databasePath: this.databasePath,
      statePath: this.statePath,
      device: resolvedDeviceName(this.cfg),
      log: this.log,
      keepVersions: resolvedKeepVersions(this.cfg),
      direction: resolvedDirection(this.cfg),
      encryption: this.cfg.encryption,
      targetId: targetId(this.cfg),
      address: addressOf(this.cfg),
      backupsDir: path.join(this.home, 'backups'),
      verify: this.cfg.verify,
    });
    this.engineKey = key;
    // Remotes that announce changes (the declaration's pushNotifications: Socket.IO) trigger syncs themselves.
    if (declarationOf(this.cfg.protocol).capabilities.pushNotifications)
      this.unRemote = this.engine.remote.onRemoteEvent((ev) => {
        if (ev.kind === 'sync_request') this.engine?.requestResend();
        if (ev.kind === 'sync_request' || ev.kind === 'sync_update') this.scheduler.notifyChange();
        if (ev.kind === 'connected' && this.scheduler.state().running) this.scheduler.notifyChange();
      });
    return this.engine;
  }

  /** "Sincronizar Ahora": one verified sync. */
  async syncNow(): Promise<SyncOutcome> {
    try {
      const engine = await this.getEngine();
      const out = await engine.sync();
      // With encryption on, whether the server still holds plaintext is checked again when it may have changed.
      if (this.cfg.encryption?.enabled && (this.plaintext?.count !== 0 || out.action === 'push'))
        void this.checkRemotePlaintext().catch(() => {});
      return out;
    } catch (err) {
      const e = toSyncError(err);
      // Engine failures are logged by the engine; config/transport-creation failures are logged here.
      if (e.code === 'CONFIG_INVALID' || e.code === 'CONFIG_PARSE' || e.code === 'UNAVAILABLE')
        this.log.emit({ type: 'error', code: e.code, text: e.text });
      throw e;
    }
  }

  /**
   * "Probar Conexión" for a protocol (default: the configured one). `candidate`: test values not saved yet (a form),
   * with stored secrets merged in by the caller (withStoredSecrets). Never throws; never writes the config.
   */
  async test(protocol?: Protocol, candidate?: Record<string, unknown>): Promise<ConnectionReport> {
    let cfg = this.cfg;
    const p = protocol ?? (candidate?.protocol as Protocol | undefined) ?? this.cfg.protocol;
    try {
      if (candidate) {
        const parsed = parseConfig(candidate);
        if (!parsed.ok) throw configError(FORM_SOURCE, parsed.problems);
        cfg = parsed.config;
        registerConfigSecrets(cfg);
      }
      this.requireUsableConfig(p, cfg);
      const t = await createTransport(this.forThisMachine(cfg, p), this.transportContext(cfg), p);
      try {
        this.log.emit({
          type: 'info',
          code: 'TEST_START',
          protocol: p,
          text: msg('event.TEST_START', { protocol: protocolName(p) }),
        });
        const report = await t.test();
        this.log.emit({
          type: report.ok ? 'info' : 'error',
          code: report.ok ? 'TEST_OK' : 'TEST_FAILED',
          protocol: p,
          text: report.ok
            ? msg('event.TEST_OK', { protocol: protocolName(p) })
            : msg('event.TEST_FAILED', {
                protocol: protocolName(p),
                message: { es: report.error?.message ?? '', en: report.error?.message_en ?? '' },
              }),
        });
        return report;
      } finally {
        await t.close().catch(() => {});
      }
    } catch (err) {
      return failedReport(p, 'config', err);
    }
  }

  /** What keeps the saved config from syncing, each problem on its field (src/config/readiness.ts). */
  async readiness(): Promise<ReadinessProblem[]> {
    if (this.cfgStatus === 'invalid') return [];
    return readinessProblems(this.cfg, await allAvailability());
  }

  /**
   * Counts the plaintext version objects the remote still holds (encryption on, file remotes) and remembers it for
   * status(); a change is announced so an open page redraws. null when encryption is off or the remote cannot tell.
   */
  async checkRemotePlaintext(): Promise<number | null> {
    if (!this.cfg.encryption?.enabled || this.checkConfig().length) {
      this.plaintext = null;
      return null;
    }
    const target = targetId(this.cfg);
    const found = await (await this.getEngine()).plaintextOnRemote();
    const count = found?.length ?? null;
    const before = this.plaintext?.target === target ? this.plaintext.count : null;
    this.plaintext = count === null ? null : { target, count };
    if (count !== before)
      this.log.emit({
        type: 'state',
        level: count ? 'warn' : 'info',
        code: count ? 'PLAINTEXT_ON_SERVER' : 'PLAINTEXT_NONE_ON_SERVER',
        text: count ? msg('event.PLAINTEXT_ON_SERVER', { count }) : msg('event.PLAINTEXT_NONE_ON_SERVER'),
        data: { count },
      });
    return count;
  }

  /**
   * "Cifrar ahora": an encrypted version of the current database is committed, then the server's plaintext versions
   * are removed (SyncEngine.encryptRemote). Throws when anything plaintext is left.
   */
  async encryptNow(): Promise<{ outcome: SyncOutcome; left: number }> {
    const outcome = await (await this.getEngine()).encryptRemote();
    const left = (await this.checkRemotePlaintext()) ?? 0;
    if (left > 0) throw new SyncError('ENCRYPTION', msg('truth.encrypt_now_left', { count: left }));
    return { outcome, left };
  }

  /** "Generar clave": a new age identity in <home>/keys (0600); the form fills the recipient and the file. */
  generateKey(): Promise<{ identityFile: string; recipient: string }> {
    return writeNewIdentity(this.home);
  }

  /** The passphrase typed in the form, stored as <home>/keys/frase-de-paso.txt (0600): its path for passphrase_file. */
  savePassphrase(passphrase: string): Promise<string> {
    return writePassphrase(this.home, passphrase);
  }

  /**
   * Decides a conflict (src/conflict/resolution.ts): 'both' | 'local' | 'remote' | 'merge'. The choices that replace
   * the live database ('remote', 'merge') need `confirm: true`. Returns where the backup and the server's copy are, and
   * an undo handle for undoConflict().
   */
  async resolve(choice: ResolveChoice, opts: { confirm?: boolean } = {}): Promise<ResolveResult> {
    return (await this.conflictResolver()).resolve(choice, opts);
  }

  /** The conflict with what differs (per table, against the last version both had); null when there is none. */
  async conflict(): Promise<ConflictView | null> {
    return (await this.conflictResolver()).view();
  }

  /** What the last resolution can still undo (nothing once a sync moved on). */
  async conflictUndoable(): Promise<Awaited<ReturnType<ConflictResolver['undoable']>>> {
    return (await this.conflictResolver()).undoable();
  }

  /** Undoes the last resolution: the live database back from its backup (safe path), the conflict back. */
  async undoConflict(id?: string): Promise<{ backupPath: string | null }> {
    return (await this.conflictResolver()).undo(id);
  }

  private async conflictResolver(): Promise<ConflictResolver> {
    const engine = await this.getEngine();
    if (this.resolver?.engine !== engine)
      this.resolver = {
        engine,
        r: new ConflictResolver(engine, { undoFile: path.join(this.home, 'conflict-undo.json') }),
      };
    return this.resolver.r;
  }

  async versions(): Promise<RemoteManifest[]> {
    return (await this.getEngine()).versions();
  }

  /** 'cancelled': Cancelar came before the replace (the local database is untouched). */
  async restoreVersion(generation: number): Promise<'restored' | 'cancelled'> {
    return (await this.getEngine()).restoreVersion(generation);
  }

  /**
   * Cancelar: aborts the sync or restore running in this process, if it has not reached its commit point (the
   * manifest's compare-and-swap, the live-database replace); otherwise refuses with the reason. The operation then
   * ends as 'cancelled' with nothing changed (SYNC_CANCELLED / RESTORE_CANCELLED in the log).
   */
  cancel(): CancelAnswer {
    return this.engine?.cancel() ?? { ok: false, reason: msg('progress.nothing_to_cancel') };
  }

  availability(): Promise<Availability[]> {
    return allAvailability();
  }

  subscribe(listener: (e: SyncEvent) => void): () => void {
    return this.log.subscribe(listener);
  }

  /** Starts automatic sync (polling; plus change watching and server events for Socket.IO). */
  async start(): Promise<boolean> {
    if (!this.cfg.enabled) {
      this.log.emit({
        type: 'warning',
        code: 'AUTO_DISABLED',
        text: msg('event.AUTO_DISABLED'),
      });
      return false;
    }
    await this.startEmbeddedServerIfNeeded();
    this.scheduler.start();
    this.watchIfNeeded();
    this.log.emit({
      type: 'state',
      code: 'AUTO_STARTED',
      text: msg('event.AUTO_STARTED', { protocol: this.cfg.protocol, polling_interval: this.cfg.polling_interval }),
    });
    return true;
  }

  stop(): void {
    const was = this.scheduler.state().running;
    this.scheduler.stop();
    this.unwatch?.();
    this.unwatch = null;
    if (was)
      this.log.emit({
        type: 'state',
        code: 'AUTO_STOPPED',
        text: msg('event.AUTO_STOPPED'),
      });
  }

  /** Remotes that announce changes get ours at once too: the database is watched (the declaration's pushNotifications). */
  private watchIfNeeded(): void {
    this.unwatch?.();
    this.unwatch = null;
    if (declarationOf(this.cfg.protocol).capabilities.pushNotifications)
      this.unwatch = watchDatabase(this.databasePath, () => this.scheduler.notifyChange());
  }

  private async refreshAutomation(): Promise<void> {
    if (!this.scheduler.state().running) return;
    if (!this.cfg.enabled) return this.stop();
    await this.startEmbeddedServerIfNeeded();
    this.watchIfNeeded();
  }

  private async startEmbeddedServerIfNeeded(): Promise<void> {
    const d = declarationOf(this.cfg.protocol);
    if (this.opts.embeddedServer === false || this.embedded || !d.startLocalServer) return;
    try {
      this.embedded = await d.startLocalServer(blockOf(this.cfg, d.name), {
        home: this.home,
        log: this.log,
        keepVersions: resolvedKeepVersions(this.cfg),
      });
    } catch (err) {
      this.log.emit({
        type: 'warning',
        code: 'EMBEDDED_SERVER_FAILED',
        text: msg('event.EMBEDDED_SERVER_FAILED', { message: (err as Error).message }),
      });
    }
  }

  private get schedulerFile(): string {
    return path.join(this.home, 'scheduler.json');
  }

  /** Lets `cordiax-sync status` in another process see the running scheduler's next run. */
  private async publishSchedulerState(s: SchedulerState): Promise<void> {
    try {
      if (s.running)
        await writeFileAtomic(this.schedulerFile, `${JSON.stringify({ pid: process.pid, ...s })}\n`, 0o600);
      else await fsp.rm(this.schedulerFile, { force: true });
    } catch {
      /* status is informational */
    }
  }

  /** The scheduler of this process, or the one another live process published. */
  private async schedulerView(): Promise<SchedulerState> {
    const own = this.scheduler.state();
    if (own.running) return own;
    try {
      const other = JSON.parse(await fsp.readFile(this.schedulerFile, 'utf8')) as SchedulerState & { pid: number };
      process.kill(other.pid, 0);
      return {
        running: other.running,
        syncing: other.syncing,
        nextRun: other.nextRun,
        consecutiveFailures: other.consecutiveFailures,
      };
    } catch {
      return own;
    }
  }

  async status(): Promise<StatusReport> {
    const dbPath = this.databasePath;
    const key = this.cfgStatus === 'invalid' ? '' : targetId(this.cfg);
    const { StateStore } = await import('./engine/state.js');
    const st = key ? await new StateStore(this.statePath).get(key) : { base: null };
    const sched = await this.schedulerView();
    const dbExists = await fsp.stat(dbPath).then(
      () => true,
      () => false,
    );
    const encExists = await fsp.stat(`${dbPath}.enc`).then(
      () => true,
      () => false,
    );
    const encryption = !this.cfg.encryption?.enabled
      ? dbExists
        ? 'off'
        : 'missing'
      : dbExists
        ? 'unlocked'
        : encExists
          ? 'locked'
          : 'missing';
    const problems = this.checkConfig();
    let state: ServiceState;
    if (this.cfgStatus === 'invalid') state = 'invalid-config';
    else if (problems.length || this.cfgStatus === 'missing') state = 'unconfigured';
    else if (sched.syncing || this.engine?.busy) state = 'syncing';
    else if (st.conflict) state = 'conflict';
    else if (st.question) state = 'question';
    else if (st.pending) state = 'pending';
    else if (st.lastError && (!st.lastGoodSync || st.lastError.time > st.lastGoodSync)) state = 'error';
    else state = 'idle';
    return {
      state,
      protocol: this.cfg.protocol,
      enabled: this.cfg.enabled,
      schedulerRunning: sched.running,
      pollingInterval: this.cfg.polling_interval,
      nextRun: sched.nextRun,
      lastGoodSync: st.lastGoodSync ?? null,
      secondsSinceLastGoodSync: st.lastGoodSync ? Math.round((Date.now() - Date.parse(st.lastGoodSync)) / 1000) : null,
      lastAttempt: st.lastAttempt ?? null,
      lastAction: st.lastAction ?? null,
      lastError: st.lastError ?? null,
      remoteGeneration: st.remoteGeneration ?? null,
      conflict: st.conflict ?? null,
      pending: st.pending ?? null,
      question: st.question ?? null,
      databasePath: dbPath,
      databaseExists: dbExists || encExists,
      encryption,
      configPath: this.configFile,
      configStatus: this.cfgStatus,
      problems,
      availability: await allAvailability(),
      operation: this.engine?.progressNow ?? null,
      blockedBy:
        state === 'conflict' || st.conflict ? 'conflict' : state === 'pending' || st.pending ? 'pending' : null,
      remotePlaintext:
        this.cfg.encryption?.enabled && this.plaintext && this.plaintext.target === key ? this.plaintext.count : null,
    };
  }

  /**
   * Answers "¿Es el mismo servidor?". 'use-new': the new remote is synced under first-contact rules (nothing is
   * lost: different contents give a conflict copy), and a sync runs now. 'go-back': the previous address (recorded
   * without secrets) is saved back; a password kept for another destination must be typed again (saveConfig says so).
   */
  async answerRemoteQuestion(answer: 'use-new' | 'go-back'): Promise<SyncOutcome | null> {
    const engine = await this.getEngine();
    const { StateStore } = await import('./engine/state.js');
    const store = new StateStore(this.statePath);
    const key = targetId(this.cfg);
    const q = (await store.get(key)).question;
    if (!q) throw new SyncError('NOT_FOUND', msg('identity.no_question'));
    if (answer === 'use-new') {
      await engine.acceptOtherRemote();
      return this.syncNow();
    }
    const previous = (await store.get(q.previousTarget)).address;
    if (!previous || previous.protocol !== this.cfg.protocol)
      throw new SyncError('NOT_FOUND', msg('identity.no_previous_address', { address: q.previousTarget }));
    const next = structuredClone(this.cfg) as Record<string, unknown>;
    next[previous.protocol] = { ...(next[previous.protocol] as Record<string, unknown>), ...previous.block };
    for (const [block, field] of secretFields())
      if (block === previous.protocol) (next[block] as Record<string, unknown>)[field] = '';
    await this.saveConfig(next);
    await engine.dropQuestion();
    this.log.emit({
      type: 'info',
      code: 'REMOTE_ADDRESS_RESTORED',
      text: msg('event.REMOTE_ADDRESS_RESTORED', { address: q.previousTarget }),
    });
    return null;
  }

  async close(): Promise<void> {
    this.stop();
    this.unRemote?.();
    if (this.engine) await this.engine.close().catch(() => {});
    this.engine = null;
    if (this.embedded) await this.embedded.close().catch(() => {});
    this.embedded = null;
  }
}

/** A key the block's schema lets be absent (no default): an emptied optional secret is removed, not saved as ''. */
function isOptionalKey(block: string, key: string): boolean {
  const field = declarationOf(block).schema.shape[key];
  const r = field?.safeParse(undefined);
  return r?.success === true && r.data === undefined;
}

/** How the configured remote is reached, without its secret fields (recorded in the state for "go back"). */
function addressOf(cfg: SyncConfig): { protocol: string; block: Record<string, unknown> } {
  const block = { ...blockOf(cfg, cfg.protocol) };
  for (const [b, key] of secretFields()) if (b === cfg.protocol) delete block[key];
  return { protocol: cfg.protocol, block };
}
