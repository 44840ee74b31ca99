/**
 * Read-only descriptors to live database files, opened once and never closed while the process lives.
 *
 * Why: on POSIX systems closing ANY descriptor of a file drops every fcntl lock the process holds on that file, and
 * SQLite's locks are fcntl locks (it only protects the descriptors it opened itself). A fingerprint or a read of the
 * live database through a descriptor we open and close while one of our connections holds it (the restore's write
 * transaction, a reading's read transaction) silently released its lock: an app could then write into the database in
 * the middle of our restore (measured: a second process committed while our connection held EXCLUSIVE), or close last
 * and delete the WAL our connection was writing to (SQLite's "How To Corrupt an SQLite Database File", 2.2). So every
 * read of a live database file goes through one of these descriptors. Windows locks per handle; nothing changes there.
 *
 * A file replaced under the same path (another inode) gets a new descriptor; the old one stays open (closing it could
 * drop the locks of a connection still on that inode). That is one descriptor per replacement of the database file.
 * On Windows nothing is held: locks belong to the handle that took them, and a handle left open would keep a file the
 * app deletes "delete pending", so it could not create a new one under the same name.
 */
import { closeSync, constants as fsc, fstatSync, openSync, statSync } from 'node:fs';
import path from 'node:path';

const held = new Map<string, number>();

/**
 * A descriptor to read the live database `file` through, or null when it cannot be opened. `release()` when done: it
 * closes the descriptor on Windows and does nothing elsewhere (see above).
 */
export function liveFd(file: string): { fd: number; release(): void } | null {
  if (process.platform === 'win32') {
    let fd: number;
    try {
      fd = openSync(file, fsc.O_RDONLY);
    } catch {
      return null;
    }
    return { fd, release: () => closeSync(fd) };
  }
  const fd = heldFd(file);
  return fd === null ? null : { fd, release: () => {} };
}

/** A descriptor to `file` as it is now (same device and inode as the path), or null. Never closed: see above. */
function heldFd(file: string): number | null {
  const abs = path.resolve(file);
  let st: { dev: bigint; ino: bigint };
  try {
    st = statSync(abs, { bigint: true });
  } catch {
    return null;
  }
  const key = `${abs}\0${st.dev}:${st.ino}`;
  const have = held.get(key);
  if (have !== undefined) return have;
  let fd: number;
  try {
    fd = openSync(abs, fsc.O_RDONLY);
  } catch {
    return null;
  }
  const now = fstatSync(fd, { bigint: true });
  // Replaced between the stat and the open: key it by what was opened.
  held.set(`${abs}\0${now.dev}:${now.ino}`, fd);
  return fd;
}
