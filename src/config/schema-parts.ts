/**
 * The building blocks of the config schema (zod), shared by src/config/schema.ts and each transport's declaration
 * (src/transports/<name>/declaration.ts): bilingual messages packed into zod's one message string, and the field
 * types every block uses (texts with a length limit, URLs, remote folders, ports, time-outs).
 */
import { z } from 'zod';

/** A bilingual message packed into zod's single message string (split again by src/config/schema.ts). */
export const MESSAGE_SEPARATOR = '\u0001';
export function msg(es: string, en: string): string {
  return `${es}${MESSAGE_SEPARATOR}${en}`;
}

const MAX_STR = 4096;
export const str = (max = MAX_STR) =>
  z
    .string({ error: msg('debe ser un texto', 'must be a string') })
    .max(max, { error: msg(`no puede superar ${max} caracteres`, `must be at most ${max} characters`) });
export const bool = () => z.boolean({ error: msg('debe ser true o false', 'must be true or false') });

export const httpUrl = (what: string) =>
  str(2048).refine((v) => v === '' || /^https?:\/\/[^\s/?#]+/i.test(v), {
    error: msg(
      `${what}: debe empezar por http:// o https:// (ej: https://cloud.example.com/remote.php/dav)`,
      `${what}: must start with http:// or https:// (e.g. https://cloud.example.com/remote.php/dav)`,
    ),
  });

/** A folder inside the remote: '/'-separated, no '..', no control characters. Backslashes are accepted as separators. */
export const remotePath = () =>
  str(1024)
    .refine((v) => !/[\u0000-\u001f\u007f]/.test(v), {
      error: msg('contiene caracteres de control', 'contains control characters'),
    })
    .refine((v) => !v.replace(/\\/g, '/').split('/').includes('..'), {
      error: msg(
        "no puede contener '..' (no se permite salir de la carpeta remota)",
        "must not contain '..' (leaving the remote folder is not allowed)",
      ),
    })
    .default('/cordiax_sync/');

export const port = () =>
  z
    .number({ error: msg('debe ser un número', 'must be a number') })
    .int({ error: msg('debe ser un número entero', 'must be an integer') })
    .min(1, { error: msg('debe estar entre 1 y 65535', 'must be between 1 and 65535') })
    .max(65535, { error: msg('debe estar entre 1 y 65535', 'must be between 1 and 65535') });

export const timeoutSeconds = () => z.number().min(1).max(3600).optional();
