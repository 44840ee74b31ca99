/**
 * cordiax-sync as a library: embed the same service the CLI and the web UI use.
 * See README "API" for an example.
 */
export { SyncService, type ServiceOptions, type StatusReport, type ServiceState } from './service.js';
export { SyncEngine, type EngineOptions, type SyncOutcome, type SyncAction } from './engine/engine.js';
export { plan, type Plan, type PlanInput, type Base, type Direction } from './engine/plan.js';
export { Scheduler } from './engine/scheduler.js';
export { FileRemote, MANIFEST_FILE, VERSIONS_DIR } from './engine/remote-layout.js';
export { EventLog } from './log/event-log.js';
export type { SyncEvent, EventType, Level, Logger } from './log/events.js';
export { redact, registerSecret } from './log/redact.js';
export {
  configSchema,
  parseConfig,
  defaultConfig,
  completenessProblems,
  cordiaxHome,
  type SyncConfig,
  type ConfigProblem,
  type Protocol,
} from './config/schema.js';
export { loadConfig, saveConfig, configPath } from './config/store.js';
export { takeSnapshot, verifyDatabase, restoreInto } from './db/snapshot.js';
export { SyncError, setLanguage, type ErrorCode } from './errors.js';
export {
  availability,
  allAvailability,
  createTransport,
  registerTransport,
  secretFields,
  transportDeclarations,
} from './transports/registry.js';
export type { TransportDeclaration, TransportCapabilities } from './transports/declaration.js';
export type { FileTransport, SyncEndpoint, ConnectionReport, RemoteManifest, Guarantees } from './transports/types.js';
