import type { Catalogue } from './text.js';

/** The service that ties config, engine and transports together. */
export const serviceMessages = {
  'service.secret_file_not_from_form': {
    es: '{field} (el archivo cuyo contenido se envía al servidor como token) no se cambia desde la interfaz: cámbielo en el archivo de configuración o con "cordiax-sync config set {field} RUTA". Así quien use la interfaz no puede enviar a un servidor suyo un archivo de este equipo.',
    en: '{field} (the file whose contents are sent to the server as the token) is not changed from the interface: change it in the config file or with "cordiax-sync config set {field} PATH". So whoever uses the interface cannot send a file of this computer to a server of theirs.',
  },
  'service.secret_other_destination': {
    es: 'La contraseña o token guardado ({field}) es para {saved} y el formulario indica otro servidor ({wanted}): por seguridad no se envía a otro sitio. Escriba {field} otra vez para este servidor.',
    en: 'The stored password or token ({field}) is for {saved} and the form names another server ({wanted}): for safety it is not sent anywhere else. Type {field} again for this server.',
  },
  'service.configuration_missing': {
    es: 'Falta configuración:\n{problems}',
    en: 'Configuration missing:\n{problems}',
  },
} as const satisfies Catalogue;
