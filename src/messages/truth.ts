import type { Catalogue } from './text.js';

/**
 * Truthful states (issue 15, items 5 and 8): what a saved config still lacks, why a button is disabled, a stopped
 * sync, plaintext left on the server and "Cifrar ahora", new keys, and the connection test's headline.
 */
export const truthMessages = {
  'truth.saved_cannot_sync': {
    es: 'Guardada, pero todavía no puede sincronizar:',
    en: 'Saved, but it cannot sync yet:',
  },
  'truth.saved_with_warnings': {
    es: 'Guardada, con un aviso:',
    en: 'Saved, with a warning:',
  },
  'truth.fix_marked_fields': {
    es: 'Corrija los campos marcados del formulario.',
    en: 'Fix the marked fields of the form.',
  },
  'truth.values_not_saved': {
    es: 'No se ha guardado nada: corrija los valores indicados (el archivo no se ha modificado).',
    en: 'Nothing was saved: fix the values listed (the file was not modified).',
  },
  'truth.protocol_unavailable': {
    es: 'Este protocolo no está disponible en este equipo (falta un componente).',
    en: 'This protocol is not available on this computer (a component is missing).',
  },
  'truth.identity_missing': {
    es: 'Sin archivo de identidad este equipo envía cifrado, pero no puede recibir ni restaurar versiones cifradas.',
    en: 'Without an identity file this computer sends encrypted data but cannot receive or restore encrypted versions.',
  },
  'truth.key_file_missing': {
    es: 'No existe el archivo {file}.',
    en: 'The file {file} does not exist.',
  },
  'truth.key_file_insecure': {
    es: 'Otros usuarios pueden leer {file} (permisos {mode}): debe ser 0600.',
    en: 'Other users can read {file} (mode {mode}): it must be 0600.',
  },
  'truth.passphrase_invalid': {
    es: 'La frase de paso debe tener entre 1 y {max} caracteres, en una sola línea.',
    en: 'The passphrase must be 1 to {max} characters long, on one line.',
  },
  'truth.why_unconfigured': {
    es: 'Complete y guarde la configuración primero.',
    en: 'Complete and save the configuration first.',
  },
  'truth.why_saved_incomplete': {
    es: 'Falta completar: {fields}.',
    en: 'Still to fill in: {fields}.',
  },
  'truth.why_invalid_config': {
    es: 'El archivo de configuración no es válido (ver arriba).',
    en: 'The configuration file is not valid (see above).',
  },
  'truth.why_protocol_unavailable': {
    es: '{name} no está disponible en este equipo (ver arriba).',
    en: '{name} is not available on this computer (see above).',
  },
  'truth.why_other_test_running': {
    es: 'Espere a que termine la otra prueba.',
    en: 'Wait for the other test to finish.',
  },
  'truth.why_encrypt_blocked': {
    es: 'Resuelva primero lo que detiene la sincronización.',
    en: 'First resolve what stops the sync.',
  },
  'truth.stopped_conflict': {
    es: 'Detenida: hay un conflicto por resolver',
    en: 'Stopped: there is a conflict to resolve',
  },
  'truth.stopped_pending': {
    es: 'Detenida: una versión cifrada espera la clave para abrirse',
    en: 'Stopped: an encrypted version is waiting for the key to open it',
  },
  'truth.technical_details': {
    es: 'Detalles técnicos',
    en: 'Technical details',
  },
  'truth.test_fix_field': {
    es: 'Revise «{field}»',
    en: 'Check "{field}"',
  },
  'truth.test_ok_text': {
    es: 'Este equipo puede leer, escribir y publicar versiones en el servidor.',
    en: 'This computer can read, write and publish versions on the server.',
  },
  'truth.https_added': {
    es: 'Se ha añadido https:// al principio (escriba http:// si su servidor no usa HTTPS).',
    en: 'https:// was added at the start (type http:// if your server does not use HTTPS).',
  },
  'truth.http_added_local': {
    es: 'Se ha añadido http:// al principio (es este mismo equipo).',
    en: 'http:// was added at the start (it is this computer).',
  },
  'truth.webdav_405_nextcloud_typed': {
    es: 'La URL ya apunta a remote.php/dav: revise que termina en files/USUARIO/ y que la ruta remota existe.',
    en: 'The URL already points at remote.php/dav: check that it ends in files/USER/ and that the remote path exists.',
  },
  'truth.encryption_on_plaintext_left': {
    es: 'Activada, pero el servidor todavía guarda versiones sin cifrar',
    en: 'On, but the server still holds unencrypted versions',
  },
  'truth.server_plaintext_title': {
    es: 'El servidor todavía guarda versiones sin cifrar',
    en: 'The server still holds unencrypted versions',
  },
  'truth.server_plaintext_text': {
    es: 'Hay {count} archivo(s) sin cifrar en el servidor, de antes de activar la encriptación. «Cifrar ahora» sube una versión cifrada y después los borra.',
    en: 'There are {count} unencrypted file(s) on the server, from before encryption was turned on. "Encrypt now" uploads an encrypted version and then deletes them.',
  },
  'truth.cli_help_encrypt_now': {
    es: 'publica una versión cifrada de la base de datos y borra del servidor las versiones sin cifrar (como «Cifrar ahora»)',
    en: 'publishes an encrypted version of the database and deletes the unencrypted versions from the server (like "Encrypt now")',
  },
  'truth.cli_encrypt_now_needs_yes': {
    es: 'No se ha cifrado nada: confirme con --yes (se borrarán del servidor las versiones sin cifrar).',
    en: 'Nothing was encrypted: confirm with --yes (the unencrypted versions will be deleted from the server).',
  },
  'truth.encrypt_now': {
    es: 'Cifrar ahora',
    en: 'Encrypt now',
  },
  'truth.encrypting': {
    es: 'Cifrando…',
    en: 'Encrypting…',
  },
  'truth.encrypt_now_confirm_title': {
    es: '¿Cifrar ahora y borrar las versiones sin cifrar?',
    en: 'Encrypt now and delete the unencrypted versions?',
  },
  'truth.encrypt_now_confirm_text': {
    es: 'Se sube una versión cifrada de la base de datos actual; cuando el servidor la ha publicado, se borran del servidor las versiones sin cifrar (no se podrán restaurar). La base de datos de este equipo no cambia.',
    en: 'An encrypted version of the current database is uploaded; once the server has published it, the unencrypted versions are deleted from the server (they cannot be restored). The database on this computer does not change.',
  },
  'truth.encrypt_now_confirm_ok': {
    es: 'Cifrar y borrar',
    en: 'Encrypt and delete',
  },
  'truth.encrypt_now_done': {
    es: 'El servidor solo guarda versiones cifradas',
    en: 'The server holds only encrypted versions',
  },
  'truth.encrypt_now_done_text': {
    es: 'Versión cifrada {generation} publicada; se borraron las versiones sin cifrar.',
    en: 'Encrypted version {generation} published; the unencrypted versions were deleted.',
  },
  'truth.encrypt_now_needs_encryption': {
    es: 'La encriptación no está activada: actívela y guarde antes de cifrar el servidor.',
    en: 'Encryption is not on: turn it on and save before encrypting the server.',
  },
  'truth.encrypt_now_file_remotes_only': {
    es: '«Cifrar ahora» borra archivos del servidor y solo funciona con WebDAV, SMB y carpeta.',
    en: '"Encrypt now" deletes files on the server and works only with WebDAV, SMB and folder.',
  },
  'truth.encrypt_now_blocked': {
    es: 'No se ha cifrado nada: hay un conflicto o una versión pendiente; resuélvalo primero.',
    en: 'Nothing was encrypted: there is a conflict or a pending version; resolve it first.',
  },
  'truth.encrypt_now_moved': {
    es: 'No se ha cifrado nada: la base de datos o el servidor cambiaron mientras tanto. Sincronice y vuelva a intentarlo.',
    en: 'Nothing was encrypted: the database or the server changed meanwhile. Sync and try again.',
  },
  'truth.encrypt_now_left': {
    es: 'Se publicó la versión cifrada, pero el servidor todavía guarda {count} archivo(s) sin cifrar (ver el registro).',
    en: 'The encrypted version was published, but the server still holds {count} unencrypted file(s) (see the log).',
  },
  'truth.generate_key': {
    es: 'Generar clave',
    en: 'Generate key',
  },
  'truth.generate_key_help': {
    es: 'Crea una clave age en este equipo y rellena la clave pública y el archivo de identidad.',
    en: 'Creates an age key on this computer and fills in the public key and the identity file.',
  },
  'truth.key_created_title': {
    es: 'Guarde una copia de esta clave',
    en: 'Keep a copy of this key',
  },
  'truth.key_created_where': {
    es: 'La clave está en',
    en: 'The key is in',
  },
  'truth.key_created_keep_copy': {
    es: 'Sin ella no se pueden leer los datos cifrados: cópiela a un lugar seguro (un USB guardado bajo llave). Los demás equipos necesitan la misma clave.',
    en: 'Without it the encrypted data cannot be read: copy it somewhere safe (a USB stick under lock). The other computers need the same key.',
  },
  'truth.passphrase_label': {
    es: 'Frase de paso',
    en: 'Passphrase',
  },
  'truth.passphrase_help': {
    es: 'Se guarda en un archivo privado (0600) de este equipo y nunca se muestra. Todos los equipos necesitan la misma.',
    en: 'Stored in a private (0600) file on this computer and never shown. Every computer needs the same one.',
  },
  'truth.notify_label': {
    es: 'Avisar en el escritorio si hay un conflicto o un error',
    en: 'Desktop notification for a conflict or an error',
  },
  'truth.notify_help': {
    es: 'Solo cuando esta pestaña no está a la vista.',
    en: 'Only while this tab is not in view.',
  },
  'truth.notify_denied': {
    es: 'El navegador tiene bloqueados los avisos de esta página.',
    en: 'The browser blocks notifications from this page.',
  },
  'truth.notify_unsupported': {
    es: 'Este navegador no ofrece avisos de escritorio.',
    en: 'This browser does not offer desktop notifications.',
  },
  'event.PLAINTEXT_ON_SERVER': {
    es: 'El servidor todavía guarda {count} archivo(s) sin cifrar aunque la encriptación está activada.',
    en: 'The server still holds {count} unencrypted file(s) although encryption is on.',
  },
  'event.PLAINTEXT_NONE_ON_SERVER': {
    es: 'El servidor solo guarda versiones cifradas.',
    en: 'The server holds only encrypted versions.',
  },
  'event.PLAINTEXT_REMOVED': {
    es: 'Versión cifrada {generation} publicada; {count} archivo(s) sin cifrar borrados del servidor.',
    en: 'Encrypted version {generation} published; {count} unencrypted file(s) deleted from the server.',
  },
  'event.PLAINTEXT_REMOVE_FAILED': {
    es: 'La versión cifrada está publicada, pero no se pudieron borrar todas las versiones sin cifrar: {message}',
    en: 'The encrypted version is published, but not every unencrypted version could be deleted: {message}',
  },
} as const satisfies Catalogue;
