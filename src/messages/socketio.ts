import type { Catalogue } from './text.js';

/** Socket.IO: the client endpoint and the connection. */
export const socketioMessages = {
  'socketio.check_server_certificate_url': {
    es: 'Revise el certificado del servidor o la URL (https/http).',
    en: 'Check the server certificate or the URL (https/http).',
  },
  'socketio.check_server_running_and_url': {
    es: 'Verifique que el servidor esté ejecutándose y la URL.',
    en: 'Check that the server is running and the URL.',
  },
  'socketio.check_server_running_url_port': {
    es: 'Verifique que el servidor esté ejecutándose y que la URL y el puerto sean correctos.',
    en: 'Check that the server is running and that the URL and port are right.',
  },
  'socketio.check_socketio_token_socketio': {
    es: 'Revise socketio.token o socketio.token_file (debe coincidir con un token del servidor).',
    en: 'Check socketio.token or socketio.token_file (it must match one of the server tokens).',
  },
  'socketio.compatible_cordiax_sync_server': {
    es: '¿Es un servidor cordiax-sync compatible? Revise la URL y la versión del servidor.',
    en: 'Is it a compatible cordiax-sync server? Check the URL and the server version.',
  },
  'socketio.connected': {
    es: 'Conectado a {url} ({name}).',
    en: 'Connected to {url} ({name}).',
  },
  'socketio.connected_namespace': {
    es: 'Conectado al namespace {namespace}',
    en: 'Connected to namespace {namespace}',
  },
  'socketio.connection_server': {
    es: 'Conexión al servidor',
    en: 'Connection to the server',
  },
  'socketio.connection_server_dropped_during': {
    es: 'Se perdió la conexión con el servidor durante la transferencia.',
    en: 'The connection to the server dropped during the transfer.',
  },
  'socketio.cordiax_sync_server_protocol': {
    es: 'Servidor cordiax-sync (protocolo 2): subida y descarga por fragmentos, historial; máximo {maxBytes} bytes',
    en: 'cordiax-sync server (protocol 2): chunked upload and download, history; at most {maxBytes} bytes',
  },
  'socketio.could_not_connect': {
    es: 'No se pudo conectar: {message}.',
    en: 'Could not connect: {message}.',
  },
  'socketio.database_bytes_exceeds_server': {
    es: 'La base de datos ({size} bytes) supera el límite del servidor ({maxBytes} bytes).',
    en: "The database ({size} bytes) exceeds the server's limit ({maxBytes} bytes).",
  },
  'socketio.database_does_not_fit_flask': {
    es: 'La base de datos ({size} bytes) no cabe en un mensaje de este servidor: su búfer (max_http_buffer_size, 1.000.000 bytes por defecto en Flask-SocketIO) admite como máximo {max} bytes de base de datos en hexadecimal. {closed}No se envió nada.',
    en: 'The database ({size} bytes) does not fit in one message to this server: its buffer (max_http_buffer_size, 1,000,000 bytes by default in Flask-SocketIO) takes at most {max} bytes of database as hex. {closed}Nothing was sent.',
  },
  'socketio.disconnected_server': {
    es: 'Desconectado del servidor ({reason}).',
    en: 'Disconnected from the server ({reason}).',
  },
  'socketio.download_not_match_server_hash': {
    es: 'Lo descargado no coincide con el hash del servidor: se descartó.',
    en: 'The download does not match the server hash: discarded.',
  },
  'socketio.example_http_localhost_5000': {
    es: 'Ejemplo: http://localhost:5000',
    en: 'Example: http://localhost:5000',
  },
  'socketio.example_server_protocol_1': {
    es: 'Servidor del ejemplo (protocolo 1): solo recibe; máximo {maxBytes} bytes de base de datos',
    en: 'Example server (protocol 1): receive only; at most {maxBytes} bytes of database',
  },
  'socketio.invalid_answer_server': {
    es: 'Respuesta no válida del servidor ({what}).',
    en: 'Invalid answer from the server ({what}).',
  },
  'socketio.local_copy_changed_before': {
    es: 'La copia local cambió antes de enviarla: no se envió.',
    en: 'The local copy changed before sending: not sent.',
  },
  'socketio.local_copy_changed_before_sending': {
    es: 'La copia local cambió antes de enviarla.',
    en: 'The local copy changed before sending.',
  },
  'socketio.local_copy_changed_while': {
    es: 'La copia local cambió durante el envío.',
    en: 'The local copy changed while sending.',
  },
  'socketio.make_sure_namespace_right': {
    es: 'Asegúrese de que el namespace sea correcto (por defecto /cordiax-sync/, con la barra final).',
    en: 'Make sure the namespace is right (default /cordiax-sync/, with the trailing slash).',
  },
  'socketio.problem_server_certificate': {
    es: 'Problema con el certificado del servidor ({code}).',
    en: 'Problem with the server certificate ({code}).',
  },
  'socketio.raise_server_s_limit': {
    es: 'Aumente el límite del servidor (--max-bytes).',
    en: "Raise the server's limit (--max-bytes).",
  },
  'socketio.round_trip_time_ms': {
    es: 'Tiempo de ida y vuelta: {rtt} ms',
    en: 'Round-trip time: {rtt} ms',
  },
  'socketio.server_answered_http_when': {
    es: 'El servidor respondió HTTP {status} al conectar.',
    en: 'The server answered HTTP {status} when connecting.',
  },
  'socketio.server_asks_no_token': {
    es: 'El servidor no pide token',
    en: 'The server asks for no token',
  },
  'socketio.server_closed_connection_receiving': {
    es: 'El servidor cortó la conexión al recibirla. ',
    en: 'The server closed the connection when receiving it. ',
  },
  'socketio.server_may_frozen_failed': {
    es: 'El servidor puede estar bloqueado o haber fallado al guardar (revise sus logs).',
    en: 'The server may be frozen or have failed to store it (check its logs).',
  },
  'socketio.server_may_frozen_overloaded': {
    es: 'El servidor puede estar bloqueado o sobrecargado; se reintentará.',
    en: 'The server may be frozen or overloaded; it will be retried.',
  },
  'socketio.server_no_namespace': {
    es: 'El servidor no tiene el namespace «{namespace}».',
    en: 'The server has no namespace "{namespace}".',
  },
  'socketio.server_no_version_database_yet': {
    es: 'El servidor aún no tiene ninguna versión de esta base de datos.',
    en: 'The server has no version of this database yet.',
  },
  'socketio.server_not_acknowledge_data_no_ack': {
    es: 'El servidor no confirmó la recepción de los datos (sin ack).',
    en: 'The server did not acknowledge the data (no ack).',
  },
  'socketio.server_not_acknowledge_within_s': {
    es: 'El servidor no confirmó «{event}» en {timeoutMs} s.',
    en: 'The server did not acknowledge "{event}" within {timeoutMs} s.',
  },
  'socketio.server_not_answer_ping': {
    es: 'El servidor no respondió al ping',
    en: 'The server did not answer the ping',
  },
  'socketio.server_not_answer_time_when': {
    es: 'El servidor no respondió a tiempo al conectar.',
    en: 'The server did not answer in time when connecting.',
  },
  'socketio.server_not_check_tokens_ignored': {
    es: 'El servidor no comprueba tokens (se ignoró)',
    en: 'The server does not check tokens (ignored)',
  },
  'socketio.server_raise_buffer_socketio': {
    es: 'En el servidor, aumente el búfer: SocketIO(app, max_http_buffer_size={buffer}); o use el servidor de cordiax-sync (`cordiax-sync server`), que transfiere por fragmentos sin límite práctico.',
    en: 'On the server, raise the buffer: SocketIO(app, max_http_buffer_size={buffer}); or use the cordiax-sync server (`cordiax-sync server`), which transfers in chunks with no practical limit.',
  },
  'socketio.server_refused_token': {
    es: 'El servidor rechazó el token.',
    en: 'The server refused the token.',
  },
  'socketio.server_returned_error': {
    es: 'El servidor devolvió un error.',
    en: 'The server returned an error.',
  },
  'socketio.socket_io_connection_closed': {
    es: 'La conexión Socket.IO está cerrada.',
    en: 'The Socket.IO connection is closed.',
  },
  'socketio.socket_io_server_check': {
    es: '¿Es un servidor Socket.IO? Revise la URL.',
    en: 'Is it a Socket.IO server? Check the URL.',
  },
  'socketio.socket_io_server_only': {
    es: 'Este servidor Socket.IO solo recibe datos (protocolo del ejemplo): no se puede descargar.',
    en: 'This Socket.IO server only receives data (the spec protocol): cannot download.',
  },
  'socketio.socketio_database_id_not_valid': {
    es: 'socketio.database_id no es válido.',
    en: 'socketio.database_id is not valid.',
  },
  'socketio.socketio_server_url_not_valid': {
    es: 'socketio.server_url no es una URL válida: «{server_url}».',
    en: 'socketio.server_url is not a valid URL: "{server_url}".',
  },
  'socketio.token_accepted': {
    es: 'Token aceptado',
    en: 'Token accepted',
  },
  'socketio.too_many_connection_attempts': {
    es: 'Demasiados intentos de conexión.',
    en: 'Too many connection attempts.',
  },
  'socketio.use_cordiax_sync_server': {
    es: 'Use el servidor de cordiax-sync para sincronizar en ambos sentidos.',
    en: 'Use the cordiax-sync server to sync both ways.',
  },
  'socketio.use_letters_digits_dot': {
    es: 'Use letras, números, punto, guion y guion bajo.',
    en: 'Use letters, digits, dot, dash and underscore.',
  },
  'socketio.token_no_access_that_database': {
    es: 'Este token no da acceso a esa base de datos.',
    en: 'This token gives no access to that database.',
  },
  'socketio.token_no_access_that_database.hint': {
    es: 'Revise socketio.database_id, o pida al administrador del servidor que asocie el token a esa base de datos.',
    en: 'Check socketio.database_id, or ask the server administrator to bind the token to that database.',
  },
} as const satisfies Catalogue;
