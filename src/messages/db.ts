import type { Catalogue } from './text.js';

/** The live database and snapshots. */
export const dbMessages = {
  'db.check_database_path_configuration': {
    es: 'Revise database_path en la configuración.',
    en: 'Check database_path in the configuration.',
  },
  'db.could_not_replace_local_database': {
    es: 'No se pudo reemplazar la base de datos local: {message}',
    en: 'Could not replace the local database: {message}',
  },
  'db.could_not_snapshot_database': {
    es: 'No se pudo copiar la base de datos: {message}',
    en: 'Could not snapshot the database: {message}',
  },
  'db.database_empty_0_bytes': {
    es: 'La base de datos {dbPath} está vacía (0 bytes): no se sincroniza.',
    en: 'The database {dbPath} is empty (0 bytes): not synced.',
  },
  'db.database_empty_missing': {
    es: 'La base de datos {file} está vacía o no existe.',
    en: 'The database {file} is empty or missing.',
  },
  'db.database_not_exist': {
    es: 'No existe la base de datos {dbPath}.',
    en: 'The database {dbPath} does not exist.',
  },
  'db.integrity_check_failed': {
    es: 'La comprobación de integridad de {file} ha fallado: {first}',
    en: 'The integrity check of {file} failed: {first}',
  },
  'db.local_database_busy_another': {
    es: 'La base de datos local está ocupada por otro programa (Cordiax) y no se pudo reemplazar; no se ha cambiado nada. Se reintentará en la próxima sincronización.',
    en: 'The local database is busy in another program (Cordiax) and could not be replaced; nothing was changed. It will be retried at the next sync.',
  },
  'db.local_database_changed_since': {
    es: 'La base de datos local cambió desde que se planificó la sincronización; no se reemplaza.',
    en: 'The local database changed since the sync was planned; it is not replaced.',
  },
  'db.local_database_damaged_not_sqlite': {
    es: 'La base de datos local {dbPath} está dañada o no es SQLite: {message}',
    en: 'The local database {dbPath} is damaged or not SQLite: {message}',
  },
  'db.local_database_locked_another': {
    es: 'La base de datos local está bloqueada por otro programa; se reintentará.',
    en: 'The local database is locked by another program; will retry.',
  },
  'db.local_database_not_match_received': {
    es: 'La base de datos local no coincide con la versión recibida justo después de aplicarla (otro programa escribió a la vez); se conservan las dos.',
    en: 'The local database does not match the received version right after applying it (another program wrote at the same time); both are kept.',
  },
  'db.not_sqlite_database_wrong_header': {
    es: '{file} no es una base de datos SQLite (cabecera incorrecta o truncada).',
    en: '{file} is not an SQLite database (wrong header or truncated).',
  },
  'db.not_valid_sqlite_database': {
    es: '{file} no es una base de datos SQLite válida: {message}',
    en: '{file} is not a valid SQLite database: {message}',
  },
  'db.truncated_bytes': {
    es: '{file} está truncada ({size} de {pageCount} bytes).',
    en: '{file} is truncated ({size} of {pageCount} bytes).',
  },
} as const satisfies Catalogue;
