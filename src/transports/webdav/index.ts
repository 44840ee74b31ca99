/** The WebDAV transport module, loaded by the transport registry by dynamic import. */
import type { SyncConfig } from '../../config/schema.js';
import { registerSecret } from '../../log/redact.js';
import type { FileTransport, TransportContext } from '../types.js';
import { WebdavTransport } from './transport.js';

export const protocol = 'webdav';

export function create(config: SyncConfig, ctx: TransportContext): FileTransport {
  registerSecret(config.webdav.password);
  return new WebdavTransport(config.webdav, ctx);
}

export { WebdavTransport };
