import type { Catalogue } from './text.js';

/** The remote's identity: the sync history follows the remote, not the spelling of its address (issue 15, item 2). */
export const identityMessages = {
  'event.REMOTE_SAME_IDENTITY': {
    es: 'Es el mismo servidor (identidad {id}): se conserva el historial de sincronización (antes: {previous}).',
    en: 'It is the same server (identity {id}): the sync history is kept (before: {previous}).',
  },
  'event.REMOTE_QUESTION': {
    es: '¿Es el mismo servidor? La dirección lleva ahora a un servidor con otra identidad ({found}) y otro historial; esta base de datos se sincronizaba con {previous} ({address}). No se sincroniza nada hasta que lo decida.',
    en: 'Is it the same server? The address now leads to a server with another identity ({found}) and another history; this database synced with {previous} ({address}). Nothing is synced until you decide.',
  },
  'event.REMOTE_ACCEPTED': {
    es: 'Se usa el servidor nuevo (identidad {id}): se compara como la primera vez; si el contenido difiere se guardan las dos copias.',
    en: 'Using the new server (identity {id}): compared as on a first sync; if the contents differ both copies are kept.',
  },
  'event.REMOTE_ADDRESS_RESTORED': {
    es: 'Se ha vuelto a la dirección anterior: {address}.',
    en: 'The previous address is back in use: {address}.',
  },
  'event.SYNC_QUESTION': {
    es: 'Sincronización detenida: la dirección lleva a otro servidor. ¿Es el mismo servidor?',
    en: 'Sync stopped: the address leads to another server. Is it the same server?',
  },
  'identity.no_question': {
    es: 'No hay ninguna pregunta pendiente sobre el servidor.',
    en: 'There is no pending question about the server.',
  },
  'identity.no_previous_address': {
    es: 'No se conoce la dirección anterior ({address}); corríjala en el formulario.',
    en: 'The previous address ({address}) is not known; correct it in the form.',
  },
  'identity.cli.question': {
    es: '¿Es el mismo servidor? La dirección lleva ahora a otro servidor (identidad {found}, versión {generation} de {device}); esta base de datos se sincronizaba con {previous} en {address}.\n  Responda: cordiax-sync remote-answer --use-new (compararlo como la primera vez, sin perder nada) o --go-back (volver a la dirección anterior).',
    en: 'Is it the same server? The address now leads to another server (identity {found}, version {generation} from {device}); this database synced with {previous} at {address}.\n  Answer: cordiax-sync remote-answer --use-new (compare it as on a first sync, losing nothing) or --go-back (return to the previous address).',
  },
  'identity.cli.help': {
    es: 'Responde a «¿Es el mismo servidor?» cuando la dirección lleva a otro servidor',
    en: 'Answers "Is it the same server?" when the address leads to another server',
  },
  'identity.cli.help_use_new': {
    es: 'usar el servidor nuevo (se compara como la primera vez; con contenido distinto, copia de conflicto)',
    en: 'use the new server (compared as on a first sync; different contents give a conflict copy)',
  },
  'identity.cli.help_go_back': {
    es: 'volver a la dirección anterior',
    en: 'return to the previous address',
  },
  'identity.cli.answer_or': {
    es: 'Indique --use-new o --go-back.',
    en: 'Give --use-new or --go-back.',
  },
  'identity.ui.title': { es: '¿Es el mismo servidor?', en: 'Is it the same server?' },
  'identity.ui.status_sub': {
    es: 'La dirección lleva a otro servidor: decida antes de sincronizar.',
    en: 'The address leads to another server: decide before syncing.',
  },
  'identity.ui.explain': {
    es: 'La dirección configurada lleva ahora a un servidor con otra identidad ({found}) y otro historial: su última versión es la {generation}, de {device}. Esta base de datos se sincronizaba con otro servidor ({previous}) en {address}. No se ha descargado ni enviado nada.',
    en: 'The configured address now leads to a server with another identity ({found}) and another history: its latest version is {generation}, from {device}. This database synced with another server ({previous}) at {address}. Nothing has been downloaded or sent.',
  },
  'identity.ui.not_merge': {
    es: 'Dos historiales distintos no se unen automáticamente: si es el mismo equipo con otra copia, elija «Usar este servidor nuevo» y, si difieren, se guardarán las dos copias para que decida.',
    en: 'Two different histories are never joined automatically: if it is the same machine with another copy, choose "Use this new server" and, if they differ, both copies are kept for you to decide.',
  },
  'identity.ui.use_new': { es: 'Usar este servidor nuevo', en: 'Use this new server' },
  'identity.ui.use_new_help': {
    es: 'Se compara como la primera vez, sin perder nada: si el contenido es igual no se mueve nada; si difiere se guarda una copia de conflicto.',
    en: 'Compared as on a first sync, losing nothing: equal contents move nothing; different contents keep a conflict copy.',
  },
  'identity.ui.go_back': { es: 'Volver a la dirección anterior', en: 'Return to the previous address' },
  'identity.ui.go_back_help': {
    es: 'Restaura la dirección con la que se sincronizaba; si cambia el destino de la contraseña, tendrá que escribirla de nuevo.',
    en: 'Restores the address it synced with; if the password destination changes you will have to type it again.',
  },
  'identity.ui.answered': { es: 'Respuesta guardada.', en: 'Answer saved.' },
} as const satisfies Catalogue;
