/** The Socket.IO transport's implementation, loaded by its declaration (declaration.ts) by dynamic import. */
import type { SyncEndpoint, TransportContext } from '../types.js';
import type { SocketioConfig } from './declaration.js';
import { SocketioEndpoint } from './endpoint.js';

export function create(block: SocketioConfig, ctx: TransportContext): SyncEndpoint {
  return new SocketioEndpoint({ socketio: block }, ctx);
}

export { SocketioEndpoint, type EndpointOptions } from './endpoint.js';
