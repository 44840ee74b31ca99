/**
 * The Socket.IO transport declares itself: config block, secrets, form, target identity, capabilities. The client
 * library (socket.io-client) is only imported by load(), so without it this protocol shows as "no disponible".
 */
import { z } from 'zod';
import { httpUrl, str, zodText } from '../../config/schema-parts.js';
import { msg } from '../../messages/index.js';
import { same } from '../form.js';
import type { TransportDeclaration } from '../declaration.js';
import { emptyKeys, urlOrigin } from '../shared/declare.js';
import { withEmbeddedToken } from '../../server/embedded-token.js';

const socketioSchema = z
  .object({
    server_url: httpUrl('server_url').default('http://localhost:5000'),
    namespace: str(256)
      .refine((v) => v.startsWith('/'), {
        error: zodText(msg('config.must_start_default_cordiax')),
      })
      .default('/cordiax-sync/'),
    /** Auth token sent in the handshake (our server). */
    token: str(1024).optional(),
    /** File holding the token (re-read on every reconnect). */
    token_file: str(1024).optional(),
    /** Database id on our server (default: 'default'). */
    database_id: str(128).optional(),
  })
  .loose();
export type SocketioConfig = z.infer<typeof socketioSchema>;

export const socketio = {
  name: 'socketio',
  block: 'spec',
  schema: socketioSchema,
  secrets: ['token'],
  form: {
    title: msg('ui.protocol.socketio'),
    what: msg('ui.protocol.socketio.what'),
    fields: [
      {
        key: 'server_url',
        label: msg('ui.field.socketio.server_url'),
        kind: 'url',
        placeholder: same('http://localhost:5000'),
        required: true,
        wide: true,
        help: msg('ui.field.socketio.server_url.help'),
      },
      {
        key: 'namespace',
        label: msg('ui.field.socketio.namespace'),
        kind: 'text',
        placeholder: same('/cordiax-sync/'),
        help: msg('ui.field.socketio.namespace.help'),
      },
      {
        key: 'token',
        label: msg('ui.field.socketio.token'),
        kind: 'password',
        optional: true,
        advanced: true,
        help: msg('ui.field.socketio.token.help'),
      },
      {
        key: 'token_file',
        label: msg('ui.field.socketio.token_file'),
        kind: 'text',
        placeholder: msg('ui.placeholder.token_file'),
        optional: true,
        advanced: true,
      },
      {
        key: 'database_id',
        label: msg('ui.field.socketio.database_id'),
        kind: 'text',
        placeholder: same('default'),
        optional: true,
        advanced: true,
      },
    ],
  },
  secretDestination: (b) => urlOrigin(b.server_url),
  secretFiles: ['token_file'],
  targetId: (b) => `socketio:${b.server_url.replace(/\/+$/, '')}|${b.namespace}|${b.database_id ?? 'default'}`,
  missing: (b) =>
    emptyKeys(b, {
      server_url: msg('config.empty_enter_server_url'),
    }),
  packages: ['socket.io-client'],
  capabilities: { store: 'endpoint', atomicWrite: false, pushNotifications: true },
  load: () => import('./index.js'),
  // The spec's default URL (localhost:5000) works out of the box: our server starts in-process if nothing listens.
  localClientBlock: (block, home) => withEmbeddedToken(block, home),
  startLocalServer: async (block, env): Promise<{ close(): Promise<void> } | null> =>
    (await import('../../server/embedded.js')).embeddedServerFor(block, env),
} satisfies TransportDeclaration<'socketio', typeof socketioSchema>;
