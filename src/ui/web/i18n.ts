/** Spanish first, English selectable. Every string the page shows goes through tr(es, en). */
export type Lang = 'es' | 'en';

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
export function tr(es: string, en: string): string {
  return lang === 'en' ? en : es;
}
/** A bilingual value from the service ({es, en} or message/message_en). */
export function bi(t: { es: string; en: string } | undefined): string {
  return t ? t[lang] : '';
}
export function msg(m: { message: string; message_en: string } | undefined): string {
  return m ? (lang === 'en' ? m.message_en : m.message) : '';
}

const locale = () => (lang === 'en' ? 'en-GB' : 'es-ES');

export function fmtBytes(n: number | undefined | null): string {
  if (n === undefined || n === null || !Number.isFinite(n)) return '—';
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let i = 0;
  let v = n;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toLocaleString(locale(), { maximumFractionDigits: i === 0 ? 0 : v < 10 ? 2 : 1 })} ${units[i]}`;
}

export function fmtTime(iso: string | null | undefined, withDate = true): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '—';
  const today = new Date().toDateString() === d.toDateString();
  const time = d.toLocaleTimeString(locale(), { hour: '2-digit', minute: '2-digit', second: '2-digit' });
  if (!withDate) return time;
  return today
    ? `${tr('hoy', 'today')} ${time}`
    : `${d.toLocaleDateString(locale(), { day: 'numeric', month: 'short', year: 'numeric' })} ${time}`;
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
