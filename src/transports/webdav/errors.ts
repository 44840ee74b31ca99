/**
 * Every way a WebDAV exchange can fail, mapped in one place to a SyncError with a stable code, a Spanish message
 * first, an English one and a hint that says what to check. Nothing here ever includes a credential: callers pass
 * only the method, the URL path and the status.
 */
import { SyncError, type Text } from '../../errors.js';

export interface HttpErrorContext {
  method: string;
  /** URL path (or relative path) the request was for: shown to the user, never a credential. */
  target: string;
  /** Schemes the server offered in WWW-Authenticate (for a 401). */
  challenges?: string[];
  /** Location header of a redirect. */
  location?: string;
  /** Which auth scheme we used (for a 401). */
  scheme?: string;
}

const CHECK_URL: Text = {
  es: 'Revise la URL del servidor y la ruta remota en la configuración WebDAV.',
  en: 'Check the server URL and the remote path in the WebDAV settings.',
};

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
        return err(
          'AUTH_FAILED',
          {
            es: 'El servidor exige autenticación Digest y la configuración usa Basic (401).',
            en: 'The server requires Digest authentication and the settings use Basic (401).',
          },
          {
            es: 'Ponga "auth": "digest" (o "auto") en el bloque webdav de la configuración.',
            en: 'Set "auth": "digest" (or "auto") in the webdav block of the settings.',
          },
        );
      }
      if (ctx.scheme === 'digest' && offered.length > 0 && !offered.includes('digest')) {
        return err(
          'AUTH_FAILED',
          {
            es: `El servidor no ofrece autenticación Digest (ofrece: ${offered.join(', ')}) (401).`,
            en: `The server does not offer Digest authentication (it offers: ${offered.join(', ')}) (401).`,
          },
          {
            es: 'Quite "auth": "digest" de la configuración o use "auto".',
            en: 'Remove "auth": "digest" from the settings or use "auto".',
          },
        );
      }
      return err(
        'AUTH_FAILED',
        {
          es: 'Usuario o contraseña incorrectos: el servidor WebDAV rechazó las credenciales (401).',
          en: 'Wrong user name or password: the WebDAV server refused the credentials (401).',
        },
        {
          es: 'Revise el usuario y la contraseña. En Nextcloud/ownCloud con verificación en dos pasos, cree una contraseña de aplicación.',
          en: 'Check the user name and password. On Nextcloud/ownCloud with two-factor login, create an app password.',
        },
      );
    }
    case 403:
      return err(
        'PERMISSION_DENIED',
        {
          es: `El servidor denegó el acceso (403) a ${ctx.target}.`,
          en: `The server denied access (403) to ${ctx.target}.`,
        },
        {
          es: 'El usuario no tiene permiso sobre esa carpeta: revise los permisos en el servidor o la ruta remota.',
          en: 'The user has no permission on that folder: check the permissions on the server or the remote path.',
        },
      );
    case 404:
    case 410:
      return err(
        'NOT_FOUND',
        {
          es: `No existe en el servidor (${status}): ${ctx.target}.`,
          en: `Not found on the server (${status}): ${ctx.target}.`,
        },
        CHECK_URL,
      );
    case 409:
      return err(
        'NOT_FOUND',
        {
          es: `La carpeta que debería contener ${ctx.target} no existe (409).`,
          en: `The folder that should hold ${ctx.target} does not exist (409).`,
        },
        CHECK_URL,
      );
    case 405:
    case 501:
      return err(
        'NOT_SUPPORTED',
        {
          es: `El servidor no admite ${ctx.method} en ${ctx.target} (${status}).`,
          en: `The server does not allow ${ctx.method} on ${ctx.target} (${status}).`,
        },
        {
          es: '¿La URL apunta a un servidor WebDAV? En Nextcloud/ownCloud use https://servidor/remote.php/dav.',
          en: 'Does the URL point to a WebDAV server? On Nextcloud/ownCloud use https://server/remote.php/dav.',
        },
      );
    case 412:
      return err(
        'PRECONDITION_FAILED',
        {
          es: `Otro equipo modificó ${ctx.target} mientras tanto: no se sobrescribe (412).`,
          en: `Another device changed ${ctx.target} in the meantime: not overwriting (412).`,
        },
        {
          es: 'La próxima sincronización volverá a comparar las versiones.',
          en: 'The next sync will compare the versions again.',
        },
      );
    case 413:
      return err(
        'TOO_LARGE',
        {
          es: `El servidor rechaza un archivo tan grande (413): ${ctx.target}.`,
          en: `The server refuses a file this large (413): ${ctx.target}.`,
        },
        {
          es: 'Aumente el límite de subida del servidor (o del proxy que tenga delante).',
          en: 'Raise the upload limit of the server (or of the proxy in front of it).',
        },
      );
    case 423:
      return err(
        'LOCKED',
        {
          es: `El archivo está bloqueado en el servidor (423): ${ctx.target}.`,
          en: `The file is locked on the server (423): ${ctx.target}.`,
        },
        {
          es: 'Otro programa lo tiene bloqueado; espere a que termine o libere el bloqueo en el servidor.',
          en: 'Another program holds a lock on it; wait for it to finish or release the lock on the server.',
        },
      );
    case 507:
      return err(
        'STORAGE_FULL',
        { es: 'El servidor no tiene espacio suficiente (507).', en: 'The server has no space left (507).' },
        {
          es: 'Libere espacio o amplíe la cuota del usuario en el servidor.',
          en: 'Free some space or raise the user quota on the server.',
        },
      );
  }
  if (status >= 300 && status < 400) {
    return err(
      'PROTOCOL',
      {
        es: `El servidor redirige ${where} (${status})${ctx.location ? ` a ${ctx.location}` : ''}.`,
        en: `The server redirects ${where} (${status})${ctx.location ? ` to ${ctx.location}` : ''}.`,
      },
      {
        es: 'Use en la configuración la dirección final (por ejemplo https:// en lugar de http://).',
        en: 'Use the final address in the settings (for example https:// instead of http://).',
      },
    );
  }
  if (status >= 500) {
    return err(
      'PROTOCOL',
      { es: `Error del servidor WebDAV (${status}) en ${where}.`, en: `WebDAV server error (${status}) on ${where}.` },
      {
        es: 'Consulte el registro de errores del servidor; se reintentará en la próxima sincronización.',
        en: "Check the server's error log; the next sync will retry.",
      },
    );
  }
  return err(
    'PROTOCOL',
    {
      es: `Respuesta inesperada del servidor (${status}) en ${where}.`,
      en: `Unexpected server answer (${status}) on ${where}.`,
    },
    CHECK_URL,
  );
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
    return mk(
      'CANCELLED',
      { es: 'Transferencia cancelada.', en: 'Transfer cancelled.' },
      { es: 'Se reintentará en la próxima sincronización.', en: 'The next sync will retry.' },
    );
  }
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_NONAME') {
    return mk(
      'DNS',
      {
        es: `No se encuentra el servidor «${host}» (error de DNS).`,
        en: `The server "${host}" cannot be found (DNS error).`,
      },
      {
        es: 'Revise el nombre del servidor en la URL y la conexión a Internet.',
        en: 'Check the server name in the URL and the Internet connection.',
      },
    );
  }
  if (code === 'ECONNREFUSED') {
    return mk(
      'CONNECTION_REFUSED',
      { es: `El servidor ${host} rechazó la conexión.`, en: `The server ${host} refused the connection.` },
      {
        es: '¿Está en marcha el servidor? Revise el puerto en la URL y el cortafuegos.',
        en: 'Is the server running? Check the port in the URL and the firewall.',
      },
    );
  }
  if (code === 'ENETUNREACH' || code === 'EHOSTUNREACH' || code === 'EHOSTDOWN') {
    return mk(
      'CONNECTION_REFUSED',
      {
        es: `No hay ruta de red hasta el servidor ${host} (${code}).`,
        en: `There is no network route to the server ${host} (${code}).`,
      },
      {
        es: 'Revise la conexión de red de este equipo, la VPN y la dirección del servidor.',
        en: "Check this computer's network connection, the VPN and the server address.",
      },
    );
  }
  if (code === 'ETIMEDOUT' || code === 'ESOCKETTIMEDOUT' || code === 'UND_ERR_CONNECT_TIMEOUT') {
    return mk(
      'TIMEOUT',
      { es: `El servidor ${host} no respondió a tiempo.`, en: `The server ${host} did not answer in time.` },
      {
        es: 'Revise la conexión de red; si el servidor es lento, aumente timeout_seconds.',
        en: 'Check the network; if the server is slow, raise timeout_seconds.',
      },
    );
  }
  if (
    TLS_CODES.has(code) ||
    code.startsWith('ERR_SSL') ||
    code.startsWith('ERR_TLS') ||
    /certificate|ssl|tls/i.test(e?.message ?? '')
  ) {
    return mk(
      'TLS',
      {
        es: `No se puede verificar la conexión segura (TLS) con ${host}: ${code || e?.message}.`,
        en: `The secure (TLS) connection to ${host} cannot be verified: ${code || e?.message}.`,
      },
      {
        es: 'Si el servidor usa un certificado de una CA propia, indique su archivo PEM en ca_file. Compruebe también que el nombre de la URL coincide con el certificado.',
        en: "If the server uses a certificate from a private CA, give its PEM file in ca_file. Also check that the URL's host name matches the certificate.",
      },
    );
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
      {
        es: `La conexión con ${host} se cortó durante la transferencia.`,
        en: `The connection to ${host} dropped during the transfer.`,
      },
      {
        es: 'No se ha modificado nada en destino; se reintentará en la próxima sincronización.',
        en: 'Nothing was changed at the target; the next sync will retry.',
      },
    );
  }
  if (code === 'HPE_INVALID_CONTENT_LENGTH' || code === 'HPE_UNEXPECTED_CONTENT_LENGTH') {
    // Measured: PyWebDAV (davserver) answers GET with both Content-Length and Transfer-Encoding: chunked unless it
    // runs with -T; curl tolerates it, a strict HTTP parser must not (it is how responses get mixed up).
    return mk(
      'PROTOCOL',
      {
        es: `El servidor ${host} envía respuestas con Content-Length y Transfer-Encoding: chunked a la vez (${code}).`,
        en: `The server ${host} sends answers with both Content-Length and Transfer-Encoding: chunked (${code}).`,
      },
      {
        es: 'Si es PyWebDAV (davserver), arránquelo con la opción -T; si no, revise el servidor o el proxy intermedio.',
        en: 'If it is PyWebDAV (davserver), start it with the -T option; otherwise check the server or the proxy in between.',
      },
    );
  }
  if (code.startsWith('HPE_')) {
    return mk(
      'PROTOCOL',
      {
        es: `El servidor ${host} envió una respuesta HTTP no válida (${code}).`,
        en: `The server ${host} sent an invalid HTTP answer (${code}).`,
      },
      {
        es: '¿La URL apunta a un servidor WebDAV (http/https y puerto correctos)?',
        en: 'Does the URL point to a WebDAV server (right http/https and port)?',
      },
    );
  }
  return mk(
    'INTERNAL',
    {
      es: `Error de red inesperado con ${host}: ${e?.message ?? String(err)}`,
      en: `Unexpected network error with ${host}: ${e?.message ?? String(err)}`,
    },
    { es: 'Revise la conexión de red y la URL.', en: 'Check the network and the URL.' },
  );
}

/** A server answer we cannot use (malformed XML, wrong length...). */
export function protocolError(text: Text, details?: Record<string, unknown>): SyncError {
  return new SyncError('PROTOCOL', text, {
    hint: {
      es: '¿La URL apunta a un servidor WebDAV? Si el problema persiste, consulte el registro del servidor.',
      en: "Does the URL point to a WebDAV server? If it persists, check the server's log.",
    },
    details,
  });
}

export function localChanged(p: string): SyncError {
  return new SyncError(
    'VERIFY_FAILED',
    { es: `El archivo local cambió durante la subida: ${p}`, en: `The local file changed during the upload: ${p}` },
    {
      hint: {
        es: 'Se reintentará con una copia nueva en la próxima sincronización.',
        en: 'The next sync will retry with a fresh copy.',
      },
    },
  );
}

export function verifyFailed(rel: string, details: Record<string, unknown>): SyncError {
  return new SyncError(
    'VERIFY_FAILED',
    {
      es: `Lo que llegó al servidor no coincide con lo enviado (${rel}); no se ha reemplazado nada.`,
      en: `What reached the server does not match what was sent (${rel}); nothing was replaced.`,
    },
    {
      hint: {
        es: 'El servidor o un proxy altera las subidas (¿límite de tamaño, antivirus, Digest mal soportado?). Revise el registro del servidor.',
        en: 'The server or a proxy alters uploads (size limit, antivirus, broken Digest support?). Check the server log.',
      },
      details: { target: rel, ...details },
    },
  );
}

export function alreadyExists(rel: string): SyncError {
  return new SyncError(
    'ALREADY_EXISTS',
    { es: `Ya existe en el servidor: ${rel}`, en: `Already exists on the server: ${rel}` },
    {
      hint: {
        es: 'No se sobrescribe; la próxima sincronización usará otro nombre.',
        en: 'Not overwritten; the next sync will use another name.',
      },
      details: { target: rel },
    },
  );
}

/** A server answer larger than we accept (a hostile server cannot make us buffer without bound). */
export function tooBig(what: string, max: number): SyncError {
  return new SyncError(
    'TOO_LARGE',
    {
      es: `La respuesta del servidor para ${what} supera ${max} bytes.`,
      en: `The server's answer for ${what} exceeds ${max} bytes.`,
    },
    {
      hint: { es: '¿La URL apunta al servidor correcto?', en: 'Does the URL point to the right server?' },
    },
  );
}
