/**
 * Keys the web form creates: a new age identity ("Generar clave") and a typed passphrase, each written 0600 in a
 * private folder under the Cordiax home (`keys/`, 0700), the way the config already names them (identity_file,
 * passphrase_file). An identity is never overwritten: each one gets a new file name.
 */
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { SyncError } from '../errors.js';
import { registerSecret } from '../log/redact.js';
import { msg } from '../messages/index.js';
import { writeFileAtomic } from '../util/fs.js';
import { ensurePrivateDir } from '../util/private-dir.js';
import { generateX25519Identity } from './keys.js';

export const KEYS_DIR = 'keys';
const MAX_PASSPHRASE = 1024;

function keysDir(home: string): string {
  const dir = path.join(home, KEYS_DIR);
  ensurePrivateDir(dir);
  return dir;
}

/** A new X25519 identity in `<home>/keys/identidad-age-<time>.txt` (0600, created exclusively), as age-keygen writes it. */
export async function writeNewIdentity(home: string): Promise<{ identityFile: string; recipient: string }> {
  const id = generateX25519Identity();
  registerSecret(id.identity);
  const stamp = new Date()
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.(\d+)Z$/, '-$1');
  const file = path.join(keysDir(home), `identidad-age-${stamp}.txt`);
  await fsp.writeFile(file, `# created: ${new Date().toISOString()}\n# public key: ${id.recipient}\n${id.identity}\n`, {
    mode: 0o600,
    flag: 'wx',
  });
  return { identityFile: file, recipient: id.recipient };
}

/** Stores the passphrase typed in the form in `<home>/keys/frase-de-paso.txt` (0600, atomic); returns the path. */
export async function writePassphrase(home: string, passphrase: string): Promise<string> {
  if (passphrase.length === 0 || passphrase.length > MAX_PASSPHRASE || /[\r\n]/.test(passphrase))
    throw new SyncError('CONFIG_INVALID', msg('truth.passphrase_invalid', { max: MAX_PASSPHRASE }), {
      details: {
        problems: [{ key: 'encryption.passphrase', text: msg('truth.passphrase_invalid', { max: MAX_PASSPHRASE }) }],
      },
    });
  registerSecret(passphrase);
  const file = path.join(keysDir(home), 'frase-de-paso.txt');
  await writeFileAtomic(file, passphrase, 0o600);
  return file;
}
