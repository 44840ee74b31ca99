/** The WebDAV transport declares itself: config block, secrets, form, target identity, capabilities. */
import { z } from 'zod';
import { bool, httpUrl, msg, remotePath, str, timeoutSeconds } from '../../config/schema-parts.js';
import type { TransportDeclaration } from '../declaration.js';
import { emptyKeys, remotePathField, timeoutField } from '../shared/declare.js';

export const webdavSchema = z
  .object({
    url: httpUrl('url').default(''),
    username: str(256).default(''),
    password: str(1024).default(''),
    remote_path: remotePath(),
    /** 'basic' (default), 'digest' or 'auto' (whatever the server asks for). */
    auth: z
      .enum(['basic', 'digest', 'auto'], {
        error: msg("debe ser 'basic', 'digest' o 'auto'", "must be 'basic', 'digest' or 'auto'"),
      })
      .optional(),
    /** PEM file with a private CA to trust. */
    ca_file: str(1024).optional(),
    /** Skips TLS certificate verification. Dangerous: logged loudly on every connection. */
    insecure_skip_tls_verify: bool().optional(),
    timeout_seconds: timeoutSeconds(),
  })
  .loose();
export type WebdavConfig = z.infer<typeof webdavSchema>;

export const webdav = {
  name: 'webdav',
  block: 'spec',
  schema: webdavSchema,
  secrets: ['password'],
  form: {
    title: ['WebDAV', 'WebDAV'],
    what: [
      'Sincronización mediante polling periódico. Compatible con servidores WebDAV estándar (Nextcloud, ownCloud, etc.).',
      'Periodic polling. Works with standard WebDAV servers (Nextcloud, ownCloud, etc.).',
    ],
    fields: [
      {
        key: 'url',
        label: ['URL del servidor', 'Server URL'],
        kind: 'url',
        placeholder: ['https://cloud.example.com/remote.php/dav', 'https://cloud.example.com/remote.php/dav'],
        required: true,
        wide: true,
        help: ['URL completa del servidor WebDAV.', 'Full URL of the WebDAV server.'],
      },
      {
        key: 'username',
        label: ['Usuario', 'User name'],
        kind: 'text',
        placeholder: ['usuario', 'user'],
        required: true,
      },
      { key: 'password', label: ['Contraseña', 'Password'], kind: 'password' },
      remotePathField,
      {
        key: 'auth',
        label: ['Autenticación', 'Authentication'],
        kind: 'select',
        optional: true,
        advanced: true,
        options: [
          ['', 'Basic (por defecto)', 'Basic (default)'],
          ['digest', 'Digest', 'Digest'],
          ['auto', 'Automática (la que pida el servidor)', 'Automatic (whatever the server asks)'],
        ],
      },
      {
        key: 'ca_file',
        label: ['Certificado de CA propio (PEM)', 'Private CA certificate (PEM)'],
        kind: 'text',
        placeholder: ['/ruta/a/ca.pem', '/path/to/ca.pem'],
        optional: true,
        advanced: true,
      },
      {
        key: 'insecure_skip_tls_verify',
        label: ['No verificar el certificado TLS (peligroso)', 'Skip TLS certificate verification (dangerous)'],
        kind: 'checkbox',
        optional: true,
        advanced: true,
      },
      timeoutField,
    ],
  },
  targetId: (b) => `webdav:${b.url.replace(/\/+$/, '')}|${b.username}|${b.remote_path}`,
  missing: (b) =>
    emptyKeys(b, {
      url: { es: 'está vacío: indique la URL del servidor WebDAV', en: 'is empty: enter the WebDAV server URL' },
      username: { es: 'está vacío: indique el usuario', en: 'is empty: enter the user name' },
    }),
  packages: [],
  // Conditional write and exclusive create depend on the server (Apache with LOCK: yes; rclone: no): probed.
  capabilities: { store: 'files', guarantees: 'probed', atomicWrite: false, pushNotifications: false },
  load: () => import('./index.js'),
} satisfies TransportDeclaration<'webdav', typeof webdavSchema>;
