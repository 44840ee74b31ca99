/**
 * Which guarantee a file remote gives to the commit protocol (src/engine/remote-layout.ts), and what it means, for
 * "Probar Conexión". One place, so the connection test, the UI and the commit code agree.
 */
import type { Text } from '../errors.js';
import type { CheckStep, Guarantees } from './types.js';
import { msg } from '../messages/index.js';

/**
 * - atomic-create: the server creates a file only if absent, atomically (folder O_EXCL/link, SMB FILE_CREATE,
 *   WebDAV If-None-Match:* under a LOCK): exactly one device can commit each generation.
 * - lock: no atomic create, but the server enforces WebDAV LOCK: commits are serialised by a server lock plus a lock
 *   file whose age is measured in the server's time; a lost commit is caught by the read-back and the lineage check.
 * - conditional-write: If-Match only, without LOCK: not trusted alone (racing writers got through on such servers).
 * - none: nothing is enforced: a lock file, read-backs and the lineage check detect a lost commit afterwards.
 */
type CommitGuarantee = 'atomic-create' | 'lock' | 'conditional-write' | 'none';

export function commitGuarantee(g: Guarantees & { locks?: boolean }): CommitGuarantee {
  if (g.exclusiveCreate) return 'atomic-create';
  if (g.locks === true) return 'lock';
  if (g.conditionalWrite) return 'conditional-write';
  return 'none';
}

function describeCommitGuarantee(level: CommitGuarantee): Text {
  switch (level) {
    case 'atomic-create':
      return msg('transport.atomic_create_server_creates');
    case 'lock':
      return msg('transport.lock_server_not_guarantee_exclusive');
    case 'conditional-write':
      return msg('transport.conditional_write_without_locks');
    case 'none':
      return msg('transport.none_server_not_stop_two');
  }
}

/** The connection test's line for it (facts.commit_guarantee carries the level). */
export function commitGuaranteeStep(g: Guarantees & { locks?: boolean }): { level: CommitGuarantee; step: CheckStep } {
  const level = commitGuarantee(g);
  return { level, step: { id: 'commit', ok: true, text: describeCommitGuarantee(level) } };
}
