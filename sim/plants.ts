/**
 * Known bugs planted one at a time, without editing the engine, to show the simulator catches each: through the
 * server's behaviour, or a patch on a fresh engine instance. Each breaks one piece of the commit protocol
 * (src/engine/remote-layout.ts: put-if-absent commit records read back twice, a fenced lock only where the server's
 * create is not atomic) or of the live restore (src/db/live.ts).
 */
import { COMMITS_DIR, commitPath } from '../src/engine/remote-layout.js';
import type { FileTransport, RemoteManifest } from '../src/transports/types.js';
import type { SyncEngine } from '../src/engine/engine.js';
import type { Plant } from './world.js';

/** The private parts of FileRemote a plant replaces (names as in remote-layout.ts). */
interface FileRemoteInternals {
  transport: FileTransport;
  commit(
    before: RemoteManifest | null,
    manifest: RemoteManifest,
    body: Buffer,
    progress: { recordCreated: boolean },
  ): Promise<{ manifest?: RemoteManifest; conflict?: RemoteManifest }>;
  publishManifest(manifest: RemoteManifest, body: Buffer): Promise<void>;
  withLock<T>(fn: (fence: () => Promise<void>) => Promise<T>): Promise<T>;
  ownRecordStands(rec: string, manifest: RemoteManifest, body: Buffer): Promise<boolean>;
}

/**
 * A server that claims an atomic create (If-None-Match: *, O_EXCL) but checks and writes in two steps: two racing
 * creates of the same commit record both succeed and the last writer's record stands (Apache mod_dav without a
 * LOCK around it behaved like this under 6 racing writers; Apache with the LOCK still does against a folder client
 * on the same directory). The engine must tolerate it (test/simulator.test.ts runs it without a plant).
 */
export const NON_ATOMIC_CREATE: Plant = {
  name: 'non-atomic-create-server',
  behaviour: {
    claims: { conditionalWrite: false, exclusiveCreate: true, atomicReplace: true },
    enforcesConditional: false,
    atomicCreate: false,
  },
};

function internals(e: SyncEngine): FileRemoteInternals {
  return e.remote as unknown as FileRemoteInternals;
}

export const PLANTS: Record<string, () => Plant> = {
  /**
   * The server above, and an engine that trusts one read-back of its new record instead of letting the race for
   * the generation settle first (ownRecordStands): a record replaced after that read-back goes unnoticed.
   */
  'create-not-atomic': () => ({
    name: 'create-not-atomic',
    behaviour: NON_ATOMIC_CREATE.behaviour,
    patchEngine(e) {
      const remote = internals(e);
      remote.ownRecordStands = async (rec, _manifest, body) =>
        !!(await remote.transport.readSmall(rec, 256 * 1024))?.data.equals(body);
    },
  }),

  /** The engine commits by writing its record with a plain write (no put-if-absent) and never reads it back. */
  'put-if-absent-skipped': () => ({
    name: 'put-if-absent-skipped',
    patchEngine(e) {
      const remote = internals(e);
      remote.commit = async (_before, manifest, body, progress) => {
        await remote.transport.mkdirp(COMMITS_DIR);
        progress.recordCreated = true;
        await remote.transport.writeSmall(commitPath(manifest.generation), body);
        await remote.publishManifest(manifest, body);
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

  /**
   * On a server without an atomic create (rclone mode) the fenced lock is never really taken: the commit runs as if
   * it held the lock and its fence always passes, so two PCs check the head and create the same record together.
   */
  'lock-ignored': () => ({
    name: 'lock-ignored',
    patchEngine(e) {
      internals(e).withLock = (fn) => fn(async () => {});
    },
  }),
};
