/** The `socketio` transport module: loaded by the transport registry by dynamic import. */
import type { SyncConfig } from '../../config/schema.js';
import type { SyncEndpoint, TransportContext } from '../types.js';
import { SocketioEndpoint } from './endpoint.js';

export const protocol = 'socketio';

export function create(config: SyncConfig, ctx: TransportContext): SyncEndpoint {
  return new SocketioEndpoint(config, ctx);
}

export { SocketioEndpoint, type EndpointOptions } from './endpoint.js';
