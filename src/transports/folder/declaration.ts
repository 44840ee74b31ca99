/** The folder transport declares itself: config block, form, target identity, capabilities. */
import path from 'node:path';
import { z } from 'zod';
import { str } from '../../config/schema-parts.js';
import { msg } from '../../messages/index.js';
import type { TransportDeclaration } from '../declaration.js';
import { emptyKeys } from '../shared/declare.js';

const folderSchema = z
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
    title: msg('ui.protocol.folder'),
    what: msg('ui.protocol.folder.what'),
    fields: [
      {
        key: 'path',
        label: msg('ui.field.folder.path'),
        kind: 'text',
        placeholder: msg('ui.placeholder.folder_path'),
        required: true,
        wide: true,
        help: msg('ui.field.folder.path.help'),
      },
    ],
  },
  targetId: (b) => `folder:${b.path}`,
  missing: (b) => [
    ...emptyKeys(b, {
      path: msg('config.empty_enter_target_folder'),
    }),
    ...(b.path && !path.isAbsolute(b.path) ? [{ key: 'path' as const, text: msg('config.must_absolute_path') }] : []),
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
