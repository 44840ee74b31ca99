/**
 * The Socket.IO transport declares itself: config block, secrets, form, target identity, capabilities. The client
 * library (socket.io-client) is only imported by load(), so without it this protocol shows as "no disponible".
 */
import { z } from 'zod';
import { httpUrl, msg, str } from '../../config/schema-parts.js';
import type { TransportDeclaration } from '../declaration.js';
import { emptyKeys } from '../shared/declare.js';

export const socketioSchema = z
  .object({
    server_url: httpUrl('server_url').default('http://localhost:5000'),
    namespace: str(256)
      .refine((v) => v.startsWith('/'), {
        error: msg(
          "debe empezar por '/' (por defecto: /cordiax-sync/)",
          "must start with '/' (default: /cordiax-sync/)",
        ),
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
    title: ['Flask-SocketIO', 'Flask-SocketIO'],
    what: [
      'Sincronización en tiempo real: al conectar y cuando hay cambios. Ideal para redes locales.',
      'Real-time sync: on connect and on every change. Best on local networks.',
    ],
    fields: [
      {
        key: 'server_url',
        label: ['URL del servidor', 'Server URL'],
        kind: 'url',
        placeholder: ['http://localhost:5000', 'http://localhost:5000'],
        required: true,
        wide: true,
        help: ['URL del servidor Flask-SocketIO.', 'URL of the Flask-SocketIO server.'],
      },
      {
        key: 'namespace',
        label: ['Namespace', 'Namespace'],
        kind: 'text',
        placeholder: ['/cordiax-sync/', '/cordiax-sync/'],
        help: ['Namespace del servidor (por defecto: /cordiax-sync/).', 'Server namespace (default: /cordiax-sync/).'],
      },
      {
        key: 'token',
        label: ['Token de acceso', 'Access token'],
        kind: 'password',
        optional: true,
        advanced: true,
        help: [
          'Para el servidor de cordiax-sync; el de Flask del ejemplo no lo usa.',
          'For the cordiax-sync server; the example Flask server does not use it.',
        ],
      },
      {
        key: 'token_file',
        label: ['Archivo con el token', 'Token file'],
        kind: 'text',
        placeholder: ['/ruta/al/token', '/path/to/token'],
        optional: true,
        advanced: true,
      },
      {
        key: 'database_id',
        label: ['Identificador de la base de datos', 'Database id'],
        kind: 'text',
        placeholder: ['default', 'default'],
        optional: true,
        advanced: true,
      },
    ],
  },
  targetId: (b) => `socketio:${b.server_url.replace(/\/+$/, '')}|${b.namespace}|${b.database_id ?? 'default'}`,
  missing: (b) =>
    emptyKeys(b, {
      server_url: { es: 'está vacío: indique la URL del servidor', en: 'is empty: enter the server URL' },
    }),
  packages: ['socket.io-client'],
  capabilities: { store: 'endpoint', atomicWrite: false, pushNotifications: true },
  load: () => import('./index.js'),
  // The spec's default URL (localhost:5000) works out of the box: our server starts in-process if nothing listens.
  startLocalServer: async (block, env): Promise<{ close(): Promise<void> } | null> =>
    (await import('../../server/embedded.js')).embeddedServerFor(block, env),
} satisfies TransportDeclaration<'socketio', typeof socketioSchema>;
