/**
 * The one number format for sizes and durations, in the Node code (log messages) and in the page alike: "143,6 MB"
 * in Spanish, "143.6 MB" in English; "35 s", "2 min 05 s". Pure functions over Intl: the browser bundle imports it.
 */
import type { Language, Text } from './text.js';

const UNITS = ['B', 'KB', 'MB', 'GB', 'TB'] as const;
const LOCALE: Record<Language, string> = { es: 'es-ES', en: 'en-GB' };

/** "143,6 MB" (binary multiples, at most one decimal, none for bytes). */
export function formatBytes(n: number, lang: Language): string {
  if (!Number.isFinite(n)) return '—';
  let i = 0;
  let v = n;
  while (v >= 1024 && i < UNITS.length - 1) {
    v /= 1024;
    i++;
  }
  const num = v.toLocaleString(LOCALE[lang], { maximumFractionDigits: i === 0 ? 0 : 1, useGrouping: false });
  return `${num} ${UNITS[i]}`;
}

/** A size as a message parameter, each language with its own decimal mark. */
export function bytesText(n: number): Text {
  return { es: formatBytes(n, 'es'), en: formatBytes(n, 'en') };
}

/** "35 s", "2 min 05 s", "1 h 03 min": a time left, rounded up to whole seconds. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.ceil(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`;
}
