/** The SMB/CIFS transport declares itself: config block, secrets, form, target identity, capabilities. */
import { z } from 'zod';
import { port, remotePath, str, timeoutSeconds } from '../../config/schema-parts.js';
import { msg } from '../../messages/index.js';
import { same } from '../form.js';
import type { TransportDeclaration } from '../declaration.js';
import { emptyKeys, remotePathField, timeoutField } from '../shared/declare.js';
import { parseServer } from './server-address.js';

const smbSchema = z
  .object({
    server: str(255).default(''),
    share_name: str(255).default(''),
    username: str(256).default(''),
    password: str(1024).default(''),
    domain: str(255).default(''),
    remote_path: remotePath(),
    /** Default: 445, then 139. */
    port: port().optional(),
    timeout_seconds: timeoutSeconds(),
  })
  .loose();
export type SmbConfig = z.infer<typeof smbSchema>;

export const smb = {
  name: 'smb',
  block: 'spec',
  schema: smbSchema,
  secrets: ['password'],
  form: {
    title: msg('ui.protocol.smb'),
    what: msg('ui.protocol.smb.what'),
    fields: [
      {
        key: 'server',
        label: msg('ui.field.smb.server'),
        kind: 'text',
        placeholder: same('192.168.1.10'),
        required: true,
        help: msg('ui.field.smb.server.help'),
      },
      {
        key: 'share_name',
        label: msg('ui.field.smb.share_name'),
        kind: 'text',
        placeholder: msg('ui.placeholder.share_name'),
        required: true,
      },
      {
        key: 'username',
        label: msg('ui.field.smb.username'),
        kind: 'text',
        placeholder: msg('ui.placeholder.user'),
        required: true,
      },
      { key: 'password', label: msg('ui.field.smb.password'), kind: 'password' },
      {
        key: 'domain',
        label: msg('ui.field.smb.domain'),
        kind: 'text',
        placeholder: msg('ui.placeholder.domain'),
        help: msg('ui.field.smb.domain.help'),
      },
      remotePathField,
      {
        key: 'port',
        label: msg('ui.field.smb.port'),
        kind: 'number',
        placeholder: same('445'),
        optional: true,
        min: 1,
        max: 65535,
        advanced: true,
        help: msg('ui.field.smb.port.help'),
      },
      timeoutField,
    ],
  },
  secretDestination: (b) => smbDestination(b.server, b.port),
  targetId: (b) => `smb:${b.server}|${b.share_name}|${b.domain}\\${b.username}|${b.remote_path}`,
  missing: (b) =>
    emptyKeys(b, {
      server: msg('config.empty_enter_smb_server'),
      share_name: msg('config.empty_enter_share_name'),
      username: msg('config.empty_enter_user_name'),
    }),
  packages: [],
  // FILE_CREATE is atomic and a rename with replace is atomic on the server; there is no compare-and-swap.
  capabilities: {
    store: 'files',
    guarantees: { conditionalWrite: false, exclusiveCreate: true, atomicReplace: true },
    atomicWrite: false,
    pushNotifications: false,
  },
  load: () => import('./index.js'),
} satisfies TransportDeclaration<'smb', typeof smbSchema>;

/** Host and port the transport connects to (transport.ts: the `port` setting first, then one in `server`, then 445). */
function smbDestination(server: string, port: number | undefined): string {
  const srv = parseServer(server);
  return `${srv.host.toLowerCase()}:${port ?? srv.port ?? 445}`;
}
