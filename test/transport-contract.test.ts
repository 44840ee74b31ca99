/**
 * The transport contract (test/helpers/transport-contract.ts) on every transport that runs without fixed ports:
 * folder, WebDAV on Apache mod_dav, WebDAV on rclone (a lenient server: no conditional writes, as it declares), and the
 * engine scenarios on our Socket.IO server. WebDAV and Socket.IO sit behind a counting TCP proxy so the idle poll's
 * byte budget is measured on the wire. Samba runs the same suite in transport-contract-smb.serial.test.ts.
 */
import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { FolderTransport } from '../src/transports/folder/index.js';
import { startApache, davTransport, memoryLogger } from './helpers/apache.js';
import { startRclone } from './helpers/rclone.js';
import { endpoint, startServerChild } from './helpers/socketio.js';
import { tmpDir } from './helpers/system.js';
import { countingProxy, transportContract } from './helpers/transport-contract.js';

transportContract(
  async () => {
    const root = tmpDir('cx-contract-folder-');
    return {
      name: 'folder',
      manifestName: 'cordiax-sync.json',
      backingDir: (folder) => path.join(root, folder),
      make: (folder, device) => {
        mkdirSync(root, { recursive: true });
        return new FolderTransport(path.join(root, folder), { log: memoryLogger(), tmpDir: tmpDir(), device });
      },
      stop: async () => {},
    };
  },
  { label: 'folder' },
);

transportContract(
  async () => {
    const apache = await startApache();
    const wire = await countingProxy(apache.port);
    return {
      name: 'webdav-apache',
      manifestName: 'cordiax-sync.json',
      wire,
      backingDir: (folder) => path.join(apache.dataDir, folder),
      make: (folder, device) =>
        davTransport(
          {
            url: `http://127.0.0.1:${wire.port}/dav/`,
            username: apache.user,
            password: apache.password,
            remote_path: `/${folder}/`,
          },
          memoryLogger(),
          device,
        ),
      stop: async () => {
        await wire.close();
        await apache.stop();
      },
    };
  },
  { label: 'WebDAV (Apache mod_dav)' },
);

transportContract(
  async () => {
    const rclone = await startRclone();
    const wire = await countingProxy(rclone.port);
    return {
      name: 'webdav-rclone',
      manifestName: 'cordiax-sync.json',
      wire,
      backingDir: (folder) => path.join(rclone.dataDir, folder),
      make: (folder, device) =>
        davTransport(
          {
            url: `http://127.0.0.1:${wire.port}/`,
            username: rclone.user,
            password: rclone.password,
            remote_path: `/${folder}/`,
          },
          memoryLogger(),
          device,
        ),
      stop: async () => {
        await wire.close();
        rclone.stop();
      },
    };
  },
  {
    label: 'WebDAV (rclone serve webdav)',
  },
);

/** Our server keeps one manifest per database id (letters and digits): the folder name is hashed into one. */
const dbId = (folder: string) => `db${createHash('sha256').update(folder).digest('hex').slice(0, 12)}`;

transportContract(
  async () => {
    const server = await startServerChild();
    const wire = await countingProxy(server.port);
    return {
      name: 'socketio',
      manifestName: 'manifest.json',
      wire,
      backingDir: (folder) => path.join(server.storageDir, dbId(folder)),
      make: (folder, device) => endpoint(`http://127.0.0.1:${wire.port}`, { database_id: dbId(folder) }, {}, device).ep,
      stop: async () => {
        await wire.close();
        await server.stop();
      },
    };
  },
  { label: 'Socket.IO (our server; engine scenarios: the file contract does not apply)', engineOnly: true },
);
