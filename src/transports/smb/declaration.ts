/** The SMB/CIFS transport declares itself: config block, secrets, form, target identity, capabilities. */
import { z } from 'zod';
import { port, remotePath, str, timeoutSeconds } from '../../config/schema-parts.js';
import type { TransportDeclaration } from '../declaration.js';
import { emptyKeys, remotePathField, timeoutField } from '../shared/declare.js';

export const smbSchema = z
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
    title: ['SMB/CIFS', 'SMB/CIFS'],
    what: [
      'Sincronización con recursos compartidos de Windows o Samba, con soporte para dominios de Active Directory.',
      'Windows or Samba shares, with Active Directory domain support.',
    ],
    fields: [
      {
        key: 'server',
        label: ['Servidor', 'Server'],
        kind: 'text',
        placeholder: ['192.168.1.10', '192.168.1.10'],
        required: true,
        help: ['Dirección IP o nombre del servidor SMB.', 'IP address or name of the SMB server.'],
      },
      {
        key: 'share_name',
        label: ['Recurso compartido', 'Share name'],
        kind: 'text',
        placeholder: ['compartido', 'shared'],
        required: true,
      },
      {
        key: 'username',
        label: ['Usuario', 'User name'],
        kind: 'text',
        placeholder: ['usuario', 'user'],
        required: true,
      },
      { key: 'password', label: ['Contraseña', 'Password'], kind: 'password' },
      {
        key: 'domain',
        label: ['Dominio', 'Domain'],
        kind: 'text',
        placeholder: ['EMPRESA', 'COMPANY'],
        help: ['Dominio de Active Directory (opcional).', 'Active Directory domain (optional).'],
      },
      remotePathField,
      {
        key: 'port',
        label: ['Puerto', 'Port'],
        kind: 'number',
        placeholder: ['445', '445'],
        optional: true,
        min: 1,
        max: 65535,
        advanced: true,
        help: ['Por defecto 445 y, si no responde, 139.', 'Default 445, then 139.'],
      },
      timeoutField,
    ],
  },
  targetId: (b) => `smb:${b.server}|${b.share_name}|${b.domain}\\${b.username}|${b.remote_path}`,
  missing: (b) =>
    emptyKeys(b, {
      server: {
        es: 'está vacío: indique la IP o el nombre del servidor SMB',
        en: 'is empty: enter the SMB server address or name',
      },
      share_name: { es: 'está vacío: indique el recurso compartido', en: 'is empty: enter the share name' },
      username: { es: 'está vacío: indique el usuario', en: 'is empty: enter the user name' },
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
