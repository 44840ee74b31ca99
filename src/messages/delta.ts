import type { Catalogue } from './text.js';

/** Delta sync: page patches, chains of versions (src/delta). */
export const deltaMessages = {
  'delta.chain_broken': {
    es: 'La cadena de versiones no reconstruye la versión esperada ({reason}); no se aplica nada.',
    en: 'The version chain does not rebuild the expected version ({reason}); nothing is applied.',
  },
  'delta.bad_patch': {
    es: 'Parche de páginas no válido ({why}); no se aplica.',
    en: 'Invalid page patch ({why}); not applied.',
  },
  'delta.why.unknown_header': { es: 'cabecera desconocida', en: 'unknown header' },
  'delta.why.unknown_version': { es: 'versión desconocida', en: 'unknown version' },
  'delta.why.page_size': { es: 'tamaño de página', en: 'page size' },
  'delta.why.too_many_pages': { es: 'demasiadas páginas', en: 'too many pages' },
  'delta.why.page_out_of_order': { es: 'número de página fuera de orden', en: 'page number out of order' },
  'delta.why.truncated_body': { es: 'cuerpo truncado', en: 'truncated body' },
  'delta.why.other': { es: '{detail}', en: '{detail}' },
  'delta.encrypted_patch_needs_identity': {
    es: 'La versión {generation} está guardada como páginas cambiadas cifradas: hace falta la identidad (encryption.identity_file) para reconstruirla.',
    en: 'Version {generation} is stored as encrypted changed pages: the identity (encryption.identity_file) is needed to rebuild it.',
  },
  'delta.object_mismatch': {
    es: 'El objeto remoto {file} ({got} bytes) no coincide con el manifiesto ({size} bytes, sha256 distinto); no se aplica.',
    en: 'The remote object {file} ({got} bytes) does not match the manifest ({size} bytes, different sha256); not applied.',
  },
} as const satisfies Catalogue;
