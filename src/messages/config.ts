import type { Catalogue } from './text.js';

/** The config file: its rules (zod), completeness and the JSON parser. */
export const configMessages = {
  'config.cannot_read': {
    es: 'No se puede leer {file}: {message}',
    en: 'Cannot read {file}: {message}',
  },
  'config.configuration_not_valid': {
    es: 'La configuración {file} no es válida:\n{detail}',
    en: 'The configuration {file} is not valid:\n{detail}',
  },
  'config.contains_control_characters': {
    es: 'contiene caracteres de control',
    en: 'contains control characters',
  },
  'config.current_file_invalid_not_overwritten': {
    es: 'El archivo {file} actual no es válido y no se sobrescribe. Corríjalo o bórrelo antes.',
    en: 'The current file {file} is invalid and is not overwritten. Fix or delete it first.',
  },
  'config.empty_enter_server_url': {
    es: 'está vacío: indique la URL del servidor',
    en: 'is empty: enter the server URL',
  },
  'config.empty_enter_share_name': {
    es: 'está vacío: indique el recurso compartido',
    en: 'is empty: enter the share name',
  },
  'config.empty_enter_smb_server': {
    es: 'está vacío: indique la IP o el nombre del servidor SMB',
    en: 'is empty: enter the SMB server address or name',
  },
  'config.empty_enter_target_folder': {
    es: 'está vacío: indique la carpeta de destino',
    en: 'is empty: enter the target folder',
  },
  'config.empty_enter_user_name': {
    es: 'está vacío: indique el usuario',
    en: 'is empty: enter the user name',
  },
  'config.empty_enter_webdav_server': {
    es: 'está vacío: indique la URL del servidor WebDAV',
    en: 'is empty: enter the WebDAV server URL',
  },
  'config.encryption_but_there_no_public': {
    es: 'la encriptación está activada pero no hay ninguna clave pública (age1...)',
    en: 'encryption is on but there is no public key (age1...)',
  },
  'config.file_must_contain_json_object': {
    es: 'el archivo debe contener un objeto JSON { ... }',
    en: 'the file must contain a JSON object { ... }',
  },
  'config.file_not_valid_utf': {
    es: 'el archivo no es UTF-8 válido',
    en: 'the file is not valid UTF-8',
  },
  'config.file_too_large_bytes': {
    es: 'el archivo es demasiado grande ({size} bytes; máximo {MAX_CONFIG_BYTES})',
    en: 'the file is too large ({size} bytes; maximum {MAX_CONFIG_BYTES})',
  },
  'config.fix_file_hand_not_modified': {
    es: 'Corrija el archivo a mano; no se ha modificado.',
    en: 'Fix the file by hand; it was not modified.',
  },
  'config.invalid_key': {
    es: 'Clave no válida: {key}',
    en: 'Invalid key: {key}',
  },
  'config.invalid_type_expected': {
    es: 'tipo no válido (se esperaba {expected})',
    en: 'invalid type (expected {expected})',
  },
  'config.invalid_value': {
    es: 'valor no válido ({reason})',
    en: 'invalid value ({reason})',
  },
  'config.letters_digits_dot_dash': {
    es: 'solo letras, números, punto, guion y guion bajo',
    en: 'letters, digits, dot, dash and underscore only',
  },
  'config.line_column': {
    es: ' (línea {line}, columna {column})',
    en: ' (line {line}, column {column})',
  },
  'config.malformed_json': {
    es: 'JSON mal formado{where}: {reason}',
    en: 'malformed JSON{where}: {reason}',
  },
  'config.must_absolute_path': {
    es: 'debe ser una ruta absoluta',
    en: 'must be an absolute path',
  },
  'config.must_basic_digest_auto': {
    es: "debe ser 'basic', 'digest' o 'auto'",
    en: "must be 'basic', 'digest' or 'auto'",
  },
  'config.must_between_1_65535': {
    es: 'debe estar entre 1 y 65535',
    en: 'must be between 1 and 65535',
  },
  'config.must_bidirectional_push_pull': {
    es: "debe ser 'bidirectional', 'push' o 'pull'",
    en: "must be 'bidirectional', 'push' or 'pull'",
  },
  'config.must_es_en': {
    es: "debe ser 'es' o 'en'",
    en: "must be 'es' or 'en'",
  },
  'config.must_full_auto': {
    es: "debe ser 'full' o 'auto'",
    en: "must be 'full' or 'auto'",
  },
  'config.must_integer': {
    es: 'debe ser un número entero',
    en: 'must be an integer',
  },
  'config.must_least_1': {
    es: 'debe ser al menos 1',
    en: 'must be at least 1',
  },
  'config.must_least_seconds': {
    es: 'debe ser al menos {MIN_POLLING_INTERVAL} segundos',
    en: 'must be at least {MIN_POLLING_INTERVAL} seconds',
  },
  'config.must_list_age_public': {
    es: 'debe ser una lista de claves públicas age',
    en: 'must be a list of age public keys',
  },
  'config.must_most_1000': {
    es: 'no puede superar 1000',
    en: 'must be at most 1000',
  },
  'config.must_most_characters': {
    es: 'no puede superar {max} caracteres',
    en: 'must be at most {max} characters',
  },
  'config.must_most_seconds_7': {
    es: 'no puede superar {MAX_POLLING_INTERVAL} segundos (7 días)',
    en: 'must be at most {MAX_POLLING_INTERVAL} seconds (7 days)',
  },
  'config.must_not_contain_leaving_remote': {
    es: "no puede contener '..' (no se permite salir de la carpeta remota)",
    en: "must not contain '..' (leaving the remote folder is not allowed)",
  },
  'config.must_number': {
    es: 'debe ser un número',
    en: 'must be a number',
  },
  'config.must_number_seconds': {
    es: 'debe ser un número de segundos',
    en: 'must be a number of seconds',
  },
  'config.must_start_default_cordiax': {
    es: "debe empezar por '/' (por defecto: /cordiax-sync/)",
    en: "must start with '/' (default: /cordiax-sync/)",
  },
  'config.must_start_http_https': {
    es: '{what}: debe empezar por http:// o https:// (ej: https://cloud.example.com/remote.php/dav)',
    en: '{what}: must start with http:// or https:// (e.g. https://cloud.example.com/remote.php/dav)',
  },
  'config.must_string': {
    es: 'debe ser un texto',
    en: 'must be a string',
  },
  'config.must_true_false': {
    es: 'debe ser true o false',
    en: 'must be true or false',
  },
  'config.must_whole_number_seconds': {
    es: 'debe ser un número entero de segundos',
    en: 'must be a whole number of seconds',
  },
  'config.must_x25519_passphrase': {
    es: "debe ser 'x25519' o 'passphrase'",
    en: "must be 'x25519' or 'passphrase'",
  },
  'config.nested_too_deeply_more': {
    es: 'demasiado anidado (más de {MAX_CONFIG_DEPTH} niveles)',
    en: 'nested too deeply (more than {MAX_CONFIG_DEPTH} levels)',
  },
  'config.not_valid_age_public_key': {
    es: 'no es una clave pública age válida (age1...)',
    en: 'is not a valid age public key (age1...)',
  },
  'config.passphrase_mode_set_passphrase': {
    es: 'modo frase de paso: indique passphrase_file o passphrase_env',
    en: 'passphrase mode: set passphrase_file or passphrase_env',
  },
  'config.too_big_maximum': {
    es: 'demasiado grande (máximo {maximum})',
    en: 'too big (maximum {maximum})',
  },
  'config.too_many_elements_more': {
    es: 'demasiados elementos (más de {MAX_CONFIG_NODES})',
    en: 'too many elements (more than {MAX_CONFIG_NODES})',
  },
  'config.too_small_minimum': {
    es: 'demasiado pequeño (mínimo {minimum})',
    en: 'too small (minimum {minimum})',
  },
  'config.unknown_protocol_use_one': {
    es: 'protocolo desconocido; use uno de: {PROTOCOLS}',
    en: 'unknown protocol; use one of: {PROTOCOLS}',
  },
  'config.value_not_allowed_use': {
    es: 'valor no permitido (use: {values})',
    en: 'value not allowed (use: {values})',
  },
} as const satisfies Catalogue;
