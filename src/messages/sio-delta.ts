import type { Catalogue } from './text.js';

/** Page patches over our Socket.IO server (protocol 2 'patch' feature: src/delta/endpoint-sync.ts, src/server). */
export const sioDeltaMessages = {
  'siodelta.patch_refused_whole': {
    es: 'El servidor no aceptó las páginas cambiadas ({code}: {why}); se envía la base de datos completa.',
    en: 'The server did not accept the changed pages ({code}: {why}); the whole database is sent.',
  },
  'siodelta.server_has_no_patches': {
    es: 'Este servidor no ofrece parches de páginas; se descarga la versión completa.',
    en: 'This server offers no page patches; the whole version is downloaded.',
  },
  'siodelta.encrypted_whole': {
    es: 'Cifrado activado: el servidor Socket.IO no puede aplicar parches a datos cifrados; se transfiere el archivo completo.',
    en: 'Encryption on: the Socket.IO server cannot patch encrypted data; the whole file is transferred.',
  },
  'siodelta.base_mismatch': {
    es: 'La versión sobre la que se hicieron los cambios ({generation}) ya no es la del servidor; se enviará la base de datos completa.',
    en: 'The version the changes were made on ({generation}) is no longer the server’s; the whole database will be sent.',
  },
  'siodelta.patch_encrypted_head': {
    es: 'La versión del servidor está cifrada: no se le pueden aplicar páginas.',
    en: 'The server’s version is encrypted: pages cannot be applied to it.',
  },
  'siodelta.patch_result_mismatch': {
    es: 'Las páginas recibidas no reconstruyen la base de datos anunciada ({reason}); no se guarda nada.',
    en: 'The pages received do not rebuild the announced database ({reason}); nothing is stored.',
  },
  'siodelta.version_not_kept': {
    es: 'El servidor ya no guarda la versión {generation} (o no coincide): se descarga la versión completa.',
    en: 'The server no longer keeps version {generation} (or it differs): the whole version is downloaded.',
  },
  'siodelta.patch_not_worth': {
    es: 'Los cambios entre las dos versiones ocupan casi tanto como la base de datos: se descarga completa.',
    en: 'The changes between the two versions take almost as much as the database: it is downloaded whole.',
  },
  'siodelta.patch_unknown': {
    es: 'Parche desconocido o caducado en el servidor.',
    en: 'Unknown or expired patch on the server.',
  },
  'siodelta.patch_no_room': {
    es: 'El servidor no tiene espacio para preparar más parches ahora.',
    en: 'The server has no room to prepare more patches now.',
  },
} as const satisfies Catalogue;
