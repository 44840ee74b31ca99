/**
 * The building blocks of the config schema (zod), shared by src/config/schema.ts and each transport's declaration
 * (src/transports/<name>/declaration.ts): bilingual messages packed into zod's one message string, and the field
 * types every block uses (texts with a length limit, URLs, remote folders, ports, time-outs).
 */
import { z } from 'zod';
import { msg, type Text } from '../messages/index.js';

/** A bilingual message packed into zod's single message string (split again by src/config/schema.ts). */
export const MESSAGE_SEPARATOR = '\u0001';
export function zodText(text: Text): string {
  return `${text.es}${MESSAGE_SEPARATOR}${text.en}`;
}

const MAX_STR = 4096;
export const str = (max = MAX_STR) =>
  z
    .string({ error: zodText(msg('config.must_string')) })
    .max(max, { error: zodText(msg('config.must_most_characters', { max })) });
export const bool = () => z.boolean({ error: zodText(msg('config.must_true_false')) });

export const httpUrl = (what: string) =>
  str(2048).refine((v) => v === '' || /^https?:\/\/[^\s/?#]+/i.test(v), {
    error: zodText(msg('config.must_start_http_https', { what })),
  });

/** A folder inside the remote: '/'-separated, no '..', no control characters. Backslashes are accepted as separators. */
export const remotePath = () =>
  str(1024)
    .refine((v) => !/[\u0000-\u001f\u007f]/.test(v), {
      error: zodText(msg('config.contains_control_characters')),
    })
    .refine((v) => !v.replace(/\\/g, '/').split('/').includes('..'), {
      error: zodText(msg('config.must_not_contain_leaving_remote')),
    })
    .default('/cordiax_sync/');

export const port = () =>
  z
    .number({ error: zodText(msg('config.must_number')) })
    .int({ error: zodText(msg('config.must_integer')) })
    .min(1, { error: zodText(msg('config.must_between_1_65535')) })
    .max(65535, { error: zodText(msg('config.must_between_1_65535')) });

export const timeoutSeconds = () => z.number().min(1).max(3600).optional();
