// Pure formatting of what the API returns. Nothing is invented: a missing value is shown as "—",
// ratios (0–1) become percentages with the stated precision, times are shown in UTC.
export type Lang = 'ru' | 'en';

export const DASH = '—';

const locales: Record<Lang, string> = { ru: 'ru-RU', en: 'en-GB' };

function isNum(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

export function formatInt(v: unknown, lang: Lang): string {
  if (!isNum(v)) return DASH;
  return new Intl.NumberFormat(locales[lang], { maximumFractionDigits: 0 }).format(v);
}

// A number with at most `digits` fraction digits (the value as returned, only rounded for display).
export function formatNumber(v: unknown, lang: Lang, digits = 2): string {
  if (!isNum(v)) return DASH;
  return new Intl.NumberFormat(locales[lang], { maximumFractionDigits: digits }).format(v);
}

// A ratio 0–1 as a percentage with exactly `digits` fraction digits: 0.4615 → "46.2 %".
export function formatPercent(ratio: unknown, lang: Lang, digits = 1): string {
  if (!isNum(ratio)) return DASH;
  const s = new Intl.NumberFormat(locales[lang], { minimumFractionDigits: digits, maximumFractionDigits: digits }).format(
    ratio * 100,
  );
  return `${s} %`;
}

// A price with two fraction digits (the shop service answers in currency units with cents).
export function formatMoney(v: unknown, lang: Lang): string {
  if (!isNum(v)) return DASH;
  return new Intl.NumberFormat(locales[lang], { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(v);
}

export function formatBytes(v: unknown, lang: Lang): string {
  if (!isNum(v) || v < 0) return DASH;
  const units = ['B', 'KiB', 'MiB', 'GiB'];
  let x = v;
  let i = 0;
  while (x >= 1024 && i < units.length - 1) {
    x /= 1024;
    i++;
  }
  return `${formatNumber(x, lang, i === 0 ? 0 : 1)} ${units[i]}`;
}

function toDate(v: unknown): Date | undefined {
  if (typeof v === 'string' && v) {
    const d = new Date(v);
    return Number.isNaN(d.getTime()) ? undefined : d;
  }
  if (isNum(v)) return new Date(v * 1000);
  return undefined;
}

// ISO-8601 text or Unix seconds → "2025-10-02 05:18:28 UTC".
export function formatUtc(v: unknown): string {
  const d = toDate(v);
  if (!d) return DASH;
  return `${d.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

// Seconds between `v` and `now` as "45 s", "12 min", "3 h", "2 d" (the unit words come from i18n).
export function ageParts(v: unknown, now: Date): { n: number; unit: 's' | 'min' | 'h' | 'd' } | undefined {
  const d = toDate(v);
  if (!d) return undefined;
  const s = Math.max(0, Math.round((now.getTime() - d.getTime()) / 1000));
  if (s < 90) return { n: s, unit: 's' };
  if (s < 90 * 60) return { n: Math.round(s / 60), unit: 'min' };
  if (s < 36 * 3600) return { n: Math.round(s / 3600), unit: 'h' };
  return { n: Math.round(s / 86400), unit: 'd' };
}

// "2025-10-03" (a UTC date) → Unix seconds at its start; undefined when malformed.
export function utcDateToUnix(date: string): number | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!m) return undefined;
  const t = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  const d = new Date(t);
  if (d.getUTCMonth() !== Number(m[2]) - 1 || d.getUTCDate() !== Number(m[3])) return undefined;
  return t / 1000;
}
