/** SMB/CIFS transport module, loaded by the registry (src/transports/registry.ts) by dynamic import. */
import type { SyncConfig } from '../../config/schema.js';
import type { FileTransport, TransportContext } from '../types.js';
import { SmbTransport } from './transport.js';

export const protocol = 'smb';
export { SmbTransport, parseServer, normalizeRoot } from './transport.js';

export function create(config: SyncConfig, ctx: TransportContext): FileTransport {
  return new SmbTransport(config.smb, ctx);
}
