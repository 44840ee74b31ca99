/** The WebDAV transport's implementation, loaded by its declaration (declaration.ts) by dynamic import. */
import type { FileTransport, TransportContext } from '../types.js';
import type { WebdavConfig } from './declaration.js';
import { WebdavTransport } from './transport.js';

export function create(block: WebdavConfig, ctx: TransportContext): FileTransport {
  return new WebdavTransport(block, ctx);
}

export { WebdavTransport };
