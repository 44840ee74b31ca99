import type { Catalogue } from './text.js';

/**
 * Progress and cancel (issue 15, item 4): the phase an operation is in, as the page and the log name it, and the
 * events of a cancelled operation (`event.<CODE>`, kept here with the rest of this area).
 */
export const progressMessages = {
  'progress.phase.compare': { es: 'Consultando el servidor', en: 'Asking the server' },
  'progress.phase.snapshot': { es: 'Preparando copia', en: 'Preparing a copy' },
  'progress.phase.upload': { es: 'Enviando', en: 'Uploading' },
  'progress.phase.verify': { es: 'Comprobando la copia en el servidor', en: 'Checking the copy on the server' },
  'progress.phase.publish': { es: 'Publicando', en: 'Publishing' },
  'progress.phase.download': { es: 'Descargando', en: 'Downloading' },
  'progress.phase.check': { es: 'Comprobando la copia descargada', en: 'Checking the downloaded copy' },
  'progress.phase.apply': { es: 'Aplicando la versión', en: 'Applying the version' },
  'progress.phase.save': { es: 'Guardando la copia del servidor', en: "Saving the server's copy" },
  'progress.operation.sync': { es: 'Sincronización', en: 'Sync' },
  'progress.operation.pull': { es: 'Recepción de la versión del servidor', en: 'Receiving the server version' },
  'progress.operation.restore': { es: 'Restauración de una versión', en: 'Restoring a version' },
  'progress.operation.conflict-download': {
    es: 'Copia de la versión del servidor (conflicto)',
    en: 'Copy of the server version (conflict)',
  },
  'progress.percent': { es: '{what} {pct} %', en: '{what} {pct}%' },
  'progress.time_left': { es: 'quedan {time}', en: '{time} left' },
  'progress.amount': { es: '{done} de {total}', en: '{done} of {total}' },
  'progress.cancel': { es: 'Cancelar', en: 'Cancel' },
  'progress.cancelling': { es: 'Cancelando…', en: 'Cancelling…' },
  'progress.cannot_cancel_publish': {
    es: 'Ya se está publicando; no se puede cancelar.',
    en: 'Already publishing; it can no longer be cancelled.',
  },
  'progress.cannot_cancel_apply': {
    es: 'Ya se está aplicando la versión en la base de datos; no se puede cancelar.',
    en: 'The version is already being applied to the database; it can no longer be cancelled.',
  },
  'progress.cannot_cancel_save': {
    es: 'Ya se está guardando la copia del servidor; no se puede cancelar.',
    en: "The server's copy is already being saved; it can no longer be cancelled.",
  },
  'progress.nothing_to_cancel': {
    es: 'No hay ninguna sincronización ni restauración en curso.',
    en: 'No sync or restore is running.',
  },
  'event.CANCEL_REQUESTED': {
    es: 'Cancelación pedida: se detiene en cuanto termine el paso en curso.',
    en: 'Cancel requested: it stops as soon as the current step ends.',
  },
  'event.SYNC_CANCELLED': {
    es: 'Sincronización cancelada: no ha cambiado nada, ni en este equipo ni en el servidor.',
    en: 'Sync cancelled: nothing changed, neither on this computer nor on the server.',
  },
  'event.RESTORE_CANCELLED': {
    es: 'Restauración cancelada: la base de datos local no se ha tocado.',
    en: 'Restore cancelled: the local database was not touched.',
  },
} as const satisfies Catalogue;
