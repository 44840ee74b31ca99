import type { Catalogue } from './text.js';

/** The command line: output and help (`cli.help.*`, shown in both languages). */
export const cliMessages = {
  'cli.secret_forgotten_new_server': {
    es: 'Aviso: {field} estaba guardado para el servidor anterior y se ha quitado (nunca se envía a otro servidor). Escríbalo para el nuevo con: cordiax-sync config set {field} -\n',
    en: 'Note: {field} was stored for the previous server and has been removed (it is never sent to another server). Type it for the new one with: cordiax-sync config set {field} -\n',
  },
  'cli.automatic_off': {
    es: ' (automática desactivada)',
    en: ' (automatic off)',
  },
  'cli.configuration_invalid_see_check': {
    es: 'La configuración no es válida (ver check-config).',
    en: 'The configuration is invalid (see check-config).',
  },
  'cli.configuration_ok': {
    es: 'Configuración correcta.',
    en: 'Configuration OK.',
  },
  'cli.conflict_remote_copy_use': {
    es: '¡CONFLICTO! Copia remota en {copyPath}. Use: cordiax-sync resolve --keep local|remote',
    en: 'CONFLICT! Remote copy at {copyPath}. Use: cordiax-sync resolve --keep local|remote',
  },
  'cli.connection_failed': {
    es: 'La conexión {protocol} ha fallado.',
    en: 'The {protocol} connection failed.',
  },
  'cli.connection_ok': {
    es: 'Conexión {protocol} correcta.',
    en: '{protocol} connection OK.',
  },
  'cli.could_not_start_interface': {
    es: 'No se pudo iniciar la interfaz: {message}\n',
    en: 'Could not start the interface: {message}\n',
  },
  'cli.current_configuration_invalid_fix': {
    es: 'La configuración actual no es válida; corríjala antes (ver check-config). No se ha modificado.',
    en: 'The current configuration is invalid; fix it first (see check-config). It was not modified.',
  },
  'cli.days_ago': {
    es: 'hace {seconds} días',
    en: '{seconds} days ago',
  },
  'cli.h_ago': {
    es: 'hace {seconds} h',
    en: '{seconds} h ago',
  },
  'cli.help.allowed_browser_origins': {
    es: 'orígenes de navegador permitidos',
    en: 'allowed browser origins',
  },
  'cli.help.automatic_sync_web_ui': {
    es: 'Sincronización automática y la interfaz web',
    en: 'automatic sync and the web UI',
  },
  'cli.help.create_age_identity': {
    es: 'Crea una identidad age (clave privada 0600) e imprime su clave pública',
    en: 'create an age identity',
  },
  'cli.help.events_json': {
    es: 'eventos como JSON',
    en: 'events as JSON',
  },
  'cli.help.events_show': {
    es: 'eventos a mostrar',
    en: 'events to show',
  },
  'cli.help.file_one_token_per': {
    es: 'archivo con un token por línea',
    en: 'file with one token per line',
  },
  'cli.help.get_set_config_keys': {
    es: 'Lee o cambia claves de la configuración',
    en: 'get or set config keys',
  },
  'cli.help.identity_file': {
    es: 'archivo de la identidad',
    en: 'identity file',
  },
  'cli.help.json_output': {
    es: 'salida JSON',
    en: 'JSON output',
  },
  'cli.help.keep_streaming': {
    es: 'sigue mostrando eventos nuevos',
    en: 'keep streaming',
  },
  'cli.help.listen_address': {
    es: 'dirección de escucha',
    en: 'listen address',
  },
  'cli.help.message_language': {
    es: 'idioma de los mensajes',
    en: 'message language',
  },
  'cli.help.one_json_line_per': {
    es: 'una línea JSON por evento',
    en: 'one JSON line per event',
  },
  'cli.help.open_ui_browser': {
    es: 'abre la interfaz en el navegador',
    en: 'open the UI in the browser',
  },
  'cli.help.passwords_use_stdin': {
    es: 'Cambia una clave; para contraseñas use "-" y escríbala por la entrada estándar',
    en: 'for passwords use "-" and stdin',
  },
  'cli.help.pem_certificate': {
    es: 'certificado PEM',
    en: 'PEM certificate',
  },
  'cli.help.pem_private_key': {
    es: 'clave privada PEM',
    en: 'PEM private key',
  },
  'cli.help.port': {
    es: 'puerto',
    en: 'port',
  },
  'cli.help.protocol_test': {
    es: 'protocolo a probar',
    en: 'protocol to test',
  },
  'cli.help.redis_several_processes': {
    es: 'Redis para varios procesos (scale-out)',
    en: 'Redis for several processes',
  },
  'cli.help.remote_version_history': {
    es: 'Historial de versiones remotas',
    en: 'remote version history',
  },
  'cli.help.resolve_conflict': {
    es: 'Resuelve un conflicto',
    en: 'resolve a conflict',
  },
  'cli.help.restore_remote_version': {
    es: 'Restaura una versión remota en la base de datos local (con copia de seguridad previa)',
    en: 'restore a remote version',
  },
  'cli.help.runs_socket_io_sync': {
    es: 'Ejecuta el servidor de sincronización Socket.IO (namespace /cordiax-sync/)',
    en: 'Runs the Socket.IO sync server',
  },
  'cli.help.show_sync_log': {
    es: 'Muestra el registro de sincronización',
    en: 'show the sync log',
  },
  'cli.help.size_limit_per_database': {
    es: 'tamaño máximo por base de datos',
    en: 'size limit per database',
  },
  'cli.help.status': {
    es: 'Estado: última sincronización correcta, tiempo transcurrido, próxima',
    en: 'status',
  },
  'cli.help.storage_folder_default_cordiax': {
    es: 'carpeta de datos',
    en: 'storage folder (default: $CORDIAX_HOME/sync-server)',
  },
  'cli.help.sync_now': {
    es: 'Sincroniza ahora ("Sincronizar Ahora")',
    en: 'sync now',
  },
  'cli.help.syncs_cordiax_database': {
    es: 'Sincroniza la base de datos de Cordiax (WebDAV, SMB/CIFS, Socket.IO, carpeta).',
    en: 'Syncs the Cordiax database.',
  },
  'cli.help.test_connection': {
    es: 'Prueba la conexión ("Probar Conexión")',
    en: 'test the connection',
  },
  'cli.help.ui_port_default_ui': {
    es: 'puerto de la interfaz (por defecto ui.port o 8484)',
    en: 'UI port (default ui.port or 8484)',
  },
  'cli.help.validate_config_print_every': {
    es: 'Valida la configuración y muestra cada problema',
    en: 'validate the config, print every problem',
  },
  'cli.help.versions_kept_per_database': {
    es: 'versiones guardadas por base de datos',
    en: 'versions kept per database',
  },
  'cli.help.which_version_keep': {
    es: 'qué versión conservar: both (las dos), local (la de este equipo), remote (la del servidor)',
    en: 'which version to keep: both, local (this computer), remote (the server)',
  },
  'cli.help.without_web_ui': {
    es: 'sin interfaz web',
    en: 'without the web UI',
  },
  'cli.interface': {
    es: 'Interfaz: {url}\n',
    en: 'Interface: {url}\n',
  },
  'cli.log_empty': {
    es: 'El registro está vacío.\n',
    en: 'The log is empty.\n',
  },
  'cli.min_ago': {
    es: 'hace {seconds} min',
    en: '{seconds} min ago',
  },
  'cli.must_integer_between': {
    es: '{name}: debe ser un número entero entre {min} y {max}.',
    en: '{name}: must be an integer between {min} and {max}.',
  },
  'cli.never': {
    es: 'nunca',
    en: 'never',
  },
  'cli.next_run': {
    es: 'Próxima',
    en: 'Next run',
  },
  'cli.no_versions': {
    es: 'Sin versiones.',
    en: 'No versions.',
  },
  'cli.not_exist_using_defaults': {
    es: 'No existe {file}: se usan los valores por defecto.',
    en: '{file} does not exist: using defaults.',
  },
  'cli.problems': {
    es: 'Problemas en {file}:',
    en: 'Problems in {file}:',
  },
  'cli.result': {
    es: 'Resultado: {action}',
    en: 'Result: {action}',
  },
  'cli.s_ago': {
    es: 'hace {seconds} s',
    en: '{seconds} s ago',
  },
  'cli.safety_not_accepted_argument_would': {
    es: 'Por seguridad, {key} no se acepta como argumento (se vería en la lista de procesos). Use: cordiax-sync config set {key} - y escríbala por la entrada estándar.',
    en: 'For safety, {key} is not accepted as an argument (it would show in the process list). Use: cordiax-sync config set {key} - and type it on standard input.',
  },
  'cli.saved': {
    es: '{key} guardado.',
    en: '{key} saved.',
  },
  'cli.scheduler_not_running': {
    es: '— (el programador no está en marcha)',
    en: '— (scheduler not running)',
  },
  'cli.server_facts': {
    es: 'Datos del servidor:',
    en: 'Server facts:',
  },
  'cli.server_listens_without_token': {
    es: 'El servidor escucha en {host} SIN token: cualquiera en la red puede leer y escribir las bases de datos. Use --tokens-file.',
    en: 'The server listens on {host} WITHOUT a token: anyone on the network can read and write the databases. Use --tokens-file.',
  },
  'cli.state': {
    es: 'Estado',
    en: 'State',
  },
  'cli.tls_cert_tls_key': {
    es: '--tls-cert y --tls-key van juntos.',
    en: '--tls-cert and --tls-key go together.',
  },
  'cli.value': {
    es: 'Valor para {key}: ',
    en: 'Value for {key}: ',
  },
  'cli.version_restored': {
    es: 'Versión {generation} restaurada.',
    en: 'Version {generation} restored.',
  },
} as const satisfies Catalogue;
