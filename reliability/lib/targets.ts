/**
 * The remotes the suite runs on, each started through the project's own test helpers (read-only use): a folder,
 * Apache mod_dav (WebDAV), Samba (SMB), our Socket.IO server. Each gives a config builder and the folder on this
 * machine that backs the remote, for direct checks by bytes and hashes.
 */
import path from 'node:path';
import { mkdirSync } from 'node:fs';
import { tmpDir } from '../../test/helpers/system.js';
import { FOLDER_TRIGGERS, type KillTarget } from './kill.js';
import { folderConfig } from './util.js';

export interface Remote extends KillTarget {
  /** The password a secret scan must never find outside the config file. */
  password?: string;
  user?: string;
  stop(): Promise<void>;
  /** The same server with another remote folder (each fault or kill run starts from an empty remote). */
  sub?(name: string): Remote;
}

export function folderTarget(): Remote {
  const root = path.join(tmpDir('cx-rel-folder-'), 'cordiax_sync');
  return { name: 'folder', remoteDir: root, config: (db, dev) => folderConfig(root, db, dev), triggers: FOLDER_TRIGGERS, stop: async () => {}, sub: () => folderTarget() };
}

export const WEBDAV_TRIGGERS: NonNullable<KillTarget['triggers']> = [
  { name: 'object-temp', dir: 'versions', pattern: /\.cxtmp$/ },
  { name: 'object-final', dir: 'versions', pattern: /^\d{6}-/ },
  { name: 'manifest-final', dir: '', pattern: /^cordiax-sync\.json$/ },
];

/** Apache mod_dav through test/helpers/apache.ts; `port` lets a FaultProxy sit in front. */
export async function webdavTarget(opts: { viaPort?: (apachePort: number) => Promise<number> } = {}) {
  const { startApache } = await import('../../test/helpers/apache.js');
  const server = await startApache();
  const port = opts.viaPort ? await opts.viaPort(server.port) : server.port;
  const shared = { password: server.password };
  const make = (folder: string): Remote & { server: typeof server } => ({
    name: 'webdav',
    server,
    remoteDir: path.join(server.dataDir, folder),
    get password() {
      return shared.password;
    },
    set password(v: string | undefined) {
      shared.password = v ?? '';
    },
    user: server.user,
    config: (db, dev) => ({
      enabled: false,
      protocol: 'webdav',
      polling_interval: 300,
      webdav: { url: `http://127.0.0.1:${port}/dav/`, username: server.user, password: shared.password, remote_path: `/${folder}/`, timeout_seconds: 8 },
      database_path: db,
      device_name: dev,
      keep_versions: 5,
    }),
    triggers: WEBDAV_TRIGGERS,
    stop: async () => server.kill(),
    sub: (name: string) => make(`cordiax_sync_${name}`),
  });
  return make('cordiax_sync');
}

/** Samba through test/helpers/samba.ts (fixed ports 139/445: one at a time). */
export async function smbTarget(opts: { viaPort?: (smbPort: number) => Promise<number> } = {}) {
  const { startSamba } = await import('../../test/helpers/samba.js');
  const server = await startSamba('default');
  const port = opts.viaPort ? await opts.viaPort(server.port) : server.port;
  mkdirSync(server.shareDir, { recursive: true });
  const shared = { password: server.password };
  const make = (folder: string): Remote & { server: typeof server } => ({
    name: 'smb',
    server,
    remoteDir: path.join(server.shareDir, folder),
    get password() {
      return shared.password;
    },
    set password(v: string | undefined) {
      shared.password = v ?? '';
    },
    user: server.user,
    config: (db, dev) => ({
      enabled: false,
      protocol: 'smb',
      polling_interval: 300,
      smb: { server: server.host, share_name: server.share, username: server.user, password: shared.password, domain: server.domain, remote_path: `/${folder}/`, port, timeout_seconds: 8 },
      database_path: db,
      device_name: dev,
      keep_versions: 5,
    }),
    triggers: [
      { name: 'object-final', dir: 'versions', pattern: /^\d{6}-/ },
      { name: 'manifest-final', dir: '', pattern: /^cordiax-sync\.json$/ },
    ],
    stop: async () => server.stop(),
    sub: (name: string) => make(`cordiax_sync_${name}`),
  });
  return make('cordiax_sync');
}

/** Our Socket.IO sync server through test/helpers/socketio.ts, with an auth token (a secret to scan for). */
export async function socketioTarget(opts: { viaPort?: (serverPort: number) => Promise<number> } = {}) {
  const { startServerChild, writeTokens } = await import('../../test/helpers/socketio.js');
  const { randomBytes } = await import('node:crypto');
  const token = `tok-${randomBytes(12).toString('hex')}`;
  const tokDir = tmpDir('cx-rel-sio-tok-');
  const tokensFile = writeTokens(tokDir, [token]);
  const storageDir = tmpDir('cx-rel-sio-store-');
  let server = await startServerChild({ storageDir, tokensFile } as never);
  const serverPort = server.port;
  const port = opts.viaPort ? await opts.viaPort(serverPort) : serverPort;
  const make = (dbId: string): Remote & { restart(): Promise<void>; kill(): void; pid(): number | undefined } => ({
    name: 'socketio',
    remoteDir: path.join(storageDir, dbId),
    manifestName: 'manifest.json',
    password: token,
    config: (db, dev) => ({
      enabled: false,
      protocol: 'socketio',
      polling_interval: 300,
      socketio: { server_url: `http://127.0.0.1:${port}`, namespace: '/cordiax-sync/', token, database_id: dbId },
      database_path: db,
      device_name: dev,
      keep_versions: 5,
    }),
    triggers: [
      { name: 'object-final', dir: 'versions', pattern: /^\d{6}-/ },
      { name: 'manifest-final', dir: '', pattern: /^manifest\.json$/ },
    ],
    stop: async () => server.kill(),
    kill: () => server.kill(),
    restart: async () => {
      server = await startServerChild({ storageDir, tokensFile, port: serverPort } as never);
    },
    pid: () => server.proc.pid,
    sub: (name: string) => make(`db${name}`),
  });
  return make('default');
}
