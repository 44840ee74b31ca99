import type { Catalogue } from './text.js';

/** HTTPS for the web UI (src/ui/tls.ts) and `cordiax-sync ui certificate` (src/cli/commands/ui.ts). */
export const tlsMessages = {
  'tls.ui_remote_refused': {
    es: 'La interfaz web no se abre en {host}: no es una dirección de este equipo (loopback) y sin HTTPS viajaría por la red sin cifrar, con el código de acceso. Para usarla desde otros equipos active HTTPS: "cordiax-sync ui certificate" crea un certificado y rellena ui.tls_cert_file y ui.tls_key_file (o ponga los de su certificado). Si de verdad hace falta HTTP sin cifrar, ponga "ui": {"allow_remote": true}; si no, use ui.host 127.0.0.1.',
    en: 'The web interface does not listen on {host}: it is not a loopback address and without HTTPS it would travel over the network unencrypted, access code included. To use it from other computers turn on HTTPS: "cordiax-sync ui certificate" creates a certificate and fills in ui.tls_cert_file and ui.tls_key_file (or set those of your own certificate). If plain HTTP is really needed, set "ui": {"allow_remote": true}; otherwise use ui.host 127.0.0.1.',
  },
  'tls.pair_incomplete': {
    es: 'HTTPS de la interfaz: {set} está puesto pero falta {missing}; van siempre juntos (el certificado y su clave privada).',
    en: 'Web interface HTTPS: {set} is set but {missing} is missing; they always go together (the certificate and its private key).',
  },
  'tls.file_unreadable': {
    es: 'HTTPS de la interfaz: no se puede leer {field} ({path}): {reason}.',
    en: 'Web interface HTTPS: cannot read {field} ({path}): {reason}.',
  },
  'tls.not_regular_file': {
    es: 'HTTPS de la interfaz: {field} ({path}) no es un archivo normal.',
    en: 'Web interface HTTPS: {field} ({path}) is not a regular file.',
  },
  'tls.key_readable_by_others': {
    es: 'HTTPS de la interfaz: la clave privada {field} ({path}) la pueden leer otros usuarios (permisos {mode}); no se usa. Ejecute: chmod 600 {path}',
    en: 'Web interface HTTPS: the private key {field} ({path}) is readable by other users (mode {mode}); not used. Run: chmod 600 {path}',
  },
  'tls.key_other_owner': {
    es: 'HTTPS de la interfaz: la clave privada {field} ({path}) pertenece a otro usuario (uid {uid}); no se usa. Debe ser suya y con permisos 600.',
    en: 'Web interface HTTPS: the private key {field} ({path}) belongs to another user (uid {uid}); not used. It must be yours, with mode 600.',
  },
  'tls.not_pem': {
    es: 'HTTPS de la interfaz: {field} ({path}) no contiene {what} en formato PEM.',
    en: 'Web interface HTTPS: {field} ({path}) does not hold {what} in PEM format.',
  },
  'tls.what.certificate': { es: 'un certificado', en: 'a certificate' },
  'tls.what.private_key': { es: 'una clave privada', en: 'a private key' },
  'tls.key_does_not_match': {
    es: 'HTTPS de la interfaz: la clave ui.tls_key_file ({key}) no corresponde al certificado ui.tls_cert_file ({cert}).',
    en: 'Web interface HTTPS: the key ui.tls_key_file ({key}) does not match the certificate ui.tls_cert_file ({cert}).',
  },
  'tls.name_not_in_certificate': {
    es: 'El certificado de la interfaz web no incluye {host}, la dirección que se muestra: los navegadores avisarán de que no corresponde. Cree otro que la incluya: cordiax-sync ui certificate --force (o --name {host}).',
    en: 'The web interface certificate does not include {host}, the address shown: browsers will warn that it does not match. Create one that does: cordiax-sync ui certificate --force (or --name {host}).',
  },
  'tls.certificate_expired': {
    es: 'El certificado de la interfaz web (ui.tls_cert_file) caducó el {date}: los navegadores avisarán. Cree otro con "cordiax-sync ui certificate --force".',
    en: 'The web interface certificate (ui.tls_cert_file) expired on {date}: browsers will warn. Create another with "cordiax-sync ui certificate --force".',
  },
  // The event code UI_TLS lives with the rest of this feature (the catalogue test wants event.<CODE>).
  'event.UI_TLS': {
    es: 'La interfaz web usa HTTPS en {url}. Huella SHA-256 del certificado: {fingerprint}. Si el navegador avisa de que no conoce el certificado, compruebe que muestra esta misma huella antes de aceptarlo.',
    en: 'The web interface uses HTTPS at {url}. Certificate SHA-256 fingerprint: {fingerprint}. If the browser warns that it does not know the certificate, check that it shows this same fingerprint before accepting it.',
  },
  'tls.help.ui': { es: 'La interfaz web', en: 'The web interface' },
  'tls.help.certificate': {
    es: 'Crea un certificado autofirmado para HTTPS de la interfaz (en $CORDIAX_HOME/tls/) y rellena ui.tls_cert_file y ui.tls_key_file',
    en: 'Creates a self-signed certificate for the web interface HTTPS (in $CORDIAX_HOME/tls/) and fills in ui.tls_cert_file and ui.tls_key_file',
  },
  'tls.help.name': {
    es: 'Nombre o dirección IP con que se abrirá la interfaz (repetible; por defecto el nombre del equipo y sus direcciones)',
    en: 'Name or IP address the interface will be opened with (repeatable; default: the computer name and its addresses)',
  },
  'tls.help.days': { es: 'Días de validez (por defecto 825)', en: 'Days of validity (default 825)' },
  'tls.help.force': {
    es: 'Sustituir un certificado que ya exista (los navegadores que lo aceptaron volverán a avisar)',
    en: 'Replace an existing certificate (browsers that accepted it will warn again)',
  },
  'tls.bad_name': {
    es: 'Nombre no válido para el certificado: {name} (use un nombre de equipo como recepcion.local o una dirección IP).',
    en: 'Not a valid name for the certificate: {name} (use a computer name such as recepcion.local or an IP address).',
  },
  'tls.bad_days': {
    es: '--days debe ser un número entero entre 1 y 3650.',
    en: '--days must be a whole number between 1 and 3650.',
  },
  'tls.openssl_missing': {
    es: 'Falta el programa openssl, necesario para crear el certificado. Instálelo (Debian/Ubuntu: sudo apt-get install openssl) o use un certificado propio en ui.tls_cert_file y ui.tls_key_file.',
    en: 'The openssl program, needed to create the certificate, is missing. Install it (Debian/Ubuntu: sudo apt-get install openssl) or use your own certificate in ui.tls_cert_file and ui.tls_key_file.',
  },
  'tls.openssl_failed': {
    es: 'openssl no pudo crear el certificado: {detail}',
    en: 'openssl could not create the certificate: {detail}',
  },
  'tls.already_exists': {
    es: 'Ya hay un certificado en {file} (huella SHA-256 {fingerprint}). Para sustituirlo use --force; los navegadores que lo aceptaron volverán a avisar.',
    en: 'There is already a certificate at {file} (SHA-256 fingerprint {fingerprint}). Use --force to replace it; browsers that accepted it will warn again.',
  },
  'tls.config_invalid': {
    es: 'La configuración actual no es válida (vea "cordiax-sync check-config"): no se crea el certificado.',
    en: 'The current configuration is not valid (see "cordiax-sync check-config"): the certificate is not created.',
  },
  'tls.created': {
    es: 'Certificado creado para: {names}\n  certificado: {cert}\n  clave privada (600): {key}\n  válido hasta: {until}\n  huella SHA-256: {fingerprint}\nGuardado en la configuración (ui.tls_cert_file, ui.tls_key_file). Al reiniciar "cordiax-sync start" la interfaz usa HTTPS. El navegador avisará de que no conoce el certificado: compruebe que la huella que muestra es esta antes de aceptarlo.',
    en: 'Certificate created for: {names}\n  certificate: {cert}\n  private key (600): {key}\n  valid until: {until}\n  SHA-256 fingerprint: {fingerprint}\nSaved in the configuration (ui.tls_cert_file, ui.tls_key_file). After restarting "cordiax-sync start" the interface uses HTTPS. The browser will warn that it does not know the certificate: check that the fingerprint it shows is this one before accepting it.',
  },
} as const satisfies Catalogue;
