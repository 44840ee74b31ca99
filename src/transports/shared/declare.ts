/** Small helpers the transport declarations share: common form fields and the "still empty" completeness check. */
import type { Text } from '../../errors.js';
import type { FormField } from '../form.js';

export const remotePathField: FormField = {
  key: 'remote_path',
  label: ['Ruta remota', 'Remote path'],
  kind: 'text',
  placeholder: ['/cordiax_sync/', '/cordiax_sync/'],
  help: ['Directorio donde se almacenará la base de datos.', 'Folder where the database is stored.'],
};

export const timeoutField: FormField = {
  key: 'timeout_seconds',
  label: ['Tiempo de espera (segundos)', 'Timeout (seconds)'],
  kind: 'number',
  placeholder: ['60', '60'],
  optional: true,
  min: 1,
  max: 3600,
  advanced: true,
};

/** The keys of `block` whose text is still empty, each with what to enter (a declaration's `missing`). */
export function emptyKeys<B extends Record<string, unknown>, K extends keyof B & string>(
  block: B,
  needs: Record<K, Text>,
): Array<{ key: K; text: Text }> {
  return (Object.keys(needs) as K[])
    .filter((k) => {
      const v = block[k];
      return typeof v !== 'string' || v.trim() === '';
    })
    .map((key) => ({ key, text: needs[key] }));
}
