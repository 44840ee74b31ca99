import type { Catalogue } from './text.js';

/** Getting back into the web UI: `cordiax-sync open`, sessions that survive a restart, a tab that outlived one. */
export const accessMessages = {
  'access.login_code_bearer_only': {
    es: 'Solo un programa con el token de acceso (Authorization: Bearer) puede pedir un código de entrada.',
    en: 'Only a program holding the access token (Authorization: Bearer) may ask for a login code.',
  },
  'access.not_running': {
    es: 'La interfaz web de cordiax-sync no está en marcha para {home} (no existe {file}). Iníciela con "cordiax-sync start" o instale el servicio con "cordiax-sync service install".',
    en: 'The cordiax-sync web interface is not running for {home} ({file} does not exist). Start it with "cordiax-sync start" or install the service with "cordiax-sync service install".',
  },
  'access.no_answer': {
    es: 'La interfaz web de {url} no contesta ({message}). ¿Se ha detenido cordiax-sync? Iníciela con "cordiax-sync start".',
    en: 'The web interface at {url} does not answer ({message}). Has cordiax-sync stopped? Start it with "cordiax-sync start".',
  },
  'access.opening': {
    es: 'Abriendo la interfaz web en el navegador ({url}).',
    en: 'Opening the web interface in the browser ({url}).',
  },
  'access.open_this': {
    es: 'Abra esta dirección en el navegador (sirve una sola vez): {url}',
    en: 'Open this address in the browser (it works once): {url}',
  },
  'access.help.open': {
    es: 'abre la interfaz web en marcha en el navegador, sin poner el token en la línea de órdenes',
    en: 'opens the running web interface in the browser, without putting the token on the command line',
  },
  'access.help.print': {
    es: 'muestra una dirección de entrada de un solo uso en lugar de abrir el navegador',
    en: 'prints a one-time login address instead of opening the browser',
  },
  'access.session_ended': {
    es: 'Esta pestaña ya no tiene acceso (la sesión terminó). Para entrar de nuevo, ejecute "cordiax-sync open" en este equipo, o abra la dirección que muestra "cordiax-sync start".',
    en: 'This tab has no access any more (the session ended). To get back in, run "cordiax-sync open" on this computer, or open the address "cordiax-sync start" prints.',
  },
  'access.reconnected_after_restart': {
    es: 'cordiax-sync se ha reiniciado; la página se ha vuelto a conectar.',
    en: 'cordiax-sync restarted; the page has reconnected.',
  },
} as const satisfies Catalogue;
