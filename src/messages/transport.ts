import type { Catalogue } from './text.js';

/** What every transport shares: the connection test round trip, guarantees, availability. */
export const transportMessages = {
  'transport.atomic_create_server_creates': {
    es: 'Creación atómica: el servidor crea cada versión solo si no existe, así que dos equipos nunca pueden publicar la misma generación; el perdedor recibe un conflicto.',
    en: 'Atomic create: the server creates each version only if absent, so two devices can never publish the same generation; the loser gets a conflict.',
  },
  'transport.conditional_write_without_locks': {
    es: 'Escritura condicional sin bloqueos: no basta para excluir a otros equipos; se usa un archivo de bloqueo y una versión perdida se detecta al releerla o en la siguiente sincronización.',
    en: 'Conditional write without locks: not enough to exclude other devices; a lock file is used and a lost version is detected on read-back or at the next sync.',
  },
  'transport.could_not_load': {
    es: 'no se pudo cargar: {message}',
    en: 'could not load: {message}',
  },
  'transport.deleted_probe': {
    es: 'Borrado del archivo de prueba.',
    en: 'Deleted the probe.',
  },
  'transport.install_dependency': {
    es: 'Instale la dependencia: {installHint}',
    en: 'Install the dependency: {installHint}',
  },
  'transport.lock_server_not_guarantee_exclusive': {
    es: 'Bloqueo: el servidor no garantiza la creación exclusiva, pero respeta los bloqueos WebDAV; los envíos se hacen de uno en uno y una versión perdida se detecta al releerla o en la siguiente sincronización.',
    en: 'Lock: the server does not guarantee exclusive create, but it enforces WebDAV locks; uploads go one at a time and a lost version is detected on read-back or at the next sync.',
  },
  'transport.missing_dependency': {
    es: 'falta la dependencia "{missing}"',
    en: 'missing dependency "{missing}"',
  },
  'transport.none_server_not_stop_two': {
    es: 'Ninguna: el servidor no impide que dos equipos escriban a la vez; se usa un archivo de bloqueo y una versión perdida solo se detecta después (conflicto), no se evita.',
    en: 'None: the server does not stop two devices writing at once; a lock file is used and a lost version is only detected afterwards (a conflict), not prevented.',
  },
  'transport.probe_file_already_existed': {
    es: 'El archivo de prueba ya existía.',
    en: 'The probe file already existed.',
  },
  'transport.probe_read_back_differs': {
    es: 'El archivo de prueba leído no coincide.',
    en: 'The probe read back differs.',
  },
  'transport.probe_still_exists_after': {
    es: 'El archivo de prueba sigue existiendo tras borrarlo.',
    en: 'The probe still exists after deleting it.',
  },
  'transport.protocol_unavailable': {
    es: 'El protocolo {protocol} no está disponible: {reason}.',
    en: 'The {protocol} protocol is unavailable: {reason}.',
  },
  'transport.read_probe_back_identical': {
    es: 'Lectura del archivo de prueba (contenido idéntico).',
    en: 'Read the probe back (identical).',
  },
  'transport.renamed_probe': {
    es: 'Renombrado del archivo de prueba.',
    en: 'Renamed the probe.',
  },
  'transport.wrote_probe_file': {
    es: 'Escritura de un archivo de prueba.',
    en: 'Wrote a probe file.',
  },
  'transport.landed_not_match_sent': {
    es: 'Lo que llegó al destino no coincide con lo enviado ({rel}); no se ha reemplazado nada.',
    en: 'What reached the target does not match what was sent ({rel}); nothing was replaced.',
  },
  'transport.landed_not_match_sent.hint': {
    es: 'El servidor, un proxy o el disco altera lo que se escribe (¿límite de tamaño, antivirus, disco lleno?). Revise el registro del servidor.',
    en: 'The server, a proxy or the disk alters what is written (size limit, antivirus, full disk?). Check the server log.',
  },
  'transport.already_exists_target': {
    es: 'Ya existe en el destino: {rel}',
    en: 'Already exists at the target: {rel}',
  },
  'transport.unknown_protocol': {
    es: 'Protocolo desconocido: {protocol}',
    en: 'Unknown protocol: {protocol}',
  },
} as const satisfies Catalogue;
