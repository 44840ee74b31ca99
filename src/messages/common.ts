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
} as const satisfies Catalogue;
