/**
 * Spanish first, English selectable. Every string the page shows comes from the message catalogue (src/messages):
 * tr('ui.sync_now') or tr('ui.events', { count }). The page bundles only the areas it uses.
 */
import { accessMessages } from '../../messages/access.js';
import { commonMessages } from '../../messages/common.js';
import { conflictMessages } from '../../messages/conflict.js';
import { errorMessages } from '../../messages/error.js';
import { identityMessages } from '../../messages/identity.js';
import { type Param, type ParamArgs, type Text, fill } from '../../messages/text.js';
import { uiMessages } from '../../messages/ui.js';
import { progressMessages } from '../../messages/progress.js';
import { truthMessages } from '../../messages/truth.js';
import { formatBytes } from '../../messages/format.js';

export type Lang = 'es' | 'en';

const pageMessages = {
  ...commonMessages,
  ...errorMessages,
  ...uiMessages,
  ...accessMessages,
  ...identityMessages,
  ...conflictMessages,
  ...progressMessages,
  ...truthMessages,
} as const;
type PageMessages = typeof pageMessages;
export type PageMessageKey = keyof PageMessages;

const STORE_KEY = 'cordiax-ui-lang';
let lang: Lang = 'es';

export function initLang(configured?: Lang): Lang {
  const saved = localStorage.getItem(STORE_KEY);
  lang = saved === 'en' || saved === 'es' ? saved : (configured ?? 'es');
  document.documentElement.lang = lang;
  return lang;
}
export function setLang(l: Lang): void {
  lang = l;
  localStorage.setItem(STORE_KEY, l);
  document.documentElement.lang = l;
}
export function getLang(): Lang {
  return lang;
}
/** One catalogue message in the page's language. */
export function tr<K extends PageMessageKey>(key: K, ...params: ParamArgs<PageMessages[K]>): string {
  return fill(pageMessages[key][lang], params[0] as Record<string, Param> | undefined, lang);
}
/** A catalogue entry as data, for tables of labels rendered later with bi(). */
export function uiText(key: PageMessageKey): Text {
  return pageMessages[key];
}
/** Picks the page's language from a Spanish/English pair that came as data (the server, the field tables). */
export function pick(es: string, en: string): string {
  return lang === 'en' ? en : es;
}
/** A bilingual value from the service ({es, en} or message/message_en). */
export function bi(t: { es: string; en: string } | undefined): string {
  return t ? t[lang] : '';
}
export function msg(m: { message: string; message_en: string } | undefined): string {
  return m ? localText(lang === 'en' ? m.message_en : m.message) : '';
}

const ISO_UTC = /\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?Z\b/g;
const DECIMAL_SIZE = /\b(\d+)\.(\d+)(\s?(?:B|KB|MB|GB|TB|KiB|MiB|GiB)\b)/g;

/**
 * A sentence from the service, as the page shows it: ISO-UTC times become the local time ("hoy 11:21:05") and
 * sizes take the page's decimal mark ("143,6 MB" in Spanish), so the page has one time and one number format.
 */
export function localText(text: string): string {
  const local = text.replace(ISO_UTC, (iso) => fmtTime(iso));
  return lang === 'es' ? local.replace(DECIMAL_SIZE, '$1,$2$3') : local;
}

const locale = () => (lang === 'en' ? 'en-GB' : 'es-ES');

/** "143,6 MB": the one size format (src/messages/format.ts), the same the service's log uses. */
export function fmtBytes(n: number | undefined | null): string {
  if (n === undefined || n === null || !Number.isFinite(n)) return '—';
  return formatBytes(n, lang);
}

export function fmtTime(iso: string | null | undefined, withDate = true): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '—';
  const today = new Date().toDateString() === d.toDateString();
  const time = d.toLocaleTimeString(locale(), { hour: '2-digit', minute: '2-digit', second: '2-digit' });
  if (!withDate) return time;
  return today
    ? `${tr('ui.today')} ${time}`
    : `${d.toLocaleDateString(locale(), { day: 'numeric', month: 'short', year: 'numeric' })} ${time}`;
}

/** A time inside a sentence: "de hoy a las 11:21:05", "del 3 dic 2026 a las 11:21:05". */
export function fmtWhen(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '—';
  const time = d.toLocaleTimeString(locale(), { hour: '2-digit', minute: '2-digit', second: '2-digit' });
  if (new Date().toDateString() === d.toDateString()) return tr('ui.when_today', { time });
  const date = d.toLocaleDateString(locale(), { day: 'numeric', month: 'short', year: 'numeric' });
  return tr('ui.when_date', { date, time });
}

/** "hace 3 min" / "en 2 min" from an ISO time. */
export function fmtRelative(iso: string | null | undefined): string {
  if (!iso) return '';
  const secs = Math.round((Date.parse(iso) - Date.now()) / 1000);
  const rtf = new Intl.RelativeTimeFormat(lang, { numeric: 'auto' });
  const a = Math.abs(secs);
  if (a < 60) return rtf.format(secs, 'second');
  if (a < 3600) return rtf.format(Math.round(secs / 60), 'minute');
  if (a < 172800) return rtf.format(Math.round(secs / 3600), 'hour');
  return rtf.format(Math.round(secs / 86400), 'day');
}
