/**
 * Every way a WebDAV exchange can fail, mapped in one place to a SyncError with a stable code, a Spanish message
 * first, an English one and a hint that says what to check. Nothing here ever includes a credential: callers pass
 * only the method, the URL path and the status.
 */
import { SyncError, type Text } from '../../errors.js';
import { msg } from '../../messages/index.js';

interface HttpErrorContext {
  method: string;
  /** URL path (or relative path) the request was for: shown to the user, never a credential. */
  target: string;
  /** Schemes the server offered in WWW-Authenticate (for a 401). */
  challenges?: string[];
  /** Location header of a redirect. */
  location?: string;
  /** Which auth scheme we used (for a 401). */
  scheme?: string;
  /** The configured URL's path. */
  basePath?: string;
}

const CHECK_URL: Text = msg('webdav.check_url');

/** A non-success HTTP status as a SyncError. */
export function httpError(status: number, ctx: HttpErrorContext): SyncError {
  const where = `${ctx.method} ${ctx.target}`;
  const details = {
    status,
    method: ctx.method,
    target: ctx.target,
    ...(ctx.location ? { location: ctx.location } : {}),
  };
  const err = (code: ConstructorParameters<typeof SyncError>[0], text: Text, hint: Text) =>
    new SyncError(code, text, { hint, details });
  switch (status) {
    case 401: {
      const offered = (ctx.challenges ?? []).map((c) => c.toLowerCase());
      if (ctx.scheme === 'basic' && offered.includes('digest') && !offered.includes('basic')) {
        return err('AUTH_FAILED', msg('webdav.http_401.digest_required'), msg('webdav.http_401.digest_required.hint'));
      }
      if (ctx.scheme === 'digest' && offered.length > 0 && !offered.includes('digest')) {
        return err(
          'AUTH_FAILED',
          msg('webdav.http_401.digest_not_offered', { offered: offered.join(', ') }),
          msg('webdav.http_401.digest_not_offered.hint'),
        );
      }
      return err('AUTH_FAILED', msg('webdav.http_401'), msg('webdav.http_401.hint'));
    }
    case 403:
      return err('PERMISSION_DENIED', msg('webdav.http_403', { target: ctx.target }), msg('webdav.http_403.hint'));
    case 404:
    case 410:
      return err('NOT_FOUND', msg('webdav.http_404', { status, target: ctx.target }), CHECK_URL);
    case 409:
      return err('NOT_FOUND', msg('webdav.http_409', { target: ctx.target }), CHECK_URL);
    case 405:
    case 501:
      return err(
        'NOT_SUPPORTED',
        msg('webdav.http_405', { method: ctx.method, target: ctx.target, status }),
        // "Use …/remote.php/dav" only to someone who did not type it already.
        /remote\.php\/(dav|webdav)/.test(`${ctx.basePath ?? ''} ${ctx.target}`)
          ? msg('truth.webdav_405_nextcloud_typed')
          : msg('webdav.http_405.hint'),
      );
    case 412:
      return err('PRECONDITION_FAILED', msg('webdav.http_412', { target: ctx.target }), msg('webdav.http_412.hint'));
    case 413:
      return err('TOO_LARGE', msg('webdav.http_413', { target: ctx.target }), msg('webdav.http_413.hint'));
    case 423:
      return err('LOCKED', msg('webdav.http_423', { target: ctx.target }), msg('webdav.http_423.hint'));
    case 507:
      return err('STORAGE_FULL', msg('webdav.http_507'), msg('webdav.http_507.hint'));
  }
  if (status >= 300 && status < 400) {
    return err(
      'PROTOCOL',
      msg('webdav.http_3xx', {
        where,
        status,
        location: ctx.location ? msg('webdav.http_3xx.location', { location: ctx.location }) : '',
      }),
      msg('webdav.http_3xx.hint'),
    );
  }
  if (status >= 500) {
    return err('PROTOCOL', msg('webdav.http_5xx', { status, where }), msg('webdav.http_5xx.hint'));
  }
  return err('PROTOCOL', msg('webdav.http_other', { status, where }), CHECK_URL);
}

const TLS_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_REVOKED',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'HOSTNAME_MISMATCH',
]);

/** A socket-level failure (DNS, refused, reset, timeout, TLS, abort) as a SyncError. */
export function networkError(err: unknown, host: string): SyncError {
  if (err instanceof SyncError) return err;
  const e = err as (NodeJS.ErrnoException & { reason?: string }) | undefined;
  const code = e?.code ?? '';
  const details = { host, cause: code || e?.name };
  const mk = (c: ConstructorParameters<typeof SyncError>[0], text: Text, hint: Text) =>
    new SyncError(c, text, { hint, details, cause: err });
  if (e?.name === 'AbortError' || code === 'ABORT_ERR') {
    return mk('CANCELLED', msg('common.transfer_cancelled'), msg('webdav.network.CANCELLED.hint'));
  }
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_NONAME') {
    return mk('DNS', msg('webdav.network.DNS', { host }), msg('webdav.network.DNS.hint'));
  }
  if (code === 'ECONNREFUSED') {
    return mk(
      'CONNECTION_REFUSED',
      msg('webdav.network.CONNECTION_REFUSED', { host }),
      msg('webdav.network.CONNECTION_REFUSED.hint'),
    );
  }
  if (code === 'ENETUNREACH' || code === 'EHOSTUNREACH' || code === 'EHOSTDOWN') {
    return mk(
      'CONNECTION_REFUSED',
      msg('webdav.network.no_route', { host, code }),
      msg('webdav.network.no_route.hint'),
    );
  }
  if (code === 'ETIMEDOUT' || code === 'ESOCKETTIMEDOUT' || code === 'UND_ERR_CONNECT_TIMEOUT') {
    return mk('TIMEOUT', msg('webdav.network.TIMEOUT', { host }), msg('webdav.network.TIMEOUT.hint'));
  }
  if (
    TLS_CODES.has(code) ||
    code.startsWith('ERR_SSL') ||
    code.startsWith('ERR_TLS') ||
    /certificate|ssl|tls/i.test(e?.message ?? '')
  ) {
    return mk('TLS', msg('webdav.network.TLS', { host, message: code || e?.message }), msg('webdav.network.TLS.hint'));
  }
  if (
    code === 'ECONNRESET' ||
    code === 'EPIPE' ||
    code === 'ERR_STREAM_PREMATURE_CLOSE' ||
    code === 'ECONNABORTED' ||
    code === 'HPE_INVALID_EOF_STATE'
  ) {
    return mk(
      'CONNECTION_RESET',
      msg('webdav.network.CONNECTION_RESET', { host }),
      msg('webdav.network.CONNECTION_RESET.hint'),
    );
  }
  if (code === 'HPE_INVALID_CONTENT_LENGTH' || code === 'HPE_UNEXPECTED_CONTENT_LENGTH') {
    // Measured: PyWebDAV (davserver) answers GET with both Content-Length and Transfer-Encoding: chunked unless it
    // runs with -T; curl tolerates it, a strict HTTP parser must not (it is how responses get mixed up).
    return mk('PROTOCOL', msg('webdav.length_and_chunked', { host, code }), msg('webdav.length_and_chunked.hint'));
  }
  if (code.startsWith('HPE_')) {
    return mk('PROTOCOL', msg('webdav.network.PROTOCOL', { host, code }), msg('webdav.network.PROTOCOL.hint'));
  }
  return mk(
    'INTERNAL',
    msg('webdav.network.INTERNAL', { host, message: e?.message ?? String(err) }),
    msg('webdav.network.INTERNAL.hint'),
  );
}

/** A server answer we cannot use (malformed XML, wrong length...). */
export function protocolError(text: Text, details?: Record<string, unknown>): SyncError {
  return new SyncError('PROTOCOL', text, {
    hint: msg('webdav.protocol_error.hint'),
    details,
  });
}

export function alreadyExists(rel: string): SyncError {
  return new SyncError('ALREADY_EXISTS', msg('webdav.already_exists_server', { rel }), {
    hint: msg('webdav.not_overwritten_next_sync_use'),
    details: { target: rel },
  });
}

/** A server answer larger than we accept (a hostile server cannot make us buffer without bound). */
export function tooBig(what: string, max: number): SyncError {
  return new SyncError('TOO_LARGE', msg('webdav.server_s_answer_exceeds', { what, max }), {
    hint: msg('webdav.url_point_right_server'),
  });
}
