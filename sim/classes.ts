/**
 * Fault classes a schedule may switch on, and which (class, server) combinations today's engine is known to fail
 * (what the simulator found). The known list is what the summary counts separately and what
 * the CI baseline leaves out; when the engine owner fixes one, delete its entry and the baseline starts covering it.
 */
import type { ServerMode } from './remote-store.js';

export const CLASSES = [
  'net', // lost request, timeout, refused connection, storage full: the server did nothing, the caller gets an error
  'lostReply', // the server applied the operation, the caller gets an error
  'crash', // the sync process dies at a remote operation (before or after the server applied it) and restarts
  'staleLock', // a lock left behind by a process that died long ago
  'journal', // the app switches between WAL and rollback journal
  'encryption', // age encryption on (unlocked database)
  'keepRemote', // the user answers some conflicts with "keep remote" (otherwise always "keep local")
  'appTxn', // the app holds read and write transactions open across steps (also during a pull)
  'skew', // device clocks minutes apart
  'sameHost', // PCs with the same hostname (cloned images)
  'suspend', // a device stops for minutes (laptop lid) while time goes on
  'slow', // a request stays in flight for several scheduler steps (slow link) while the other PCs go on
  'rollback', // the remote is restored from an older backup of itself
  'rclone', // a server with neither conditional writes nor an atomic create
] as const;

export type FaultClass = (typeof CLASSES)[number];

export interface KnownFailure {
  cls: FaultClass;
  /** Only on these servers (default: all). */
  modes?: readonly ServerMode[];
  why: string;
}

/**
 * Since the commit protocol moved to put-if-absent records and the live restore to SQLite's write lock, lostReply, net,
 * keepRemote, appTxn, skew, sameHost, suspend and rclone passed 60 schedules each (seed 2025) and the full baseline.
 */
export const KNOWN_FAILING: readonly KnownFailure[] = [
  {
    cls: 'rollback',
    why: 'the remote restored from an older copy while a push is between its object check and its manifest write: the manifest points at the object the restore removed (remote-incomplete: every pull then fails NOT_FOUND, nothing is changed, until a person repairs the remote; lineage makes the pusher a conflict), and a later generation lists the vanished version in its history (history-missing). Replay: --seed 27322 --replay 125, --replay 67',
  },
];

export function knownMatches(classes: ReadonlySet<string>, mode: ServerMode): KnownFailure[] {
  return KNOWN_FAILING.filter((k) => classes.has(k.cls) && (!k.modes || k.modes.includes(mode)));
}

export function knownLabel(k: KnownFailure): string {
  return k.modes ? `${k.cls} on ${k.modes.join('/')}` : k.cls;
}

export function parseClasses(list: string): FaultClass[] {
  const out: FaultClass[] = [];
  for (const c of list
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    if (!(CLASSES as readonly string[]).includes(c))
      throw new Error(`unknown fault class ${c} (known: ${CLASSES.join(', ')})`);
    out.push(c as FaultClass);
  }
  return out;
}
