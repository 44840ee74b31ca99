/**
 * Fault classes a schedule may switch on, and which (class, server) combinations today's engine is known to fail
 * (issues 17 and 18, and what the simulator found). The known list is what the summary counts separately and what
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

const COMMIT_ERROR = 'found by the simulator: an error after the manifest write (lost reply, or the read-back or lock release failing) makes FileRemote.push delete the object the committed manifest points at';

export const KNOWN_FAILING: readonly KnownFailure[] = [
  { cls: 'lostReply', why: COMMIT_ERROR },
  { cls: 'net', modes: ['folder', 'rclone'], why: COMMIT_ERROR },
  { cls: 'keepRemote', why: 'issue 17 #7: backups named to the second; a pull in the same second overwrites the backup that holds the rows "keep remote" displaced' },
  { cls: 'appTxn', why: 'issue 17 #0: a restore into a database the app holds locked applies nothing and reports success' },
  { cls: 'skew', why: "issue 18 #1: a lock is judged stale by the breaker's clock against the holder's" },
  { cls: 'sameHost', why: 'issue 18 #2: a lock with our hostname and a pid not running here is broken at once' },
  { cls: 'suspend', why: 'issue 18 #4: a suspended lock holder writes over the commit made meanwhile' },
  { cls: 'rollback', why: 'issue 18 #5: every PC silently pulls a remote restored from an older backup' },
  { cls: 'rclone', why: 'issue 18 #3: without conditional writes or an atomic create, two commits replace each other' },
];

export function knownMatches(classes: ReadonlySet<string>, mode: ServerMode): KnownFailure[] {
  return KNOWN_FAILING.filter((k) => classes.has(k.cls) && (!k.modes || k.modes.includes(mode)));
}

export function knownLabel(k: KnownFailure): string {
  return k.modes ? `${k.cls} on ${k.modes.join('/')}` : k.cls;
}

export function parseClasses(list: string): FaultClass[] {
  const out: FaultClass[] = [];
  for (const c of list.split(',').map((s) => s.trim()).filter(Boolean)) {
    if (!(CLASSES as readonly string[]).includes(c)) throw new Error(`unknown fault class ${c} (known: ${CLASSES.join(', ')})`);
    out.push(c as FaultClass);
  }
  return out;
}
