/**
 * Every failure of the encryption layer, as SyncError('ENCRYPTION') with a stable `details.reason` so the engine and
 * the tests can tell them apart without parsing text. Messages never carry key material or passphrases.
 */
import { SyncError, type Text } from '../errors.js';

export type EncryptionReason =
  | 'not-age' // no age header: not encrypted, or another format
  | 'armored' // ASCII-armored age (age -a): not read here
  | 'unsupported-version' // age-encryption.org/v2 or later
  | 'header' // malformed header
  | 'header-mac' // header authentication failed: tampered header
  | 'no-matching-identity' // wrong key: none of our identities opens the file
  | 'wrong-passphrase'
  | 'needs-passphrase' // the file is passphrase-protected, we only have keys
  | 'needs-identity' // the file is for keys, we only have a passphrase
  | 'no-key' // nothing to decrypt with
  | 'work-factor' // scrypt cost above what we accept
  | 'payload' // a payload chunk failed authentication: tampered or damaged
  | 'truncated' // the payload ends early
  | 'trailing-data' // bytes after the final chunk
  | 'bad-recipient'
  | 'bad-identity'
  | 'no-recipients'
  | 'mixed-modes' // recipients and a passphrase at once
  | 'identity-file-missing'
  | 'identity-file-insecure'
  | 'identity-file-invalid'
  | 'passphrase-missing'
  | 'passphrase-file-insecure'
  | 'no-terminal';

const TEXTS: Record<EncryptionReason, { text: Text; hint?: Text }> = {
  'not-age': {
    text: {
      es: 'El archivo no está cifrado con age (no empieza por «age-encryption.org/v1»).',
      en: "The file is not age-encrypted (it does not start with 'age-encryption.org/v1').",
    },
    hint: {
      es: 'Compruebe que es el archivo .enc correcto y que no se ha sustituido por otro.',
      en: 'Check that this is the right .enc file and that it was not replaced by another one.',
    },
  },
  armored: {
    text: {
      es: 'El archivo usa la armadura de texto de age (-----BEGIN AGE ENCRYPTED FILE-----), que no se admite.',
      en: 'The file uses age ASCII armor (-----BEGIN AGE ENCRYPTED FILE-----), which is not supported.',
    },
    hint: { es: 'Cifre sin la opción -a/--armor.', en: 'Encrypt without the -a/--armor option.' },
  },
  'unsupported-version': {
    text: {
      es: 'El archivo usa una versión de age que este programa no conoce.',
      en: 'The file uses an age version this program does not know.',
    },
    hint: { es: 'Solo se admite age v1.', en: 'Only age v1 is supported.' },
  },
  header: {
    text: {
      es: 'La cabecera del archivo cifrado está dañada o mal formada.',
      en: 'The header of the encrypted file is damaged or malformed.',
    },
    hint: {
      es: 'El archivo se ha corrompido o alterado; use otra copia.',
      en: 'The file was corrupted or altered; use another copy.',
    },
  },
  'header-mac': {
    text: {
      es: 'La cabecera del archivo cifrado ha sido alterada (su código de autenticación no coincide).',
      en: 'The header of the encrypted file was altered (its authentication code does not match).',
    },
    hint: {
      es: 'No se ha descifrado nada. Use otra copia del archivo.',
      en: 'Nothing was decrypted. Use another copy of the file.',
    },
  },
  'no-matching-identity': {
    text: {
      es: 'Clave incorrecta: ninguna de las identidades disponibles puede abrir este archivo.',
      en: 'Wrong key: none of the available identities can open this file.',
    },
    hint: {
      es: 'El archivo se cifró para otra clave pública. Compruebe que identity_file corresponde a uno de los destinatarios (recipients) usados al cifrar.',
      en: 'The file was encrypted to another public key. Check that identity_file matches one of the recipients used to encrypt.',
    },
  },
  'wrong-passphrase': {
    text: { es: 'Frase de contraseña incorrecta.', en: 'Wrong passphrase.' },
    hint: {
      es: 'Compruebe la frase de contraseña (mayúsculas, espacios al final).',
      en: 'Check the passphrase (letter case, trailing spaces).',
    },
  },
  'needs-passphrase': {
    text: {
      es: 'Este archivo está protegido con una frase de contraseña, no con una clave.',
      en: 'This file is protected with a passphrase, not with a key.',
    },
    hint: {
      es: "Configure encryption.mode = 'passphrase' y la frase.",
      en: "Set encryption.mode = 'passphrase' and the passphrase.",
    },
  },
  'needs-identity': {
    text: {
      es: 'Este archivo se cifró para claves age, no con una frase de contraseña.',
      en: 'This file was encrypted to age keys, not with a passphrase.',
    },
    hint: {
      es: "Configure encryption.mode = 'x25519' e identity_file.",
      en: "Set encryption.mode = 'x25519' and identity_file.",
    },
  },
  'no-key': {
    text: {
      es: 'No hay ninguna clave ni frase de contraseña con la que descifrar.',
      en: 'There is no key or passphrase to decrypt with.',
    },
    hint: {
      es: 'Configure encryption.identity_file o la frase de contraseña.',
      en: 'Set encryption.identity_file or the passphrase.',
    },
  },
  'work-factor': {
    text: {
      es: 'El archivo pide un coste de scrypt demasiado alto (podría agotar la memoria).',
      en: 'The file asks for a scrypt cost that is too high (it could exhaust memory).',
    },
    hint: { es: 'Vuelva a cifrarlo con el coste por defecto de age.', en: "Re-encrypt it with age's default cost." },
  },
  payload: {
    text: {
      es: 'El contenido cifrado está dañado, alterado o cortado (un bloque no supera la verificación).',
      en: 'The encrypted content is damaged, altered or cut short (a block fails verification).',
    },
    hint: {
      es: 'No se ha conservado nada del descifrado. Use otra copia del archivo.',
      en: 'Nothing of the decryption was kept. Use another copy of the file.',
    },
  },
  truncated: {
    text: {
      es: 'El archivo cifrado está incompleto: le falta el final.',
      en: 'The encrypted file is incomplete: its end is missing.',
    },
    hint: {
      es: 'La transferencia se cortó. Vuelva a descargarlo.',
      en: 'The transfer was cut short. Download it again.',
    },
  },
  'trailing-data': {
    text: {
      es: 'Hay datos de más después del final del archivo cifrado.',
      en: 'There is extra data after the end of the encrypted file.',
    },
    hint: { es: 'El archivo se ha alterado; use otra copia.', en: 'The file was altered; use another copy.' },
  },
  'bad-recipient': {
    text: {
      es: 'Clave pública age no válida (debe empezar por age1...).',
      en: 'Invalid age public key (it must start with age1...).',
    },
    hint: {
      es: 'Copie la línea «Public key» que muestra age-keygen.',
      en: "Copy the 'Public key' line that age-keygen prints.",
    },
  },
  'bad-identity': {
    text: {
      es: 'Identidad age no válida (debe empezar por AGE-SECRET-KEY-1...).',
      en: 'Invalid age identity (it must start with AGE-SECRET-KEY-1...).',
    },
    hint: { es: 'Use un archivo creado con age-keygen.', en: 'Use a file made by age-keygen.' },
  },
  'no-recipients': {
    text: {
      es: 'No hay destinatarios ni frase de contraseña para cifrar.',
      en: 'There are no recipients and no passphrase to encrypt to.',
    },
    hint: {
      es: 'Añada al menos una clave pública en encryption.recipients.',
      en: 'Add at least one public key to encryption.recipients.',
    },
  },
  'mixed-modes': {
    text: {
      es: 'No se puede cifrar a la vez para claves y con frase de contraseña.',
      en: 'Cannot encrypt to keys and with a passphrase at the same time.',
    },
    hint: {
      es: 'El formato age exige que la frase de contraseña sea el único destinatario.',
      en: 'The age format requires a passphrase to be the only recipient.',
    },
  },
  'identity-file-missing': {
    text: {
      es: 'No se encuentra el archivo de identidad (clave privada).',
      en: 'The identity (private key) file cannot be found.',
    },
    hint: {
      es: 'Revise encryption.identity_file; créelo con age-keygen -o.',
      en: 'Check encryption.identity_file; create it with age-keygen -o.',
    },
  },
  'identity-file-insecure': {
    text: {
      es: 'Se rechaza el archivo de identidad: otros usuarios pueden leerlo.',
      en: 'The identity file is refused: other users can read it.',
    },
    hint: { es: 'Ejecute: chmod 600 <archivo>.', en: 'Run: chmod 600 <file>.' },
  },
  'identity-file-invalid': {
    text: {
      es: 'El archivo de identidad no contiene identidades age válidas.',
      en: 'The identity file holds no valid age identities.',
    },
    hint: {
      es: 'Debe tener líneas AGE-SECRET-KEY-1... (las que empiezan por # se ignoran).',
      en: 'It must hold AGE-SECRET-KEY-1... lines (lines starting with # are ignored).',
    },
  },
  'passphrase-missing': {
    text: { es: 'No se ha encontrado la frase de contraseña.', en: 'The passphrase was not found.' },
    hint: {
      es: 'Configure encryption.passphrase_file o encryption.passphrase_env (la variable se lee una vez y se borra).',
      en: 'Set encryption.passphrase_file or encryption.passphrase_env (the variable is read once and then removed).',
    },
  },
  'passphrase-file-insecure': {
    text: {
      es: 'Se rechaza el archivo de la frase de contraseña: otros usuarios pueden leerlo.',
      en: 'The passphrase file is refused: other users can read it.',
    },
    hint: { es: 'Ejecute: chmod 600 <archivo>.', en: 'Run: chmod 600 <file>.' },
  },
  'no-terminal': {
    text: {
      es: 'No hay terminal para pedir la frase de contraseña.',
      en: 'There is no terminal to ask for the passphrase.',
    },
    hint: {
      es: 'Use encryption.passphrase_file o encryption.passphrase_env.',
      en: 'Use encryption.passphrase_file or encryption.passphrase_env.',
    },
  },
};

/** Builds the SyncError for a reason; `details` must hold no secrets (paths and counts only). */
export function encryptionError(
  reason: EncryptionReason,
  details: Record<string, unknown> = {},
  cause?: unknown,
): SyncError {
  const { text, hint } = TEXTS[reason];
  return new SyncError('ENCRYPTION', text, { hint, details: { reason, ...details }, cause });
}

/** The reason of an encryption error, or undefined for anything else. */
export function encryptionReason(err: unknown): EncryptionReason | undefined {
  if (err instanceof SyncError && err.code === 'ENCRYPTION') return err.details?.reason as EncryptionReason | undefined;
  return undefined;
}
