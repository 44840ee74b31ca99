/**
 * Loads transports by dynamic import, so a protocol whose dependency is missing reports itself unavailable (the
 * spec's "no disponible") with the reason and the install hint, and everything else keeps working.
 */
import type { SyncConfig, Protocol } from '../config/schema.js';
import { SyncError } from '../errors.js';
import type { FileTransport, SyncEndpoint, TransportContext, TransportModule } from './types.js';
import { msg } from '../messages/index.js';

export interface Availability {
  protocol: Protocol;
  available: boolean;
  /** Why not, in both languages. */
  reason?: { es: string; en: string };
  /** The command that fixes it. */
  installHint?: string;
}

/** Module path and the npm packages each transport needs at run time. */
const MODULES: Record<Protocol, { load: () => Promise<TransportModule>; packages: string[] }> = {
  folder: { load: () => import('./folder/index.js') as Promise<TransportModule>, packages: [] },
  webdav: { load: () => import('./webdav/index.js') as Promise<TransportModule>, packages: [] },
  smb: { load: () => import('./smb/index.js') as Promise<TransportModule>, packages: [] },
  socketio: { load: () => import('./socketio/index.js') as Promise<TransportModule>, packages: ['socket.io-client'] },
};

async function loadModule(protocol: Protocol): Promise<TransportModule> {
  return MODULES[protocol].load();
}

export async function availability(protocol: Protocol): Promise<Availability> {
  try {
    await loadModule(protocol);
    return { protocol, available: true };
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const missing = /Cannot find (?:package|module) '([^']+)'/.exec(e.message)?.[1];
    const pkgs = MODULES[protocol].packages;
    const hint = pkgs.length ? `npm install ${pkgs.join(' ')}` : 'npm install';
    return {
      protocol,
      available: false,
      reason: missing
        ? msg('transport.missing_dependency', { missing })
        : msg('transport.could_not_load', { message: e.message }),
      installHint: hint,
    };
  }
}

export async function allAvailability(): Promise<Availability[]> {
  return Promise.all((Object.keys(MODULES) as Protocol[]).map((p) => availability(p)));
}

export async function createTransport(
  config: SyncConfig,
  ctx: TransportContext,
  protocol: Protocol = config.protocol,
): Promise<FileTransport | SyncEndpoint> {
  let mod: TransportModule;
  try {
    mod = await loadModule(protocol);
  } catch {
    const a = await availability(protocol);
    throw new SyncError('UNAVAILABLE', msg('transport.protocol_unavailable', { protocol, reason: a.reason }), {
      hint: msg('transport.install_dependency', { installHint: a.installHint }),
    });
  }
  return mod.create(config, ctx);
}

/** A stable key for a remote target, so the sync base of one server is never used for another. */
export function targetId(config: SyncConfig, protocol: Protocol = config.protocol): string {
  switch (protocol) {
    case 'webdav':
      return `webdav:${config.webdav.url.replace(/\/+$/, '')}|${config.webdav.username}|${config.webdav.remote_path}`;
    case 'smb':
      return `smb:${config.smb.server}|${config.smb.share_name}|${config.smb.domain}\\${config.smb.username}|${config.smb.remote_path}`;
    case 'socketio':
      return `socketio:${config.socketio.server_url.replace(/\/+$/, '')}|${config.socketio.namespace}|${config.socketio.database_id ?? 'default'}`;
    case 'folder':
      return `folder:${config.folder?.path ?? ''}`;
  }
}
