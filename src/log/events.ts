import type { Text } from '../errors.js';

/** The kinds of event in the sync log (the spec's "Registro de Sincronización"). */
export type EventType =
  | 'connect' // connected to a remote
  | 'disconnect'
  | 'sync_start'
  | 'sync_end' // data: { action, direction, bytes, durationMs, localVersion, remoteGeneration }
  | 'conflict' // data: { copyPath, device, ... }
  | 'progress' // data: { phase, bytes, total, bytesPerSecond }: transfer progress, not written to the file log
  | 'state' // scheduler / service state changed
  | 'error'
  | 'warning'
  | 'info';

export type Level = 'debug' | 'info' | 'warn' | 'error';

export interface SyncEvent {
  /** Monotonic id within this process, for "events after N". */
  id: number;
  time: string; // ISO 8601
  level: Level;
  type: EventType;
  /** Stable machine code, e.g. 'AUTH_FAILED', 'SYNC_PUSH', 'TLS_VERIFY_DISABLED'. */
  code?: string;
  message: string; // Spanish
  message_en: string;
  protocol?: string;
  data?: Record<string, unknown>;
}

export interface EventInput {
  level?: Level;
  type: EventType;
  code?: string;
  text: Text;
  protocol?: string;
  data?: Record<string, unknown>;
}

/** What transports, the engine and the server get to report things: nothing more than this. */
export interface Logger {
  emit(event: EventInput): void;
}

/** A Logger that drops everything (for libraries used standalone). */
export const silentLogger: Logger = { emit() {} };

export function defaultLevel(type: EventType): Level {
  switch (type) {
    case 'error':
      return 'error';
    case 'warning':
    case 'conflict':
      return 'warn';
    case 'progress':
      return 'debug';
    default:
      return 'info';
  }
}
