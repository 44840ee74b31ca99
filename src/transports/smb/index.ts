/** The SMB/CIFS transport's implementation, loaded by its declaration (declaration.ts) by dynamic import. */
import type { FileTransport, TransportContext } from '../types.js';
import type { SmbConfig } from './declaration.js';
import { SmbTransport } from './transport.js';

export { SmbTransport, normalizeRoot } from './transport.js';
export { parseServer } from './server-address.js';

export function create(block: SmbConfig, ctx: TransportContext): FileTransport {
  return new SmbTransport(block, ctx);
}
