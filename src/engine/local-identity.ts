/**
 * Facts about the local database file that only this machine's clock and file system can tell, compared only with
 * facts this same machine recorded (never with another machine's).
 */
import { promises as fsp } from 'node:fs';

/** device:inode of the database file: a state file copied to another PC describes another file. */
export async function localIdentity(dbPath: string): Promise<string | null> {
  const st = await fsp.stat(dbPath, { bigint: true }).catch(() => null);
  return st ? `${st.dev}:${st.ino}` : null;
}

/** When the plaintext database file was created (birth time; null where the file system does not keep it). */
export async function plaintextCreatedAt(dbPath: string): Promise<number | null> {
  const st = await fsp.stat(dbPath).catch(() => null);
  if (!st?.birthtimeMs) return null;
  return st.birthtimeMs;
}
