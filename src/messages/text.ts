/**
 * The shape of the message catalogue, kept free of Node so the browser bundle can import it. A message is a Spanish
 * and an English template; `{name}` marks a parameter, and the compiler reads the names out of the templates, so
 * `msg('webdav.http_404', { status, target })` fails to compile when a parameter is missing or misspelt.
 */
export type Language = 'es' | 'en';

/** A message in both languages. */
export interface Text {
  es: string;
  en: string;
}

/** A catalogue area: key -> templates. */
export type Catalogue = Record<string, Text>;

/** The `{name}` parameters of one template (braces around anything with a space, like `{ ... }`, are text). */
type TemplateParams<S extends string> = S extends `${string}{${infer P}}${infer Rest}`
  ? (P extends `${string} ${string}` ? never : P) | TemplateParams<Rest>
  : never;

/** A parameter value: anything printable, or a Text (rendered in the same language as the message). */
export type Param = string | number | bigint | boolean | null | undefined | Text;

/** The arguments after the key: nothing for a message without parameters, else an object naming each one. */
export type ParamArgs<T extends Text> = [TemplateParams<T['es'] | T['en']>] extends [never]
  ? []
  : [params: { [P in TemplateParams<T['es'] | T['en']>]: Param }];

const PLACEHOLDER = /\{(\w+)\}/g;

/** The parameter names a template uses (for the catalogue test). */
export function placeholders(template: string): string[] {
  return [...template.matchAll(PLACEHOLDER)].map((m) => m[1] as string);
}

function show(value: Param, lang: Language): string {
  if (value !== null && typeof value === 'object') return value[lang];
  return String(value);
}

/** Fills a template's parameters in one language. */
export function fill(template: string, params: Record<string, Param> | undefined, lang: Language): string {
  if (!params) return template;
  return template.replace(PLACEHOLDER, (whole, name: string) => (name in params ? show(params[name], lang) : whole));
}

/** Renders one catalogue entry in both languages. */
export function render(text: Text, params?: Record<string, Param>): Text {
  return { es: fill(text.es, params, 'es'), en: fill(text.en, params, 'en') };
}

/** Both languages in one string, for text shown before the language is known (command-line help). */
export function bilingual(text: Text): string {
  return text.es === text.en ? text.es : `${text.es} / ${text.en}`;
}
