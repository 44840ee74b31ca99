import type { Catalogue } from './text.js';

/** The service that ties config, engine and transports together. */
export const serviceMessages = {
  'service.secret_other_destination': {
    es: 'La contraseña o token guardado ({field}) es para {saved} y el formulario indica otro servidor ({wanted}): por seguridad no se envía a otro sitio. Escriba {field} otra vez para este servidor.',
    en: 'The stored password or token ({field}) is for {saved} and the form names another server ({wanted}): for safety it is not sent anywhere else. Type {field} again for this server.',
  },
  'service.configuration_missing': {
    es: 'Falta configuración:\n{problems}',
    en: 'Configuration missing:\n{problems}',
  },
} as const satisfies Catalogue;
