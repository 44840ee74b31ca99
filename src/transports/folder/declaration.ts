/** The folder transport declares itself: config block, form, target identity, capabilities. */
import path from 'node:path';
import { z } from 'zod';
import { str } from '../../config/schema-parts.js';
import type { TransportDeclaration } from '../declaration.js';
import { emptyKeys } from '../shared/declare.js';

export const folderSchema = z
  .object({
    path: str(1024).default(''),
  })
  .loose();
export type FolderConfig = z.infer<typeof folderSchema>;

export const folder = {
  name: 'folder',
  // Not in the spec's file: the key appears once a folder is configured.
  block: 'optional',
  schema: folderSchema,
  secrets: [],
  form: {
    title: ['Carpeta', 'Folder'],
    what: [
      'Una carpeta de este equipo o de una unidad montada (disco USB, unidad de red).',
      'A folder on this computer or a mounted drive (USB disk, network drive).',
    ],
    fields: [
      {
        key: 'path',
        label: ['Carpeta de destino', 'Target folder'],
        kind: 'text',
        placeholder: ['/media/copias/cordiax_sync', '/media/backups/cordiax_sync'],
        required: true,
        wide: true,
        help: [
          'Ruta absoluta de una carpeta (por ejemplo, un disco USB o una unidad de red montada).',
          'Absolute path of a folder (for example a USB disk or a mounted network drive).',
        ],
      },
    ],
  },
  targetId: (b) => `folder:${b.path}`,
  missing: (b) => [
    ...emptyKeys(b, {
      path: { es: 'está vacío: indique la carpeta de destino', en: 'is empty: enter the target folder' },
    }),
    ...(b.path && !path.isAbsolute(b.path)
      ? [{ key: 'path' as const, text: { es: 'debe ser una ruta absoluta', en: 'must be an absolute path' } }]
      : []),
  ],
  packages: [],
  // O_EXCL/link() and rename() in one folder; no compare-and-swap on a plain file system.
  capabilities: {
    store: 'files',
    guarantees: { conditionalWrite: false, exclusiveCreate: true, atomicReplace: true },
    atomicWrite: false,
    pushNotifications: false,
  },
  load: () => import('./index.js'),
} satisfies TransportDeclaration<'folder', typeof folderSchema>;
