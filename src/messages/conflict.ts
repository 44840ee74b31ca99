import type { Catalogue } from './text.js';

/** Conflicts people can decide: the diff, the choices, the merge, undo (src/conflict, src/ui/web/conflict.ts). */
export const conflictMessages = {
  'conflict.merge_not_possible': {
    es: 'No se pueden fusionar las dos versiones ({reasons}); elija una de las otras opciones.',
    en: 'The two versions cannot be merged ({reasons}); choose one of the other options.',
  },
  'conflict.merge_failed': {
    es: 'La fusión no se pudo completar y no se ha aplicado nada: {detail}',
    en: 'The merge could not be completed and nothing was applied: {detail}',
  },
  'conflict.local_missing': {
    es: 'No hay base de datos local que comparar.',
    en: 'There is no local database to compare.',
  },
  'conflict.confirm_required': {
    es: 'Esta opción reemplaza la base de datos en uso: hace falta confirmarla (confirm: true, o --yes en la orden).',
    en: 'This choice replaces the database in use: it must be confirmed (confirm: true, or --yes on the command line).',
  },
  'conflict.no_identity': {
    es: 'La copia está cifrada y en este equipo no hay identidad para descifrarla (encryption.identity_file).',
    en: 'The copy is encrypted and this computer has no identity to decrypt it (encryption.identity_file).',
  },
  'conflict.nothing_to_undo': {
    es: 'No hay ninguna resolución de conflicto que deshacer.',
    en: 'There is no conflict resolution to undo.',
  },
  'conflict.undo_too_late': {
    es: 'Ya no se puede deshacer: se ha sincronizado después. La copia de seguridad sigue en {backup}.',
    en: 'It can no longer be undone: a sync happened since. The backup is still at {backup}.',
  },
  'conflict.cli_help_merge': {
    es: 'fusionar: la versión del servidor con las filas cambiadas aquí (solo si cambiaron filas distintas)',
    en: 'merge: the server version plus the rows changed here (only when different rows changed)',
  },
  'conflict.cli_help_undo': {
    es: 'deshacer la última resolución (antes de la siguiente sincronización)',
    en: 'undo the last resolution (before the next sync)',
  },
  'conflict.cli_help_show': { es: 'mostrar qué difiere, por tabla', en: 'show what differs, per table' },
  'conflict.cli_help_yes': {
    es: 'confirmar sin preguntar el reemplazo de la base de datos en uso',
    en: 'confirm replacing the database in use without asking',
  },
  'conflict.cli_pick_one': {
    es: 'Indique una sola opción: --keep both|local|remote, --merge, --undo o --show.',
    en: 'Give exactly one option: --keep both|local|remote, --merge, --undo or --show.',
  },
  'conflict.cli_confirm_remote': {
    es: '¿Reemplazar la base de datos en uso por la versión del servidor? Se guarda antes una copia de seguridad.',
    en: 'Replace the database in use with the server version? A backup is kept first.',
  },
  'conflict.cli_confirm_merge': {
    es: '¿Reemplazar la base de datos en uso por la fusión de las dos versiones? Se guarda antes una copia de seguridad.',
    en: 'Replace the database in use with the merge of both versions? A backup is kept first.',
  },
  'conflict.cli_resolved_both': {
    es: 'Conflicto resuelto: se conservan las dos; la de este equipo se enviará y la del servidor queda como copia.',
    en: "Conflict resolved: both kept; this computer's will be sent and the server's stays as a copy.",
  },
  'conflict.cli_resolved_local': {
    es: 'Conflicto resuelto: se usa la de este equipo (se enviará en la próxima sincronización).',
    en: "Conflict resolved: using this computer's version (sent at the next sync).",
  },
  'conflict.cli_resolved_remote': {
    es: 'Conflicto resuelto: se usa la del servidor.',
    en: 'Conflict resolved: using the server version.',
  },
  'conflict.cli_resolved_merge': {
    es: 'Conflicto resuelto: se usa la fusión de las dos (se enviará en la próxima sincronización).',
    en: 'Conflict resolved: using the merge of both (sent at the next sync).',
  },
  'conflict.cli_backup_at': {
    es: 'Copia de seguridad de la base de datos anterior: {path}',
    en: 'Backup of the previous database: {path}',
  },
  'conflict.cli_copy_at': { es: 'Copia de la versión del servidor: {path}', en: 'Copy of the server version: {path}' },
  'conflict.cli_undo_hint': {
    es: 'Para deshacerlo antes de la próxima sincronización: cordiax-sync resolve --undo',
    en: 'To undo it before the next sync: cordiax-sync resolve --undo',
  },
  'conflict.cli_undone': {
    es: 'Resolución deshecha: el conflicto vuelve a estar pendiente. Copia de lo que se reemplazó: {backup}',
    en: 'Resolution undone: the conflict is pending again. Copy of what was replaced: {backup}',
  },
  'conflict.cli_summary_head': {
    es: 'Conflicto con la versión de {device}; copia en {copy}',
    en: 'Conflict with the version from {device}; copy at {copy}',
  },
  'conflict.cli_three_way': {
    es: 'Cambios respecto a la última versión común (+añadidas ~cambiadas -borradas):',
    en: 'Changes against the last common version (+added ~changed -deleted):',
  },
  'conflict.cli_two_way': {
    es: 'No se encuentra la última versión común: diferencias de la del servidor respecto a la de este equipo:',
    en: "The last common version cannot be found: the server version against this computer's:",
  },
  'conflict.cli_no_diff': {
    es: 'No se pueden comparar las versiones aquí (copia cifrada sin identidad, o error).',
    en: 'The versions cannot be compared here (encrypted copy without an identity, or an error).',
  },
  'conflict.cli_table_sides': {
    es: 'este equipo {local} · servidor {remote}',
    en: 'this computer {local} · server {remote}',
  },
  'conflict.cli_merge_offered': {
    es: 'Se pueden fusionar (resolve --merge): {rows} filas en total.',
    en: 'They can be merged (resolve --merge): {rows} rows in all.',
  },
} as const satisfies Catalogue;
