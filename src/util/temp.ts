/**
 * Private temp folders for snapshots, downloads and decrypted copies: plaintext copies of the database, so they live
 * under $CORDIAX_HOME/tmp (0700, checked by private-dir.ts), never in the shared /tmp. A crash (SIGKILL, power cut)
 * can still leave one behind: the name carries the creating process id, and the sweep at the next start removes
 * those of ours whose process is gone.
 */
import { lstatSync, promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cordiaxHome } from '../config/schema.js';
import { ensurePrivateDir } from './private-dir.js';

const TEMP_PREFIX = 'cordiax-sync-';
/** `cordiax-sync-<pid>-<random>`: what privateTempDir creates (mkdtemp adds the six random characters). */
const OURS = /^cordiax-sync-(\d+)-[A-Za-z0-9]{6}$/;
/** Older versions created `cordiax-sync-<random>` in the system temp folder. */
const LEGACY = /^cordiax-sync-[A-Za-z0-9]{6}$/;

let configuredRoot: string | null = null;

/** Where temp folders go when the caller names no parent (the service sets $CORDIAX_HOME/tmp at open). */
export function useTempRoot(dir: string): void {
  configuredRoot = dir;
}

/**
 * The configured root, else $CORDIAX_HOME/tmp, checked once like the service checks it (an embedding application
 * that never opened the service must not put plaintext copies in a home another user prepared).
 */
function tempRoot(): string {
  if (configuredRoot) return configuredRoot;
  const home = cordiaxHome();
  ensurePrivateDir(home, { allowLink: true, recursive: true });
  ensurePrivateDir(path.join(home, 'tmp'));
  configuredRoot = path.join(home, 'tmp');
  return configuredRoot;
}

/** A private (0700) temp folder under `parent` (default tempRoot()), removed by the returned dispose(). */
export async function privateTempDir(
  parent?: string,
  prefix = TEMP_PREFIX,
): Promise<{ dir: string; dispose: () => Promise<void> }> {
  const base = parent ?? tempRoot();
  await fsp.mkdir(base, { recursive: true, mode: 0o700 });
  const dir = await fsp.mkdtemp(path.join(base, `${prefix}${process.pid}-`));
  await fsp.chmod(dir, 0o700);
  return { dir, dispose: () => fsp.rm(dir, { recursive: true, force: true }) };
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists and belongs to someone else.
    return (err as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

/**
 * Removes temp folders left by our crashed processes: in `dir` (default tempRoot()), only real folders (not links)
 * owned by us, named by privateTempDir, whose process is gone (never this process's, never a running one's). In the
 * system temp folder, only legacy ones of ours untouched for a day (an old version may still run). Returns what it
 * removed.
 */
export async function sweepStaleTemp(dir = tempRoot(), opts: { legacyDir?: string | null } = {}): Promise<string[]> {
  const removed: string[] = [];
  const uid = process.getuid?.();
  const mine = (p: string) => {
    try {
      const st = lstatSync(p);
      return st.isDirectory() && (uid === undefined || st.uid === uid) ? st : null;
    } catch {
      return null;
    }
  };
  for (const name of await fsp.readdir(dir).catch(() => [] as string[])) {
    const m = OURS.exec(name);
    if (!m) continue;
    const pid = Number(m[1]);
    const p = path.join(dir, name);
    if (pid === process.pid || processAlive(pid) || !mine(p)) continue;
    await fsp.rm(p, { recursive: true, force: true });
    removed.push(p);
  }
  const legacyDir = opts.legacyDir === undefined ? os.tmpdir() : opts.legacyDir;
  if (legacyDir) {
    const dayAgo = Date.now() - 24 * 3600_000;
    for (const name of await fsp.readdir(legacyDir).catch(() => [] as string[])) {
      if (!LEGACY.test(name)) continue;
      const p = path.join(legacyDir, name);
      const st = mine(p);
      if (!st || st.mtimeMs > dayAgo) continue;
      await fsp.rm(p, { recursive: true, force: true });
      removed.push(p);
    }
  }
  return removed;
}
