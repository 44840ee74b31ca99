import type { Catalogue } from './text.js';

/** The web UI server and its JSON API. */
export const apiMessages = {
  'api.token_not_in_address': {
    es: 'El token de acceso no se acepta en la dirección (quedaría en el historial del navegador). Abra la dirección con ?code= que muestra "cordiax-sync start"; los programas envían el token en la cabecera Authorization: Bearer.',
    en: 'The access token is not accepted in the address (it would stay in the browser history). Open the address with ?code= that "cordiax-sync start" prints; scripts send the token in the Authorization: Bearer header.',
  },
  'api.access_code_missing_open': {
    es: 'Falta el código de acceso o la sesión terminó. Ejecute "cordiax-sync open" en este equipo, o abra la dirección completa que muestra ahora "cordiax-sync start" (incluye ?code=...).',
    en: 'The access code is missing or the session ended. Run "cordiax-sync open" on this computer, or open the full address "cordiax-sync start" prints now (it includes ?code=...).',
  },
  'api.access_code_not_valid_changes': {
    es: 'El código de acceso no es válido: cada código sirve una sola vez y cambia en cada arranque. Abra la dirección que muestra ahora "cordiax-sync start".',
    en: 'The access code is not valid: each code works once and changes on every start. Open the address "cordiax-sync start" prints now.',
  },
  'api.current_configuration_valid_nothing': {
    es: 'La configuración actual es válida: no hay nada que apartar.',
    en: 'The current configuration is valid: nothing to set aside.',
  },
  'api.database_already_exists_sample': {
    es: 'Ya existe una base de datos en {dbPath}: no se crea la de ejemplo.',
    en: 'A database already exists at {dbPath}: the sample is not created.',
  },
  'api.host_name_not_allowed_open': {
    es: 'Nombre de servidor no permitido: abra la interfaz por la dirección que muestra "cordiax-sync start" (127.0.0.1 o localhost en este equipo), o con "cordiax-sync open".',
    en: 'Host name not allowed: open the interface at the address "cordiax-sync start" prints (127.0.0.1 or localhost on this computer), or with "cordiax-sync open".',
  },
  'api.interface_not_built_missing_run': {
    es: 'La interfaz no está compilada (falta {root}). Ejecute "npm run build".',
    en: 'The interface is not built ({root} is missing). Run "npm run build".',
  },
  'api.invalid_address': {
    es: 'Dirección no válida.',
    en: 'Invalid address.',
  },
  'api.invalid_request': {
    es: 'Petición no válida: {detail}',
    en: 'Invalid request: {detail}',
  },
  'api.method_not_allowed': {
    es: 'Método no permitido.',
    en: 'Method not allowed.',
  },
  'api.not_found': {
    es: 'No existe.',
    en: 'Not found.',
  },
  'api.only_json_accepted': {
    es: 'Solo se acepta JSON (Content-Type: application/json).',
    en: 'Only JSON is accepted (Content-Type: application/json).',
  },
  'api.port_already_use_another': {
    es: 'El puerto {wantedPort} ya está en uso (¿otra copia de cordiax-sync?). Use --port para elegir otro.',
    en: 'Port {wantedPort} is already in use (another cordiax-sync?). Use --port to choose another.',
  },
  'api.request_body_not_valid_json': {
    es: 'El cuerpo de la petición no es JSON válido.',
    en: 'The request body is not valid JSON.',
  },
  'api.request_refused_anti_forgery': {
    es: 'Petición rechazada: falta la cabecera anti-falsificación. Recargue la página.',
    en: 'Request refused: the anti-forgery header is missing. Reload the page.',
  },
  'api.request_refused_comes_another': {
    es: 'Petición rechazada: viene de otra página web.',
    en: 'Request refused: it comes from another web page.',
  },
  'api.request_too_large': {
    es: 'La petición es demasiado grande.',
    en: 'The request is too large.',
  },
} as const satisfies Catalogue;
