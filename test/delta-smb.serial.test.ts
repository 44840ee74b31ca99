// Delta sync through the engine over SMB against a real Samba (fixed ports: serial): the scenarios of
// test/helpers/delta-scenarios.ts (chains, a device behind, a new device, compaction, pruning, encryption, a base
// mismatch, a corrupt patch, a v0.1 remote, old versions byte for byte).
import { after, before, describe } from 'node:test';
import path from 'node:path';
import { SmbTransport } from '../src/transports/smb/index.js';
import type { FileTransport } from '../src/transports/types.js';
import { startSamba, smbConfig, memoryLog, type SambaServer } from './helpers/samba.js';
import { deltaScenarios } from './helpers/delta-scenarios.js';
import { tmpDir } from './helpers/system.js';

describe('delta sync (Samba)', () => {
  let s: SambaServer;
  const opened: FileTransport[] = [];
  let folders = 0;
  before(async () => {
    s = await startSamba('default');
  });
  after(async () => {
    for (const t of opened) await t.close().catch(() => {});
    await s?.stop();
  });
  deltaScenarios(() => {
    const folder = `delta-${process.pid}-${++folders}`;
    return {
      name: 'Samba',
      root: path.join(s.shareDir, folder),
      transport: (device) => {
        const t = new SmbTransport(smbConfig(s, { remote_path: `/${folder}/` }), {
          log: memoryLog(),
          tmpDir: tmpDir(),
          device,
        });
        opened.push(t);
        return t;
      },
    };
  });
});
