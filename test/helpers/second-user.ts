/**
 * Another local user for attack tests: commands run as `nobody` (uid/gid 65534, no supplementary groups) through
 * setpriv, the way the security review planted files. Needs root (the test suite runs as root); otherwise the tests
 * that use it are skipped, or fail under CI=true.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { tmpDir } from './system.js';

export const NOBODY = 65534;

/** Why a second user is not available here (null: it is). */
export function secondUserUnavailable(): string | null {
  if (process.getuid?.() !== 0) return 'needs root to act as a second user (setpriv)';
  const r = spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', 'true']);
  return r.status === 0 ? null : `setpriv failed: ${r.stderr?.toString() ?? r.error}`;
}

/** Runs argv as nobody; throws with its stderr when it fails. */
export function asNobody(argv: string[], cwd?: string): string {
  const r = spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', ...argv], { cwd });
  if (r.status !== 0) throw new Error(`as nobody: ${argv.join(' ')}: ${r.stderr.toString()}`);
  return r.stdout.toString();
}

/** A folder any local user can enter (0711 parent) holding a subfolder everyone may write (0777, as a shared drive). */
export function sharedFolder(name: string): { parent: string; shared: string } {
  const parent = tmpDir('cx-shared-');
  chmodSync(parent, 0o711);
  const shared = path.join(parent, name);
  mkdirSync(shared);
  chmodSync(shared, 0o777);
  return { parent, shared };
}
