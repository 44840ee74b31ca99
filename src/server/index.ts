export { startSyncServer, type SyncServer, type SyncServerOptions } from './server.js';
export { maybeStartEmbeddedServer } from './embedded.js';
