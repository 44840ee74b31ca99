/**
 * Where keys and passphrases come from: identity files, passphrase files, a one-shot environment variable, or a
 * terminal prompt. Every secret read here is registered with the log redactor; none ever appears in an error.
 */
import { open, stat } from 'node:fs/promises';
import { StringDecoder } from 'node:string_decoder';
import { SyncError } from '../errors.js';
import { registerSecret } from '../log/redact.js';
import { encryptionError, type EncryptionReason } from './errors.js';
import { parseIdentity } from './keys.js';
import { msg } from '../messages/index.js';

/** A key file must fit in memory comfortably; anything larger is not a key file. */
const MAX_SECRET_FILE = 1024 * 1024;

/** Reads a file holding a secret, refusing it when group or others have any access (as ssh does for keys). */
async function readPrivateFile(
  file: string,
  reasons: { missing: EncryptionReason; insecure: EncryptionReason; invalid: EncryptionReason },
): Promise<string> {
  const { missing, insecure, invalid } = reasons;
  let st: import('node:fs').Stats;
  try {
    st = await stat(file);
  } catch (err) {
    throw encryptionError(missing, { path: file }, err);
  }
  if (!st.isFile()) throw encryptionError(missing, { path: file, what: 'not a regular file' });
  if (st.mode & 0o077) throw encryptionError(insecure, { path: file, mode: (st.mode & 0o777).toString(8) });
  if (st.size > MAX_SECRET_FILE) throw encryptionError(invalid, { path: file, what: 'too large' });
  const fh = await open(file, 'r');
  try {
    return await fh.readFile('utf8');
  } finally {
    await fh.close();
  }
}

/**
 * Reads the AGE-SECRET-KEY-1 lines of an age identity file (as age-keygen writes it; '#' lines are comments).
 * Refuses a missing file, one that group/others can access, and any other content (by line number only).
 */
export async function loadIdentityFile(file: string): Promise<string[]> {
  const text = await readPrivateFile(file, {
    missing: 'identity-file-missing',
    insecure: 'identity-file-insecure',
    invalid: 'identity-file-invalid',
  });
  const identities: string[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '' || line.startsWith('#')) continue;
    try {
      parseIdentity(line);
    } catch {
      throw encryptionError('identity-file-invalid', { path: file, line: i + 1 });
    }
    registerSecret(line);
    identities.push(line);
  }
  if (!identities.length) throw encryptionError('identity-file-invalid', { path: file, line: 0 });
  return identities;
}

/** Environment passphrases, kept after the variable is deleted so later syncs in this process still have them. */
const fromEnv = new Map<string, string>();

/**
 * The passphrase from `passphrase_file` (same permission rule as identity files; one trailing newline dropped) or
 * from the `passphrase_env` variable, which is deleted from process.env on first read so child processes and
 * later dumps of the environment do not see it.
 */
export async function readPassphrase(cfg: { passphrase_file?: string; passphrase_env?: string }): Promise<string> {
  let value: string | undefined;
  if (cfg.passphrase_file) {
    value = (
      await readPrivateFile(cfg.passphrase_file, {
        missing: 'passphrase-missing',
        insecure: 'passphrase-file-insecure',
        invalid: 'passphrase-missing',
      })
    ).replace(/\r?\n$/, '');
  } else if (cfg.passphrase_env) {
    const name = cfg.passphrase_env;
    if (process.env[name] !== undefined) {
      fromEnv.set(name, process.env[name]!);
      delete process.env[name];
    }
    value = fromEnv.get(name);
  }
  if (!value)
    throw encryptionError(
      'passphrase-missing',
      cfg.passphrase_file ? { path: cfg.passphrase_file } : { env: cfg.passphrase_env },
    );
  registerSecret(value);
  return value;
}

/**
 * Asks for a passphrase on the terminal without echoing it. Ctrl-C cancels (SyncError CANCELLED), Ctrl-D or
 * Enter ends the input. Refuses when stdin is not a terminal, rather than reading a secret from a pipe unseen.
 */
export function promptPassphrase(
  question: string,
  io: { input?: NodeJS.ReadStream; output?: NodeJS.WriteStream } = {},
): Promise<string> {
  const input = io.input ?? process.stdin;
  const output = io.output ?? process.stderr;
  if (!input.isTTY) return Promise.reject(encryptionError('no-terminal'));
  return new Promise((resolve, reject) => {
    const wasRaw = input.isRaw;
    let value = '';
    const done = (err: SyncError | null) => {
      input.off('data', onData);
      input.setRawMode(wasRaw);
      input.pause();
      output.write('\n');
      if (err) reject(err);
      else {
        registerSecret(value);
        resolve(value);
      }
    };
    // A multi-byte character can arrive split across two reads.
    const decoder = new StringDecoder('utf8');
    const onData = (data: Buffer) => {
      for (const ch of decoder.write(data)) {
        if (ch === '\r' || ch === '\n' || ch === '\u0004') return done(null);
        if (ch === '\u0003') return done(new SyncError('CANCELLED', msg('common.operation_cancelled')));
        if (ch === '\u007f' || ch === '\b') value = [...value].slice(0, -1).join('');
        else if (ch >= ' ') value += ch;
      }
    };
    // Raw mode before the question: anything typed after seeing it must not be echoed by the line discipline.
    input.setRawMode(true);
    input.on('data', onData);
    input.resume();
    output.write(question);
  });
}
