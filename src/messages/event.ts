import type { Catalogue } from './text.js';

/** The sync log: one message per event code (`event.<CODE>`, variants as `event.<CODE>.<variant>`). */
export const eventMessages = {
  'event.UI_REMOTE': {
    es: '¡ATENCIÓN! La interfaz web escucha en {url}, fuera de este equipo (ui.allow_remote): cualquiera en la red puede intentar entrar, y el código de acceso y las contraseñas viajan sin cifrar (HTTP). Úsela solo en una red de confianza, o active HTTPS (cordiax-sync ui certificate; ui.tls_cert_file y ui.tls_key_file).',
    en: 'WARNING! The web interface listens on {url}, beyond this machine (ui.allow_remote): anyone on the network may try to get in, and the access code and passwords travel unencrypted (HTTP). Use it only on a trusted network, or turn on HTTPS (cordiax-sync ui certificate; ui.tls_cert_file and ui.tls_key_file).',
  },
  'event.COMMIT_RACE_UNSETTLED': {
    es: 'La versión {generation} se ha publicado sin esperar más a otros intentos que siguen en el servidor ({files}): si alguno la hubiera reemplazado, la comprobación de linaje lo detectará en la próxima sincronización.',
    en: 'Version {generation} was published without waiting longer for other attempts still on the server ({files}): had one replaced it, the lineage check will catch it on the next sync.',
  },
  'event.AUTO_DISABLED': {
    es: 'La sincronización automática está desactivada ("Habilitar sincronización automática").',
    en: 'Automatic sync is disabled ("Enable automatic sync").',
  },
  'event.AUTO_STARTED': {
    es: 'Sincronización automática iniciada ({protocol}, cada {polling_interval} s).',
    en: 'Automatic sync started ({protocol}, every {polling_interval} s).',
  },
  'event.AUTO_STOPPED': {
    es: 'Sincronización automática detenida.',
    en: 'Automatic sync stopped.',
  },
  'event.COMMIT_LOST_RACE': {
    es: 'Otro equipo publicó la versión {generation} antes que este: no se ha sobrescrito nada; se tratará como conflicto.',
    en: 'Another device published version {generation} first: nothing was overwritten; it is handled as a conflict.',
  },
  'event.CONFIG_SAVED': {
    es: 'Configuración guardada.',
    en: 'Configuration saved.',
  },
  'event.CONFLICT': {
    es: '¡CONFLICTO! {text}',
    en: 'CONFLICT! {text}',
  },
  'event.CONFLICT_RESOLVED_LOCAL': {
    es: 'Conflicto resuelto: se conserva la versión local; se enviará en la próxima sincronización.',
    en: 'Conflict resolved: the local version is kept; it will be sent on the next sync.',
  },
  'event.CONFLICT_RESOLVED_REMOTE': {
    es: 'Conflicto resuelto: la versión del servidor sustituye a la local (copia de seguridad de la local{where}).',
    en: "Conflict resolved: the server's version replaces the local one (backup of the local one{where}).",
  },
  'event.CONFLICT_UNRESOLVED': {
    es: 'Hay un conflicto sin resolver: la versión remota está en {copyPath}. Decida en la interfaz («Conservar las dos», «Usar la de este equipo», «Usar la del servidor») o con "cordiax-sync resolve --keep both|local|remote".',
    en: 'There is an unresolved conflict: the remote version is at {copyPath}. Decide in the interface (“Keep both”, “Use this computer’s”, “Use the server’s”) or with "cordiax-sync resolve --keep both|local|remote".',
  },
  'event.EMBEDDED_SERVER': {
    es: 'No había ningún servidor en {server_url}: se inició el servidor de sincronización integrado en 127.0.0.1:{port} (datos en {storageDir}).',
    en: 'No server was listening at {server_url}: started the embedded sync server on 127.0.0.1:{port} (data in {storageDir}).',
  },
  'event.EMBEDDED_SERVER_FAILED': {
    es: 'No se pudo iniciar el servidor local: {message}',
    en: 'Could not start the local server: {message}',
  },
  'event.HEARTBEAT': {
    es: 'El servidor no responde: se reconecta.',
    en: 'The server does not answer: reconnecting.',
  },
  'event.LINEAGE_GENERATION_WENT_BACK': {
    es: 'El servidor volvió de la versión {seen} a la {generation}: probablemente se restauró una copia de seguridad antigua. No se descarga ni se envía nada sin su confirmación.',
    en: 'The server went back from version {seen} to {generation}: an older backup was probably restored. Nothing is downloaded or sent without your confirmation.',
  },
  'event.LINEAGE_HISTORY_REWRITTEN': {
    es: 'La versión {generation}, que este equipo descargó, ya no está en el historial del remoto: el historial fue reescrito. Se conservan las dos copias.',
    en: "Version {generation}, which this device downloaded, is no longer in the remote's history: the history was rewritten. Both copies are kept.",
  },
  'event.LINEAGE_LOCAL_IS_OLDER_VERSION': {
    es: 'La base de datos local es igual a la versión remota {generation}, más antigua que la actual ({generation2}): se actualiza desde el remoto en lugar de enviarla.',
    en: 'The local database equals remote version {generation}, older than the current one ({generation2}): it is updated from the remote instead of being sent.',
  },
  'event.LINEAGE_MANIFEST_DISAPPEARED': {
    es: 'El remoto está vacío, pero este equipo ya sincronizó con él (versión {seen}): alguien lo borró o vació. No se envía nada hasta que usted lo confirme.',
    en: 'The remote is empty, but this device synced with it before (version {seen}): someone deleted or emptied it. Nothing is sent until you confirm.',
  },
  'event.LINEAGE_OUR_COMMIT_LOST': {
    es: 'La versión {generation}, que este equipo envió, ya no está en el historial del remoto: otro equipo la reemplazó. Se conserva la base de datos local y se guarda la remota aparte.',
    en: "Version {generation}, which this device sent, is no longer in the remote's history: another device replaced it. The local database is kept and the remote one is saved beside it.",
  },
  'event.LINEAGE_REMOTE_IDENTITY_CHANGED': {
    es: 'El remoto ya no es el mismo (identidad {remote_id} en lugar de {remoteId}): fue recreado o apunta a otra carpeta. Se conservan las dos copias.',
    en: 'The remote is not the same any more (identity {remote_id} instead of {remoteId}): it was recreated or points to another folder. Both copies are kept.',
  },
  'event.LOCAL_BACKUP': {
    es: 'Copia de seguridad de la base de datos local guardada en {where}.',
    en: 'Backup of the local database kept at {where}.',
  },
  'event.LOCAL_IDENTITY_CHANGED': {
    es: 'El archivo de la base de datos local no es el de la última sincronización (¿se copió el estado de otro equipo o se sustituyó el archivo?). No se envía: se trata como un conflicto.',
    en: 'The local database file is not the one of the last sync (was the state copied from another computer, or the file replaced?). Not sent: treated as a conflict.',
  },
  'event.MANIFEST': {
    es: 'Manifiesto ilegible para «{databaseId}».',
    en: 'Unreadable manifest for "{databaseId}".',
  },
  'event.MANIFEST_LAGGING': {
    es: 'La versión {generation} está publicada (registro {generation2}), pero no se pudo actualizar {MANIFEST_FILE}: {message}',
    en: 'Version {generation} is published (record {generation2}), but {MANIFEST_FILE} could not be updated: {message}',
  },
  'event.NAMESPACE_SLASH': {
    es: 'El namespace «{namespace}» no termina en «/»: se usa «{namespace}/» (el servidor del ejemplo lo exige).',
    en: 'The namespace "{namespace}" lacks the trailing "/": using "{namespace}/" (the spec\'s server requires it).',
  },
  'event.NO_LOCAL_DATABASE': {
    es: 'No hay base de datos local que sincronizar ({databasePath} no existe o está vacía) y el servidor aún no tiene ninguna.',
    en: 'There is no local database to sync ({databasePath} is missing or empty) and the server holds none yet.',
  },
  'event.PLAINTEXT_HTTP': {
    es: 'La conexión con {host} no está cifrada (http://): la contraseña y la base de datos viajan en claro por la red. Use https:// si el servidor lo permite.',
    en: 'The connection to {host} is not encrypted (http://): the password and the database cross the network in clear. Use https:// if the server allows it.',
  },
  'event.PLAINTEXT_REFUSED': {
    es: 'Se ha bloqueado un envío: la encriptación está activada y los datos no están cifrados. No se ha enviado nada.',
    en: 'An upload was blocked: encryption is on and the data is not encrypted. Nothing was sent.',
  },
  'event.PRUNE_FAILED': {
    es: 'No se pudieron borrar versiones antiguas: {message}',
    en: 'Could not delete old versions: {message}',
  },
  'event.PULL_PENDING': {
    es: 'Hay una versión remota cifrada (la {generation}) pero no hay identidad para descifrarla: queda pendiente en {keep}. Configure encryption.identity_file.',
    en: 'Encrypted remote version {generation} cannot be decrypted without an identity: kept pending at {keep}. Set encryption.identity_file.',
  },
  'event.PUSH_WOULD_WIPE_ROWS': {
    es: 'No se envía la base de datos local: tiene {rows} filas y la versión del servidor {before}. Se trata como un conflicto; si es lo que quiere, elija «Usar la de este equipo».',
    en: "The local database is not sent: it has {rows} rows and the server's version {before}. It is treated as a conflict; if this is what you want, choose “Use this computer’s”.",
  },
  'event.REDIS': {
    es: 'Redis: {message}',
    en: 'Redis: {message}',
  },
  'event.REMOTE_PLAINTEXT': {
    es: 'La copia remota no está cifrada pero la encriptación está activada: la próxima subida será cifrada.',
    en: 'The remote copy is not encrypted but encryption is on: the next upload will be encrypted.',
  },
  'event.RESUME': {
    es: 'Conexión perdida: se reanuda la transferencia al reconectar.',
    en: 'Connection lost: the transfer resumes on reconnect.',
  },
  'event.SAMPLE_DB_CREATED': {
    es: 'Base de datos de ejemplo creada en {file}.',
    en: 'Sample database created at {file}.',
  },
  'event.SCHEDULER.syncing': {
    es: 'Sincronizando…',
    en: 'Syncing…',
  },
  'event.SCHEDULER.waiting': {
    es: 'En espera.',
    en: 'Waiting.',
  },
  'event.SERVER_ERROR': {
    es: 'Error del servidor: {message}',
    en: 'Server error: {message}',
  },
  'event.SERVER_STARTED': {
    es: 'Servidor de sincronización en {url} (almacén: {storageDir}; {auth}{redis}).',
    en: 'Sync server at {url} (storage: {storageDir}; {auth}{redis}).',
  },
  'event.STALE_LOCK_REMOVED': {
    es: 'Se elimina un bloqueo remoto caducado (según la hora del servidor) de {holder}.',
    en: "Removing a remote lock held by {holder}, expired by the server's clock.",
  },
  'event.STORED': {
    es: 'Nueva versión de «{databaseId}» desde {device}.',
    en: 'New version of "{databaseId}" from {device}.',
  },
  'event.SYNC_CONFLICT': {
    es: 'Sincronización detenida por un conflicto (ver {copyPath}).',
    en: 'Sync stopped by a conflict (see {copyPath}).',
  },
  'event.SYNC_NONE': {
    es: 'Sincronización terminada: sin cambios.',
    en: 'Sync finished: no changes.',
  },
  'event.SYNC_PENDING': {
    es: 'Sincronización terminada: hay una versión remota pendiente de descifrar.',
    en: 'Sync finished: a remote version is waiting to be decrypted.',
  },
  'event.SYNC_PULL': {
    es: 'Sincronización terminada: recibida la versión remota {generation} ({size}).',
    en: 'Sync finished: remote version {generation} received ({size}).',
  },
  'event.SYNC_PUSH': {
    es: 'Sincronización terminada: enviada la versión local ({size}), ahora versión {generation} en el servidor.',
    en: 'Sync finished: local version sent ({size}), now version {generation} on the server.',
  },
  'event.DELTA_FULL_PUSH': {
    es: 'Se envía la base de datos completa en lugar de las páginas cambiadas ({reason}).',
    en: 'Sending the whole database instead of the changed pages ({reason}).',
  },
  'event.LIVE_READING': {
    es: 'Base de datos leída en su sitio: {pages} páginas cambiadas.',
    en: 'Database read in place: {pages} pages changed.',
  },
  'event.LIVE_READING_REFUSED': {
    es: 'La base de datos no se pudo leer en su sitio ({why}): se toma una copia.',
    en: 'The database could not be read in place ({why}): a copy is taken.',
  },
  'event.DELTA_FULL_PULL': {
    es: 'Se descarga la versión {generation} completa (base y parches) en lugar de solo los parches que faltan: {reason}.',
    en: 'Downloading version {generation} in full (base and patches) instead of only the missing patches: {reason}.',
  },
  'event.HTTP_STALE_CONNECTION_RETRY': {
    es: '{host} cerró una conexión reutilizada sin avisar: se repite {method} en una nueva.',
    en: '{host} closed a reused connection without notice: {method} is sent again on a new one.',
  },
  'event.SYNC_START': {
    es: 'Sincronización iniciada.',
    en: 'Sync started.',
  },
  'event.TEST_FAILED': {
    es: 'La prueba de conexión {protocol} ha fallado: {message}',
    en: 'The {protocol} connection test failed: {message}',
  },
  'event.TEST_OK': {
    es: 'Conexión {protocol} correcta.',
    en: '{protocol} connection OK.',
  },
  'event.TEST_START': {
    es: 'Probando la conexión {protocol}…',
    en: 'Testing the {protocol} connection…',
  },
  'event.TLS_VERIFY_DISABLED': {
    es: 'ATENCIÓN: conexión a {host} SIN verificar el certificado TLS (insecure_skip_tls_verify). Cualquiera en la red podría suplantar al servidor y leer la contraseña y la base de datos.',
    en: 'WARNING: connection to {host} WITHOUT TLS certificate verification (insecure_skip_tls_verify). Anyone on the network could impersonate the server and read the password and the database.',
  },
  'event.TOKENS_FILE': {
    es: 'No se puede leer el archivo de tokens: se rechazan las conexiones.',
    en: 'Cannot read the tokens file: connections are refused.',
  },
  'event.TOKEN_FILE': {
    es: 'No se puede leer token_file ({code}).',
    en: 'Cannot read token_file ({code}).',
  },
  'event.UNLOCKED_BEFORE_PULL': {
    es: 'La base de datos se desbloqueó mientras se recibía una versión nueva cifrada: puede no incluirla. Se trata como un conflicto.',
    en: 'The database was unlocked while a new encrypted version was being received: it may not include it. It is treated as a conflict.',
  },
  'event.VERSION_RESTORED': {
    es: 'Versión {generation} restaurada en la base de datos local{where}.',
    en: 'Version {generation} restored into the local database{where}.',
  },
} as const satisfies Catalogue;
