import type { Catalogue } from './text.js';

/** Words and sentences used by several areas (the CLI and the page, several transports). */
export const commonMessages = {
  'common.encryption': {
    es: 'Encriptación',
    en: 'Encryption',
  },
  'common.error': {
    es: 'Error',
    en: 'Error',
  },
  'common.last_error': {
    es: 'Último error',
    en: 'Last error',
  },
  'common.last_good_sync': {
    es: 'Última sincronización correcta',
    en: 'Last good sync',
  },
  'common.operation_cancelled': {
    es: 'Operación cancelada.',
    en: 'Operation cancelled.',
  },
  'common.protocol': {
    es: 'Protocolo',
    en: 'Protocol',
  },
  'common.protocol_name.folder': {
    es: 'con la carpeta',
    en: 'folder',
  },
  'common.protocol_name.smb': {
    es: 'SMB',
    en: 'SMB',
  },
  'common.protocol_name.socketio': {
    es: 'Socket.IO',
    en: 'Socket.IO',
  },
  'common.protocol_name.webdav': {
    es: 'WebDAV',
    en: 'WebDAV',
  },
  'common.remote_version': {
    es: 'Versión remota',
    en: 'Remote version',
  },
  'common.transfer_cancelled': {
    es: 'Transferencia cancelada.',
    en: 'Transfer cancelled.',
  },
  'common.unsafe_folder': {
    es: 'Carpeta insegura {dir}: {why}. No se usa (otro usuario podría leer el registro o sustituir copias).',
    en: 'Unsafe folder {dir}: {why}. Not used (another user could read the log or replace backups).',
  },
  'common.unsafe_folder.not_folder': {
    es: 'no es una carpeta',
    en: 'it is not a folder',
  },
  'common.unsafe_folder.move_elsewhere': {
    es: 'Mueva {dir} a otro sitio.',
    en: 'Move {dir} elsewhere.',
  },
  'common.unsafe_folder.other_owner': {
    es: 'pertenece a otro usuario (uid {uid})',
    en: 'it belongs to another user (uid {uid})',
  },
  'common.unsafe_folder.other_owner.fix': {
    es: 'Bórrela o renómbrela y deje que el programa la cree, o use otra con CORDIAX_HOME.',
    en: 'Delete or rename it and let the program create it, or use another one with CORDIAX_HOME.',
  },
  'common.unsafe_folder.writable': {
    es: 'otros usuarios pueden escribir en ella (permisos {mode})',
    en: 'other users can write to it (mode {mode})',
  },
  'common.unsafe_folder.writable.fix': {
    es: "Revise su contenido y ejecute: chmod 700 '{dir}'",
    en: "Check its contents and run: chmod 700 '{dir}'",
  },
  'common.unsafe_folder.symlink': {
    es: 'es un enlace simbólico',
    en: 'it is a symbolic link',
  },
  'common.unsafe_folder.symlink.fix': {
    es: "Borre el enlace (rm '{dir}') y deje que el programa cree la carpeta.",
    en: "Remove the link (rm '{dir}') and let the program create the folder.",
  },
} as const satisfies Catalogue;
