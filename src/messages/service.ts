import type { Catalogue } from './text.js';

/** The service that ties config, engine and transports together. */
export const serviceMessages = {
  'service.configuration_missing': {
    es: 'Falta configuración:\n{problems}',
    en: 'Configuration missing:\n{problems}',
  },
} as const satisfies Catalogue;
