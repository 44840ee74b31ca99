import type { Catalogue } from './text.js';

/** The page (src/ui/web): labels, fields (`ui.field.<config key>`), protocols (`ui.protocol.<name>`). */
export const uiMessages = {
  'ui.preset_minutes': {
    es: '{n} min',
    en: '{n} min',
  },
  'ui.preset_hour': {
    es: '1 h',
    en: '1 h',
  },
  'ui.protocol_in_use': {
    es: 'Protocolo en uso',
    en: 'Protocol in use',
  },
  'ui.protocol_in_use_help': {
    es: 'El que usa la sincronización. Mirar otra pestaña no lo cambia.',
    en: 'The one sync uses. Looking at another tab does not change it.',
  },
  'ui.in_use': {
    es: 'en uso',
    en: 'in use',
  },
  'ui.viewing_other_protocol': {
    es: 'Está viendo {viewed}. El protocolo en uso sigue siendo {inUse}: «Guardar Configuración» guarda estos datos, pero no cambia de protocolo.',
    en: 'You are looking at {viewed}. The protocol in use is still {inUse}: "Save Configuration" saves these details but does not switch protocol.',
  },
  'ui.switch_protocol_title': {
    es: '¿Sincronizar con {name}?',
    en: 'Sync with {name}?',
  },
  'ui.switch_protocol_text': {
    es: 'Al guardar, la sincronización dejará de usar {from} y usará {to}. Las versiones que ya están en {from} no se borran.',
    en: 'When you save, sync stops using {from} and uses {to}. The versions already on {from} are not deleted.',
  },
  'ui.switch_protocol_ok': {
    es: 'Usar {name}',
    en: 'Use {name}',
  },
  'ui.tab_title': {
    es: '{icon}{state} · Cordiax Sync',
    en: '{icon}{state} · Cordiax Sync',
  },
  'ui.idle_checks': {
    es: 'Comprobado {ago}, sin cambios',
    en: 'Checked {ago}, no changes',
  },
  'ui.idle_checks_count': {
    es: ' ({n} comprobaciones desde las {since})',
    en: ' ({n} checks since {since})',
  },
  'ui.interval_presets': {
    es: 'Intervalos habituales',
    en: 'Common intervals',
  },
  'ui.when_today': {
    es: 'de hoy a las {time}',
    en: 'from today at {time}',
  },
  'ui.when_date': {
    es: 'del {date} a las {time}',
    en: 'from {date} at {time}',
  },
  'ui.advanced_options': {
    es: 'Opciones avanzadas',
    en: 'Advanced options',
  },
  'ui.all': {
    es: 'Todos',
    en: 'All',
  },
  'ui.at_least': {
    es: 'Mínimo {min}.',
    en: 'At least {min}.',
  },
  'ui.at_most': {
    es: 'Máximo {max}.',
    en: 'At most {max}.',
  },
  'ui.automatic_sync': {
    es: 'Sincronización automática',
    en: 'Automatic sync',
  },
  'ui.automatic_sync_disabled': {
    es: 'La sincronización automática está deshabilitada',
    en: 'Automatic sync is disabled',
  },
  'ui.automatic_sync_started': {
    es: 'Sincronización automática iniciada',
    en: 'Automatic sync started',
  },
  'ui.automatic_sync_stopped': {
    es: 'Sincronización automática detenida',
    en: 'Automatic sync stopped',
  },
  'ui.available_once_server_configured': {
    es: 'Disponible cuando haya un servidor configurado.',
    en: 'Available once a server is configured.',
  },
  'ui.both_versions_were_kept': {
    es: 'Se han conservado las dos versiones. Elija cuál sigue en uso; la otra no se pierde (queda una copia).',
    en: 'Both versions were kept. Choose which one stays in use; the other is not lost (a copy is kept).',
  },
  'ui.cancel': {
    es: 'Cancelar',
    en: 'Cancel',
  },
  'ui.check_marked_fields_nothing': {
    es: 'Revise los campos marcados: no se ha guardado nada.',
    en: 'Check the marked fields: nothing was saved.',
  },
  'ui.choose_protocol_fill_server': {
    es: 'Elija el protocolo y complete los datos del servidor.',
    en: 'Choose the protocol and fill in the server details.',
  },
  'ui.choose_which_version_keep': {
    es: 'Elija qué versión se conserva.',
    en: 'Choose which version to keep.',
  },
  'ui.complete_configuration_start': {
    es: 'Complete la configuración para empezar.',
    en: 'Complete the configuration to start.',
  },
  'ui.computer': {
    es: 'Equipo',
    en: 'Computer',
  },
  'ui.configuration': {
    es: 'Configuración',
    en: 'Configuration',
  },
  'ui.configuration_file_errors': {
    es: 'El archivo de configuración tiene errores.',
    en: 'The configuration file has errors.',
  },
  'ui.configuration_file_invalid_not_used': {
    es: 'El archivo de configuración no es válido y no se usa',
    en: 'The configuration file is invalid and not used',
  },
  'ui.configuration_not_saved': {
    es: 'No se ha guardado la configuración',
    en: 'The configuration was not saved',
  },
  'ui.configuration_saved': {
    es: 'Configuración guardada',
    en: 'Configuration saved',
  },
  'ui.conflict_database_changed_both': {
    es: 'Conflicto: la base de datos cambió en los dos sitios',
    en: 'Conflict: the database changed on both sides',
  },
  'ui.conflict_resolved': {
    es: 'Conflicto resuelto',
    en: 'Conflict resolved',
  },
  'ui.conflict_waiting': {
    es: 'Conflicto pendiente',
    en: 'Conflict waiting',
  },
  'ui.connection_failed': {
    es: 'La conexión {name} ha fallado',
    en: 'The {name} connection failed',
  },
  'ui.connection_ok': {
    es: 'Conexión {name} correcta',
    en: '{name} connection OK',
  },
  'ui.connection_test_failed': {
    es: 'La prueba de conexión ha fallado',
    en: 'The connection test failed',
  },
  'ui.copy_server_version': {
    es: 'Copia de la versión del servidor: ',
    en: 'Copy of the server version: ',
  },
  'ui.cordiax_sync_only_database': {
    es: 'cordiax-sync {version} · solo se sincroniza el archivo de base de datos, no los documentos ni PDFs adjuntos.',
    en: 'cordiax-sync {version} · only the database file is synced, not attached documents or PDFs.',
  },
  'ui.could_not_load_cordiax_sync': {
    es: 'No se pudo cargar el estado de cordiax-sync. Recargue la página.',
    en: 'Could not load the cordiax-sync state. Reload the page.',
  },
  'ui.could_not_reach_cordiax_sync': {
    es: 'No se pudo contactar con cordiax-sync. ¿Sigue en marcha?',
    en: 'Could not reach cordiax-sync. Is it still running?',
  },
  'ui.could_not_read_history': {
    es: 'No se pudo consultar el historial: {message}',
    en: 'Could not read the history: {message}',
  },
  'ui.create_sample_database': {
    es: 'Crear base de datos de ejemplo',
    en: 'Create a sample database',
  },
  'ui.current': {
    es: 'actual',
    en: 'current',
  },
  'ui.database': {
    es: 'Base de datos',
    en: 'Database',
  },
  'ui.database_computer_direction': {
    es: 'Base de datos, equipo y dirección',
    en: 'Database, computer and direction',
  },
  'ui.database_found': {
    es: 'Base de datos encontrada: {databasePath}',
    en: 'Database found: {databasePath}',
  },
  'ui.database_synchronisation': {
    es: 'Sincronización de la base de datos',
    en: 'Database synchronisation',
  },
  'ui.debug': {
    es: 'Detalle',
    en: 'Debug',
  },
  'ui.details': {
    es: 'Con detalles',
    en: 'With details',
  },
  'ui.disabled': {
    es: 'Deshabilitada',
    en: 'Disabled',
  },
  'ui.enabled_stopped': {
    es: 'Habilitada, detenida',
    en: 'Enabled, stopped',
  },
  'ui.encrypted': {
    es: 'cifrada',
    en: 'encrypted',
  },
  'ui.encrypted_locked': {
    es: 'Cifrada (bloqueada)',
    en: 'Encrypted (locked)',
  },
  'ui.encrypted_open': {
    es: 'Cifrada (abierta)',
    en: 'Encrypted (open)',
  },
  'ui.encrypted_version_cannot_opened': {
    es: 'Hay una versión cifrada que no se puede abrir todavía.',
    en: 'An encrypted version cannot be opened yet.',
  },
  'ui.enter_whole_number_seconds': {
    es: 'Indique un número entero de segundos (mínimo 60).',
    en: 'Enter a whole number of seconds (at least 60).',
  },
  'ui.erase': {
    es: 'Borrar',
    en: 'Erase',
  },
  'ui.erased': {
    es: '(se borrará)',
    en: '(will be erased)',
  },
  'ui.erased_save': {
    es: 'Se borrará al guardar',
    en: 'Will be erased on save',
  },
  'ui.errors': {
    es: 'Errores',
    en: 'Errors',
  },
  'ui.events': {
    es: '{n} eventos',
    en: '{n} events',
  },
  'ui.field.database_path': {
    es: 'Ruta de la base de datos',
    en: 'Database path',
  },
  'ui.field.database_path.help': {
    es: 'Por defecto, cordiax.db en la carpeta de Cordiax.',
    en: 'Default: cordiax.db in the Cordiax folder.',
  },
  'ui.field.device_name': {
    es: 'Nombre de este equipo',
    en: 'This computer’s name',
  },
  'ui.field.device_name.help': {
    es: 'Aparece en el historial y en los conflictos.',
    en: 'Shown in the history and in conflicts.',
  },
  'ui.field.direction': {
    es: 'Dirección',
    en: 'Direction',
  },
  'ui.field.direction.default': {
    es: 'En ambos sentidos (por defecto)',
    en: 'Both ways (default)',
  },
  'ui.field.direction.pull': {
    es: 'Solo recibir',
    en: 'Receive only',
  },
  'ui.field.direction.push': {
    es: 'Solo enviar',
    en: 'Send only',
  },
  'ui.field.enabled': {
    es: 'Habilitar sincronización automática',
    en: 'Enable automatic sync',
  },
  'ui.field.encryption.enabled': {
    es: 'Cifrar la copia remota',
    en: 'Encrypt the remote copy',
  },
  'ui.field.encryption.enabled.help': {
    es: 'Solo se sincroniza la versión encriptada de la base de datos.',
    en: 'Only the encrypted version of the database is synced.',
  },
  'ui.field.encryption.identity_file': {
    es: 'Archivo de identidad (clave privada)',
    en: 'Identity file (private key)',
  },
  'ui.field.encryption.mode': {
    es: 'Modo',
    en: 'Mode',
  },
  'ui.field.encryption.mode.passphrase': {
    es: 'Frase de paso',
    en: 'Passphrase',
  },
  'ui.field.encryption.mode.x25519': {
    es: 'Claves públicas age (recomendado)',
    en: 'age public keys (recommended)',
  },
  'ui.field.encryption.passphrase_env': {
    es: 'Variable de entorno con la frase de paso',
    en: 'Passphrase environment variable',
  },
  'ui.field.encryption.passphrase_file': {
    es: 'Archivo con la frase de paso',
    en: 'Passphrase file',
  },
  'ui.field.encryption.recipients': {
    es: 'Claves públicas (una por línea)',
    en: 'Public keys (one per line)',
  },
  'ui.field.folder.path': {
    es: 'Carpeta de destino',
    en: 'Target folder',
  },
  'ui.field.folder.path.help': {
    es: 'Ruta absoluta de una carpeta (por ejemplo, un disco USB o una unidad de red montada).',
    en: 'Absolute path of a folder (for example a USB disk or a mounted network drive).',
  },
  'ui.field.keep_versions': {
    es: 'Versiones que se conservan',
    en: 'Versions kept',
  },
  'ui.field.polling_interval': {
    es: 'Intervalo de sincronización (segundos)',
    en: 'Sync interval (seconds)',
  },
  'ui.field.polling_interval.help': {
    es: 'Mínimo 60 segundos.',
    en: 'At least 60 seconds.',
  },
  'ui.field.remote_path': {
    es: 'Ruta remota',
    en: 'Remote path',
  },
  'ui.field.remote_path.help': {
    es: 'Directorio donde se almacenará la base de datos.',
    en: 'Folder where the database is stored.',
  },
  'ui.field.smb.domain': {
    es: 'Dominio',
    en: 'Domain',
  },
  'ui.field.smb.domain.help': {
    es: 'Dominio de Active Directory (opcional).',
    en: 'Active Directory domain (optional).',
  },
  'ui.field.smb.password': {
    es: 'Contraseña',
    en: 'Password',
  },
  'ui.field.smb.port': {
    es: 'Puerto',
    en: 'Port',
  },
  'ui.field.smb.port.help': {
    es: 'Por defecto 445 y, si no responde, 139.',
    en: 'Default 445, then 139.',
  },
  'ui.field.smb.server': {
    es: 'Servidor',
    en: 'Server',
  },
  'ui.field.smb.server.help': {
    es: 'Dirección IP o nombre del servidor SMB.',
    en: 'IP address or name of the SMB server.',
  },
  'ui.field.smb.share_name': {
    es: 'Recurso compartido',
    en: 'Share name',
  },
  'ui.field.smb.username': {
    es: 'Usuario',
    en: 'User name',
  },
  'ui.field.socketio.database_id': {
    es: 'Identificador de la base de datos',
    en: 'Database id',
  },
  'ui.field.socketio.namespace': {
    es: 'Namespace',
    en: 'Namespace',
  },
  'ui.field.socketio.namespace.help': {
    es: 'Namespace del servidor (por defecto: /cordiax-sync/).',
    en: 'Server namespace (default: /cordiax-sync/).',
  },
  'ui.field.socketio.server_url': {
    es: 'URL del servidor',
    en: 'Server URL',
  },
  'ui.field.socketio.server_url.help': {
    es: 'URL del servidor Flask-SocketIO.',
    en: 'URL of the Flask-SocketIO server.',
  },
  'ui.field.socketio.token': {
    es: 'Token de acceso',
    en: 'Access token',
  },
  'ui.field.socketio.token.help': {
    es: 'Para el servidor de cordiax-sync; el de Flask del ejemplo no lo usa.',
    en: 'For the cordiax-sync server; the example Flask server does not use it.',
  },
  'ui.field.socketio.token_file': {
    es: 'Archivo con el token',
    en: 'Token file',
  },
  'ui.field.timeout_seconds': {
    es: 'Tiempo de espera (segundos)',
    en: 'Timeout (seconds)',
  },
  'ui.field.webdav.auth': {
    es: 'Autenticación',
    en: 'Authentication',
  },
  'ui.field.webdav.auth.auto': {
    es: 'Automática (la que pida el servidor)',
    en: 'Automatic (whatever the server asks)',
  },
  'ui.field.webdav.auth.default': {
    es: 'Basic (por defecto)',
    en: 'Basic (default)',
  },
  'ui.field.webdav.auth.digest': {
    es: 'Digest',
    en: 'Digest',
  },
  'ui.field.webdav.ca_file': {
    es: 'Certificado de CA propio (PEM)',
    en: 'Private CA certificate (PEM)',
  },
  'ui.field.webdav.insecure_skip_tls_verify': {
    es: 'No verificar el certificado TLS (peligroso)',
    en: 'Skip TLS certificate verification (dangerous)',
  },
  'ui.field.webdav.password': {
    es: 'Contraseña',
    en: 'Password',
  },
  'ui.field.webdav.url': {
    es: 'URL del servidor',
    en: 'Server URL',
  },
  'ui.field.webdav.url.help': {
    es: 'URL completa del servidor WebDAV.',
    en: 'Full URL of the WebDAV server.',
  },
  'ui.field.webdav.username': {
    es: 'Usuario',
    en: 'User name',
  },
  'ui.file_set_aside': {
    es: 'Archivo apartado',
    en: 'File set aside',
  },
  'ui.first_steps': {
    es: 'Primeros pasos',
    en: 'First steps',
  },
  'ui.first_tick_enable_automatic': {
    es: 'Active antes «Habilitar sincronización automática» y guarde.',
    en: 'First tick "Enable automatic sync" and save.',
  },
  'ui.fix_hand_reload_set': {
    es: 'Corríjalo a mano y recargue la página, o apártelo (se conserva con otro nombre) para empezar de nuevo desde aquí.',
    en: 'Fix it by hand and reload, or set it aside (kept under another name) to start again from here.',
  },
  'ui.generation': {
    es: 'versión {remoteGeneration}',
    en: 'version {remoteGeneration}',
  },
  'ui.generation_encrypted_there_no_identity': {
    es: 'La versión {generation} está cifrada y no hay identidad para descifrarla. Indique el «Archivo de identidad» en Encriptación.',
    en: 'Version {generation} is encrypted and there is no identity to decrypt it. Set the "Identity file" under Encryption.',
  },
  'ui.guarantee.atomic_replace': {
    es: 'Sustitución atómica',
    en: 'Atomic replace',
  },
  'ui.guarantee.conditional_write': {
    es: 'Escritura condicional (evita pisar cambios ajenos)',
    en: 'Conditional write (no lost updates)',
  },
  'ui.guarantee.exclusive_create': {
    es: 'Creación exclusiva (bloqueo fiable)',
    en: 'Exclusive create (reliable lock)',
  },
  'ui.in_sync': {
    es: 'Sincronizado',
    en: 'In sync',
  },
  'ui.info': {
    es: 'Info',
    en: 'Info',
  },
  'ui.information': {
    es: 'Información',
    en: 'Information',
  },
  'ui.install': {
    es: 'Para instalarlo: ',
    en: 'To install it: ',
  },
  'ui.invalid_configuration': {
    es: 'Configuración no válida',
    en: 'Invalid configuration',
  },
  'ui.language': {
    es: 'Idioma',
    en: 'Language',
  },
  'ui.last_sync_failed': {
    es: 'Error en la última sincronización',
    en: 'The last sync failed',
  },
  'ui.level': {
    es: 'Nivel',
    en: 'Level',
  },
  'ui.loading': {
    es: 'Cargando…',
    en: 'Loading…',
  },
  'ui.local_database_replaced_version': {
    es: 'La base de datos local se sustituirá por la versión {time} ({device}). Antes se guarda una copia de seguridad de la actual. La próxima sincronización la enviará como versión nueva.',
    en: 'The local database will be replaced by the version {time} ({device}). A backup of the current one is kept first. The next sync sends it as a new version.',
  },
  'ui.local_version_kept_sent': {
    es: 'Se conserva la versión local; se enviará en la próxima sincronización.',
    en: 'The local version is kept; it will be sent on the next sync.',
  },
  'ui.local_version_sent': {
    es: 'Enviada la versión local.',
    en: 'Local version sent.',
  },
  'ui.lost_connection_cordiax_sync': {
    es: 'Se perdió la conexión con cordiax-sync (¿se ha detenido?). Reintentando…',
    en: 'Lost the connection to cordiax-sync (has it stopped?). Retrying…',
  },
  'ui.maximum_interval_7_days': {
    es: 'El intervalo máximo es de 7 días (604800 segundos).',
    en: 'The maximum interval is 7 days (604800 seconds).',
  },
  'ui.minimum_interval_seconds': {
    es: 'El intervalo mínimo es de {min} segundos.',
    en: 'The minimum interval is {min} seconds.',
  },
  'ui.modified': {
    es: 'Modificada',
    en: 'Modified',
  },
  'ui.must_start_http_https': {
    es: 'Debe empezar por http:// o https://',
    en: 'Must start with http:// or https://',
  },
  'ui.must_whole_number': {
    es: 'Debe ser un número entero.',
    en: 'Must be a whole number.',
  },
  'ui.never': {
    es: 'Nunca',
    en: 'Never',
  },
  'ui.no_database': {
    es: 'Sin base de datos',
    en: 'No database',
  },
  'ui.no_events_show_yet': {
    es: 'Todavía no hay eventos que mostrar.',
    en: 'No events to show yet.',
  },
  'ui.no_good_sync_while': {
    es: 'Hace tiempo que no hay una sincronización correcta.',
    en: 'No good sync for a while.',
  },
  'ui.not_configured': {
    es: 'Sin configurar',
    en: 'Not configured',
  },
  'ui.not_encrypted': {
    es: 'Sin cifrar',
    en: 'Not encrypted',
  },
  'ui.not_saved_check_marked_fields': {
    es: 'No se ha guardado: revise los campos marcados.',
    en: 'Not saved: check the marked fields.',
  },
  'ui.not_synced_yet': {
    es: 'Aún no se ha sincronizado con {proto}.',
    en: 'Not synced with {proto} yet.',
  },
  'ui.nothing_had_changed': {
    es: 'No había cambios.',
    en: 'Nothing had changed.',
  },
  'ui.one_event': {
    es: '1 evento',
    en: '1 event',
  },
  'ui.press_refresh_ask_server': {
    es: 'Pulse «Actualizar» para consultar el servidor.',
    en: 'Press "Refresh" to ask the server.',
  },
  'ui.press_save_configuration': {
    es: 'Pulse «Guardar Configuración».',
    en: 'Press "Save Configuration".',
  },
  'ui.press_sync_now_make': {
    es: 'Pulse «Sincronizar Ahora». Para que sea automática, active «Habilitar sincronización automática», guarde y pulse «Iniciar Sincronización».',
    en: 'Press "Sync Now". To make it automatic, tick "Enable automatic sync", save and press "Start Sync".',
  },
  'ui.press_test_connection_check': {
    es: 'Pulse «Probar Conexión» para comprobarlos.',
    en: 'Press "Test Connection" to check them.',
  },
  'ui.placeholder.ca_file': {
    es: '/ruta/a/ca.pem',
    en: '/path/to/ca.pem',
  },
  'ui.placeholder.domain': {
    es: 'EMPRESA',
    en: 'COMPANY',
  },
  'ui.placeholder.folder_path': {
    es: '/media/copias/cordiax_sync',
    en: '/media/backups/cordiax_sync',
  },
  'ui.placeholder.identity_file': {
    es: '/ruta/a/identidad.txt',
    en: '/path/to/identity.txt',
  },
  'ui.placeholder.share_name': {
    es: 'compartido',
    en: 'shared',
  },
  'ui.placeholder.token_file': {
    es: '/ruta/al/token',
    en: '/path/to/token',
  },
  'ui.placeholder.user': {
    es: 'usuario',
    en: 'user',
  },
  'ui.protocol.folder': {
    es: 'Carpeta',
    en: 'Folder',
  },
  'ui.protocol.folder.what': {
    es: 'Una carpeta de este equipo o de una unidad montada (disco USB, unidad de red).',
    en: 'A folder on this computer or a mounted drive (USB disk, network drive).',
  },
  'ui.protocol.smb': {
    es: 'SMB/CIFS',
    en: 'SMB/CIFS',
  },
  'ui.protocol.smb.what': {
    es: 'Sincronización con recursos compartidos de Windows o Samba, con soporte para dominios de Active Directory.',
    en: 'Windows or Samba shares, with Active Directory domain support.',
  },
  'ui.protocol.socketio': {
    es: 'Flask-SocketIO',
    en: 'Flask-SocketIO',
  },
  'ui.protocol.socketio.what': {
    es: 'Sincronización en tiempo real: al conectar y cuando hay cambios. Ideal para redes locales.',
    en: 'Real-time sync: on connect and on every change. Best on local networks.',
  },
  'ui.protocol.webdav': {
    es: 'WebDAV',
    en: 'WebDAV',
  },
  'ui.protocol.webdav.what': {
    es: 'Sincronización mediante consulta periódica. Compatible con servidores WebDAV estándar (Nextcloud, ownCloud, etc.).',
    en: 'Periodic polling. Works with standard WebDAV servers (Nextcloud, ownCloud, etc.).',
  },
  'ui.protocol_unavailable': {
    es: '{name}: no disponible',
    en: '{name}: unavailable',
  },
  'ui.ready_sync': {
    es: 'Listo para sincronizar',
    en: 'Ready to sync',
  },
  'ui.refresh': {
    es: 'Actualizar',
    en: 'Refresh',
  },
  'ui.remote_version_pending': {
    es: 'Versión remota pendiente',
    en: 'Remote version pending',
  },
  'ui.required': {
    es: 'Obligatorio',
    en: 'Required',
  },
  'ui.restore': {
    es: 'Restaurar',
    en: 'Restore',
  },
  'ui.restore_version': {
    es: '¿Restaurar la versión #{generation}?',
    en: 'Restore version #{generation}?',
  },
  'ui.running_next': {
    es: 'Activa · próxima {next}',
    en: 'Running · next {next}',
  },
  'ui.sample_database_created': {
    es: 'Base de datos de ejemplo creada',
    en: 'Sample database created',
  },
  'ui.save_configuration': {
    es: 'Guardar Configuración',
    en: 'Save Configuration',
  },
  'ui.saving': {
    es: 'Guardando…',
    en: 'Saving…',
  },
  'ui.search_log': {
    es: 'Buscar en el registro…',
    en: 'Search the log…',
  },
  'ui.server_facts': {
    es: 'Datos del servidor',
    en: 'Server facts',
  },
  'ui.server_no_version_yet': {
    es: 'El servidor aún no tiene ninguna versión.',
    en: 'The server has no version yet.',
  },
  'ui.server_version': {
    es: 'Versión del servidor',
    en: 'Server version',
  },
  'ui.server_version_received': {
    es: 'Recibida la versión del servidor.',
    en: 'Server version received.',
  },
  'ui.server_version_replaces_local': {
    es: 'La versión del servidor sustituye a la local (se guardó una copia).',
    en: 'The server version replaces the local one (a copy was kept).',
  },
  'ui.set_aside_start_again': {
    es: 'Apartar y empezar de nuevo',
    en: 'Set aside and start again',
  },
  'ui.size': {
    es: 'Tamaño',
    en: 'Size',
  },
  'ui.start_sync': {
    es: 'Iniciar Sincronización',
    en: 'Start Sync',
  },
  'ui.stop_sync': {
    es: 'Detener Sincronización',
    en: 'Stop Sync',
  },
  'ui.stored': {
    es: 'Guardada',
    en: 'Stored',
  },
  'ui.sync_finished': {
    es: 'Sincronización terminada',
    en: 'Sync finished',
  },
  'ui.sync_log': {
    es: 'Registro de Sincronización',
    en: 'Sync Log',
  },
  'ui.sync_now': {
    es: 'Sincronizar Ahora',
    en: 'Sync Now',
  },
  'ui.sync_old': {
    es: 'Sincronización antigua',
    en: 'Sync is old',
  },
  'ui.syncing': {
    es: 'Sincronizando…',
    en: 'Syncing…',
  },
  'ui.test_connection': {
    es: 'Probar Conexión',
    en: 'Test Connection',
  },
  'ui.testing': {
    es: 'Probando…',
    en: 'Testing…',
  },
  'ui.tests_what_typed_form': {
    es: 'Prueba lo escrito en el formulario, sin guardarlo: escribe, lee, renombra y borra un archivo de prueba.',
    en: 'Tests what is typed in the form, without saving: writes, reads, renames and deletes a probe file.',
  },
  'ui.there_no_database_if_cordiax': {
    es: 'No hay ninguna base de datos en {databasePath}. Si Cordiax la guarda en otro sitio, indíquelo en «Ruta de la base de datos» (Opciones avanzadas).',
    en: 'There is no database at {databasePath}. If Cordiax keeps it elsewhere, set "Database path" (Advanced options).',
  },
  'ui.tick_enable_automatic_sync': {
    es: 'Active «Habilitar sincronización automática», pulse «Guardar Configuración» y vuelva a intentarlo.',
    en: 'Tick "Enable automatic sync", press "Save Configuration" and try again.',
  },
  'ui.today': {
    es: 'hoy',
    en: 'today',
  },
  'ui.trying_things_out_never': {
    es: ' Para probar; nunca sustituye una base de datos existente.',
    en: ' For trying things out; never replaces an existing database.',
  },
  'ui.type_change': {
    es: '•••••••• (escriba para cambiarla)',
    en: '•••••••• (type to change it)',
  },
  'ui.unavailable': {
    es: 'no disponible',
    en: 'unavailable',
  },
  'ui.undo': {
    es: 'Deshacer',
    en: 'Undo',
  },
  'ui.unsaved_changes': {
    es: 'Cambios sin guardar',
    en: 'Unsaved changes',
  },
  'ui.up_date': {
    es: 'Todo al día con {proto}.',
    en: 'Up to date with {proto}.',
  },
  'ui.version_history': {
    es: 'Historial de versiones',
    en: 'Version history',
  },
  'ui.version_local': {
    es: 'Esta versión (local)',
    en: 'This version (local)',
  },
  'ui.version_restored': {
    es: 'Versión #{generation} restaurada',
    en: 'Version #{generation} restored',
  },
  'ui.warning': {
    es: 'Aviso',
    en: 'Warning',
  },
  'ui.warnings': {
    es: 'Avisos',
    en: 'Warnings',
  },
} as const satisfies Catalogue;
