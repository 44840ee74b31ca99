/** The WebDAV transport declares itself: config block, secrets, form, target identity, capabilities. */
import { z } from 'zod';
import { bool, httpUrl, remotePath, str, timeoutSeconds, zodText } from '../../config/schema-parts.js';
import { msg } from '../../messages/index.js';
import { same } from '../form.js';
import type { TransportDeclaration } from '../declaration.js';
import { emptyKeys, remotePathField, timeoutField, urlOrigin } from '../shared/declare.js';

const webdavSchema = z
  .object({
    url: httpUrl('url').default(''),
    username: str(256).default(''),
    password: str(1024).default(''),
    remote_path: remotePath(),
    /** 'basic' (default), 'digest' or 'auto' (whatever the server asks for). */
    auth: z
      .enum(['basic', 'digest', 'auto'], {
        error: zodText(msg('config.must_basic_digest_auto')),
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
    title: msg('ui.protocol.webdav'),
    what: msg('ui.protocol.webdav.what'),
    fields: [
      {
        key: 'url',
        label: msg('ui.field.webdav.url'),
        kind: 'url',
        placeholder: same('https://cloud.example.com/remote.php/dav'),
        required: true,
        wide: true,
        help: msg('ui.field.webdav.url.help'),
      },
      {
        key: 'username',
        label: msg('ui.field.webdav.username'),
        kind: 'text',
        placeholder: msg('ui.placeholder.user'),
        required: true,
      },
      { key: 'password', label: msg('ui.field.webdav.password'), kind: 'password' },
      remotePathField,
      {
        key: 'auth',
        label: msg('ui.field.webdav.auth'),
        kind: 'select',
        optional: true,
        advanced: true,
        options: [
          ['', msg('ui.field.webdav.auth.default')],
          ['digest', msg('ui.field.webdav.auth.digest')],
          ['auto', msg('ui.field.webdav.auth.auto')],
        ],
      },
      {
        key: 'ca_file',
        label: msg('ui.field.webdav.ca_file'),
        kind: 'text',
        placeholder: msg('ui.placeholder.ca_file'),
        optional: true,
        advanced: true,
      },
      {
        key: 'insecure_skip_tls_verify',
        label: msg('ui.field.webdav.insecure_skip_tls_verify'),
        kind: 'checkbox',
        optional: true,
        advanced: true,
      },
      timeoutField,
    ],
  },
  // Turning certificate checks off also changes who can read the password on its way.
  secretDestination: (b) => `${urlOrigin(b.url)}${b.insecure_skip_tls_verify ? ' (TLS sin verificar)' : ''}`,
  targetId: (b) => `webdav:${b.url.replace(/\/+$/, '')}|${b.username}|${b.remote_path}`,
  missing: (b) =>
    emptyKeys(b, {
      url: msg('config.empty_enter_webdav_server'),
      username: msg('config.empty_enter_user_name'),
    }),
  packages: [],
  // Conditional write and exclusive create depend on the server (Apache with LOCK: yes; rclone: no): probed.
  capabilities: { store: 'files', guarantees: 'probed', atomicWrite: false, pushNotifications: false },
  load: () => import('./index.js'),
} satisfies TransportDeclaration<'webdav', typeof webdavSchema>;
