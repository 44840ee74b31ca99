/**
 * NTSTATUS values the client meets, and how each becomes a SyncError: a stable code, a Spanish and an English
 * message, and a hint saying what to check.
 */
import { SyncError, type ErrorCode, type Text } from '../errors.js';
import { msg } from '../messages/index.js';

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

const CHECK_CREDENTIALS: Text = msg('smb.check_credentials');
const CHECK_PERMISSIONS: Text = msg('smb.check_permissions');

const MAP: Record<number, Mapping> = {
  [Status.LOGON_FAILURE]: {
    code: 'AUTH_FAILED',
    text: msg('smb.LOGON_FAILURE'),
    hint: CHECK_CREDENTIALS,
  },
  [Status.WRONG_PASSWORD]: {
    code: 'AUTH_FAILED',
    text: msg('smb.WRONG_PASSWORD'),
    hint: CHECK_CREDENTIALS,
  },
  [Status.NO_SUCH_USER]: {
    code: 'AUTH_FAILED',
    text: msg('smb.NO_SUCH_USER'),
    hint: CHECK_CREDENTIALS,
  },
  [Status.ACCOUNT_LOCKED_OUT]: {
    code: 'ACCOUNT_LOCKED',
    text: msg('smb.ACCOUNT_LOCKED_OUT'),
    hint: msg('smb.ACCOUNT_LOCKED_OUT.hint'),
  },
  [Status.ACCOUNT_DISABLED]: {
    code: 'AUTH_FAILED',
    text: msg('smb.ACCOUNT_DISABLED'),
    hint: msg('smb.ACCOUNT_DISABLED.hint'),
  },
  [Status.ACCOUNT_RESTRICTION]: {
    code: 'AUTH_FAILED',
    text: msg('smb.ACCOUNT_RESTRICTION'),
    hint: CHECK_CREDENTIALS,
  },
  [Status.INVALID_LOGON_HOURS]: {
    code: 'AUTH_FAILED',
    text: msg('smb.INVALID_LOGON_HOURS'),
    hint: msg('smb.INVALID_LOGON_HOURS.hint'),
  },
  [Status.INVALID_WORKSTATION]: {
    code: 'AUTH_FAILED',
    text: msg('smb.INVALID_WORKSTATION'),
    hint: msg('smb.INVALID_WORKSTATION.hint'),
  },
  [Status.PASSWORD_EXPIRED]: {
    code: 'AUTH_FAILED',
    text: msg('smb.PASSWORD_EXPIRED'),
    hint: msg('smb.PASSWORD_EXPIRED.hint'),
  },
  [Status.PASSWORD_MUST_CHANGE]: {
    code: 'AUTH_FAILED',
    text: msg('smb.PASSWORD_MUST_CHANGE'),
    hint: msg('smb.PASSWORD_EXPIRED.hint'),
  },
  [Status.ACCESS_DENIED]: {
    code: 'PERMISSION_DENIED',
    text: msg('smb.ACCESS_DENIED'),
    hint: CHECK_PERMISSIONS,
  },
  [Status.NETWORK_ACCESS_DENIED]: {
    code: 'PERMISSION_DENIED',
    text: msg('smb.NETWORK_ACCESS_DENIED'),
    hint: CHECK_PERMISSIONS,
  },
  [Status.MEDIA_WRITE_PROTECTED]: {
    code: 'PERMISSION_DENIED',
    text: msg('smb.MEDIA_WRITE_PROTECTED'),
    hint: msg('smb.MEDIA_WRITE_PROTECTED.hint'),
  },
  [Status.BAD_NETWORK_NAME]: {
    code: 'NOT_FOUND',
    text: msg('smb.BAD_NETWORK_NAME'),
    hint: msg('smb.BAD_NETWORK_NAME.hint'),
  },
  [Status.BAD_NETWORK_PATH]: {
    code: 'NOT_FOUND',
    text: msg('smb.BAD_NETWORK_PATH'),
    hint: msg('smb.BAD_NETWORK_PATH.hint'),
  },
  [Status.OBJECT_NAME_NOT_FOUND]: {
    code: 'NOT_FOUND',
    text: msg('smb.OBJECT_NAME_NOT_FOUND'),
    hint: msg('smb.OBJECT_NAME_NOT_FOUND.hint'),
  },
  [Status.OBJECT_PATH_NOT_FOUND]: {
    code: 'NOT_FOUND',
    text: msg('smb.OBJECT_PATH_NOT_FOUND'),
    hint: msg('smb.OBJECT_NAME_NOT_FOUND.hint'),
  },
  [Status.NOT_FOUND]: {
    code: 'NOT_FOUND',
    text: msg('smb.NOT_FOUND'),
  },
  [Status.DELETE_PENDING]: {
    code: 'NOT_FOUND',
    text: msg('smb.DELETE_PENDING'),
  },
  [Status.OBJECT_NAME_COLLISION]: {
    code: 'ALREADY_EXISTS',
    text: msg('smb.OBJECT_NAME_COLLISION'),
  },
  [Status.OBJECT_NAME_INVALID]: {
    code: 'CONFIG_INVALID',
    text: msg('smb.OBJECT_NAME_INVALID'),
    hint: msg('smb.OBJECT_NAME_INVALID.hint'),
  },
  [Status.OBJECT_PATH_INVALID]: {
    code: 'CONFIG_INVALID',
    text: msg('smb.OBJECT_PATH_INVALID'),
    hint: msg('smb.OBJECT_NAME_NOT_FOUND.hint'),
  },
  [Status.SHARING_VIOLATION]: {
    code: 'LOCKED',
    text: msg('smb.SHARING_VIOLATION'),
    hint: msg('smb.SHARING_VIOLATION.hint'),
  },
  [Status.FILE_LOCK_CONFLICT]: {
    code: 'LOCKED',
    text: msg('smb.FILE_LOCK_CONFLICT'),
  },
  [Status.LOCK_NOT_GRANTED]: {
    code: 'LOCKED',
    text: msg('smb.LOCK_NOT_GRANTED'),
  },
  [Status.DISK_FULL]: {
    code: 'STORAGE_FULL',
    text: msg('smb.DISK_FULL'),
    hint: msg('smb.DISK_FULL.hint'),
  },
  [Status.QUOTA_EXCEEDED]: {
    code: 'STORAGE_FULL',
    text: msg('smb.QUOTA_EXCEEDED'),
    hint: msg('smb.QUOTA_EXCEEDED.hint'),
  },
  [Status.FILE_TOO_LARGE]: {
    code: 'TOO_LARGE',
    text: msg('smb.FILE_TOO_LARGE'),
  },
  [Status.FILE_IS_A_DIRECTORY]: {
    code: 'CONFIG_INVALID',
    text: msg('smb.FILE_IS_A_DIRECTORY'),
    hint: msg('smb.OBJECT_NAME_NOT_FOUND.hint'),
  },
  [Status.NOT_A_DIRECTORY]: {
    code: 'CONFIG_INVALID',
    text: msg('smb.NOT_A_DIRECTORY'),
    hint: msg('smb.OBJECT_NAME_NOT_FOUND.hint'),
  },
  [Status.DIRECTORY_NOT_EMPTY]: {
    code: 'PRECONDITION_FAILED',
    text: msg('smb.DIRECTORY_NOT_EMPTY'),
  },
  [Status.NOT_SAME_DEVICE]: {
    code: 'NOT_SUPPORTED',
    text: msg('smb.NOT_SAME_DEVICE'),
  },
  [Status.NOT_SUPPORTED]: {
    code: 'NOT_SUPPORTED',
    text: msg('smb.NOT_SUPPORTED'),
  },
  [Status.INVALID_DEVICE_REQUEST]: {
    code: 'NOT_SUPPORTED',
    text: msg('smb.INVALID_DEVICE_REQUEST'),
  },
  [Status.PATH_NOT_COVERED]: {
    code: 'NOT_SUPPORTED',
    text: msg('smb.PATH_NOT_COVERED'),
    hint: msg('smb.PATH_NOT_COVERED.hint'),
  },
  [Status.REQUEST_NOT_ACCEPTED]: {
    code: 'UNAVAILABLE',
    text: msg('smb.REQUEST_NOT_ACCEPTED'),
    hint: msg('smb.REQUEST_NOT_ACCEPTED.hint'),
  },
  [Status.INSUFFICIENT_RESOURCES]: {
    code: 'UNAVAILABLE',
    text: msg('smb.INSUFFICIENT_RESOURCES'),
    hint: msg('smb.INSUFFICIENT_RESOURCES.hint'),
  },
  [Status.NETWORK_NAME_DELETED]: {
    code: 'CONNECTION_RESET',
    text: msg('smb.NETWORK_NAME_DELETED'),
  },
  [Status.USER_SESSION_DELETED]: {
    code: 'CONNECTION_RESET',
    text: msg('smb.USER_SESSION_DELETED'),
  },
  [Status.NETWORK_SESSION_EXPIRED]: {
    code: 'CONNECTION_RESET',
    text: msg('smb.NETWORK_SESSION_EXPIRED'),
  },
  [Status.IO_TIMEOUT]: {
    code: 'TIMEOUT',
    text: msg('smb.IO_TIMEOUT'),
  },
  [Status.CANCELLED]: { code: 'CANCELLED', text: msg('smb.CANCELLED') },
  [Status.FILE_CLOSED]: {
    code: 'PROTOCOL',
    text: msg('smb.FILE_CLOSED'),
  },
  [Status.INVALID_HANDLE]: {
    code: 'PROTOCOL',
    text: msg('smb.INVALID_HANDLE'),
  },
  [Status.INVALID_PARAMETER]: {
    code: 'PROTOCOL',
    text: msg('smb.INVALID_PARAMETER'),
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
  return new SyncError('PROTOCOL', msg('smb.smb_server_answered', { name, command, suffix }), {
    details: { ntstatus: name, command },
  });
}

export function protocolError(detail: Text, cause?: unknown): SyncError {
  return new SyncError('PROTOCOL', msg('smb.invalid_smb_answer', { detail }), {
    cause,
    hint: msg('smb.server_not_speak_smb2'),
  });
}
