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
} as const satisfies Catalogue;
