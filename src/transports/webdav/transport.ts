/**
 * WebDAV as a FileTransport: Apache mod_dav, Nextcloud/ownCloud, rclone serve webdav and other DAV servers.
 *
 * - URLs: a Nextcloud DAV root (.../remote.php/dav) is resolved to the user's files folder through
 *   current-user-principal; anything else (.../remote.php/webdav/, plain DAV) is used as typed.
 * - Uploads: PUT to a temporary name with an explicit Content-Length, then size (PROPFIND) and sha256 (streamed GET)
 *   of what landed are verified, then MOVE into place. The target is never touched before the bytes are proven.
 * - Lost updates: If-Match / If-None-Match:* where a one-off probe shows the server enforces them (Apache does,
 *   rclone ignores them); guarantees() says which, so the engine can fall back to its generation check.
 */
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { stat as fsStat, unlink } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import { once } from 'node:events';
import { finished, pipeline } from 'node:stream/promises';
import { SyncError, isSyncError, toSyncError } from '../../errors.js';
import type { WebdavConfig } from '../../config/schema.js';
import type {
  DownloadResult,
  FileTransport,
  RemoteEntry,
  TransferOptions,
  TransportContext,
  UploadResult,
  UploadVerify,
  ConnectionReport,
} from '../types.js';
import { discard, HttpClient, readBody, type HttpResponse } from './http.js';
import { alreadyExists, httpError, networkError, protocolError } from './errors.js';
import { entryFields, first, hrefPath, parseMultistatus, type DavResponse } from './xml.js';
import { runConnectionTest } from './probe.js';
import { probeServer, type ProbeOps, type ServerGuarantees } from './capabilities.js';
import { checkAborted, uploadVerified, type WriteMode } from '../shared/upload.js';
import type { CallOptions } from '../types.js';
import { webdav } from './declaration.js';
import { msg } from '../../messages/index.js';

export type { ServerGuarantees };

const KIB = 1024;
const MIB = 1024 * KIB;
const PROPFIND_BODY =
  '<?xml version="1.0" encoding="utf-8"?><d:propfind xmlns:d="DAV:"><d:prop><d:resourcetype/><d:getcontentlength/><d:getlastmodified/><d:getetag/></d:prop></d:propfind>';
const PRINCIPAL_BODY =
  '<?xml version="1.0" encoding="utf-8"?><d:propfind xmlns:d="DAV:"><d:prop><d:current-user-principal/></d:prop></d:propfind>';

const LOCK_BODY =
  '<?xml version="1.0" encoding="utf-8"?><d:lockinfo xmlns:d="DAV:"><d:lockscope><d:exclusive/></d:lockscope><d:locktype><d:write/></d:locktype><d:owner>cordiax-sync</d:owner></d:lockinfo>';
const LOCK_WAIT_MS = 10_000;

// 207 Multi-Status to anything but PROPFIND reports failures inside (mod_dav: locks, partial deletes).
const ok2xx = (s: number) => s >= 200 && s < 300 && s !== 207;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const enc = (seg: string) => encodeURIComponent(seg);

/** A URL path for people to read (percent-decoded when that is possible). */
export function showPath(p: string): string {
  try {
    return decodeURI(p);
  } catch {
    return p;
  }
}

/** Splits a remote folder setting ('/cordiax_sync/', 'a\\b') into safe segments. */
function folderSegments(p: string): string[] {
  const segs = p
    .replace(/\\/g, '/')
    .split('/')
    .filter((s) => s !== '' && s !== '.');
  if (segs.some((s) => s === '..' || /[\u0000-\u001f\u007f]/.test(s))) {
    throw new SyncError('CONFIG_INVALID', msg('webdav.invalid_remote_path', { path: p }), {
      hint: msg('webdav.remote_path_must_not_contain'),
    });
  }
  return segs;
}

/** Segments of a transport-relative path; rejects anything that could leave the remote folder. */
function relSegments(rel: string): string[] {
  const segs = rel.split('/');
  if (
    rel === '' ||
    rel.startsWith('/') ||
    segs.some((s) => s === '' || s === '.' || s === '..' || /[\u0000-\u001f\u007f\\]/.test(s))
  ) {
    throw new SyncError('INTERNAL', msg('webdav.invalid_relative_path', { rel: JSON.stringify(rel) }));
  }
  return segs;
}

export class WebdavTransport implements FileTransport {
  readonly protocol = 'webdav' as const;
  readonly http: HttpClient;
  private readonly urlPath: string;
  private basePath: string | undefined;
  private rootPath: string | undefined;
  private opening: Promise<void> | undefined;
  private probed: Promise<ServerGuarantees> | undefined;
  private getWithoutEtag = false;

  constructor(
    readonly cfg: WebdavConfig,
    readonly ctx: TransportContext,
  ) {
    let u: URL;
    try {
      u = new URL(cfg.url);
    } catch {
      u = new URL('invalid:');
    }
    if (!/^https?:$/.test(u.protocol) || !u.host) {
      throw new SyncError('CONFIG_INVALID', msg('webdav.webdav_url_not_valid', { url: cfg.url }), {
        hint: msg('webdav.must_start_http_https'),
      });
    }
    if (u.username || u.password) {
      throw new SyncError('CONFIG_INVALID', msg('webdav.webdav_url_must_not_contain'), {
        hint: msg('webdav.remove_them_url_enter'),
      });
    }
    this.urlPath = u.pathname.endsWith('/') ? u.pathname : `${u.pathname}/`;
    this.http = new HttpClient({
      origin: new URL(u.origin),
      username: cfg.username,
      password: cfg.password,
      auth: cfg.auth ?? 'basic',
      timeoutMs: (cfg.timeout_seconds ?? 30) * 1000,
      caFile: cfg.ca_file,
      insecure: cfg.insecure_skip_tls_verify === true,
      log: ctx.log,
      basePath: u.pathname,
    });
  }

  // ---------------------------------------------------------------- paths

  /** The user's files folder (URL path, encoded, ending in '/'), resolving a Nextcloud DAV root once. */
  async resolveBase(): Promise<string> {
    if (this.basePath) return this.basePath;
    let base = this.urlPath;
    const nc = /^(.*\/remote\.php\/dav\/)$/.exec(this.urlPath);
    if (nc) {
      const rs = await this.propfind(base, 0, PRINCIPAL_BODY, 'remote.php/dav');
      const principal = rs?.[0]?.props.get('current-user-principal');
      const href = principal !== undefined ? first(principal, 'href') : undefined;
      const p = href !== undefined ? hrefPath(href) : undefined;
      const uid = p ? /\/principals\/(?:users\/)?([^/]+)\/?$/.exec(p)?.[1] : undefined;
      if (!uid) {
        throw new SyncError('NOT_FOUND', msg('webdav.server_not_tell_user_s'), {
          hint: msg('webdav.enter_full_folder_url'),
        });
      }
      base = `${nc[1]}files/${enc(uid)}/`;
    }
    this.basePath = base;
    return base;
  }

  private get root(): string {
    if (!this.rootPath) throw new SyncError('INTERNAL', msg('webdav.webdav_transport_not_opened'));
    return this.rootPath;
  }

  /** Encoded URL path of a relative file path (or of the root for ''). */
  abs(rel: string, dir = false): string {
    if (rel === '') return this.root;
    return this.root + relSegments(rel).map(enc).join('/') + (dir ? '/' : '');
  }

  // ---------------------------------------------------------------- lifecycle

  /**
   * Resolves the folder once for every caller; each caller's signal stops only its own wait (an abort by one must not
   * fail the others' shared opening).
   */
  async open(opts: CallOptions = {}): Promise<void> {
    checkAborted(opts.signal);
    const opening = this.startOpening();
    if (!opts.signal) return opening;
    const signal = opts.signal;
    let onAbort = () => {};
    const aborted = new Promise<never>((_, reject) => {
      onAbort = () => reject(cancelled(signal));
      signal.addEventListener('abort', onAbort, { once: true });
    });
    try {
      await Promise.race([opening, aborted]);
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
  }

  private startOpening(): Promise<void> {
    this.opening ??= (async () => {
      const base = await this.resolveBase();
      const segs = folderSegments(this.cfg.remote_path);
      await this.ensureCollections(base, segs);
      this.rootPath = base + segs.map(enc).join('/') + (segs.length ? '/' : '');
      if (!this.http.secure && !isLoopback(this.http.hostname)) {
        this.ctx.log.emit({
          type: 'warning',
          level: 'warn',
          code: 'PLAINTEXT_HTTP',
          protocol: 'webdav',
          text: msg('event.PLAINTEXT_HTTP', { host: this.http.host }),
        });
      }
      this.ctx.log.emit({
        type: 'connect',
        protocol: 'webdav',
        text: msg('webdav.connected_webdav', { host: this.http.host, rootPath: showPath(this.rootPath) }),
        data: { host: this.http.host, path: this.rootPath, auth: this.http.authScheme ?? null },
      });
    })().catch((err) => {
      this.opening = undefined;
      throw err;
    });
    return this.opening;
  }

  async close(): Promise<void> {
    this.http.close();
  }

  /** mkdir -p of `segs` under the existing collection `parent`: one PROPFIND when it exists, else MKCOL each level. */
  private async ensureCollections(parent: string, segs: string[], signal?: AbortSignal): Promise<boolean> {
    const full = parent + segs.map(enc).join('/') + (segs.length ? '/' : '');
    const existing = await this.propfind(full, 0, PROPFIND_BODY, showPath(full), signal);
    if (existing) {
      const f = existing[0] ? entryFields(existing[0]) : undefined;
      if (f && !f.isDirectory) {
        throw new SyncError('ALREADY_EXISTS', msg('webdav.exists_file_not_folder', { full: showPath(full) }), {
          hint: msg('webdav.change_remote_path'),
        });
      }
      return false;
    }
    let cur = parent;
    const deadline = Date.now() + LOCK_WAIT_MS;
    for (const s of segs) {
      cur += `${enc(s)}/`;
      for (;;) {
        const res = await this.http.request({ method: 'MKCOL', path: cur, signal });
        discard(res);
        // 405: already there. Another device creating it at the same moment can also make Apache answer 403:
        // what matters is whether the folder exists now.
        if (ok2xx(res.status) || res.status === 405) break;
        const now = await this.propfind(cur, 0, PROPFIND_BODY, showPath(cur), signal).catch(() => null);
        if (now?.[0] && entryFields(now[0]).isDirectory) break;
        // 207/423: another device holds a lock on the parent folder (its exclusive create, a few requests long).
        if ((res.status === 207 || res.status === 423) && Date.now() < deadline) {
          await sleep(100 + Math.random() * 200);
          checkAborted(signal);
          continue;
        }
        throw this.http.fail(res, 'MKCOL', showPath(cur));
      }
    }
    return true;
  }

  async mkdirp(dir: string, opts: CallOptions = {}): Promise<void> {
    await this.open(opts);
    if (dir === '') return;
    await this.ensureCollections(this.root, relSegments(dir), opts.signal);
  }

  // ---------------------------------------------------------------- metadata

  /** PROPFIND; null on 404. */
  async propfind(
    path: string,
    depth: 0 | 1,
    body: string,
    what: string,
    signal?: AbortSignal,
  ): Promise<DavResponse[] | null> {
    const res = await this.http.request({
      method: 'PROPFIND',
      path,
      headers: { Depth: String(depth), 'Content-Type': 'application/xml; charset=utf-8' },
      body: Buffer.from(body),
      signal,
    });
    if (res.status === 404) {
      discard(res);
      return null;
    }
    if (res.status !== 207) throw this.http.fail(res, 'PROPFIND', what);
    const xml = (await readBody(res, depth === 0 ? 1 * MIB : 32 * MIB, what)).toString('utf8');
    const out = parseMultistatus(xml);
    if (out.length === 0) throw protocolError(msg('webdav.propfind_answer_without_entries', { what }));
    return out;
  }

  private toEntry(rel: string, r: DavResponse): RemoteEntry {
    const f = entryFields(r);
    return {
      path: rel,
      size: f.size,
      isDirectory: f.isDirectory,
      ...(f.modified ? { modified: f.modified } : {}),
      ...(f.etag ? { version: f.etag } : {}),
    };
  }

  async stat(rel: string, opts: CallOptions = {}): Promise<RemoteEntry | null> {
    await this.open(opts);
    const rs = await this.propfind(this.abs(rel), 0, PROPFIND_BODY, rel, opts.signal);
    return rs ? this.toEntry(rel, rs[0]!) : null;
  }

  async list(dir: string, opts: CallOptions = {}): Promise<RemoteEntry[]> {
    await this.open(opts);
    const path = dir === '' ? this.root : this.abs(dir, true);
    const rs = await this.propfind(path, 1, PROPFIND_BODY, dir || '/', opts.signal);
    if (!rs) return [];
    const self = (hrefPath(path) ?? path).replace(/\/+$/, '');
    const out: RemoteEntry[] = [];
    for (const r of rs) {
      const p = r.href.replace(/\/+$/, '');
      if (p === self || !p.startsWith(`${self}/`)) continue;
      const name = p.slice(self.length + 1);
      if (name.includes('/')) continue;
      out.push(this.toEntry(dir ? `${dir}/${name}` : name, r));
    }
    return out;
  }

  // ---------------------------------------------------------------- small files

  async readSmall(
    rel: string,
    maxBytes = 1 * MIB,
    opts: CallOptions = {},
  ): Promise<{ data: Buffer; version?: string } | null> {
    await this.open(opts);
    try {
      return await this.readSmallOnce(rel, maxBytes, opts.signal);
    } catch (err) {
      // A body cut short: rclone serves a file another device is rewriting (a record it has just created under a
      // LOCK, the manifest) with the old length and stops early. A small GET is read again once.
      if (opts.signal?.aborted) throw cancelled(opts.signal);
      if (!isSyncError(err, 'CONNECTION_RESET')) throw err;
      return this.readSmallOnce(rel, maxBytes, opts.signal);
    }
  }

  private async readSmallOnce(
    rel: string,
    maxBytes: number,
    signal?: AbortSignal,
  ): Promise<{ data: Buffer; version?: string } | null> {
    // lighttpd's GET carries no ETag (its PROPFIND does). The version then comes from a stat taken BEFORE the GET: if
    // the file changes in between, a write conditioned on it fails (safe); a stat after could vouch for bytes we
    // never read.
    const before = this.getWithoutEtag ? await this.stat(rel, { signal }) : undefined;
    const res = await this.http.request({ method: 'GET', path: this.abs(rel), signal });
    if (res.status === 404) {
      discard(res);
      return null;
    }
    if (res.status !== 200) throw this.http.fail(res, 'GET', rel);
    const data = await readBody(res, maxBytes, rel);
    if (!res.headers.etag) this.getWithoutEtag = true;
    const etag = res.headers.etag ?? before?.version;
    return { data, ...(etag ? { version: etag } : {}) };
  }

  /** PUT of a small buffer with optional precondition headers. */
  private async put(
    rel: string,
    data: Buffer,
    headers: Record<string, string> = {},
    scratch = false,
    signal?: AbortSignal,
  ): Promise<HttpResponse> {
    return this.http.request({
      method: 'PUT',
      path: this.abs(rel),
      headers: { 'Content-Type': 'application/octet-stream', ...headers },
      body: data,
      signal,
      // The probe's own scratch names may be written again after a silently closed connection.
      idempotent: scratch,
    });
  }

  private async versionAfterWrite(rel: string, res: HttpResponse, signal?: AbortSignal): Promise<{ version?: string }> {
    const etag = res.headers.etag;
    if (etag) return { version: etag };
    const st = await this.stat(rel, { signal });
    return st?.version ? { version: st.version } : {};
  }

  async writeSmall(
    rel: string,
    data: Buffer,
    opts: { ifVersion?: string | null } & CallOptions = {},
  ): Promise<{ version?: string }> {
    await this.open(opts);
    const res = await this.conditionalPut(rel, data, opts.ifVersion, opts.signal);
    if (res === 'precondition') throw httpError(412, { method: 'PUT', target: rel });
    return this.versionAfterWrite(rel, res, opts.signal);
  }

  /**
   * PUT under a precondition (undefined: none; null: must not exist; a version: must still be that version), as
   * strongly as this server allows:
   *  - If-Match / If-None-Match:* where the server enforces them (Apache); elsewhere (rclone) a stat just before.
   *  - Apache checks a condition and then writes, with a gap where a concurrent PUT passes the same check. Where the
   *    server enforces locks, an exclusive LOCK makes check + write one step: on the file itself for a replace; for a
   *    new file on its folder ('folder' mode) or on the missing file itself ('target' mode), as the probe measured.
   *  - No LOCK at all where the server does not advertise it or the probe found it unusable.
   */
  private async conditionalPut(
    rel: string,
    data: Buffer,
    ifVersion: string | null | undefined,
    signal?: AbortSignal,
  ): Promise<HttpResponse | 'precondition'> {
    if (ifVersion === undefined) return this.checkedPut(rel, data, {}, signal);
    const g = await this.guarantees({ signal });
    if (ifVersion === null && g.lockMode === 'target') return this.createUnderTargetLock(rel, data, signal);
    let cond: Record<string, string> = {};
    if (g.conditionalWrite)
      cond =
        ifVersion === null ? { 'If-None-Match': '*' } : { 'If-Match': await this.strongEtag(rel, ifVersion, signal) };
    const stillAsExpected = async () => {
      if (g.conditionalWrite) return true; // the server checks
      const cur = await this.stat(rel, { signal });
      return ifVersion === null ? !cur : !!cur && stripWeak(cur.version) === stripWeak(ifVersion);
    };
    if (!g.locks || (ifVersion === null && g.lockMode === null))
      return (await stillAsExpected()) ? this.checkedPut(rel, data, cond, signal) : 'precondition';
    const target = ifVersion === null ? this.parentOf(rel) : this.abs(rel);
    return this.withDavLock(target, signal, async (token, created) => {
      const ifHeader = `<${this.http.url(target)}> (${token})`;
      if (created) {
        // LOCK on a missing resource creates it empty: remove it. A missing file means the version we expected is
        // gone; a missing folder means the caller forgot mkdirp.
        discard(await this.http.request({ method: 'DELETE', path: target, headers: { If: ifHeader } }));
        if (ifVersion === null) throw httpError(409, { method: 'PUT', target: rel });
        return 'precondition';
      }
      return (await stillAsExpected()) ? this.checkedPut(rel, data, { ...cond, If: ifHeader }, signal) : 'precondition';
    });
  }

  /**
   * Exclusive create by locking the missing file itself (RFC 4918 9.10.4): the LOCK that answers 201 created it,
   * empty, and only its token can write it; a concurrent creator waits on 423 and then finds it there (200). An
   * existing EMPTY file whose lock we get is a creation whose writer died between LOCK and PUT (its lock expired):
   * no record is ever empty, so it is taken over. Readers treat an empty record as not there yet.
   */
  private async createUnderTargetLock(
    rel: string,
    data: Buffer,
    signal?: AbortSignal,
  ): Promise<HttpResponse | 'precondition'> {
    const path = this.abs(rel);
    return this.withDavLock(path, signal, async (token, created) => {
      if (!created) {
        const cur = await this.stat(rel, { signal });
        if (cur && cur.size > 0) return 'precondition';
      }
      try {
        return await this.checkedPut(rel, data, { If: `(${token})` }, signal);
      } catch (err) {
        // Leave no empty file behind for a create that did not happen (also after an abort: no signal here).
        if (created) {
          const del = await this.http
            .request({ method: 'DELETE', path, headers: { If: `(${token})` } })
            .catch(() => null);
          if (del) discard(del);
        }
        throw err;
      }
    });
  }

  private async checkedPut(
    rel: string,
    data: Buffer,
    headers: Record<string, string>,
    signal?: AbortSignal,
  ): Promise<HttpResponse | 'precondition'> {
    const res = await this.put(rel, data, headers, false, signal);
    discard(res);
    if (res.status === 412) return 'precondition';
    // 207 to a PUT is not success: mod_dav lists why it refused (a lock held by someone else, 423/424 inside).
    if (res.status === 207) throw httpError(423, { method: 'PUT', target: rel });
    if (!ok2xx(res.status)) throw this.http.fail(res, 'PUT', rel);
    return res;
  }

  /** URL path of the folder holding `rel`. */
  private parentOf(rel: string): string {
    const segs = relSegments(rel).slice(0, -1);
    return this.root + segs.map(enc).join('/') + (segs.length ? '/' : '');
  }

  /**
   * LOCK (exclusive, depth 0); `created`: the LOCK created an empty resource. 10 s: the locked section is one stat
   * and one small PUT, and a lock left by a killed process must not block other devices for long.
   */
  private async lock(path: string, scratch = false, signal?: AbortSignal): Promise<{ status: number; token?: string }> {
    const res = await this.http.request({
      method: 'LOCK',
      path,
      signal,
      // A LOCK on the probe's own scratch names may be sent again after a silently closed connection.
      idempotent: scratch,
      headers: { Depth: '0', Timeout: 'Second-10', 'Content-Type': 'application/xml; charset=utf-8' },
      body: Buffer.from(LOCK_BODY),
    });
    discard(res);
    const token = typeof res.headers['lock-token'] === 'string' ? res.headers['lock-token'].trim() : undefined;
    return { status: res.status, ...(token ? { token: token.startsWith('<') ? token : `<${token}>` } : {}) };
  }

  private async unlock(path: string, token: string): Promise<void> {
    discard(await this.http.request({ method: 'UNLOCK', path, headers: { 'Lock-Token': token } }));
  }

  /**
   * Runs `fn` holding an exclusive lock on `path`, waiting a little while someone else holds it. Always unlocks, even
   * after an abort (the UNLOCK itself takes no signal).
   */
  private async withDavLock<T>(
    path: string,
    signal: AbortSignal | undefined,
    fn: (token: string, created: boolean) => Promise<T>,
  ): Promise<T> {
    const deadline = Date.now() + LOCK_WAIT_MS;
    for (;;) {
      const l = await this.lock(path, false, signal);
      // 207: mod_dav lists a conflicting lock inside (another device's, on this resource or near it): busy too.
      if ((l.status === 423 || l.status === 207) && Date.now() < deadline) {
        await sleep(100 + Math.random() * 200);
        checkAborted(signal);
        continue;
      }
      if (l.status === 423 || l.status === 207 || l.status === 409 || l.status === 404)
        throw httpError(l.status === 207 ? 423 : l.status, { method: 'LOCK', target: showPath(path) });
      if (!ok2xx(l.status) || !l.token)
        throw protocolError(msg('webdav.server_not_grant_lock', { showPath: showPath(path), status: l.status }));
      try {
        return await fn(l.token, l.status === 201);
      } catch (err) {
        // Apache refuses a PUT under our folder lock with 207/423 while another device's probe holds a lock of its
        // own inside the folder (1 of ~6 first uses by 6 devices at once): nothing was written; wait and retry.
        if (!isSyncError(err, 'LOCKED') || Date.now() >= deadline) throw err;
      } finally {
        await this.unlock(path, l.token).catch(() => undefined);
      }
      await sleep(100 + Math.random() * 200);
      checkAborted(signal);
    }
  }

  /**
   * Apache marks an ETag weak (W/) for about a second after a write, and If-Match compares strongly, so a weak
   * token would always fail. Wait until the same ETag turns strong; a different one means someone wrote meanwhile.
   */
  private async strongEtag(rel: string, version: string, signal?: AbortSignal): Promise<string> {
    if (!version.startsWith('W/')) return version;
    for (let i = 0; i < 8; i++) {
      const cur = await this.stat(rel, { signal });
      if (!cur?.version || stripWeak(cur.version) !== stripWeak(version))
        throw httpError(412, { method: 'PUT', target: rel });
      if (!cur.version.startsWith('W/')) return cur.version;
      await sleep(300);
    }
    return stripWeak(version) ?? version;
  }

  async createExclusive(rel: string, data: Buffer, opts: CallOptions = {}): Promise<boolean> {
    await this.open(opts);
    return (await this.conditionalPut(rel, data, null, opts.signal)) !== 'precondition';
  }

  // ---------------------------------------------------------------- big files

  /** Verified upload (shared/upload.ts): PUT to a temp name, PROPFIND size and GET hash, then MOVE into place. */
  upload(
    localPath: string,
    rel: string,
    expected: { size: number; sha256: string },
    opts: TransferOptions & { replace?: boolean; verify?: UploadVerify } = {},
  ): Promise<UploadResult> {
    return uploadVerified(this, localPath, rel, expected, opts, {
      device: this.ctx.device,
      atomicWrite: webdav.capabilities.atomicWrite,
    });
  }

  /** PUT of the local file, hashed as it is sent (a retried body starts the hash again). */
  async writeFile(
    localPath: string,
    rel: string,
    opts: TransferOptions & { mode: WriteMode; expected?: { size: number } },
  ): Promise<{ size: number; sha256: string }> {
    await this.open({ signal: opts.signal });
    const size = (await fsStat(localPath)).size;
    let hash = createHash('sha256');
    let sent = 0;
    const res = await this.http.request({
      method: 'PUT',
      path: this.abs(rel),
      headers: {
        'Content-Type': 'application/octet-stream',
        ...(opts.mode === 'create' ? { 'If-None-Match': '*' } : {}),
      },
      signal: opts.signal,
      // A fresh temporary name: sending it again replaces only our own bytes.
      idempotent: opts.mode === 'temp',
      body:
        size === 0
          ? Buffer.alloc(0)
          : {
              file: localPath,
              length: size,
              onStart: () => {
                hash = createHash('sha256');
                sent = 0;
              },
              onData: (c: Buffer) => {
                hash.update(c);
                sent += c.length;
                opts.onProgress?.({ bytes: sent, total: size });
              },
            },
    });
    if (opts.mode === 'create' && res.status === 412) throw alreadyExists(rel);
    if (!ok2xx(res.status)) throw this.http.fail(res, 'PUT', rel);
    discard(res);
    return { size: sent, sha256: hash.digest('hex') };
  }

  /** GET of what is stored, hashed as it streams (nothing written to disk). */
  async hashRemote(rel: string, opts: TransferOptions = {}): Promise<{ size: number; sha256: string }> {
    await this.open(opts);
    return this.streamGet(rel, null, { signal: opts.signal, onProgress: opts.onProgress });
  }

  async download(rel: string, localPath: string, opts: TransferOptions = {}): Promise<DownloadResult> {
    await this.open(opts);
    try {
      // A large buffer lets the file stream batch the network's 64 KiB pieces into few writev calls.
      const sink = createWriteStream(localPath, { mode: 0o600, highWaterMark: 4 * MIB });
      await once(sink, 'open').catch((err: unknown) => {
        throw toSyncError(err); // cannot create the local file: no request at all
      });
      sink.on('error', () => undefined); // later errors reach pipeline(); none may go unhandled meanwhile
      return await this.streamGet(rel, sink, opts);
    } catch (err) {
      await unlink(localPath).catch(() => undefined);
      throw err;
    }
  }

  /** GET streamed into `sink` (or nowhere), hashing and counting; rejects on a short or dropped body. */
  private async streamGet(rel: string, sink: Writable | null, opts: TransferOptions): Promise<DownloadResult> {
    const res = await this.http.request({ method: 'GET', path: this.abs(rel), signal: opts.signal }).catch((err) => {
      sink?.destroy();
      throw err;
    });
    if (res.status !== 200) {
      sink?.destroy();
      throw this.http.fail(res, 'GET', rel);
    }
    const declared = Number(res.headers['content-length']);
    const total = Number.isFinite(declared) ? declared : undefined;
    const hash = createHash('sha256');
    let n = 0;
    // Hash and count on 'data' (no extra stream stage in the path); the file sink applies backpressure.
    res.body.on('data', (chunk: Buffer) => {
      hash.update(chunk);
      n += chunk.length;
      opts.onProgress?.({ bytes: n, ...(total !== undefined ? { total } : {}) });
    });
    try {
      if (sink) await pipeline(res.body, sink);
      else await finished(res.body);
    } catch (err) {
      res.body.destroy();
      // A local disk problem (full, read-only...) keeps its own meaning; anything else here is the connection.
      const local = ['ENOSPC', 'EDQUOT', 'EACCES', 'EPERM', 'EROFS', 'ENOENT', 'EISDIR'].includes(
        (err as NodeJS.ErrnoException).code ?? '',
      );
      // An abort mid-body destroys the response: Node reports that as a reset, but it was the caller's cancel.
      if (opts.signal?.aborted) throw cancelled(opts.signal);
      throw local ? toSyncError(err) : networkError(err, this.http.host);
    }
    if (total !== undefined && n !== total)
      throw networkError(Object.assign(new Error('short body'), { code: 'ECONNRESET' }), this.http.host);
    return { size: n, sha256: hash.digest('hex') };
  }

  async rename(from: string, to: string, opts: { replace?: boolean } & CallOptions = {}): Promise<void> {
    await this.open(opts);
    const res = await this.http.request({
      method: 'MOVE',
      path: this.abs(from),
      headers: { Destination: this.http.url(this.abs(to)), Overwrite: opts.replace ? 'T' : 'F' },
      signal: opts.signal,
    });
    discard(res);
    if (ok2xx(res.status)) return;
    // rclone answers 403 and chezdav 409 to a MOVE whose source is missing: that is NOT_FOUND, not a permission.
    if (
      (res.status === 403 || res.status === 409) &&
      !(await this.stat(from, { signal: opts.signal }).catch(() => 'unknown'))
    )
      throw httpError(404, { method: 'MOVE', target: from });
    if (res.status === 412 && !opts.replace) throw alreadyExists(to);
    throw this.http.fail(res, 'MOVE', `${from} -> ${to}`);
  }

  async remove(rel: string, opts: CallOptions = {}): Promise<void> {
    await this.open(opts);
    const res = await this.http.request({ method: 'DELETE', path: this.abs(rel), signal: opts.signal });
    discard(res);
    if (res.status === 404 || ok2xx(res.status)) return;
    throw this.http.fail(res, 'DELETE', rel);
  }

  // ---------------------------------------------------------------- capabilities and "Probar Conexión"

  /** The probe runs once for every caller (no signal: one caller's abort must not fail the shared answer). */
  async guarantees(opts: CallOptions = {}): Promise<ServerGuarantees> {
    checkAborted(opts.signal);
    this.probed ??= this.probeConditions().catch((err) => {
      this.probed = undefined;
      throw err;
    });
    return this.probed;
  }

  /**
   * What the server honours (conditions, locks, how a create is serialised): see capabilities.ts. Another device's
   * lock in the way is never cached as an answer: wait for it and ask again.
   */
  async probeConditions(): Promise<ServerGuarantees> {
    await this.open();
    const deadline = Date.now() + LOCK_WAIT_MS;
    for (;;) {
      const answer = await probeServer(this.probeOps(), this.ctx.device);
      if (answer !== 'busy') return answer;
      if (Date.now() >= deadline) throw httpError(423, { method: 'PUT', target: '.cordiax-probe' });
      await sleep(100 + Math.random() * 200);
    }
  }

  private probeOps(): ProbeOps {
    const status = async (p: Promise<HttpResponse>) => {
      const r = await p;
      discard(r);
      return r.status;
    };
    return {
      advertised: async () => {
        const r = await this.http.request({ method: 'OPTIONS', path: this.root });
        // (OPTIONS, MKCOL, DELETE and PROPFIND are resent after a silently closed connection by the HTTP layer.)
        discard(r);
        return { dav: String(r.headers.dav ?? ''), allow: String(r.headers.allow ?? '') };
      },
      mkcol: (rel) => status(this.http.request({ method: 'MKCOL', path: this.abs(rel, true) })),
      put: (rel, data, headers) => status(this.put(rel, data, headers, true)),
      version: async (rel) => (await this.stat(rel))?.version,
      lock: (rel, dir) => this.lock(this.abs(rel, dir), true),
      unlock: (rel, token, dir) => this.unlock(this.abs(rel, dir), token),
      url: (rel, dir) => this.http.url(this.abs(rel, dir)),
      removeTree: async (rel) => {
        // A lock of ours may outlive an interrupted probe by its 10 s timeout: retry a DELETE refused meanwhile.
        const end = Date.now() + 2 * LOCK_WAIT_MS;
        for (;;) {
          const s = await status(this.http.request({ method: 'DELETE', path: this.abs(rel, true) })).catch(() => 0);
          if (s === 404 || ok2xx(s) || Date.now() > end) return;
          await sleep(250);
        }
      },
    };
  }

  /** A fresh probe (not the cached one) for the connection test, which then becomes the cached answer. */
  async reprobe(): Promise<ServerGuarantees> {
    const p = this.probeConditions();
    this.probed = p;
    // The caller gets the failure; this handler only forgets it (and is not itself a rejecting promise).
    p.catch(() => {
      if (this.probed === p) this.probed = undefined;
    });
    return p;
  }

  test(): Promise<ConnectionReport> {
    return runConnectionTest(this);
  }

  /** OPTIONS on the configured URL: reachability, auth, DAV classes and the server's clock. */
  async options(): Promise<{ res: HttpResponse; dav: string; server: string; skewSeconds: number | null }> {
    const res = await this.http.request({ method: 'OPTIONS', path: this.urlPath });
    discard(res);
    if (!ok2xx(res.status)) throw this.http.fail(res, 'OPTIONS', this.urlPath);
    const date = Date.parse(String(res.headers.date ?? ''));
    return {
      res,
      dav: String(res.headers.dav ?? ''),
      server: String(res.headers.server ?? ''),
      skewSeconds: Number.isFinite(date) ? Math.round((date - res.localMidpoint) / 1000) : null,
    };
  }

  /** Raw PUT/GET used by the connection test. */
  async putRaw(rel: string, data: Buffer): Promise<void> {
    const res = await this.put(rel, data, {}, true); // the test's own scratch name: safe to send again
    discard(res);
    if (!ok2xx(res.status)) throw this.http.fail(res, 'PUT', rel);
  }

  describeRoot(): string {
    return `${this.http.secure ? 'https' : 'http'}://${this.http.host}${showPath(this.root)}`;
  }
}

function cancelled(signal: AbortSignal): SyncError {
  return new SyncError('CANCELLED', msg('common.operation_cancelled'), { cause: signal.reason });
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

function stripWeak(v: string | undefined): string | undefined {
  return v?.replace(/^W\//, '');
}
