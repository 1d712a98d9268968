// Pure message lookup: a catalogue maps keys to texts with {name} placeholders.
export type Catalogue = Record<string, string>;

export function translate(cat: Catalogue, fallback: Catalogue, key: string, params?: Record<string, string | number>): string {
  const text = cat[key] ?? fallback[key] ?? key;
  if (!params) return text;
  return text.replace(/\{(\w+)\}/g, (m, name: string) => (name in params ? String(params[name]) : m));
}

// Keys present in one catalogue and missing in the other (both directions).
export function missingKeys(a: Catalogue, b: Catalogue): string[] {
  const out: string[] = [];
  for (const k of Object.keys(a)) if (!(k in b)) out.push(k);
  for (const k of Object.keys(b)) if (!(k in a)) out.push(k);
  return out.sort();
}

export function normalizeLang(v: string | null | undefined): 'ru' | 'en' {
  return v === 'en' ? 'en' : 'ru';
}
