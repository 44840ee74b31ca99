/**
 * A real sync process for kill tests: opens the SyncService from $CORDIAX_HOME (as the CLI does), prints "ready",
 * waits for one line on stdin, runs one sync, prints the outcome as one JSON line and exits. The parent kills it
 * with SIGKILL somewhere in between. Secrets come from the config file, never from argv.
 */
import { SyncService } from '../../src/service.js';
import { toSyncError } from '../../src/errors.js';

const svc = await SyncService.open({ home: process.env.CORDIAX_HOME, embeddedServer: false });
process.stdout.write('ready\n');
await new Promise<void>((resolve) => {
  process.stdin.once('data', () => resolve());
});
try {
  const r = await svc.syncNow();
  process.stdout.write(JSON.stringify({ ok: true, action: r.action, generation: r.generation }) + '\n');
  await svc.close();
  process.exit(0);
} catch (err) {
  const e = toSyncError(err);
  process.stdout.write(JSON.stringify({ ok: false, code: e.code, message: e.text.en }) + '\n');
  await svc.close().catch(() => {});
  process.exit(1);
}
