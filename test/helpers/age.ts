/** Helpers for the crypto tests: the real `age` CLI (with a pseudo-terminal for passphrases) and crafted age files. */
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, openSync, writeFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import type { EncryptionConfig } from '../../src/config/schema.js';
import { buildHeader } from '../../src/crypto/header.js';
import { generateX25519Identity, parseRecipient } from '../../src/crypto/keys.js';
import { aeadSeal, hkdf } from '../../src/crypto/primitives.js';

/** A new X25519 identity written to `<dir>/identidad.txt` (0600), with its recipient. */
export function x25519Keys(dir: string): { identity: string; recipient: string; file: string } {
  const id = generateX25519Identity();
  const file = path.join(dir, 'identidad.txt');
  writeFileSync(file, `# test\n${id.identity}\n`, { mode: 0o600 });
  return { ...id, file };
}

/** The encryption block of a config: on, X25519, one recipient, optionally the identity to decrypt with. */
export function x25519Encryption(recipient: string, identityFile = ''): EncryptionConfig {
  return { enabled: true, mode: 'x25519', recipients: [recipient], identity_file: identityFile };
}

export const CHUNK = 64 * 1024;
export const ENC_CHUNK = CHUNK + 16;

/** Runs the age CLI; stdout stays binary (age writes plaintext there when no -o is given). */
export function age(args: string[], input?: Buffer): { status: number; stdout: Buffer; stderr: string } {
  const r = spawnSync('age', args, { input, maxBuffer: 64 * 1024 * 1024 });
  return { status: r.status ?? -1, stdout: r.stdout ?? Buffer.alloc(0), stderr: r.stderr?.toString() ?? '' };
}

/** Makes a key with age-keygen into `file` (0600); returns the identity text and its recipient. */
export function ageKeygen(file: string): { identity: string; recipient: string } {
  const r = spawnSync('age-keygen', ['-o', file], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`age-keygen failed: ${r.stderr}`);
  const recipient = spawnSync('age-keygen', ['-y', file], { encoding: 'utf8' }).stdout.trim();
  const identity = spawnSync('grep', ['^AGE-SECRET-KEY-1', file], { encoding: 'utf8' }).stdout.trim();
  return { identity, recipient };
}

export function writePrivate(file: string, text: string | Buffer): void {
  writeFileSync(file, text, { mode: 0o600 });
}

/** Writes `size` random bytes in 1 MiB pieces (never the whole file in memory); returns their SHA-256. */
export function randomFile(file: string, size: number): string {
  const h = createHash('sha256');
  const fd = openSync(file, 'w', 0o600);
  try {
    for (let left = size; left > 0; ) {
      const piece = randomBytes(Math.min(left, 1024 * 1024));
      h.update(piece);
      writeSync(fd, piece);
      left -= piece.length;
    }
  } finally {
    closeSync(fd);
  }
  return h.digest('hex');
}

export const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/**
 * Drives a command through a pseudo-terminal with python3's pty module, typing `secret` (read by python from its
 * stdin, so it is never in any process's arguments or environment) at every passphrase prompt, once the program has
 * turned echo off (if it never does, the secret is typed after 5 s and shows up on the screen: tests check that).
 * Returns the exit status and everything the terminal showed.
 */
const PTY_DRIVER = String.raw`
import os, pty, select, sys, termios, time
secret = sys.stdin.buffer.readline().rstrip(b'\n')
pid, fd = pty.fork()
if pid == 0:
    os.execvp(sys.argv[1], sys.argv[1:])
def echo_off():
    # Master and slave share one termios: this is the program's own terminal setting.
    try:
        return not (termios.tcgetattr(fd)[3] & termios.ECHO)
    except termios.error:
        return False
seen, answered, deadline = b'', 0, time.time() + 60
while time.time() < deadline:
    r, _, _ = select.select([fd], [], [], 1)
    if not r:
        continue
    try:
        data = os.read(fd, 4096)
    except OSError:
        break
    if not data:
        break
    seen += data
    prompts = seen.lower().count(b'passphrase')
    while answered < prompts and seen.rstrip().endswith(b':'):
        # A program prints its prompt before turning echo off; typing earlier would show the secret.
        wait_until = time.time() + 5
        while not echo_off() and time.time() < wait_until:
            time.sleep(0.01)
        os.write(fd, secret + b'\r')
        answered += 1
_, status = os.waitpid(pid, 0)
sys.stdout.buffer.write(seen)
sys.exit(os.waitstatus_to_exitcode(status))
`;

export function withPty(
  cmd: string,
  args: string[],
  secret: string,
  env?: NodeJS.ProcessEnv,
): { status: number; screen: string } {
  const r = spawnSync('python3', ['-c', PTY_DRIVER, cmd, ...args], {
    input: `${secret}\n`,
    encoding: 'utf8',
    env: env ?? process.env,
    timeout: 90_000,
  });
  return { status: r.status ?? -1, screen: `${r.stdout ?? ''}${r.stderr ?? ''}` };
}

export interface CraftedChunk {
  plain: Buffer;
  last: boolean;
  /** Chunk counter to seal with (defaults to the position). */
  counter?: number;
}

/**
 * An age file with a valid header for `recipient` and a payload laid out chunk by chunk, to test the STREAM rules
 * (the age CLI is the oracle for whether each layout is valid). Built from our primitives, not our encryptor.
 */
export async function craftAgeFile(
  recipient: string,
  chunks: CraftedChunk[],
  opts: { trailing?: Buffer; nonceBytes?: number } = {},
): Promise<Buffer> {
  const fileKey = randomBytes(16);
  const nonce = randomBytes(16);
  const key = hkdf(fileKey, nonce, 'payload');
  const parts: Buffer[] = [
    await buildHeader(fileKey, { recipients: [parseRecipient(recipient)] }),
    nonce.subarray(0, opts.nonceBytes ?? 16),
  ];
  chunks.forEach((c, i) => {
    const n = Buffer.alloc(12);
    n.writeUIntBE(c.counter ?? i, 5, 6);
    n[11] = c.last ? 1 : 0;
    parts.push(...aeadSeal(key, n, c.plain));
  });
  if (opts.trailing) parts.push(opts.trailing);
  return Buffer.concat(parts);
}
