/**
 * The embedded sync server's token (light: no server code, the Socket.IO declaration reads it). Without it any local
 * user could connect to 127.0.0.1:5000 and read or replace the database. A new token is written each time the
 * embedded server starts (0600, under $CORDIAX_HOME, never through a link); the local client reads the same file.
 */
import { randomBytes } from 'node:crypto';
import { constants as fsc, existsSync, promises as fsp } from 'node:fs';
import path from 'node:path';

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);
export const EMBEDDED_PORT = 5000;

export function embeddedTokenFile(home: string): string {
  return path.join(home, 'sync-server-token');
}

/** The spec's default server (http on this machine's port 5000): what the embedded server stands in for. */
export function isEmbeddedTarget(serverUrl: string): boolean {
  try {
    const u = new URL(serverUrl);
    const port = u.port ? Number(u.port) : u.protocol === 'https:' ? 443 : 80;
    return u.protocol === 'http:' && LOCAL_HOSTS.has(u.hostname) && port === EMBEDDED_PORT;
  } catch {
    return false;
  }
}

/** Writes a fresh token (replacing the old file, never following a link there); returns the file. */
export async function writeEmbeddedToken(home: string): Promise<string> {
  const file = embeddedTokenFile(home);
  await fsp.rm(file, { force: true });
  const fh = await fsp.open(file, fsc.O_WRONLY | fsc.O_CREAT | fsc.O_EXCL | fsc.O_NOFOLLOW, 0o600);
  try {
    await fh.writeFile(`${randomBytes(32).toString('base64url')}\n`);
  } finally {
    await fh.close();
  }
  return file;
}

/**
 * The block as this machine's client uses it: pointing at the embedded server with no token of its own, it sends the
 * embedded server's token (when that server has written one).
 */
export function withEmbeddedToken<B extends { server_url: string; token?: string; token_file?: string }>(
  block: B,
  home: string,
): B {
  if (block.token || block.token_file || !isEmbeddedTarget(block.server_url)) return block;
  const file = embeddedTokenFile(home);
  return existsSync(file) ? { ...block, token_file: file } : block;
}
