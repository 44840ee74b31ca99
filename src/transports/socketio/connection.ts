/**
 * One Socket.IO connection to a sync namespace, with what the server said about itself (`sync_request`).
 * The endpoint keeps one for its life (reconnecting with backoff); "Probar Conexión" opens a throwaway one.
 */
import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import { io, type Socket } from 'socket.io-client';
import { SyncError, toSyncError, type Text } from '../../errors.js';
import type { Logger } from '../../log/events.js';
import { registerSecret, redactString } from '../../log/redact.js';
import type { SocketioConfig } from './declaration.js';
import { DEFAULT_NAMESPACE, isServerHello, type ClientAuth, type ServerHello } from './protocol.js';
import { msg } from '../../messages/index.js';

interface ConnectionOptions {
  reconnection: boolean;
  connectTimeoutMs: number;
  /** How long to wait for `sync_request` after connecting before assuming a server that announces nothing. */
  helloTimeoutMs: number;
  /** Heartbeat for servers that do not announce protocol 2 (their ping timeout may be 45 s). 0: off. */
  heartbeatMs: number;
  device: string;
}

/** Our server's hello, or null for a server that announced nothing (the spec's Flask server). */
export type Hello = ServerHello | null;

/** server_url + namespace -> what socket.io-client wants; a missing trailing slash is added with a warning. */
function resolveTarget(cfg: SocketioConfig, log: Logger): { url: string; path: string; namespace: string } {
  let namespace = cfg.namespace || DEFAULT_NAMESPACE;
  if (!namespace.endsWith('/')) {
    log.emit({
      type: 'warning',
      code: 'NAMESPACE_SLASH',
      protocol: 'socketio',
      text: msg('event.NAMESPACE_SLASH', { namespace }),
    });
    namespace += '/';
  }
  let u: URL;
  try {
    u = new URL(cfg.server_url);
  } catch {
    throw new SyncError(
      'CONFIG_INVALID',
      msg('socketio.socketio_server_url_not_valid', { server_url: redactString(cfg.server_url) }),
      {
        hint: msg('socketio.example_http_localhost_5000'),
      },
    );
  }
  // A server behind a reverse proxy under a sub-path serves Socket.IO at <sub-path>/socket.io/.
  const prefix = u.pathname.replace(/\/+$/, '');
  return { url: `${u.origin}${namespace}`, path: `${prefix}/socket.io/`, namespace };
}

/** Reads the token now (token_file is re-read on every reconnect so a rotated token is picked up). */
function readToken(cfg: SocketioConfig, log: Logger): string | undefined {
  let token = cfg.token;
  if (cfg.token_file) {
    try {
      token = readFileSync(cfg.token_file, 'utf8').trim();
    } catch (err) {
      log.emit({
        type: 'error',
        code: 'TOKEN_FILE',
        protocol: 'socketio',
        text: msg('event.TOKEN_FILE', { code: (err as NodeJS.ErrnoException).code ?? 'error' }),
      });
      token = undefined;
    }
  }
  registerSecret(token);
  return token || undefined;
}

const CHECK_SERVER = msg('socketio.check_server_running_url_port');

/** connect_error -> SyncError with a precise code and what to check. */
function connectError(err: unknown, namespace: string): SyncError {
  const e = err as Error & { data?: { code?: string; message?: Text }; description?: unknown };
  const code = e?.data?.code ?? e?.message;
  if (code === 'unauthorized') {
    return new SyncError('AUTH_FAILED', msg('socketio.server_refused_token'), {
      hint: msg('socketio.check_socketio_token_socketio'),
    });
  }
  if (code === 'forbidden_database')
    return new SyncError('AUTH_FAILED', e.data?.message ?? msg('socketio.token_no_access_that_database'), {
      hint: msg('socketio.token_no_access_that_database.hint'),
    });
  if (code === 'rate_limited')
    return new SyncError('UNAVAILABLE', e.data?.message ?? msg('socketio.too_many_connection_attempts'));
  if (code === 'bad_database_id') {
    return new SyncError('CONFIG_INVALID', msg('socketio.socketio_database_id_not_valid'), {
      hint: msg('socketio.use_letters_digits_dot'),
    });
  }
  if (e?.message === 'Invalid namespace' || e?.message === 'Unable to connect') {
    return new SyncError('NOT_FOUND', msg('socketio.server_no_namespace', { namespace }), {
      hint: msg('socketio.make_sure_namespace_right'),
    });
  }
  const d = e?.description;
  // The cause hides in different places: the websocket error, or the polling XHR's statusText (Node).
  const ctx = (e as { context?: { statusText?: unknown } })?.context?.statusText;
  const inner =
    d instanceof Error
      ? d
      : (d as { error?: unknown })?.error instanceof Error
        ? (d as { error: Error }).error
        : ctx instanceof Error
          ? ctx
          : null;
  if (inner) {
    const c = (inner as NodeJS.ErrnoException).code ?? '';
    if (/CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO_VERIFY/.test(c)) {
      return new SyncError('TLS', msg('socketio.problem_server_certificate', { code: c }), {
        hint: msg('socketio.check_server_certificate_url'),
        cause: inner,
      });
    }
    const s = toSyncError(inner);
    if (s.code !== 'INTERNAL') return new SyncError(s.code, s.text, { hint: s.hint ?? CHECK_SERVER, cause: inner });
  }
  if (typeof d === 'number' && d > 0) {
    return new SyncError('PROTOCOL', msg('socketio.server_answered_http_when', { status: d }), {
      hint: msg('socketio.socket_io_server_check'),
    });
  }
  if (e?.message === 'timeout') return new SyncError('TIMEOUT', msg('socketio.server_not_answer_time_when'));
  return new SyncError(
    'CONNECTION_REFUSED',
    msg('socketio.could_not_connect', { message: redactString(String(e?.message ?? err)) }),
    { hint: CHECK_SERVER },
  );
}

/**
 * Events: 'hello' (Hello), 'update' (payload of sync_update), 'connected', 'disconnected' (reason), 'failed' (SyncError).
 */
export class Connection extends EventEmitter {
  readonly socket: Socket;
  readonly namespace: string;
  /** undefined until `sync_request` arrives (or the hello timeout passes) on the current connection. */
  hello: Hello | undefined = undefined;
  /** The last connection failure (cleared on connect). */
  lastError: SyncError | null = null;
  /** The server refused us (auth, namespace): socket.io does not retry these by itself. */
  refused = false;
  rttMs: number | null = null;
  private openAt = 0;
  private helloTimer: NodeJS.Timeout | null = null;
  private heartbeat: NodeJS.Timeout | null = null;
  private errorsLogged = 0;

  constructor(
    cfg: SocketioConfig,
    private readonly log: Logger,
    private readonly opts: ConnectionOptions,
  ) {
    super();
    this.setMaxListeners(100);
    const target = resolveTarget(cfg, log);
    this.namespace = target.namespace;
    this.socket = io(target.url, {
      path: target.path,
      autoConnect: false,
      forceNew: true,
      reconnection: opts.reconnection,
      reconnectionDelay: 500,
      reconnectionDelayMax: 10_000,
      randomizationFactor: 0.5,
      timeout: opts.connectTimeoutMs,
      // Default transports on purpose (polling first, upgrade when offered): the spec's Flask server only polls.
      auth: (cb: (data: object) => void) => {
        const auth: ClientAuth = { device: opts.device };
        const token = readToken(cfg, log);
        if (token) auth.token = token;
        if (cfg.database_id) auth.database_id = cfg.database_id;
        cb(auth);
      },
    });
    const s = this.socket;
    s.io.on('open', () => {
      this.openAt = performance.now();
    });
    // Registered before connecting: the Flask server sends sync_request before confirming the connection.
    s.on('sync_request', (payload: unknown) => {
      this.rttMs ??= this.openAt ? Math.round(performance.now() - this.openAt) : null;
      this.setHello(isServerHello(payload) ? (payload as Hello) : null);
    });
    s.on('sync_update', (payload: unknown) => this.emit('update', payload));
    s.on('connect', () => {
      if (this.openAt && this.rttMs === null) this.rttMs = Math.round(performance.now() - this.openAt);
      this.lastError = null;
      this.refused = false;
      this.errorsLogged = 0;
      this.log.emit({
        type: 'connect',
        protocol: 'socketio',
        text: msg('socketio.connected', { url: target.url, name: s.io.engine?.transport?.name ?? '?' }),
      });
      if (this.hello === undefined) {
        this.helloTimer = setTimeout(() => this.setHello(null), opts.helloTimeoutMs);
      }
      this.emit('connected');
    });
    s.on('disconnect', (reason: string) => {
      this.clearTimers();
      this.hello = undefined;
      this.rttMs = null;
      this.log.emit({
        type: 'disconnect',
        protocol: 'socketio',
        text: msg('socketio.disconnected_server', { reason }),
      });
      this.emit('disconnected', reason);
      // The server closed the session on purpose: socket.io waits for us to reconnect, so do it with a pause.
      if (reason === 'io server disconnect' && opts.reconnection)
        setTimeout(() => this.socket.active || this.socket.connect(), 5000).unref();
    });
    s.on('connect_error', (err: Error) => {
      const se = connectError(err, this.namespace);
      this.lastError = se;
      this.refused = !s.active;
      // Retries repeat the same error: log the first ones, then only now and then.
      if (this.errorsLogged < 3 || this.errorsLogged % 20 === 0) {
        this.log.emit({ type: 'error', code: se.code, protocol: 'socketio', text: se.text, data: { hint: se.hint } });
      }
      this.errorsLogged++;
      this.emit('failed', se);
    });
  }

  private setHello(h: Hello): void {
    if (this.helloTimer) clearTimeout(this.helloTimer);
    this.helloTimer = null;
    const first = this.hello === undefined;
    this.hello = h;
    if (first && h === null) this.startHeartbeat();
    this.emit('hello', h);
  }

  /**
   * A server without our protocol may only notice a frozen peer after 45 s. Connecting to an unused namespace over
   * the same session is answered by any Socket.IO server (connect_error), so it measures a real round trip.
   */
  private startHeartbeat(): void {
    if (!this.opts.heartbeatMs || this.heartbeat) return;
    const probe = this.socket.io.socket('/cordiax-sync-heartbeat/', { auth: {} });
    let waiting: NodeJS.Timeout | null = null;
    const answered = () => {
      if (waiting) clearTimeout(waiting);
      waiting = null;
      probe.disconnect();
    };
    probe.on('connect_error', answered);
    probe.on('connect', answered);
    this.heartbeat = setInterval(() => {
      if (waiting || !this.socket.connected) return;
      waiting = setTimeout(() => {
        waiting = null;
        this.log.emit({
          type: 'warning',
          code: 'HEARTBEAT',
          protocol: 'socketio',
          text: msg('event.HEARTBEAT'),
        });
        // Drop the session the way a ping timeout does (a plain close() would wait for the stuck request to
        // drain); socket.io then reconnects with its backoff.
        const engine = this.socket.io.engine as unknown as
          | { _onClose?: (reason: string) => void; close(): void }
          | undefined;
        if (typeof engine?._onClose === 'function') engine._onClose('ping timeout');
        else engine?.close();
      }, this.opts.heartbeatMs);
      probe.connect();
    }, this.opts.heartbeatMs);
    this.heartbeat.unref();
  }

  private clearTimers(): void {
    if (this.helloTimer) clearTimeout(this.helloTimer);
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.helloTimer = null;
    this.heartbeat = null;
  }

  get ready(): boolean {
    return this.socket.connected && this.hello !== undefined;
  }

  /**
   * Connects if needed and waits until connected with the server's hello known. failFast: the first failed attempt
   * rejects (socket.io keeps retrying in the background); otherwise only refusals and the timeout do.
   */
  async whenReady(timeoutMs: number, failFast = false): Promise<Hello> {
    if (!this.socket.active) this.socket.connect();
    if (this.ready) return this.hello!;
    return new Promise<Hello>((resolve, reject) => {
      const done = () => {
        clearTimeout(timer);
        this.off('hello', onHello);
        this.off('failed', onFailed);
        this.off('connected', onConnected);
      };
      const onHello = (h: Hello) => {
        if (!this.socket.connected) return; // the Flask server's hello comes just before 'connect'
        done();
        resolve(h);
      };
      const onConnected = () => {
        if (this.hello !== undefined) onHello(this.hello);
      };
      const onFailed = (err: SyncError) => {
        // Refusals are final; a server that is down is retried by socket.io until the timeout.
        if (failFast || !this.socket.active) {
          done();
          reject(err);
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(
          this.lastError ??
            new SyncError('TIMEOUT', msg('error.ETIMEDOUT'), {
              hint: msg('socketio.check_server_running_and_url'),
            }),
        );
      }, timeoutMs);
      this.on('hello', onHello);
      this.on('connected', onConnected);
      this.on('failed', onFailed);
    });
  }

  close(): void {
    this.clearTimers();
    this.socket.io.reconnection(false);
    this.socket.disconnect();
    this.socket.io.engine?.close();
    this.removeAllListeners();
  }
}
