/**
 * NTSTATUS values the client meets, and how each becomes a SyncError: a stable code, a Spanish and an English
 * message, and a hint saying what to check.
 */
import { SyncError, type ErrorCode, type Text } from '../errors.js';

export const Status = {
  SUCCESS: 0x00000000,
  PENDING: 0x00000103,
  BUFFER_OVERFLOW: 0x80000005,
  NO_MORE_FILES: 0x80000006,
  STOPPED_ON_SYMLINK: 0x8000002d,
  INVALID_HANDLE: 0xc0000008,
  INVALID_PARAMETER: 0xc000000d,
  INVALID_DEVICE_REQUEST: 0xc0000010,
  END_OF_FILE: 0xc0000011,
  MORE_PROCESSING_REQUIRED: 0xc0000016,
  ACCESS_DENIED: 0xc0000022,
  OBJECT_NAME_INVALID: 0xc0000033,
  OBJECT_NAME_NOT_FOUND: 0xc0000034,
  OBJECT_NAME_COLLISION: 0xc0000035,
  OBJECT_PATH_INVALID: 0xc0000039,
  OBJECT_PATH_NOT_FOUND: 0xc000003a,
  SHARING_VIOLATION: 0xc0000043,
  QUOTA_EXCEEDED: 0xc0000044,
  FILE_LOCK_CONFLICT: 0xc0000054,
  LOCK_NOT_GRANTED: 0xc0000055,
  DELETE_PENDING: 0xc0000056,
  NO_SUCH_USER: 0xc0000064,
  WRONG_PASSWORD: 0xc000006a,
  LOGON_FAILURE: 0xc000006d,
  ACCOUNT_RESTRICTION: 0xc000006e,
  INVALID_LOGON_HOURS: 0xc000006f,
  INVALID_WORKSTATION: 0xc0000070,
  PASSWORD_EXPIRED: 0xc0000071,
  ACCOUNT_DISABLED: 0xc0000072,
  DISK_FULL: 0xc000007f,
  INSUFFICIENT_RESOURCES: 0xc000009a,
  MEDIA_WRITE_PROTECTED: 0xc00000a2,
  FILE_IS_A_DIRECTORY: 0xc00000ba,
  NOT_SUPPORTED: 0xc00000bb,
  IO_TIMEOUT: 0xc00000b5,
  BAD_NETWORK_PATH: 0xc00000be,
  NETWORK_NAME_DELETED: 0xc00000c9,
  NETWORK_ACCESS_DENIED: 0xc00000ca,
  BAD_NETWORK_NAME: 0xc00000cc,
  REQUEST_NOT_ACCEPTED: 0xc00000d0,
  NOT_SAME_DEVICE: 0xc00000d4,
  DIRECTORY_NOT_EMPTY: 0xc0000101,
  NOT_A_DIRECTORY: 0xc0000103,
  CANCELLED: 0xc0000120,
  FILE_CLOSED: 0xc0000128,
  USER_SESSION_DELETED: 0xc0000203,
  PASSWORD_MUST_CHANGE: 0xc0000224,
  NOT_FOUND: 0xc0000225,
  ACCOUNT_LOCKED_OUT: 0xc0000234,
  PATH_NOT_COVERED: 0xc0000257,
  NETWORK_SESSION_EXPIRED: 0xc000035c,
  FILE_TOO_LARGE: 0xc0000904,
} as const;

const NAMES = new Map<number, string>(Object.entries(Status).map(([k, v]) => [v, `STATUS_${k}`]));

export function statusName(status: number): string {
  return NAMES.get(status >>> 0) ?? `0x${(status >>> 0).toString(16).padStart(8, '0')}`;
}

interface Mapping {
  code: ErrorCode;
  text: Text;
  hint?: Text;
}

const CHECK_CREDENTIALS: Text = {
  es: 'Revise el usuario, la contraseña y el dominio (en Active Directory, el dominio NetBIOS, p. ej. CORDIAX, o el formato usuario@dominio).',
  en: 'Check the user name, password and domain (for Active Directory, the NetBIOS domain, e.g. CORDIAX, or user@domain).',
};
const CHECK_PERMISSIONS: Text = {
  es: 'Compruebe en el servidor que el usuario tiene permiso de lectura y escritura en el recurso compartido y en la carpeta remota.',
  en: 'Check on the server that the user may read and write the share and the remote folder.',
};

const MAP: Record<number, Mapping> = {
  [Status.LOGON_FAILURE]: {
    code: 'AUTH_FAILED',
    text: {
      es: 'El servidor SMB rechazó el usuario o la contraseña.',
      en: 'The SMB server refused the user name or password.',
    },
    hint: CHECK_CREDENTIALS,
  },
  [Status.WRONG_PASSWORD]: {
    code: 'AUTH_FAILED',
    text: { es: 'Contraseña incorrecta.', en: 'Wrong password.' },
    hint: CHECK_CREDENTIALS,
  },
  [Status.NO_SUCH_USER]: {
    code: 'AUTH_FAILED',
    text: {
      es: 'El usuario no existe en el servidor o en el dominio.',
      en: 'The user does not exist on the server or in the domain.',
    },
    hint: CHECK_CREDENTIALS,
  },
  [Status.ACCOUNT_LOCKED_OUT]: {
    code: 'ACCOUNT_LOCKED',
    text: {
      es: 'La cuenta está bloqueada por demasiados intentos fallidos.',
      en: 'The account is locked out after too many failed attempts.',
    },
    hint: {
      es: 'Pida al administrador que la desbloquee, o espere a que caduque el bloqueo, y corrija la contraseña guardada.',
      en: 'Ask the administrator to unlock it, or wait for the lockout to expire, and fix the saved password.',
    },
  },
  [Status.ACCOUNT_DISABLED]: {
    code: 'AUTH_FAILED',
    text: { es: 'La cuenta está deshabilitada.', en: 'The account is disabled.' },
    hint: { es: 'Pida al administrador que la habilite.', en: 'Ask the administrator to enable it.' },
  },
  [Status.ACCOUNT_RESTRICTION]: {
    code: 'AUTH_FAILED',
    text: {
      es: 'La cuenta tiene restricciones que impiden iniciar sesión (p. ej. contraseña vacía).',
      en: 'Account restrictions prevent logging on (e.g. an empty password).',
    },
    hint: CHECK_CREDENTIALS,
  },
  [Status.INVALID_LOGON_HOURS]: {
    code: 'AUTH_FAILED',
    text: { es: 'La cuenta no puede iniciar sesión a esta hora.', en: 'The account may not log on at this time.' },
    hint: {
      es: 'Revise el horario permitido de la cuenta en el dominio.',
      en: 'Check the account logon hours in the domain.',
    },
  },
  [Status.INVALID_WORKSTATION]: {
    code: 'AUTH_FAILED',
    text: {
      es: 'La cuenta no puede iniciar sesión desde este equipo.',
      en: 'The account may not log on from this computer.',
    },
    hint: {
      es: 'Revise los equipos permitidos de la cuenta en el dominio.',
      en: 'Check the workstations allowed for the account.',
    },
  },
  [Status.PASSWORD_EXPIRED]: {
    code: 'AUTH_FAILED',
    text: { es: 'La contraseña ha caducado.', en: 'The password has expired.' },
    hint: {
      es: 'Cambie la contraseña en el dominio y guárdela de nuevo aquí.',
      en: 'Change the password in the domain and save it here again.',
    },
  },
  [Status.PASSWORD_MUST_CHANGE]: {
    code: 'AUTH_FAILED',
    text: { es: 'La contraseña debe cambiarse antes de usarla.', en: 'The password must be changed before use.' },
    hint: {
      es: 'Cambie la contraseña en el dominio y guárdela de nuevo aquí.',
      en: 'Change the password in the domain and save it here again.',
    },
  },
  [Status.ACCESS_DENIED]: {
    code: 'PERMISSION_DENIED',
    text: { es: 'Acceso denegado por el servidor SMB.', en: 'Access denied by the SMB server.' },
    hint: CHECK_PERMISSIONS,
  },
  [Status.NETWORK_ACCESS_DENIED]: {
    code: 'PERMISSION_DENIED',
    text: { es: 'Acceso de red denegado al recurso compartido.', en: 'Network access to the share denied.' },
    hint: CHECK_PERMISSIONS,
  },
  [Status.MEDIA_WRITE_PROTECTED]: {
    code: 'PERMISSION_DENIED',
    text: { es: 'El recurso compartido es de solo lectura.', en: 'The share is read-only.' },
    hint: {
      es: 'Quite "read only" del recurso en el servidor o elija otro recurso.',
      en: 'Make the share writable on the server or choose another share.',
    },
  },
  [Status.BAD_NETWORK_NAME]: {
    code: 'NOT_FOUND',
    text: { es: 'El recurso compartido no existe en el servidor.', en: 'The share does not exist on the server.' },
    hint: {
      es: 'Revise el nombre del recurso compartido (sin barras, p. ej. "datos").',
      en: 'Check the share name (no slashes, e.g. "data").',
    },
  },
  [Status.BAD_NETWORK_PATH]: {
    code: 'NOT_FOUND',
    text: { es: 'No se encuentra la ruta de red.', en: 'The network path was not found.' },
    hint: { es: 'Revise el servidor y el recurso compartido.', en: 'Check the server and share.' },
  },
  [Status.OBJECT_NAME_NOT_FOUND]: {
    code: 'NOT_FOUND',
    text: { es: 'El archivo no existe en el servidor.', en: 'The file does not exist on the server.' },
    hint: { es: 'Revise la ruta remota.', en: 'Check the remote path.' },
  },
  [Status.OBJECT_PATH_NOT_FOUND]: {
    code: 'NOT_FOUND',
    text: { es: 'La carpeta no existe en el servidor.', en: 'The folder does not exist on the server.' },
    hint: { es: 'Revise la ruta remota.', en: 'Check the remote path.' },
  },
  [Status.NOT_FOUND]: {
    code: 'NOT_FOUND',
    text: { es: 'No encontrado en el servidor.', en: 'Not found on the server.' },
  },
  [Status.DELETE_PENDING]: {
    code: 'NOT_FOUND',
    text: { es: 'El archivo se está borrando en el servidor.', en: 'The file is being deleted on the server.' },
  },
  [Status.OBJECT_NAME_COLLISION]: {
    code: 'ALREADY_EXISTS',
    text: {
      es: 'Ya existe un archivo con ese nombre en el servidor.',
      en: 'A file with that name already exists on the server.',
    },
  },
  [Status.OBJECT_NAME_INVALID]: {
    code: 'CONFIG_INVALID',
    text: { es: 'Nombre de archivo o carpeta no válido para SMB.', en: 'Invalid file or folder name for SMB.' },
    hint: {
      es: 'Evite los caracteres \\ / : * ? " < > | en la ruta remota.',
      en: 'Avoid the characters \\ / : * ? " < > | in the remote path.',
    },
  },
  [Status.OBJECT_PATH_INVALID]: {
    code: 'CONFIG_INVALID',
    text: { es: 'Ruta remota no válida para SMB.', en: 'Invalid remote path for SMB.' },
    hint: { es: 'Revise la ruta remota.', en: 'Check the remote path.' },
  },
  [Status.SHARING_VIOLATION]: {
    code: 'LOCKED',
    text: {
      es: 'Otro programa tiene el archivo abierto en el servidor.',
      en: 'Another program has the file open on the server.',
    },
    hint: { es: 'Espere y vuelva a intentarlo.', en: 'Wait and try again.' },
  },
  [Status.FILE_LOCK_CONFLICT]: {
    code: 'LOCKED',
    text: { es: 'El archivo está bloqueado en el servidor.', en: 'The file is locked on the server.' },
  },
  [Status.LOCK_NOT_GRANTED]: {
    code: 'LOCKED',
    text: { es: 'El archivo está bloqueado en el servidor.', en: 'The file is locked on the server.' },
  },
  [Status.DISK_FULL]: {
    code: 'STORAGE_FULL',
    text: { es: 'El disco del servidor está lleno.', en: 'The server disk is full.' },
    hint: { es: 'Libere espacio en el servidor.', en: 'Free space on the server.' },
  },
  [Status.QUOTA_EXCEEDED]: {
    code: 'STORAGE_FULL',
    text: { es: 'Se superó la cuota del usuario en el servidor.', en: 'The user quota on the server is exceeded.' },
    hint: { es: 'Libere espacio o pida más cuota.', en: 'Free space or ask for a larger quota.' },
  },
  [Status.FILE_TOO_LARGE]: {
    code: 'TOO_LARGE',
    text: { es: 'El archivo es demasiado grande para el servidor.', en: 'The file is too large for the server.' },
  },
  [Status.FILE_IS_A_DIRECTORY]: {
    code: 'CONFIG_INVALID',
    text: { es: 'La ruta es una carpeta, no un archivo.', en: 'The path is a folder, not a file.' },
    hint: { es: 'Revise la ruta remota.', en: 'Check the remote path.' },
  },
  [Status.NOT_A_DIRECTORY]: {
    code: 'CONFIG_INVALID',
    text: {
      es: 'Una parte de la ruta remota es un archivo, no una carpeta.',
      en: 'Part of the remote path is a file, not a folder.',
    },
    hint: { es: 'Revise la ruta remota.', en: 'Check the remote path.' },
  },
  [Status.DIRECTORY_NOT_EMPTY]: {
    code: 'PRECONDITION_FAILED',
    text: { es: 'La carpeta no está vacía.', en: 'The folder is not empty.' },
  },
  [Status.NOT_SAME_DEVICE]: {
    code: 'NOT_SUPPORTED',
    text: { es: 'No se puede renombrar entre volúmenes distintos.', en: 'Cannot rename across volumes.' },
  },
  [Status.NOT_SUPPORTED]: {
    code: 'NOT_SUPPORTED',
    text: { es: 'El servidor SMB no admite esta operación.', en: 'The SMB server does not support this operation.' },
  },
  [Status.INVALID_DEVICE_REQUEST]: {
    code: 'NOT_SUPPORTED',
    text: { es: 'El servidor SMB no admite esta operación.', en: 'The SMB server does not support this operation.' },
  },
  [Status.PATH_NOT_COVERED]: {
    code: 'NOT_SUPPORTED',
    text: {
      es: 'El recurso es un espacio DFS, que este cliente no sigue.',
      en: 'The share is a DFS namespace, which this client does not follow.',
    },
    hint: {
      es: 'Use el servidor y recurso de destino reales en lugar del nombre DFS.',
      en: 'Use the real target server and share instead of the DFS name.',
    },
  },
  [Status.REQUEST_NOT_ACCEPTED]: {
    code: 'UNAVAILABLE',
    text: { es: 'El servidor no acepta más conexiones.', en: 'The server accepts no more connections.' },
    hint: {
      es: 'Espere o revise el límite de conexiones del servidor.',
      en: 'Wait or check the server connection limit.',
    },
  },
  [Status.INSUFFICIENT_RESOURCES]: {
    code: 'UNAVAILABLE',
    text: { es: 'El servidor no tiene recursos suficientes ahora.', en: 'The server is out of resources now.' },
    hint: { es: 'Vuelva a intentarlo más tarde.', en: 'Try again later.' },
  },
  [Status.NETWORK_NAME_DELETED]: {
    code: 'CONNECTION_RESET',
    text: { es: 'El servidor cerró la conexión al recurso.', en: 'The server closed the share connection.' },
  },
  [Status.USER_SESSION_DELETED]: {
    code: 'CONNECTION_RESET',
    text: { es: 'El servidor cerró la sesión.', en: 'The server closed the session.' },
  },
  [Status.NETWORK_SESSION_EXPIRED]: {
    code: 'CONNECTION_RESET',
    text: { es: 'La sesión SMB caducó.', en: 'The SMB session expired.' },
  },
  [Status.IO_TIMEOUT]: {
    code: 'TIMEOUT',
    text: {
      es: 'El servidor SMB no completó la operación a tiempo.',
      en: 'The SMB server did not complete the operation in time.',
    },
  },
  [Status.CANCELLED]: { code: 'CANCELLED', text: { es: 'Operación cancelada.', en: 'Operation cancelled.' } },
  [Status.FILE_CLOSED]: {
    code: 'PROTOCOL',
    text: { es: 'El servidor cerró el archivo antes de tiempo.', en: 'The server closed the file early.' },
  },
  [Status.INVALID_HANDLE]: {
    code: 'PROTOCOL',
    text: { es: 'Identificador de archivo no válido en el servidor.', en: 'Invalid file handle on the server.' },
  },
  [Status.INVALID_PARAMETER]: {
    code: 'PROTOCOL',
    text: {
      es: 'El servidor SMB rechazó un parámetro de la petición.',
      en: 'The SMB server rejected a request parameter.',
    },
  },
};

/** The error for a failed SMB2 command. `what` names the operation and path, for the message. */
export function statusError(status: number, command: string, what?: string): SyncError {
  const name = statusName(status);
  const m = MAP[status >>> 0];
  const suffix = what ? ` (${what})` : '';
  if (m)
    return new SyncError(
      m.code,
      { es: m.text.es + suffix, en: m.text.en + suffix },
      { hint: m.hint, details: { ntstatus: name, command } },
    );
  return new SyncError(
    'PROTOCOL',
    {
      es: `El servidor SMB respondió ${name} a ${command}${suffix}.`,
      en: `The SMB server answered ${name} to ${command}${suffix}.`,
    },
    { details: { ntstatus: name, command } },
  );
}

export function protocolError(en: string, es: string, cause?: unknown): SyncError {
  return new SyncError(
    'PROTOCOL',
    { es: `Respuesta SMB no válida: ${es}.`, en: `Invalid SMB answer: ${en}.` },
    {
      cause,
      hint: {
        es: 'El servidor no habla SMB2/3 correctamente o la red altera los datos; revise el servidor y el puerto.',
        en: 'The server does not speak SMB2/3 correctly or the network alters the data; check the server and port.',
      },
    },
  );
}
