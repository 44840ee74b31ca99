/**
 * What a transport declares about itself, in its own folder (src/transports/<name>/declaration.ts), the way rclone's
 * backends call fs.Register(&fs.RegInfo{Name, NewFs, Options}): everything the rest of the program needs to know
 * without loading the transport's code. Config validation, secret blanking and redaction, the web form, target
 * identity, "no disponible" and the service's automation all read these; nothing outside the folder names a protocol.
 *
 * A declaration must stay light: it may import zod and the shared schema parts, never the transport's implementation
 * or its npm dependencies (`load()` imports those dynamically, so a missing package shows as "no disponible").
 */
import type { z } from 'zod';
import type { Text } from '../errors.js';
import type { Logger } from '../log/events.js';
import type { TransportForm } from './form.js';
import type { FileTransport, Guarantees, SyncEndpoint, TransportContext } from './types.js';

/** A config block's schema: a zod object whose every key has a default or is optional (`parse({})` succeeds). */
type BlockSchema = z.ZodObject<z.core.$ZodLooseShape, z.core.$ZodObjectConfig>;

/**
 * The module `load()` imports: builds the transport from its (validated) config block. A property, not a method, so
 * the compiler checks the parameter strictly: a module whose create() wants more than the block does not compile.
 */
interface TransportImplementation<Block> {
  create: (block: Block, ctx: TransportContext) => FileTransport | SyncEndpoint;
}

export interface TransportCapabilities {
  /**
   * 'files': a FileTransport; the engine keeps the manifest and versions on it (src/engine/remote-layout.ts).
   * 'endpoint': a SyncEndpoint that keeps its own manifest (a sync server).
   */
  store: 'files' | 'endpoint';
  /**
   * File stores: what the server guarantees, when the protocol fixes it (a folder: exclusive create and atomic
   * replace), or 'probed' when it depends on the server and is measured at run time (WebDAV).
   */
  guarantees?: Guarantees | 'probed';
  /**
   * A write publishes the whole object or nothing (an S3 PUT): the shared upload (shared/upload.ts) writes straight
   * to the final name and needs no temporary name and rename. false for file systems (folder, SMB, WebDAV).
   */
  atomicWrite: boolean;
  /**
   * The remote announces changes by itself (Socket.IO sync_update / sync_request): the service listens to it, and
   * also watches the local database so a change is sent at once instead of at the next poll.
   */
  pushNotifications: boolean;
}

export interface TransportDeclaration<Name extends string = string, Schema extends BlockSchema = BlockSchema> {
  /** The protocol name: the value of `protocol` in the config and the key of this transport's block. */
  name: Name;
  /**
   * 'spec': a block the spec's config file always has (written with its defaults even when another protocol is
   * selected: webdav, smb, socketio). 'optional': our addition, absent from the file until used.
   */
  block: 'spec' | 'optional';
  /** The block's schema, with defaults; bilingual messages via src/config/schema-parts.ts. */
  schema: Schema;
  /** Keys of the block that are secrets: blanked in the API, write-only in the form, masked in every log. */
  secrets: ReadonlyArray<keyof z.output<Schema> & string>;
  /** The form tab: title, one sentence and the fields (pure data, served to the browser by the API). */
  form: TransportForm;
  /** A stable key for the remote target, so the sync base of one server is never used for another. */
  targetId(block: z.output<Schema>): string;
  /**
   * Where the block's secrets go (a URL's scheme, host and port; an SMB host and port), when the block has any. A
   * stored secret is only merged into a form naming the same destination: changing the server means typing the
   * password again, so whoever can edit the form cannot send the stored one elsewhere.
   */
  secretDestination?(block: z.output<Schema>): string;
  /**
   * Keys naming a local file whose contents are sent to the server as a credential (Socket.IO's `token_file`). Only
   * the config file and the CLI may change them: from the UI, a new path plus a new server would send any file this
   * user can read to a server of the editor's choosing.
   */
  secretFiles?: ReadonlyArray<keyof z.output<Schema> & string>;
  /** What the block still lacks before a sync can run (an empty server...), by key inside the block. */
  missing(block: z.output<Schema>): Array<{ key: keyof z.output<Schema> & string; text: Text }>;
  /** npm packages the implementation needs at run time: named in the "no disponible" install hint. */
  packages: readonly string[];
  capabilities: TransportCapabilities;
  /** Imports the implementation (dynamic import: a missing dependency makes only this protocol unavailable). */
  load(): Promise<TransportImplementation<z.output<Schema>>>;
  /**
   * Starts a local server for this protocol when the block points at one on this machine that is not running (may
   * decline: null). The service calls it when automatic sync starts with this protocol selected.
   */
  startLocalServer?(block: z.output<Schema>, env: LocalServerEnv): Promise<{ close(): Promise<void> } | null>;
  /** The block as this machine's client uses it with that local server (e.g. with the token the server wrote). */
  localClientBlock?(block: z.output<Schema>, home: string): z.output<Schema>;
}

export interface LocalServerEnv {
  /** The Cordiax folder (the server keeps its data under it). */
  home: string;
  log: Logger;
  keepVersions: number;
}

/**
 * Any declaration, whatever its block type: what the registry holds. Each one is checked where it is declared
 * (`satisfies TransportDeclaration<name, typeof schema>`); the list only needs what they have in common.
 */
// biome-ignore lint/suspicious/noExplicitAny: the blocks differ per transport; each is checked by its own satisfies
export type AnyTransportDeclaration = TransportDeclaration<string, any>;
