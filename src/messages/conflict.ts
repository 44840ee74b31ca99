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
} as const satisfies Catalogue;
