/**
 * The transport contract (test/helpers/transport-contract.ts) on SMB against a real Samba (fixed ports 139/445, so a
 * serial file), through a counting TCP proxy so the idle poll's byte budget is measured on the wire.
 * Every Samba variant of test/helpers/samba.ts that changes the transport's code path runs it: plain, signing
 * required, SMB3 encryption required.
 */
import path from 'node:path';
import { mkdirSync } from 'node:fs';
import { SmbTransport } from '../src/transports/smb/index.js';
import { startSamba, smbConfig, memoryLog, type SambaVariant } from './helpers/samba.js';
import { tmpDir } from './helpers/system.js';
import { countingProxy, transportContract } from './helpers/transport-contract.js';

for (const variant of ['default', 'signing', 'encrypt'] as SambaVariant[]) {
  transportContract(
    async () => {
      const s = await startSamba(variant);
      mkdirSync(s.shareDir, { recursive: true });
      const wire = await countingProxy(s.port);
      return {
        name: `smb-${variant}`,
        manifestName: 'cordiax-sync.json',
        wire,
        backingDir: (folder) => path.join(s.shareDir, folder),
        make: (folder, device) =>
          new SmbTransport(smbConfig(s, { remote_path: `/${folder}/`, port: wire.port }), {
            log: memoryLog(),
            tmpDir: tmpDir(),
            device,
          }),
        stop: async () => {
          await wire.close();
          await s.stop();
        },
      };
    },
    { label: `SMB (Samba, ${variant})` },
  );
}
