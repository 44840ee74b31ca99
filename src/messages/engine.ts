import type { Catalogue } from './text.js';

/** The sync engine, the remote layout (manifest, commits, versions) and lineage. */
export const engineMessages = {
  'engine.delta_pages_sent': {
    es: 'enviadas {pages} páginas ({bytes}) de {total}',
    en: '{pages} pages sent ({bytes}) of {total}',
  },
  'engine.delta_pages_received': {
    es: 'recibidas {pages} páginas ({bytes}) de {total}',
    en: '{pages} pages received ({bytes}) of {total}',
  },
  'engine.delta_in_patches': {
    es: '{moved} en {patches} parches',
    en: '{moved} in {patches} patches',
  },
  'engine.sync_push_delta': {
    es: 'Sincronización terminada: enviada la versión local, {what}; ahora versión {generation} en el servidor.',
    en: 'Sync finished: local version sent, {what}; now version {generation} on the server.',
  },
  'engine.sync_pull_delta': {
    es: 'Sincronización terminada: recibida la versión remota {generation}, {what}.',
    en: 'Sync finished: remote version {generation} received, {what}.',
  },
  'engine.another_device_syncing_retry': {
    es: 'Otro equipo ({holder}) está sincronizando; se reintentará.',
    en: 'Another device ({holder}) is syncing; will retry.',
  },
  'engine.application_wrote_new_encrypted': {
    es: 'La aplicación escribió una nueva base de datos cifrada mientras se reemplazaba; se conservan las dos.',
    en: 'The application wrote a new encrypted database while it was being replaced; both are kept.',
  },
  'engine.backup_at': {
    es: ' en {path}',
    en: ' at {path}',
  },
  'engine.backup_of_previous_at': {
    es: ' (copia de seguridad de la anterior en {path})',
    en: ' (backup of the previous one at {path})',
  },
  'engine.check_remote_folder_version': {
    es: 'Revise la carpeta remota; puede restaurar una versión desde versions/.',
    en: 'Check the remote folder; a version can be restored from versions/.',
  },
  'engine.conflict_database_changed_here': {
    es: '¡CONFLICTO! La base de datos cambió aquí y en el servidor ({device}, {time}). Se conservan las dos: la local sigue en uso y la remota se ha guardado{encNote} en {copyPath}. Decida en la interfaz («Conservar las dos», «Usar la de este equipo», «Usar la del servidor» o «Fusionar las dos») o con "cordiax-sync resolve --show" y "--keep both|local|remote".',
    en: 'CONFLICT! The database changed here and on the server ({device}, {time}). Both are kept: the local one stays in use and the remote one was saved{encNote} to {copyPath}. Decide in the interface (“Keep both”, “Use this computer’s”, “Use the server’s” or “Merge both”) or with "cordiax-sync resolve --show" and "--keep both|local|remote".',
  },
  'engine.conflict_unknown_remote_version': {
    es: 'Conflicto con una versión remota desconocida.',
    en: 'Conflict with an unknown remote version.',
  },
  'engine.device_lost_remote_lock': {
    es: 'Este equipo perdió el bloqueo remoto (estuvo en pausa demasiado tiempo); no se publica nada, se reintentará.',
    en: 'This device lost the remote lock (it was paused too long); nothing is published, will retry.',
  },
  'engine.download_bytes_not_match_manifest': {
    es: 'La copia descargada ({size} bytes) no coincide con el manifiesto ({size2} bytes, sha256 distinto); no se aplica.',
    en: 'The download ({size} bytes) does not match the manifest ({size2} bytes, different sha256); not applied.',
  },
  'engine.encrypted': {
    es: ' (cifrada)',
    en: ' (encrypted)',
  },
  'engine.encryption_but_no_public_keys': {
    es: 'Encriptación activada sin claves públicas (recipients).',
    en: 'Encryption is on but no public keys (recipients) are set.',
  },
  'engine.encryption_data_send_not_encrypted': {
    es: 'La encriptación está activada y los datos a enviar no están cifrados: no se envía nada.',
    en: 'Encryption is on and the data to send is not encrypted: nothing is sent.',
  },
  'engine.invalid_file_path': {
    es: 'ruta de archivo no válida',
    en: 'invalid file path',
  },
  'engine.invalid_generation': {
    es: 'generación no válida',
    en: 'invalid generation',
  },
  'engine.invalid_history': {
    es: 'historial no válido',
    en: 'invalid history',
  },
  'engine.invalid_chain': {
    es: 'cadena no válida',
    en: 'invalid chain',
  },
  'engine.invalid_patch_entry': {
    es: 'parche no válido',
    en: 'invalid patch entry',
  },
  'engine.invalid_identity': {
    es: 'identidad no válida',
    en: 'invalid identity',
  },
  'engine.invalid_parent': {
    es: 'padre no válido',
    en: 'invalid parent',
  },
  'engine.invalid_sha256': {
    es: 'sha256 no válido',
    en: 'invalid sha256',
  },
  'engine.invalid_size': {
    es: 'tamaño no válido',
    en: 'invalid size',
  },
  'engine.local_encrypted_database_changed': {
    es: 'La base de datos cifrada local cambió durante la descarga; no se reemplaza.',
    en: 'The local encrypted database changed during the download; it is not replaced.',
  },
  'engine.local_encrypted_database_disappeared': {
    es: 'La base de datos cifrada local desapareció durante la descarga; no se reemplaza.',
    en: 'The local encrypted database disappeared during the download; it is not replaced.',
  },
  'engine.manifest_says_remote_copy': {
    es: 'El manifiesto dice que la copia remota está cifrada pero no lo está; no se aplica.',
    en: 'The manifest says the remote copy is encrypted but it is not; not applied.',
  },
  'engine.not_json': {
    es: 'no es JSON',
    en: 'not JSON',
  },
  'engine.record_holds_another_generation': {
    es: 'registro {generation} con otra generación',
    en: 'record {generation} holds another generation',
  },
  'engine.remote_copy_encrypted_there': {
    es: 'La copia remota está cifrada y no hay identidad para descifrarla.',
    en: 'The remote copy is encrypted and there is no identity to decrypt it.',
  },
  'engine.remote_manifest_damaged_nothing': {
    es: 'El manifiesto remoto {MANIFEST_FILE} está dañado ({detail}); no se modifica nada.',
    en: 'The remote manifest {MANIFEST_FILE} is damaged ({detail}); nothing is changed.',
  },
  'engine.server_holds_no_database_yet': {
    es: 'El servidor aún no tiene ninguna base de datos.',
    en: 'The server holds no database yet.',
  },
  'engine.server_no_longer_holds_any': {
    es: 'El servidor ya no tiene ninguna versión que conservar; elija «Usar la de este equipo».',
    en: 'The server no longer holds any version to keep; choose “Use this computer’s”.',
  },
  'engine.server_refused_version_without': {
    es: 'El servidor rechazó la versión sin dar la suya.',
    en: 'The server refused the version without giving its own.',
  },
  'engine.status': {
    es: 'estado',
    en: 'status',
  },
  'engine.sync_failed': {
    es: 'La sincronización ha fallado: {detail}',
    en: 'Sync failed: {detail}',
  },
  'engine.there_no_pending_conflict': {
    es: 'No hay ningún conflicto pendiente.',
    en: 'There is no pending conflict.',
  },
  'engine.unknown_format': {
    es: 'formato desconocido',
    en: 'unknown format',
  },
  'engine.unreadable': {
    es: '{ID_FILE} ilegible',
    en: '{ID_FILE} unreadable',
  },
  'engine.version_encrypted_there_no_identity': {
    es: 'La versión está cifrada y no hay identidad para descifrarla.',
    en: 'The version is encrypted and there is no identity to decrypt it.',
  },
  'engine.version_not_exist': {
    es: 'No existe la versión {generation}.',
    en: 'Version {generation} does not exist.',
  },
  'engine.version_vanished_server_while': {
    es: 'La versión {generation} desapareció del servidor mientras se publicaba (¿se restauró una copia antigua?); no se borra nada y se reintentará.',
    en: 'Version {generation} vanished from the server while it was being published (was an old backup restored?); nothing is deleted and it will be retried.',
  },
  'engine.what_reached_server_not_match': {
    es: 'Lo que llegó al servidor no coincide con lo enviado; no se ha publicado.',
    en: 'What reached the server does not match what was sent; not published.',
  },
} as const satisfies Catalogue;
