/**
 * Known bugs planted one at a time, without editing the engine, to show the simulator catches each: through the
 * server's behaviour, a wrapper around the engine's transport, or a patch on a fresh engine instance.
 */
import { MANIFEST_FILE, LOCK_FILE } from '../src/engine/remote-layout.js';
import type { FileTransport, RemoteManifest } from '../src/transports/types.js';
import type { Plant } from './world.js';

export const PLANTS: Record<string, () => Plant> = {
  /** A server that claims conditional writes (If-Match) and ignores them: the compare-and-swap lets both through. */
  'cas-ignored': () => ({
    name: 'cas-ignored',
    behaviour: { claims: { conditionalWrite: true, exclusiveCreate: true, atomicReplace: true }, enforcesConditional: false, atomicCreate: true },
  }),

  /** The engine commits its manifest without comparing it with what it read (no If-Match, no lock, no read-back). */
  'cas-skipped': () => ({
    name: 'cas-skipped',
    patchEngine(e) {
      const remote = e.remote as unknown as { transport: FileTransport; commit: unknown };
      remote.commit = async (_before: unknown, manifest: RemoteManifest, body: Buffer) => {
        await remote.transport.writeSmall(MANIFEST_FILE, body);
        return { manifest };
      };
    },
  }),

  /** The restore skips its "did the app write since the plan?" check (the expectation it passes to the replace). */
  'skip-recheck': () => ({
    name: 'skip-recheck',
    patchEngine(e) {
      const applyPlain = e.local.applyPlain.bind(e.local);
      e.local.applyPlain = (file, _expect, beforeReplace) => applyPlain(file, undefined, beforeReplace);
    },
  }),

  /** The lock is never really taken: createExclusive says "created" without creating anything. */
  'lock-ignored': () => ({
    name: 'lock-ignored',
    wrapTransport(t: FileTransport): FileTransport {
      const create = t.createExclusive.bind(t);
      t.createExclusive = async (path, data) => (path === LOCK_FILE ? true : create(path, data));
      return t;
    },
  }),
};
