import type { Catalogue } from './text.js';

/** WebDAV: HTTP statuses and network errors, the probe ("Probar Conexión") and the transport. */
export const webdavMessages = {
  'webdav.step.create': {
    es: 'Crear un archivo solo si no existe (como la primera publicación)',
    en: 'Create a file only if absent (as the first publication does)',
  },
  'webdav.locks_enforced_mode': {
    es: 'El servidor respeta los bloqueos (423 sin el token): se usan para que las escrituras condicionales sean atómicas ({mode}).',
    en: 'The server enforces locks (423 without the token): they make conditional writes atomic ({mode}).',
  },
  'webdav.lock_mode.folder': { es: 'bloqueo de la carpeta', en: 'folder lock' },
  'webdav.lock_mode.target': { es: 'bloqueo del archivo nuevo', en: 'lock on the new file' },
  'webdav.locks_enforced_no_create_used': {
    es: 'El servidor respeta los bloqueos, pero no permite crear un archivo bajo un bloqueo: no se usan para crear.',
    en: 'The server enforces locks but does not let a file be created under a lock: not used to create.',
  },
  'webdav.created_twice': {
    es: 'El servidor dejó crear dos veces el mismo archivo "solo si no existe".',
    en: 'The server let the same file be created twice "only if absent".',
  },
  'webdav.lock_note.not_advertised': {
    es: 'El servidor no anuncia bloqueos (DAV sin clase 2, LOCK no está en Allow): no se envía LOCK.',
    en: 'The server does not advertise locks (DAV without class 2, LOCK not in Allow): no LOCK is sent.',
  },
  'webdav.lock_note.refused': {
    es: 'El servidor no admite bloqueos (no se usan).',
    en: 'The server does not support locks (not used).',
  },
  'webdav.lock_note.dropped': {
    es: 'El servidor corta la conexión al recibir LOCK: no se usan bloqueos.',
    en: 'The server drops the connection on LOCK: locks are not used.',
  },
  'webdav.lock_note.not_enforced': {
    es: 'El servidor acepta LOCK pero no lo hace respetar (no se usan).',
    en: 'The server accepts LOCK but does not enforce it (not used).',
  },
  'webdav.lock_note.no_create': {
    es: 'El servidor respeta los bloqueos, pero no permite crear un archivo bajo un bloqueo.',
    en: 'The server enforces locks but does not let a file be created under a lock.',
  },
  'webdav.no_conditional_create': {
    es: 'El servidor no deja crear un archivo nuevo de forma condicional: la primera publicación fallaría.',
    en: 'The server does not let a new file be created conditionally: the first publication would fail.',
  },
  'webdav.no_conditional_create.hint': {
    es: 'Informe de este servidor WebDAV (nombre y versión) al soporte de cordiax-sync.',
    en: 'Report this WebDAV server (name and version) to cordiax-sync support.',
  },
  'webdav.length_and_chunked': {
    es: 'El servidor {host} envía respuestas con Content-Length y Transfer-Encoding: chunked a la vez ({code}).',
    en: 'The server {host} sends answers with both Content-Length and Transfer-Encoding: chunked ({code}).',
  },
  'webdav.length_and_chunked.hint': {
    es: 'Si es PyWebDAV (davserver), arránquelo con la opción -T; si no, revise el servidor o el proxy intermedio.',
    en: 'If it is PyWebDAV (davserver), start it with the -T option; otherwise check the server or the proxy in between.',
  },
  'webdav.already_exists_server': {
    es: 'Ya existe en el servidor: {rel}',
    en: 'Already exists on the server: {rel}',
  },
  'webdav.authentication': {
    es: 'Autenticación',
    en: 'Authentication',
  },
  'webdav.cannot_read_ca_file': {
    es: 'No se puede leer el archivo de CA {caFile}.',
    en: 'Cannot read the CA file {caFile}.',
  },
  'webdav.change_remote_path': {
    es: 'Cambie la ruta remota.',
    en: 'Change the remote path.',
  },
  'webdav.check_ca_file_path': {
    es: 'Revise la ruta de ca_file (un archivo PEM legible).',
    en: 'Check the ca_file path (a readable PEM file).',
  },
  'webdav.check_url': {
    es: 'Revise la URL del servidor y la ruta remota en la configuración WebDAV.',
    en: 'Check the server URL and the remote path in the WebDAV settings.',
  },
  'webdav.clock_difference_server_s': {
    es: 'Diferencia de reloj con el servidor: {skew} s.',
    en: 'Clock difference with the server: {skew} s.',
  },
  'webdav.conditional_writes_if_match': {
    es: 'Escrituras condicionales (If-Match / If-None-Match)',
    en: 'Conditional writes (If-Match / If-None-Match)',
  },
  'webdav.connected_webdav': {
    es: 'Conectado a WebDAV {host}{rootPath}',
    en: 'Connected to WebDAV {host}{rootPath}',
  },
  'webdav.connection_server': {
    es: 'Conexión con el servidor',
    en: 'Connection to the server',
  },
  'webdav.delete': {
    es: 'Borrarlo',
    en: 'Delete it',
  },
  'webdav.enter_full_folder_url': {
    es: 'Escriba la URL completa de la carpeta, p. ej. https://servidor/remote.php/dav/files/USUARIO/.',
    en: 'Enter the full folder URL, e.g. https://server/remote.php/dav/files/USER/.',
  },
  'webdav.exists_file_not_folder': {
    es: '{full} existe y es un archivo, no una carpeta.',
    en: '{full} exists and is a file, not a folder.',
  },
  'webdav.fix_time_automatic_time': {
    es: 'Ajuste la hora (sincronización automática) en este equipo o en el servidor.',
    en: 'Fix the time (automatic time sync) on this computer or on the server.',
  },
  'webdav.guarantee_publishing_versions': {
    es: 'Garantía para publicar versiones',
    en: 'Guarantee for publishing versions',
  },
  'webdav.http_3xx': {
    es: 'El servidor redirige {where} ({status}){location}.',
    en: 'The server redirects {where} ({status}){location}.',
  },
  'webdav.http_3xx.hint': {
    es: 'Use en la configuración la dirección final (por ejemplo https:// en lugar de http://).',
    en: 'Use the final address in the settings (for example https:// instead of http://).',
  },
  'webdav.http_3xx.location': {
    es: ' a {location}',
    en: ' to {location}',
  },
  'webdav.http_401': {
    es: 'Usuario o contraseña incorrectos: el servidor WebDAV rechazó las credenciales (401).',
    en: 'Wrong user name or password: the WebDAV server refused the credentials (401).',
  },
  'webdav.http_401.digest_not_offered': {
    es: 'El servidor no ofrece autenticación Digest (ofrece: {offered}) (401).',
    en: 'The server does not offer Digest authentication (it offers: {offered}) (401).',
  },
  'webdav.http_401.digest_not_offered.hint': {
    es: 'Quite "auth": "digest" de la configuración o use "auto".',
    en: 'Remove "auth": "digest" from the settings or use "auto".',
  },
  'webdav.http_401.digest_required': {
    es: 'El servidor exige autenticación Digest y la configuración usa Basic (401).',
    en: 'The server requires Digest authentication and the settings use Basic (401).',
  },
  'webdav.http_401.digest_required.hint': {
    es: 'Ponga "auth": "digest" (o "auto") en el bloque webdav de la configuración.',
    en: 'Set "auth": "digest" (or "auto") in the webdav block of the settings.',
  },
  'webdav.http_401.hint': {
    es: 'Revise el usuario y la contraseña. En Nextcloud/ownCloud con verificación en dos pasos, cree una contraseña de aplicación.',
    en: 'Check the user name and password. On Nextcloud/ownCloud with two-factor login, create an app password.',
  },
  'webdav.http_403': {
    es: 'El servidor denegó el acceso (403) a {target}.',
    en: 'The server denied access (403) to {target}.',
  },
  'webdav.http_403.hint': {
    es: 'El usuario no tiene permiso sobre esa carpeta: revise los permisos en el servidor o la ruta remota.',
    en: 'The user has no permission on that folder: check the permissions on the server or the remote path.',
  },
  'webdav.http_404': {
    es: 'No existe en el servidor ({status}): {target}.',
    en: 'Not found on the server ({status}): {target}.',
  },
  'webdav.http_405': {
    es: 'El servidor no admite {method} en {target} ({status}).',
    en: 'The server does not allow {method} on {target} ({status}).',
  },
  'webdav.http_405.hint': {
    es: '¿La URL apunta a un servidor WebDAV? En Nextcloud/ownCloud use https://servidor/remote.php/dav.',
    en: 'Does the URL point to a WebDAV server? On Nextcloud/ownCloud use https://server/remote.php/dav.',
  },
  'webdav.http_409': {
    es: 'La carpeta que debería contener {target} no existe (409).',
    en: 'The folder that should hold {target} does not exist (409).',
  },
  'webdav.http_412': {
    es: 'Otro equipo modificó {target} mientras tanto: no se sobrescribe (412).',
    en: 'Another device changed {target} in the meantime: not overwriting (412).',
  },
  'webdav.http_412.hint': {
    es: 'La próxima sincronización volverá a comparar las versiones.',
    en: 'The next sync will compare the versions again.',
  },
  'webdav.http_413': {
    es: 'El servidor rechaza un archivo tan grande (413): {target}.',
    en: 'The server refuses a file this large (413): {target}.',
  },
  'webdav.http_413.hint': {
    es: 'Aumente el límite de subida del servidor (o del proxy que tenga delante).',
    en: 'Raise the upload limit of the server (or of the proxy in front of it).',
  },
  'webdav.http_423': {
    es: 'El archivo está bloqueado en el servidor (423): {target}.',
    en: 'The file is locked on the server (423): {target}.',
  },
  'webdav.http_423.hint': {
    es: 'Otro programa lo tiene bloqueado; espere a que termine o libere el bloqueo en el servidor.',
    en: 'Another program holds a lock on it; wait for it to finish or release the lock on the server.',
  },
  'webdav.http_507': {
    es: 'El servidor no tiene espacio suficiente (507).',
    en: 'The server has no space left (507).',
  },
  'webdav.http_507.hint': {
    es: 'Libere espacio o amplíe la cuota del usuario en el servidor.',
    en: 'Free some space or raise the user quota on the server.',
  },
  'webdav.http_5xx': {
    es: 'Error del servidor WebDAV ({status}) en {where}.',
    en: 'WebDAV server error ({status}) on {where}.',
  },
  'webdav.http_5xx.hint': {
    es: 'Consulte el registro de errores del servidor; se reintentará en la próxima sincronización.',
    en: "Check the server's error log; the next sync will retry.",
  },
  'webdav.http_other': {
    es: 'Respuesta inesperada del servidor ({status}) en {where}.',
    en: 'Unexpected server answer ({status}) on {where}.',
  },
  'webdav.invalid_relative_path': {
    es: 'Ruta relativa no válida: {rel}',
    en: 'Invalid relative path: {rel}',
  },
  'webdav.invalid_remote_path': {
    es: 'Ruta remota no válida: {path}',
    en: 'Invalid remote path: {path}',
  },
  'webdav.local_file_changed_during': {
    es: 'El archivo local cambió durante la subida: {path}',
    en: 'The local file changed during the upload: {path}',
  },
  'webdav.locks_lock': {
    es: 'Bloqueos (LOCK)',
    en: 'Locks (LOCK)',
  },
  'webdav.must_start_http_https': {
    es: 'Debe empezar por http:// o https:// (ej: https://cloud.example.com/remote.php/dav).',
    en: 'It must start with http:// or https:// (e.g. https://cloud.example.com/remote.php/dav).',
  },
  'webdav.network.CANCELLED.hint': {
    es: 'Se reintentará en la próxima sincronización.',
    en: 'The next sync will retry.',
  },
  'webdav.network.CONNECTION_REFUSED': {
    es: 'El servidor {host} rechazó la conexión.',
    en: 'The server {host} refused the connection.',
  },
  'webdav.network.CONNECTION_REFUSED.hint': {
    es: '¿Está en marcha el servidor? Revise el puerto en la URL y el cortafuegos.',
    en: 'Is the server running? Check the port in the URL and the firewall.',
  },
  'webdav.network.CONNECTION_RESET': {
    es: 'La conexión con {host} se cortó durante la transferencia.',
    en: 'The connection to {host} dropped during the transfer.',
  },
  'webdav.network.CONNECTION_RESET.hint': {
    es: 'No se ha modificado nada en destino; se reintentará en la próxima sincronización.',
    en: 'Nothing was changed at the target; the next sync will retry.',
  },
  'webdav.network.DNS': {
    es: 'No se encuentra el servidor «{host}» (error de DNS).',
    en: 'The server "{host}" cannot be found (DNS error).',
  },
  'webdav.network.DNS.hint': {
    es: 'Revise el nombre del servidor en la URL y la conexión a Internet.',
    en: 'Check the server name in the URL and the Internet connection.',
  },
  'webdav.network.INTERNAL': {
    es: 'Error de red inesperado con {host}: {message}',
    en: 'Unexpected network error with {host}: {message}',
  },
  'webdav.network.INTERNAL.hint': {
    es: 'Revise la conexión de red y la URL.',
    en: 'Check the network and the URL.',
  },
  'webdav.network.PROTOCOL': {
    es: 'El servidor {host} envió una respuesta HTTP no válida ({code}).',
    en: 'The server {host} sent an invalid HTTP answer ({code}).',
  },
  'webdav.network.PROTOCOL.hint': {
    es: '¿La URL apunta a un servidor WebDAV (http/https y puerto correctos)?',
    en: 'Does the URL point to a WebDAV server (right http/https and port)?',
  },
  'webdav.network.TIMEOUT': {
    es: 'El servidor {host} no respondió a tiempo.',
    en: 'The server {host} did not answer in time.',
  },
  'webdav.network.TIMEOUT.hint': {
    es: 'Revise la conexión de red; si el servidor es lento, aumente timeout_seconds.',
    en: 'Check the network; if the server is slow, raise timeout_seconds.',
  },
  'webdav.network.TLS': {
    es: 'No se puede verificar la conexión segura (TLS) con {host}: {message}.',
    en: 'The secure (TLS) connection to {host} cannot be verified: {message}.',
  },
  'webdav.network.TLS.hint': {
    es: 'Si el servidor usa un certificado de una CA propia, indique su archivo PEM en ca_file. Compruebe también que el nombre de la URL coincide con el certificado.',
    en: "If the server uses a certificate from a private CA, give its PEM file in ca_file. Also check that the URL's host name matches the certificate.",
  },
  'webdav.network.no_route': {
    es: 'No hay ruta de red hasta el servidor {host} ({code}).',
    en: 'There is no network route to the server {host} ({code}).',
  },
  'webdav.network.no_route.hint': {
    es: 'Revise la conexión de red de este equipo, la VPN y la dirección del servidor.',
    en: "Check this computer's network connection, the VPN and the server address.",
  },
  'webdav.next_sync_retry_fresh': {
    es: 'Se reintentará con una copia nueva en la próxima sincronización.',
    en: 'The next sync will retry with a fresh copy.',
  },
  'webdav.not_overwritten_next_sync_use': {
    es: 'No se sobrescribe; la próxima sincronización usará otro nombre.',
    en: 'Not overwritten; the next sync will use another name.',
  },
  'webdav.probe_file_read_back': {
    es: 'El archivo de prueba leído no coincide con el escrito.',
    en: 'The probe file read back differs from what was written.',
  },
  'webdav.probe_file_still_exists': {
    es: 'El archivo de prueba sigue existiendo tras borrarlo.',
    en: 'The probe file still exists after deleting it.',
  },
  'webdav.propfind_answer_without_entries': {
    es: 'Respuesta PROPFIND sin entradas para {what}.',
    en: 'PROPFIND answer without entries for {what}.',
  },
  'webdav.protocol_error.hint': {
    es: '¿La URL apunta a un servidor WebDAV? Si el problema persiste, consulte el registro del servidor.',
    en: "Does the URL point to a WebDAV server? If it persists, check the server's log.",
  },
  'webdav.read_back_compare': {
    es: 'Leerlo y comparar',
    en: 'Read it back and compare',
  },
  'webdav.remote_folder_created_if': {
    es: 'Carpeta remota (creada si falta)',
    en: 'Remote folder (created if missing)',
  },
  'webdav.remote_folder_ready': {
    es: 'Carpeta remota lista: {describeRoot}',
    en: 'Remote folder ready: {describeRoot}',
  },
  'webdav.remote_path_must_not_contain': {
    es: "La ruta remota no puede contener '..' ni caracteres de control.",
    en: "The remote path must not contain '..' or control characters.",
  },
  'webdav.remove_them_url_enter': {
    es: 'Quítelos de la URL y escríbalos en los campos Usuario y Contraseña.',
    en: 'Remove them from the URL and enter them in the User and Password fields.',
  },
  'webdav.rename_move': {
    es: 'Renombrarlo (MOVE)',
    en: 'Rename it (MOVE)',
  },
  'webdav.server_enforces_if_match': {
    es: 'El servidor respeta If-Match e If-None-Match: protección contra escrituras simultáneas.',
    en: 'The server enforces If-Match and If-None-Match: protection against concurrent writes.',
  },
  'webdav.server_not_enforce_conditional_writes': {
    es: 'El servidor NO respeta las escrituras condicionales (If-Match/If-None-Match): se usará solo la comprobación de generación del manifiesto.',
    en: 'The server does NOT enforce conditional writes (If-Match/If-None-Match): only the manifest generation check will be used.',
  },
  'webdav.server_not_give_time_date': {
    es: 'El servidor no indica su hora (cabecera Date).',
    en: 'The server does not give its time (Date header).',
  },
  'webdav.server_not_grant_lock': {
    es: 'El servidor no concedió el bloqueo de {showPath} ({status}).',
    en: 'The server did not grant the lock on {showPath} ({status}).',
  },
  'webdav.server_not_tell_user_s': {
    es: 'El servidor no indica la carpeta del usuario (current-user-principal).',
    en: "The server does not tell the user's folder (current-user-principal).",
  },
  'webdav.server_proxy_alters_files': {
    es: 'El servidor o un proxy altera los archivos; revise su configuración.',
    en: 'The server or a proxy alters files; check its configuration.',
  },
  'webdav.server_s_answer_exceeds': {
    es: 'La respuesta del servidor para {what} supera {max} bytes.',
    en: "The server's answer for {what} exceeds {max} bytes.",
  },
  'webdav.server_s_clock': {
    es: 'Reloj del servidor',
    en: "Server's clock",
  },
  'webdav.server_s_clock_differs': {
    es: 'El reloj del servidor difiere {skew} s del de este equipo.',
    en: "The server's clock differs by {skew} s from this computer's.",
  },
  'webdav.url_point_right_server': {
    es: '¿La URL apunta al servidor correcto?',
    en: 'Does the URL point to the right server?',
  },
  'webdav.user_folder': {
    es: 'Carpeta del usuario',
    en: "User's folder",
  },
  'webdav.user_folder_base': {
    es: 'Carpeta del usuario: {base}',
    en: "User's folder: {base}",
  },
  'webdav.webdav_transport_not_opened': {
    es: 'Transporte WebDAV sin abrir.',
    en: 'WebDAV transport not opened.',
  },
  'webdav.webdav_url_must_not_contain': {
    es: 'La URL WebDAV no debe llevar usuario ni contraseña.',
    en: 'The WebDAV URL must not contain a user name or password.',
  },
  'webdav.webdav_url_not_valid': {
    es: 'La URL WebDAV no es válida: {url}',
    en: 'The WebDAV URL is not valid: {url}',
  },
  'webdav.write_probe_file': {
    es: 'Escribir archivo de prueba',
    en: 'Write a probe file',
  },
} as const satisfies Catalogue;
