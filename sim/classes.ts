/**
 * Fault classes a schedule may switch on, and which of them today's engine is known to fail (issues 17 and 18).
 * The known list is what the summary counts separately; when the engine owner fixes one, delete its line here and
 * the CI budget starts asserting it.
 */
export const CLASSES = [
  'net', // lost request, lost reply, timeout, refused connection, storage full
  'crash', // the sync process dies at a remote operation (before or after the server applied it) and restarts
  'staleLock', // a lock left behind by a process that died long ago
  'journal', // the app switches between WAL and rollback journal
  'encryption', // age encryption on (unlocked database)
  'appTxn', // the app holds read and write transactions open across steps (also during a pull)
  'skew', // device clocks minutes apart
  'sameHost', // PCs with the same hostname (cloned images)
  'suspend', // a device stops for minutes (laptop lid) while time goes on
  'rollback', // the remote is restored from an older backup of itself
  'rclone', // a server with neither conditional writes nor an atomic create
] as const;

export type FaultClass = (typeof CLASSES)[number];

export const KNOWN_FAILING: Partial<Record<FaultClass, string>> = {
  appTxn: 'issue 17 #0: a restore into a database the app holds locked applies nothing and reports success',
  skew: 'issue 18 #1: a lock is judged stale by the breaker\'s clock against the holder\'s',
  sameHost: 'issue 18 #2: a lock with our hostname and a pid not running here is broken at once',
  suspend: 'issue 18 #4: a suspended lock holder writes over the commit made meanwhile',
  rollback: 'issue 18 #5: every PC silently pulls a remote restored from an older backup',
  rclone: 'issue 18 #3: without conditional writes or an atomic create, two commits replace each other',
};

export function parseClasses(list: string): FaultClass[] {
  const out: FaultClass[] = [];
  for (const c of list.split(',').map((s) => s.trim()).filter(Boolean)) {
    if (!(CLASSES as readonly string[]).includes(c)) throw new Error(`unknown fault class ${c} (known: ${CLASSES.join(', ')})`);
    out.push(c as FaultClass);
  }
  return out;
}

/** Every class that today's engine is expected to pass. */
export const BASELINE_CLASSES: FaultClass[] = CLASSES.filter((c) => !(c in KNOWN_FAILING));
