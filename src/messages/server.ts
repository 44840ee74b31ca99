import type { Catalogue } from './text.js';

/** Our Socket.IO sync server. */
export const serverMessages = {
  'server.another_device_stored_newer': {
    es: 'Otro equipo guardó una versión más nueva.',
    en: 'Another device stored a newer version.',
  },
  'server.chunk_out_order': {
    es: 'Fragmento fuera de orden.',
    en: 'Chunk out of order.',
  },
  'server.chunk_wrong_size': {
    es: 'Fragmento de tamaño incorrecto.',
    en: 'Chunk of the wrong size.',
  },
  'server.client_connected_database': {
    es: 'Cliente conectado: {device} ({address}), base «{databaseId}».',
    en: 'Client connected: {device} ({address}), database "{databaseId}".',
  },
  'server.client_disconnected': {
    es: 'Cliente desconectado: {device} ({reason}).',
    en: 'Client disconnected: {device} ({reason}).',
  },
  'server.database_bytes_exceeds_server': {
    es: 'La base de datos ({size} bytes) supera el límite de este servidor ({maxBytes} bytes).',
    en: "The database ({size} bytes) exceeds this server's limit ({maxBytes} bytes).",
  },
  'server.hash_not_match': {
    es: 'El hash no coincide.',
    en: 'The hash does not match.',
  },
  'server.hash_what_arrived_not_match': {
    es: 'El hash de lo recibido no coincide: no se guardó nada.',
    en: 'The hash of what arrived does not match: nothing was stored.',
  },
  'server.internal_server_error': {
    es: 'Error interno del servidor.',
    en: 'Internal server error.',
  },
  'server.invalid_database_id_letters': {
    es: 'Identificador de base de datos no válido (letras, números, . _ -).',
    en: 'Invalid database id (letters, digits, . _ -).',
  },
  'server.invalid_request': {
    es: 'Petición no válida: {what}.',
    en: 'Invalid request: {what}.',
  },
  'server.invalid_token': {
    es: 'Token no válido.',
    en: 'Invalid token.',
  },
  'server.missing_data_received_bytes': {
    es: 'Faltan datos: recibidos {received} de {size} bytes.',
    en: 'Missing data: received {received} of {size} bytes.',
  },
  'server.no_authentication': {
    es: 'SIN autenticación',
    en: 'NO authentication',
  },
  'server.offset_outside_file': {
    es: 'Posición fuera del archivo.',
    en: 'Offset outside the file.',
  },
  'server.pick_another_port_port': {
    es: 'Elija otro puerto con --port o pare el otro programa.',
    en: 'Pick another port with --port or stop the other program.',
  },
  'server.port_already_use': {
    es: 'El puerto {port} ya está en uso.',
    en: 'Port {port} is already in use.',
  },
  'server.server_manifest_damaged': {
    es: 'El manifiesto del servidor está dañado.',
    en: 'The server manifest is damaged.',
  },
  'server.server_out_disk_space': {
    es: 'El servidor no tiene espacio en disco.',
    en: 'The server is out of disk space.',
  },
  'server.size_not_match': {
    es: 'El tamaño no coincide.',
    en: 'The size does not match.',
  },
  'server.stored_version_truncated': {
    es: 'La versión guardada está truncada.',
    en: 'The stored version is truncated.',
  },
  'server.token_refused': {
    es: 'Token rechazado desde {ip}.',
    en: 'Token refused from {ip}.',
  },
  'server.token_required': {
    es: 'con token',
    en: 'token required',
  },
  'server.too_large_protocol_1': {
    es: 'Demasiado grande para el protocolo 1 (máximo {p1Max} bytes): use el protocolo 2.',
    en: 'Too large for protocol 1 (maximum {p1Max} bytes): use protocol 2.',
  },
  'server.too_many_connection_attempts': {
    es: 'Demasiados intentos de conexión; espere unos segundos.',
    en: 'Too many connection attempts; wait a few seconds.',
  },
  'server.too_many_requests_slow': {
    es: 'Demasiadas peticiones; espere.',
    en: 'Too many requests; slow down.',
  },
  'server.transfer_already_running_connection': {
    es: 'Ya hay un envío en curso en esta conexión.',
    en: 'A transfer is already running on this connection.',
  },
  'server.unknown_expired_upload': {
    es: 'Subida desconocida o caducada.',
    en: 'Unknown or expired upload.',
  },
  'server.version_no_longer_server': {
    es: 'La versión {generation} ya no está en el servidor.',
    en: 'Version {generation} is no longer on the server.',
  },
  'server.too_many_failed_attempts': {
    es: 'Demasiados intentos fallidos desde esta dirección; espere unos segundos.',
    en: 'Too many failed attempts from this address; wait a few seconds.',
  },
  'server.token_no_access_database.log': {
    es: 'Token sin acceso a «{databaseId}» desde {ip}.',
    en: 'Token without access to "{databaseId}" from {ip}.',
  },
  'server.token_no_access_database': {
    es: 'Este token no da acceso a la base de datos «{databaseId}».',
    en: 'This token gives no access to the database "{databaseId}".',
  },
  'server.too_many_uploads_token': {
    es: 'Demasiadas subidas en curso con este token (máximo {max}); espere a que terminen.',
    en: 'Too many uploads in progress with this token (at most {max}); wait for them to finish.',
  },
  'server.no_room_more_uploads': {
    es: 'El servidor no tiene sitio para más subidas en curso; inténtelo en unos minutos.',
    en: 'The server has no room for more uploads in progress; try again in a few minutes.',
  },
  'server.received_not_valid_sqlite': {
    es: 'Lo recibido no es una base de datos SQLite válida: no se guardó nada. ({detail})',
    en: 'What arrived is not a valid SQLite database: nothing was stored. ({detail})',
  },
  'server.received_copy_changed': {
    es: 'La copia recibida cambió.',
    en: 'The received copy changed.',
  },
  'server.too_many_unanswered_chunks': {
    es: 'Demasiados fragmentos sin confirmar (máximo {max}): espere a las confirmaciones.',
    en: 'Too many chunks without an answer (at most {max}): wait for the acknowledgements.',
  },
} as const satisfies Catalogue;
