/**
 * Paths inside a folder remote that never leave it through a symbolic link. The configured folder itself may be a
 * link (a mount point's alias); nothing below it may be: a planted `versions -> /elsewhere` would make pushes write
 * there and pruning delete files there, and a symlinked version would make a pull read any file the user can.
 * Every existing component below the root is checked with lstat; files are opened with O_NOFOLLOW as well, which
 * closes the race on the last component (Node has no openat(), so a folder swapped between the check and the use
 * remains a narrow window, on a folder only a writer of the remote can touch).
 */
import { promises as fsp, constants as fsc } from 'node:fs';
import path from 'node:path';
import { SyncError } from '../../errors.js';
import { msg } from '../../messages/index.js';

/** open() flags that refuse a symbolic link as the last component (ELOOP). */
export const READ_NOFOLLOW = fsc.O_RDONLY | fsc.O_NOFOLLOW;

function symlinkRefusal(root: string, rel: string): SyncError {
  // PROTOCOL: a hostile or malformed remote state, like the other refusals of what a remote holds.
  return new SyncError('PROTOCOL', msg('folder.symbolic_link_not_followed', { rel: rel || '.', root }), {
    hint: msg('folder.symbolic_link_not_followed.hint'),
    details: { path: rel },
  });
}

/** Relative path components, refusing `..`, `.`, backslashes and NULs. */
function relParts(rel: string): string[] {
  const parts = rel.split('/').filter((p) => p !== '');
  if (parts.some((p) => p === '..' || p === '.' || p.includes('\\') || p.includes('\0'))) {
    throw new SyncError('PROTOCOL', msg('folder.remote_path_not_allowed', { rel }));
  }
  return parts;
}

/**
 * The absolute path of `rel` under `root`, after checking that no existing component below the root is a symbolic
 * link (components that do not exist yet are fine: they will be created as real folders or files).
 */
export async function insideRoot(root: string, rel: string): Promise<string> {
  const parts = relParts(rel);
  let at = root;
  for (let i = 0; i < parts.length; i++) {
    at = path.join(at, parts[i]);
    const st = await fsp.lstat(at).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT' || err.code === 'ENOTDIR') return null;
      throw err;
    });
    if (!st) break;
    if (st.isSymbolicLink()) throw symlinkRefusal(root, parts.slice(0, i + 1).join('/'));
  }
  return path.join(root, ...parts);
}

/** Maps ELOOP from an O_NOFOLLOW open to the refusal (a link planted after the lstat walk). */
export function noFollowError(err: unknown, root: string, rel: string): unknown {
  return (err as NodeJS.ErrnoException)?.code === 'ELOOP' ? symlinkRefusal(root, rel) : err;
}
