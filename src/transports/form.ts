/**
 * How a transport's settings appear in the web form: pure data, no imports, so the browser bundle (src/ui/web) can
 * share the types and the API (src/ui/api.ts) can serve each transport's fields as they are declared.
 */

/** Spanish first, English beside it. */
export type Bilingual = readonly [es: string, en: string];

export interface FormField {
  /** Config key inside the transport's block (e.g. 'url'); the API serves it dotted ('webdav.url'). */
  key: string;
  label: Bilingual;
  /** 'password': a secret (write-only in the form; must be listed in the declaration's `secrets`). */
  kind: 'text' | 'url' | 'password' | 'number' | 'checkbox' | 'select' | 'lines';
  placeholder?: Bilingual;
  help?: Bilingual;
  /** value, Spanish, English. */
  options?: ReadonlyArray<readonly [value: string, es: string, en: string]>;
  /** Our optional keys: an empty value removes the key instead of saving ''. */
  optional?: boolean;
  min?: number;
  max?: number;
  /** Shown inside "Opciones avanzadas". */
  advanced?: boolean;
  /** The protocol cannot sync without it. */
  required?: boolean;
  /** A long field that takes the whole row. */
  wide?: boolean;
}

/** A transport's tab in the form. */
export interface TransportForm {
  title: Bilingual;
  /** One sentence: what this protocol is for. */
  what: Bilingual;
  fields: readonly FormField[];
}

/** What GET /api/state serves for each registered transport, in registry order (field keys dotted). */
export interface TransportView extends TransportForm {
  protocol: string;
  /** Dotted keys of the secret fields ('webdav.password'). */
  secrets: string[];
}
