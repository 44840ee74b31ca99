/**
 * The newcomer's default: the spec's `server_url` is http://localhost:5000. When that points at this machine and
 * nothing listens there, `start` runs our server embedded on 127.0.0.1:5000 so Socket.IO sync works with no setup.
 */
import net from 'node:net';
import path from 'node:path';
import type { SyncConfig } from '../config/schema.js';
import type { Logger } from '../log/events.js';
import type { SocketioConfig } from '../transports/socketio/declaration.js';
import { resolvedKeepVersions } from '../config/schema.js';
import { startSyncServer } from './server.js';
import { EMBEDDED_PORT, isEmbeddedTarget, writeEmbeddedToken } from './embedded-token.js';
import { msg } from '../messages/index.js';

function listening(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, host);
    const done = (ok: boolean) => {
      s.destroy();
      resolve(ok);
    };
    s.setTimeout(1000, () => done(true)); // something is there but slow: leave it alone
    s.once('connect', () => done(true));
    s.once('error', (err: NodeJS.ErrnoException) => done(err.code !== 'ECONNREFUSED'));
  });
}

export async function maybeStartEmbeddedServer(
  cfg: SyncConfig,
  home: string,
  log: Logger,
): Promise<{ close(): Promise<void> } | null> {
  if (cfg.protocol !== 'socketio') return null;
  return embeddedServerFor(cfg.socketio, { home, log, keepVersions: resolvedKeepVersions(cfg) });
}

/** The socketio block's server, started in-process when it is this machine's port 5000 and nothing listens. */
export async function embeddedServerFor(
  block: SocketioConfig,
  env: { home: string; log: Logger; keepVersions: number },
): Promise<{ close(): Promise<void> } | null> {
  const { home, log } = env;
  const port = EMBEDDED_PORT;
  if (!isEmbeddedTarget(block.server_url)) return null;
  if (await listening(port, '127.0.0.1')) return null;
  const storageDir = path.join(home, 'sync-server');
  const token = block.token;
  // Never without a token: the client's own, or a fresh one in <home>/sync-server-token that this machine's client
  // reads (withEmbeddedToken). Other local users cannot read it (0600 in a 0700 home).
  const tokensFile = token ? undefined : (block.token_file ?? (await writeEmbeddedToken(home)));
  const server = await startSyncServer({
    host: '127.0.0.1',
    port,
    storageDir,
    tokens: token ? [token] : undefined,
    tokensFile,
    keepVersions: env.keepVersions,
    log,
  });
  log.emit({
    type: 'info',
    code: 'EMBEDDED_SERVER',
    protocol: 'socketio',
    text: msg('event.EMBEDDED_SERVER', { server_url: block.server_url, port, storageDir }),
  });
  return server;
}
