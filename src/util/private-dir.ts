/**
 * Our private folders ($CORDIAX_HOME and its logs/, backups/, tmp/, pending/): created 0700, and refused when another
 * user could have planted something in them. A home pre-created by someone else (0777 with `logs` or `backups` links
 * to files of their choosing) would otherwise receive our log (readable by them) and backups (written over a victim
 * file). Checked once at start, before anything is written there; the checks are synchronous so the event log's
 * constructor can use them too.
 */
import { lstatSync, mkdirSync, realpathSync, statSync, type Stats } from 'node:fs';
import path from 'node:path';
import { SyncError } from '../errors.js';
import { msg } from '../messages/index.js';

/** The folders under the home that we create and that must be real, private folders. */
const PRIVATE_SUBFOLDERS = ['logs', 'backups', 'tmp', 'pending'] as const;

const myUid = () => process.getuid?.() ?? -1;

/** Trusted owners: ourselves and root (who can read and write everything anyway). */
function trustedOwner(st: Stats): boolean {
  return st.uid === myUid() || st.uid === 0 || myUid() === -1;
}

function refuse(dir: string, why: { es: string; en: string }, fix: { es: string; en: string }): SyncError {
  return new SyncError('PERMISSION_DENIED', msg('common.unsafe_folder', { dir, why }), {
    hint: fix,
    details: { path: dir },
  });
}

function checkStats(dir: string, st: Stats): void {
  if (!st.isDirectory())
    throw refuse(dir, msg('common.unsafe_folder.not_folder'), msg('common.unsafe_folder.move_elsewhere', { dir }));
  // Windows has no POSIX owner or mode bits (stat reports 0o666-like modes for everything): ACLs are the OS's job.
  if (process.platform === 'win32') return;
  if (!trustedOwner(st))
    throw refuse(
      dir,
      msg('common.unsafe_folder.other_owner', { uid: st.uid }),
      msg('common.unsafe_folder.other_owner.fix'),
    );
  if ((st.mode & 0o022) !== 0)
    throw refuse(
      dir,
      msg('common.unsafe_folder.writable', { mode: (st.mode & 0o777).toString(8) }),
      msg('common.unsafe_folder.writable.fix', { dir }),
    );
}

function lstatOrNull(p: string): Stats | null {
  try {
    return lstatSync(p);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

/**
 * Makes sure `dir` is a private folder of ours: created 0700 when missing; refused when it is a symbolic link,
 * not a folder, owned by another user, or writable by group or others. `allowLink`: the home itself may be a link
 * of ours (a home moved to another disk) if the link and the folder it points to pass the same checks.
 */
export function ensurePrivateDir(dir: string, opts: { allowLink?: boolean; recursive?: boolean } = {}): void {
  let st = lstatOrNull(dir);
  if (!st) {
    try {
      mkdirSync(dir, { mode: 0o700, recursive: opts.recursive ?? false });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    // Checked again after creating: someone may have raced us to the name.
    st = lstatSync(dir);
  }
  if (st.isSymbolicLink()) {
    if (!opts.allowLink || !trustedOwner(st))
      throw refuse(dir, msg('common.unsafe_folder.symlink'), msg('common.unsafe_folder.symlink.fix', { dir }));
    checkStats(realpathSync(dir), statSync(dir));
    return;
  }
  checkStats(dir, st);
}

/** The home and each private subfolder, checked (and created 0700 where missing) before the program writes there. */
export function securePrivateFolders(home: string): void {
  ensurePrivateDir(home, { allowLink: true, recursive: true });
  for (const sub of PRIVATE_SUBFOLDERS) ensurePrivateDir(path.join(home, sub));
}
