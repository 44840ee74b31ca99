/** Builds "devices" (a home folder, a database, an engine) that share one remote, for engine scenarios. */
import path from 'node:path';
import { mkdirSync } from 'node:fs';
import { SyncEngine, type EngineOptions } from '../../src/engine/engine.js';
import { EventLog } from '../../src/log/event-log.js';
import type { FileTransport, SyncEndpoint } from '../../src/transports/types.js';
import { FolderTransport } from '../../src/transports/folder/index.js';
import { tmpDir } from './system.js';

export interface Device {
  name: string;
  home: string;
  db: string;
  log: EventLog;
  engine: SyncEngine;
}

export function makeDevice(
  name: string,
  transport: FileTransport | SyncEndpoint,
  extra: Partial<EngineOptions> = {},
): Device {
  const home = tmpDir(`cx-${name}-`);
  const db = path.join(home, 'cordiax.db');
  const log = new EventLog({ dir: path.join(home, 'logs') });
  const engine = new SyncEngine({
    transport,
    databasePath: db,
    statePath: path.join(home, 'sync_state.json'),
    device: name,
    log,
    keepVersions: 10,
    direction: 'bidirectional',
    ...extra,
  });
  return { name, home, db, log, engine };
}

export function folderRemote(device = 'test'): { root: string; transport: () => FolderTransport } {
  const root = path.join(tmpDir('cx-remote-'), 'cordiax_sync');
  mkdirSync(path.dirname(root), { recursive: true });
  return { root, transport: () => new FolderTransport(root, { log: { emit() {} }, tmpDir: tmpDir(), device }) };
}

/** Wraps a transport to count calls per method (the real transport still does the work). */
export function counting<T extends object>(t: T): { t: T; calls: Record<string, number> } {
  const calls: Record<string, number> = {};
  const proxy = new Proxy(t, {
    get(target, prop, recv) {
      const v = Reflect.get(target, prop, recv);
      if (typeof v !== 'function') return v;
      return (...args: unknown[]) => {
        calls[String(prop)] = (calls[String(prop)] ?? 0) + 1;
        return (v as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { t: proxy, calls };
}
