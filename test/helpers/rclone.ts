/**
 * `rclone serve webdav` on 127.0.0.1 for tests: a lenient second peer that ignores conditional requests.
 * Credentials go through RCLONE_USER / RCLONE_PASS in the environment, never in process arguments.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { freePort, killGroup, startDaemon, tmpDir, waitForPort } from './system.js';

export interface RcloneServer {
  port: number;
  url: string;
  dataDir: string;
  user: string;
  password: string;
  stop(): void;
}

/** `extraArgs`: more `rclone serve webdav` flags (e.g. a short --dir-cache-time for tests that edit files on disk). */
export async function startRclone(extraArgs: string[] = []): Promise<RcloneServer> {
  const dir = tmpDir('cx-rclone-');
  const dataDir = path.join(dir, 'data');
  mkdirSync(dataDir);
  const conf = path.join(dir, 'rclone.conf');
  writeFileSync(conf, '', { mode: 0o600 });
  const port = await freePort();
  const user = 'ana';
  const password = `rc-${randomBytes(9).toString('base64url')}`;
  const child = startDaemon('rclone', ['serve', 'webdav', dataDir, '--addr', `127.0.0.1:${port}`, ...extraArgs], {
    env: { ...process.env, RCLONE_CONFIG: conf, RCLONE_USER: user, RCLONE_PASS: password },
  });
  await waitForPort(port);
  return { port, url: `http://127.0.0.1:${port}/`, dataDir, user, password, stop: () => killGroup(child) };
}
