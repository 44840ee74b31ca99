/**
 * The transport registry: the one list of transports (one line each), and what the rest of the program asks of it.
 * Each transport declares itself in its own folder (declaration.ts, see declaration.ts here); config validation
 * (src/config/schema.ts), secret blanking and redaction (src/service.ts), the web form (served by src/ui/api.ts),
 * target identity and availability read the declarations, so adding a transport touches its folder and BUILT_IN.
 *
 * Implementations are loaded by dynamic import, so a protocol whose dependency is missing reports itself unavailable
 * (the spec's "no disponible") with the reason and the install hint, and everything else keeps working.
 */
import type { SyncConfig } from '../config/schema.js';
import { SyncError, type Text } from '../errors.js';
import { registerSecret } from '../log/redact.js';
import type { AnyTransportDeclaration } from './declaration.js';
import { folder } from './folder/declaration.js';
import type { TransportView } from './form.js';
import { smb } from './smb/declaration.js';
import { socketio } from './socketio/declaration.js';
import type { FileTransport, SyncEndpoint, TransportContext } from './types.js';
import { webdav } from './webdav/declaration.js';
import { msg } from '../messages/index.js';

/** Every transport, in the order the form shows them. Adding one: its folder, plus one entry here. */
export const BUILT_IN = [webdav, smb, socketio, folder] as const;

export type Protocol = (typeof BUILT_IN)[number]['name'];
export const PROTOCOLS = BUILT_IN.map((d) => d.name) as unknown as readonly [Protocol, ...Protocol[]];

let registered: readonly AnyTransportDeclaration[] = BUILT_IN;

/** The registered transports (the built-in ones, plus any a test registered). */
export function transportDeclarations(): readonly AnyTransportDeclaration[] {
  return registered;
}

/**
 * Registers one more transport at run time. For tests (the paper test of a new transport) and embedders; the
 * static types (Protocol, SyncConfig) only know the built-in ones. Returns the function that unregisters it.
 */
export function registerTransport(d: AnyTransportDeclaration): () => void {
  if (registered.some((x) => x.name === d.name)) throw new Error(`transport ${d.name} already registered`);
  registered = [...registered, d];
  return () => {
    registered = registered.filter((x) => x !== d);
  };
}

export function declarationOf(protocol: string): AnyTransportDeclaration {
  const d = registered.find((x) => x.name === protocol);
  if (!d) throw new SyncError('CONFIG_INVALID', msg('transport.unknown_protocol', { protocol }));
  return d;
}

/** A transport's config block, with its defaults where the file has none (an optional block not written yet). */
export function blockOf(config: SyncConfig, protocol: string): Record<string, unknown> {
  const d = declarationOf(protocol);
  const b = (config as Record<string, unknown>)[d.name];
  return b && typeof b === 'object' ? (b as Record<string, unknown>) : d.schema.parse({});
}

/** Every secret field of every transport, as [block, key] ('webdav', 'password'). */
export function secretFields(): Array<readonly [block: string, key: string]> {
  return registered.flatMap((d) => d.secrets.map((k) => [d.name, k] as const));
}

/** Keys naming a local file whose contents are a credential (see TransportDeclaration.secretFiles). */
export function secretFileFields(): Array<readonly [block: string, key: string]> {
  return registered.flatMap((d) => (d.secretFiles ?? []).map((k) => [d.name, k] as const));
}

/** Registers every secret value of a config with the redaction, so no log line, error or API answer shows it. */
export function registerConfigSecrets(config: SyncConfig): void {
  for (const [block, key] of secretFields()) {
    const v = ((config as Record<string, unknown>)[block] as Record<string, unknown> | undefined)?.[key];
    if (typeof v === 'string') registerSecret(v);
  }
}

/** What the web form shows for each transport (field keys dotted), for GET /api/state. */
export function transportViews(): TransportView[] {
  return registered.map((d) => ({
    protocol: d.name,
    title: d.form.title,
    what: d.form.what,
    fields: d.form.fields.map((f) => ({ ...f, key: `${d.name}.${f.key}` })),
    secrets: d.secrets.map((k) => `${d.name}.${k}`),
  }));
}

export interface Availability {
  protocol: Protocol;
  available: boolean;
  /** Why not, in both languages. */
  reason?: Text;
  /** The command that fixes it. */
  installHint?: string;
}

export async function availability(protocol: Protocol): Promise<Availability> {
  const d = declarationOf(protocol);
  try {
    await d.load();
    return { protocol, available: true };
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const missing = /Cannot find (?:package|module) '([^']+)'/.exec(e.message)?.[1];
    const hint = d.packages.length ? `npm install ${d.packages.join(' ')}` : 'npm install';
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
  return Promise.all(registered.map((d) => availability(d.name as Protocol)));
}

export async function createTransport(
  config: SyncConfig,
  ctx: TransportContext,
  protocol: Protocol = config.protocol,
): Promise<FileTransport | SyncEndpoint> {
  const d = declarationOf(protocol);
  let impl: Awaited<ReturnType<AnyTransportDeclaration['load']>>;
  try {
    impl = await d.load();
  } catch {
    const a = await availability(protocol);
    throw new SyncError('UNAVAILABLE', msg('transport.protocol_unavailable', { protocol, reason: a.reason }), {
      hint: msg('transport.install_dependency', { installHint: a.installHint }),
    });
  }
  registerConfigSecrets(config);
  return impl.create(blockOf(config, protocol), ctx);
}

/** A stable key for a remote target, so the sync base of one server is never used for another. */
export function targetId(config: SyncConfig, protocol: Protocol = config.protocol): string {
  return declarationOf(protocol).targetId(blockOf(config, protocol));
}
