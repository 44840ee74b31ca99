/**
 * Which guarantee a file remote gives to the commit protocol (src/engine/remote-layout.ts), and what it means, for
 * "Probar Conexión". One place, so the connection test, the UI and the commit code agree.
 */
import type { Text } from '../errors.js';
import type { CheckStep, Guarantees } from './types.js';

/**
 * - atomic-create: the server creates a file only if absent, atomically (folder O_EXCL/link, SMB FILE_CREATE,
 *   WebDAV If-None-Match:* under a LOCK): exactly one device can commit each generation.
 * - lock: no atomic create, but the server enforces WebDAV LOCK: commits are serialised by a server lock plus a lock
 *   file whose age is measured in the server's time; a lost commit is caught by the read-back and the lineage check.
 * - conditional-write: If-Match only, without LOCK: not trusted alone (racing writers got through on such servers).
 * - none: nothing is enforced: a lock file, read-backs and the lineage check detect a lost commit afterwards.
 */
export type CommitGuarantee = 'atomic-create' | 'lock' | 'conditional-write' | 'none';

export function commitGuarantee(g: Guarantees & { locks?: boolean }): CommitGuarantee {
  if (g.exclusiveCreate) return 'atomic-create';
  if (g.locks === true) return 'lock';
  if (g.conditionalWrite) return 'conditional-write';
  return 'none';
}

export function describeCommitGuarantee(level: CommitGuarantee): Text {
  switch (level) {
    case 'atomic-create':
      return {
        es: 'Creación atómica: el servidor crea cada versión solo si no existe, así que dos equipos nunca pueden publicar la misma generación; el perdedor recibe un conflicto.',
        en: 'Atomic create: the server creates each version only if absent, so two devices can never publish the same generation; the loser gets a conflict.',
      };
    case 'lock':
      return {
        es: 'Bloqueo: el servidor no garantiza la creación exclusiva, pero respeta los bloqueos WebDAV; los envíos se hacen de uno en uno y una versión perdida se detecta al releerla o en la siguiente sincronización.',
        en: 'Lock: the server does not guarantee exclusive create, but it enforces WebDAV locks; uploads go one at a time and a lost version is detected on read-back or at the next sync.',
      };
    case 'conditional-write':
      return {
        es: 'Escritura condicional sin bloqueos: no basta para excluir a otros equipos; se usa un archivo de bloqueo y una versión perdida se detecta al releerla o en la siguiente sincronización.',
        en: 'Conditional write without locks: not enough to exclude other devices; a lock file is used and a lost version is detected on read-back or at the next sync.',
      };
    case 'none':
      return {
        es: 'Ninguna: el servidor no impide que dos equipos escriban a la vez; se usa un archivo de bloqueo y una versión perdida solo se detecta después (conflicto), no se evita.',
        en: 'None: the server does not stop two devices writing at once; a lock file is used and a lost version is only detected afterwards (a conflict), not prevented.',
      };
  }
}

/** The connection test's line for it (facts.commit_guarantee carries the level). */
export function commitGuaranteeStep(g: Guarantees & { locks?: boolean }): { level: CommitGuarantee; step: CheckStep } {
  const level = commitGuarantee(g);
  return { level, step: { id: 'commit', ok: true, text: describeCommitGuarantee(level) } };
}
