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
  'conflict.ui_comparing': {
    es: 'Comparando las dos versiones con la última que tenían en común…',
    en: 'Comparing both versions with the last one they had in common…',
  },
  'conflict.ui_base_remote': {
    es: 'Cambios de cada lado respecto a la última versión común (la versión {generation}, guardada en el servidor):',
    en: 'Changes on each side against the last common version (version {generation}, kept on the server):',
  },
  'conflict.ui_base_backup': {
    es: 'Cambios de cada lado respecto a la última versión común (la versión {generation}, de una copia de seguridad de este equipo):',
    en: 'Changes on each side against the last common version (version {generation}, from a backup on this computer):',
  },
  'conflict.ui_two_way': {
    es: 'No se encuentra la última versión común (ni en el servidor ni en las copias de seguridad): se muestran las diferencias de la versión del servidor respecto a la de este equipo.',
    en: 'The last common version cannot be found (neither on the server nor in the backups): these are the differences of the server version against this computer’s.',
  },
  'conflict.ui_no_identity': {
    es: 'La copia está cifrada y en este equipo no hay identidad para descifrarla: no se puede mostrar qué cambió. Puede elegir igualmente; nada se pierde.',
    en: 'The copy is encrypted and this computer has no identity to decrypt it: what changed cannot be shown. You can still choose; nothing is lost.',
  },
  'conflict.ui_diff_failed': {
    es: 'No se han podido comparar las versiones. Puede elegir igualmente; nada se pierde.',
    en: 'The versions could not be compared. You can still choose; nothing is lost.',
  },
  'conflict.ui_no_row_differences': {
    es: 'Las dos versiones tienen las mismas filas.',
    en: 'Both versions have the same rows.',
  },
  'conflict.ui_table': { es: 'Tabla', en: 'Table' },
  'conflict.ui_this_computer': { es: 'Este equipo', en: 'This computer' },
  'conflict.ui_server': { es: 'Servidor', en: 'Server' },
  'conflict.ui_server_vs_local': {
    es: 'Servidor respecto a este equipo',
    en: 'Server against this computer',
  },
  'conflict.ui_counts': {
    es: '{added} añadidas · {changed} cambiadas · {deleted} borradas',
    en: '{added} added · {changed} changed · {deleted} deleted',
  },
  'conflict.ui_no_changes': { es: 'sin cambios', en: 'no changes' },
  'conflict.ui_same_rows': { es: '{rows} filas cambiadas en los dos', en: '{rows} rows changed on both' },
  'conflict.ui_schema_changed': { es: 'estructura cambiada', en: 'structure changed' },
  'conflict.ui_examples': { es: 'Ejemplos', en: 'Examples' },
  'conflict.ui_added': { es: 'Añadida', en: 'Added' },
  'conflict.ui_changed': { es: 'Cambiada', en: 'Changed' },
  'conflict.ui_deleted': { es: 'Borrada', en: 'Deleted' },
  'conflict.ui_merge_not_offered': {
    es: 'No se ofrece fusionar: las dos versiones cambiaron las mismas filas.',
    en: 'Merging is not offered: both versions changed the same rows.',
  },
  'conflict.ui_merge_no_schema': {
    es: 'No se ofrece fusionar: cambió la estructura de alguna tabla (o hay tablas virtuales).',
    en: 'Merging is not offered: the structure of some table changed (or there are virtual tables).',
  },
  'conflict.ui_merge_no_constraint': {
    es: 'No se ofrece fusionar: una fila de este equipo choca con otra del servidor (un valor que debe ser único).',
    en: 'Merging is not offered: a row from this computer clashes with one on the server (a value that must be unique).',
  },
  'conflict.ui_merge_no_need': {
    es: 'No hay nada que fusionar: solo uno de los lados cambió filas.',
    en: 'There is nothing to merge: only one side changed rows.',
  },
  'conflict.ui_merge_title': { es: 'Se pueden fusionar', en: 'They can be merged' },
  'conflict.ui_merge_explained': {
    es: 'Cada lado cambió filas distintas: la fusión toma la versión del servidor y le aplica los cambios de este equipo. Tendría {rows} filas en total:',
    en: 'Each side changed different rows: the merge takes the server version and applies this computer’s changes to it. It would hold {rows} rows in all:',
  },
  'conflict.ui_merge_table': {
    es: '{table}: {rows} filas (de este equipo: {local}; del servidor: {remote})',
    en: '{table}: {rows} rows (from this computer: {local}; from the server: {remote})',
  },
  'conflict.ui_merge_fk': {
    es: 'Atención: {count} filas de la fusión apuntan a filas que no existen (claves ajenas).',
    en: 'Warning: {count} merged rows point at rows that do not exist (foreign keys).',
  },
  'conflict.ui_choices': { es: 'Qué hacer con las dos versiones', en: 'What to do with both versions' },
  'conflict.ui_keep_both': { es: 'Conservar las dos', en: 'Keep both' },
  'conflict.ui_use_local': { es: 'Usar la de este equipo', en: 'Use this computer’s' },
  'conflict.ui_use_remote': { es: 'Usar la del servidor', en: 'Use the server’s' },
  'conflict.ui_merge': { es: 'Fusionar las dos', en: 'Merge both' },
  'conflict.ui_choices_help': {
    es: '«Conservar las dos»: sigue usando la de este equipo y deja la del servidor como copia junto a la base de datos. Ninguna opción borra nada: lo que se reemplaza queda en una copia de seguridad.',
    en: '“Keep both”: keeps using this computer’s and leaves the server’s as a copy beside the database. No choice deletes anything: what is replaced stays in a backup.',
  },
  'conflict.ui_backups_folder': { es: 'Copias de seguridad: ', en: 'Backups: ' },
  'conflict.ui_backup_of_previous': {
    es: 'Copia de seguridad de la base de datos anterior: ',
    en: 'Backup of the previous database: ',
  },
  'conflict.ui_copy_path': { es: 'Copiar ruta', en: 'Copy path' },
  'conflict.ui_path_copied': { es: 'Ruta copiada', en: 'Path copied' },
  'conflict.ui_copy_by_hand': {
    es: 'No se pudo copiar: seleccione la ruta en pantalla',
    en: 'Could not copy: select the path on screen',
  },
  'conflict.ui_confirm_remote_title': {
    es: '¿Usar la versión del servidor?',
    en: 'Use the server version?',
  },
  'conflict.ui_confirm_remote': {
    es: 'Se reemplazará la base de datos en uso ({db}) por la versión de {from}. Antes se guarda una copia de seguridad de la actual en {backups}; podrá deshacerlo hasta la próxima sincronización.',
    en: 'The database in use ({db}) will be replaced with the version from {from}. A backup of the current one is kept first in {backups}; you can undo it until the next sync.',
  },
  'conflict.ui_confirm_merge_title': { es: '¿Usar la fusión?', en: 'Use the merge?' },
  'conflict.ui_confirm_merge': {
    es: 'Se reemplazará la base de datos en uso ({db}) por la fusión de las dos versiones ({rows} filas), que se enviará al servidor. Antes se guarda una copia de seguridad de la actual en {backups}.',
    en: 'The database in use ({db}) will be replaced with the merge of both versions ({rows} rows), which will be sent to the server. A backup of the current one is kept first in {backups}.',
  },
  'conflict.ui_confirm_local_title': {
    es: '¿Usar la versión de este equipo?',
    en: 'Use this computer’s version?',
  },
  'conflict.ui_confirm_local': {
    es: 'La versión de este equipo se enviará al servidor y pasará a ser la de todos. La de {from} no se pierde: queda en el historial del servidor y su copia se mueve a {backups}.',
    en: 'This computer’s version will be sent to the server and become everyone’s. The one from {from} is not lost: it stays in the server’s history and its copy moves to {backups}.',
  },
  'conflict.ui_both_kept': {
    es: 'Se sigue usando la de este equipo (se enviará al servidor); la del servidor queda como copia.',
    en: 'This computer’s stays in use (it will be sent to the server); the server’s stays as a copy.',
  },
  'conflict.ui_merged': {
    es: 'Se usa la fusión de las dos; se enviará en la próxima sincronización.',
    en: 'The merge of both is in use; it will be sent on the next sync.',
  },
  'conflict.ui_undo': { es: 'Deshacer', en: 'Undo' },
  'conflict.ui_undo_gone': {
    es: 'Ya no se puede deshacer (se ha sincronizado después); la copia de seguridad sigue ahí.',
    en: 'It can no longer be undone (a sync happened since); the backup is still there.',
  },
  'conflict.ui_close': { es: 'Cerrar', en: 'Close' },
  'conflict.ui_confirm_undo_title': { es: '¿Deshacer la resolución?', en: 'Undo the resolution?' },
  'conflict.ui_confirm_undo_restore': {
    es: 'Se volverá a poner en uso la base de datos guardada en {backup} (antes se guarda una copia de la actual) y el conflicto quedará pendiente otra vez.',
    en: 'The database kept in {backup} will be put back in use (a copy of the current one is kept first) and the conflict will be pending again.',
  },
  'conflict.ui_confirm_undo': {
    es: 'El conflicto quedará pendiente otra vez, con las dos versiones como estaban.',
    en: 'The conflict will be pending again, with both versions as they were.',
  },
  'conflict.ui_undone': { es: 'Resolución deshecha', en: 'Resolution undone' },
} as const satisfies Catalogue;
