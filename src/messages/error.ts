import type { Catalogue } from './text.js';

/** Error codes (ERROR_CODES in src/errors.ts): a title for each; then the operating-system errors (errno) they come from. */
export const errorMessages = {
  'error.ACCOUNT_LOCKED': {
    es: 'Cuenta bloqueada',
    en: 'Account locked',
  },
  'error.ALREADY_EXISTS': {
    es: 'Ya existe',
    en: 'Already exists',
  },
  'error.AUTH_FAILED': {
    es: 'Autenticación fallida',
    en: 'Authentication failed',
  },
  'error.CANCELLED': {
    es: 'Cancelado',
    en: 'Cancelled',
  },
  'error.CONFIG_INVALID': {
    es: 'Configuración no válida',
    en: 'Invalid settings',
  },
  'error.CONFIG_PARSE': {
    es: 'Archivo de configuración mal formado',
    en: 'Malformed settings file',
  },
  'error.CONFLICT': {
    es: 'Conflicto',
    en: 'Conflict',
  },
  'error.CONNECTION_REFUSED': {
    es: 'Conexión rechazada',
    en: 'Connection refused',
  },
  'error.CONNECTION_RESET': {
    es: 'Conexión cortada',
    en: 'Connection dropped',
  },
  'error.CORRUPT_DATABASE': {
    es: 'Base de datos dañada',
    en: 'Damaged database',
  },
  'error.DNS': {
    es: 'Nombre de servidor desconocido',
    en: 'Unknown server name',
  },
  'error.EACCES': {
    es: 'Permiso denegado: {raw}',
    en: 'Permission denied: {raw}',
  },
  'error.ECONNREFUSED': {
    es: 'El servidor rechazó la conexión (¿está en marcha? ¿puerto correcto?).',
    en: 'The server refused the connection (is it running? right port?).',
  },
  'error.ECONNRESET': {
    es: 'La conexión se cortó durante la transferencia.',
    en: 'The connection dropped during the transfer.',
  },
  'error.EMPTY_DATABASE': {
    es: 'Base de datos vacía o truncada',
    en: 'Empty or truncated database',
  },
  'error.ENCRYPTION': {
    es: 'Error de encriptación',
    en: 'Encryption error',
  },
  'error.ENOENT': {
    es: 'No existe: {raw}',
    en: 'Not found: {raw}',
  },
  'error.ENOSPC': {
    es: 'No queda espacio en el destino.',
    en: 'No space left on the target.',
  },
  'error.ENOTFOUND': {
    es: 'No se encuentra el nombre del servidor (revise la dirección).',
    en: 'The server name cannot be resolved (check the address).',
  },
  'error.ETIMEDOUT': {
    es: 'El servidor no respondió a tiempo.',
    en: 'The server did not answer in time.',
  },
  'error.INTERNAL': {
    es: 'Error interno',
    en: 'Internal error',
  },
  'error.LOCKED': {
    es: 'Bloqueado por otro programa',
    en: 'Locked by another program',
  },
  'error.NOT_FOUND': {
    es: 'No encontrado',
    en: 'Not found',
  },
  'error.NOT_SUPPORTED': {
    es: 'No admitido por el servidor',
    en: 'Not supported by the server',
  },
  'error.PERMISSION_DENIED': {
    es: 'Permiso denegado',
    en: 'Permission denied',
  },
  'error.PRECONDITION_FAILED': {
    es: 'Otro equipo escribió antes',
    en: 'Another device wrote first',
  },
  'error.PROTOCOL': {
    es: 'Respuesta del servidor no válida',
    en: 'Invalid server answer',
  },
  'error.STORAGE_FULL': {
    es: 'Sin espacio',
    en: 'Out of space',
  },
  'error.TIMEOUT': {
    es: 'Sin respuesta a tiempo',
    en: 'No answer in time',
  },
  'error.TLS': {
    es: 'Problema de certificado (TLS)',
    en: 'Certificate problem (TLS)',
  },
  'error.TOO_LARGE': {
    es: 'Demasiado grande',
    en: 'Too large',
  },
  'error.UNAVAILABLE': {
    es: 'No disponible',
    en: 'Unavailable',
  },
  'error.VERIFY_FAILED': {
    es: 'La verificación falló',
    en: 'Verification failed',
  },
  'error.unexpected': {
    es: 'Error inesperado: {raw}',
    en: 'Unexpected error: {raw}',
  },
} as const satisfies Catalogue;
