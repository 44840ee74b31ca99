import type { Catalogue } from './text.js';

/** Encryption: one message per reason (`crypto.<reason>`, ENCRYPTION_REASONS in src/crypto/errors.ts) and its hint. */
export const cryptoMessages = {
  'crypto.armored': {
    es: 'El archivo usa la armadura de texto de age (-----BEGIN AGE ENCRYPTED FILE-----), que no se admite.',
    en: 'The file uses age ASCII armor (-----BEGIN AGE ENCRYPTED FILE-----), which is not supported.',
  },
  'crypto.armored.hint': {
    es: 'Cifre sin la opción -a/--armor.',
    en: 'Encrypt without the -a/--armor option.',
  },
  'crypto.bad-identity': {
    es: 'Identidad age no válida (debe empezar por AGE-SECRET-KEY-1...).',
    en: 'Invalid age identity (it must start with AGE-SECRET-KEY-1...).',
  },
  'crypto.bad-identity.hint': {
    es: 'Use un archivo creado con age-keygen.',
    en: 'Use a file made by age-keygen.',
  },
  'crypto.bad-recipient': {
    es: 'Clave pública age no válida (debe empezar por age1...).',
    en: 'Invalid age public key (it must start with age1...).',
  },
  'crypto.bad-recipient.hint': {
    es: 'Copie la línea «Public key» que muestra age-keygen.',
    en: "Copy the 'Public key' line that age-keygen prints.",
  },
  'crypto.file-insecure.hint': {
    es: 'Ejecute: chmod 600 <archivo>.',
    en: 'Run: chmod 600 <file>.',
  },
  'crypto.header': {
    es: 'La cabecera del archivo cifrado está dañada o mal formada.',
    en: 'The header of the encrypted file is damaged or malformed.',
  },
  'crypto.header-mac': {
    es: 'La cabecera del archivo cifrado ha sido alterada (su código de autenticación no coincide).',
    en: 'The header of the encrypted file was altered (its authentication code does not match).',
  },
  'crypto.header-mac.hint': {
    es: 'No se ha descifrado nada. Use otra copia del archivo.',
    en: 'Nothing was decrypted. Use another copy of the file.',
  },
  'crypto.header.hint': {
    es: 'El archivo se ha corrompido o alterado; use otra copia.',
    en: 'The file was corrupted or altered; use another copy.',
  },
  'crypto.identity-file-insecure': {
    es: 'Se rechaza el archivo de identidad: otros usuarios pueden leerlo.',
    en: 'The identity file is refused: other users can read it.',
  },
  'crypto.identity-file-invalid': {
    es: 'El archivo de identidad no contiene identidades age válidas.',
    en: 'The identity file holds no valid age identities.',
  },
  'crypto.identity-file-invalid.hint': {
    es: 'Debe tener líneas AGE-SECRET-KEY-1... (las que empiezan por # se ignoran).',
    en: 'It must hold AGE-SECRET-KEY-1... lines (lines starting with # are ignored).',
  },
  'crypto.identity-file-missing': {
    es: 'No se encuentra el archivo de identidad (clave privada).',
    en: 'The identity (private key) file cannot be found.',
  },
  'crypto.identity-file-missing.hint': {
    es: 'Revise encryption.identity_file; créelo con age-keygen -o.',
    en: 'Check encryption.identity_file; create it with age-keygen -o.',
  },
  'crypto.mixed-modes': {
    es: 'No se puede cifrar a la vez para claves y con frase de contraseña.',
    en: 'Cannot encrypt to keys and with a passphrase at the same time.',
  },
  'crypto.mixed-modes.hint': {
    es: 'El formato age exige que la frase de contraseña sea el único destinatario.',
    en: 'The age format requires a passphrase to be the only recipient.',
  },
  'crypto.needs-identity': {
    es: 'Este archivo se cifró para claves age, no con una frase de contraseña.',
    en: 'This file was encrypted to age keys, not with a passphrase.',
  },
  'crypto.needs-identity.hint': {
    es: "Configure encryption.mode = 'x25519' e identity_file.",
    en: "Set encryption.mode = 'x25519' and identity_file.",
  },
  'crypto.needs-passphrase': {
    es: 'Este archivo está protegido con una frase de contraseña, no con una clave.',
    en: 'This file is protected with a passphrase, not with a key.',
  },
  'crypto.needs-passphrase.hint': {
    es: "Configure encryption.mode = 'passphrase' y la frase.",
    en: "Set encryption.mode = 'passphrase' and the passphrase.",
  },
  'crypto.no-key': {
    es: 'No hay ninguna clave ni frase de contraseña con la que descifrar.',
    en: 'There is no key or passphrase to decrypt with.',
  },
  'crypto.no-key.hint': {
    es: 'Configure encryption.identity_file o la frase de contraseña.',
    en: 'Set encryption.identity_file or the passphrase.',
  },
  'crypto.no-matching-identity': {
    es: 'Clave incorrecta: ninguna de las identidades disponibles puede abrir este archivo.',
    en: 'Wrong key: none of the available identities can open this file.',
  },
  'crypto.no-matching-identity.hint': {
    es: 'El archivo se cifró para otra clave pública. Compruebe que identity_file corresponde a uno de los destinatarios (recipients) usados al cifrar.',
    en: 'The file was encrypted to another public key. Check that identity_file matches one of the recipients used to encrypt.',
  },
  'crypto.no-recipients': {
    es: 'No hay destinatarios ni frase de contraseña para cifrar.',
    en: 'There are no recipients and no passphrase to encrypt to.',
  },
  'crypto.no-recipients.hint': {
    es: 'Añada al menos una clave pública en encryption.recipients.',
    en: 'Add at least one public key to encryption.recipients.',
  },
  'crypto.no-terminal': {
    es: 'No hay terminal para pedir la frase de contraseña.',
    en: 'There is no terminal to ask for the passphrase.',
  },
  'crypto.no-terminal.hint': {
    es: 'Use encryption.passphrase_file o encryption.passphrase_env.',
    en: 'Use encryption.passphrase_file or encryption.passphrase_env.',
  },
  'crypto.not-age': {
    es: 'El archivo no está cifrado con age (no empieza por «age-encryption.org/v1»).',
    en: "The file is not age-encrypted (it does not start with 'age-encryption.org/v1').",
  },
  'crypto.not-age.hint': {
    es: 'Compruebe que es el archivo .enc correcto y que no se ha sustituido por otro.',
    en: 'Check that this is the right .enc file and that it was not replaced by another one.',
  },
  'crypto.passphrase-file-insecure': {
    es: 'Se rechaza el archivo de la frase de contraseña: otros usuarios pueden leerlo.',
    en: 'The passphrase file is refused: other users can read it.',
  },
  'crypto.passphrase-missing': {
    es: 'No se ha encontrado la frase de contraseña.',
    en: 'The passphrase was not found.',
  },
  'crypto.passphrase-missing.hint': {
    es: 'Configure encryption.passphrase_file o encryption.passphrase_env (la variable se lee una vez y se borra).',
    en: 'Set encryption.passphrase_file or encryption.passphrase_env (the variable is read once and then removed).',
  },
  'crypto.payload': {
    es: 'El contenido cifrado está dañado, alterado o cortado (un bloque no supera la verificación).',
    en: 'The encrypted content is damaged, altered or cut short (a block fails verification).',
  },
  'crypto.payload.hint': {
    es: 'No se ha conservado nada del descifrado. Use otra copia del archivo.',
    en: 'Nothing of the decryption was kept. Use another copy of the file.',
  },
  'crypto.trailing-data': {
    es: 'Hay datos de más después del final del archivo cifrado.',
    en: 'There is extra data after the end of the encrypted file.',
  },
  'crypto.trailing-data.hint': {
    es: 'El archivo se ha alterado; use otra copia.',
    en: 'The file was altered; use another copy.',
  },
  'crypto.truncated': {
    es: 'El archivo cifrado está incompleto: le falta el final.',
    en: 'The encrypted file is incomplete: its end is missing.',
  },
  'crypto.truncated.hint': {
    es: 'La transferencia se cortó. Vuelva a descargarlo.',
    en: 'The transfer was cut short. Download it again.',
  },
  'crypto.unsupported-version': {
    es: 'El archivo usa una versión de age que este programa no conoce.',
    en: 'The file uses an age version this program does not know.',
  },
  'crypto.unsupported-version.hint': {
    es: 'Solo se admite age v1.',
    en: 'Only age v1 is supported.',
  },
  'crypto.work-factor': {
    es: 'El archivo pide un coste de scrypt demasiado alto (podría agotar la memoria).',
    en: 'The file asks for a scrypt cost that is too high (it could exhaust memory).',
  },
  'crypto.work-factor.hint': {
    es: 'Vuelva a cifrarlo con el coste por defecto de age.',
    en: "Re-encrypt it with age's default cost.",
  },
  'crypto.wrong-passphrase': {
    es: 'Frase de contraseña incorrecta.',
    en: 'Wrong passphrase.',
  },
  'crypto.wrong-passphrase.hint': {
    es: 'Compruebe la frase de contraseña (mayúsculas, espacios al final).',
    en: 'Check the passphrase (letter case, trailing spaces).',
  },
} as const satisfies Catalogue;
