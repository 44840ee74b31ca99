/** Small helpers the transport declarations share: common form fields and the "still empty" completeness check. */
import type { Text } from '../../errors.js';
import { msg } from '../../messages/index.js';
import { type FormField, same } from '../form.js';

export const remotePathField: FormField = {
  key: 'remote_path',
  label: msg('ui.field.remote_path'),
  kind: 'text',
  placeholder: same('/cordiax_sync/'),
  help: msg('ui.field.remote_path.help'),
};

export const timeoutField: FormField = {
  key: 'timeout_seconds',
  label: msg('ui.field.timeout_seconds'),
  kind: 'number',
  placeholder: same('60'),
  optional: true,
  min: 1,
  max: 3600,
  advanced: true,
};

/**
 * A URL's origin (scheme, host, port; default ports made explicit by URL), for a declaration's secretDestination.
 * Not a URL: the text itself, so any change still counts as another destination.
 */
export function urlOrigin(url: string): string {
  try {
    return new URL(url.trim()).origin;
  } catch {
    return url.trim();
  }
}

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
