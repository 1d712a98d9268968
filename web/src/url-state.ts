// Pure URL state: every filter of a page lives in the query string, so a link reproduces the view.
// A schema says each key's type and default; unknown or malformed values fall back to the default,
// and defaults are left out of the query so links stay short.
export type FieldSpec =
  | { type: 'string'; default: string; max?: number }
  | { type: 'int'; default: number | null; min?: number; max?: number }
  | { type: 'float'; default: number | null; min?: number; max?: number }
  | { type: 'enum'; default: string; values: readonly string[] };

export type Schema = Record<string, FieldSpec>;

export type StateOf<S extends Schema> = {
  [K in keyof S]: S[K] extends { type: 'string' } | { type: 'enum' } ? string : number | null;
};

function parseField(spec: FieldSpec, raw: string | null): string | number | null {
  if (raw === null) return spec.default;
  switch (spec.type) {
    case 'string': {
      const v = raw.trim();
      return spec.max !== undefined && v.length > spec.max ? spec.default : v;
    }
    case 'enum':
      return spec.values.includes(raw) ? raw : spec.default;
    case 'int':
    case 'float': {
      if (raw.trim() === '') return spec.default;
      const n = Number(raw);
      if (!Number.isFinite(n) || (spec.type === 'int' && !Number.isInteger(n))) return spec.default;
      if ((spec.min !== undefined && n < spec.min) || (spec.max !== undefined && n > spec.max)) return spec.default;
      return n;
    }
  }
}

export function parseState<S extends Schema>(search: string, schema: S): StateOf<S> {
  const q = new URLSearchParams(search.startsWith('?') ? search.slice(1) : search);
  const out: Record<string, string | number | null> = {};
  for (const [key, spec] of Object.entries(schema)) out[key] = parseField(spec, q.get(key));
  return out as StateOf<S>;
}

// The query string (with "?", or "" when everything is at its default), keys in schema order.
export function stateToQuery<S extends Schema>(state: Partial<StateOf<S>> | Record<string, unknown>, schema: S): string {
  const q = new URLSearchParams();
  for (const [key, spec] of Object.entries(schema)) {
    const v = (state as Record<string, unknown>)[key];
    if (v === undefined || v === null || v === '' || v === spec.default) continue;
    q.set(key, String(v));
  }
  const s = q.toString();
  return s ? `?${s}` : '';
}

// A query for an API call: the given values, skipping undefined, null and "".
export function apiQuery(params: Record<string, string | number | boolean | null | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

// Field constructors that keep each field's type (so StateOf knows strings from numbers).
export const str = (d: string, max?: number) => ({ type: 'string', default: d, max }) as const satisfies FieldSpec;
export const int = (d: number | null, min?: number, max?: number) => ({ type: 'int', default: d, min, max }) as const satisfies FieldSpec;
export const flt = (d: number | null, min?: number, max?: number) => ({ type: 'float', default: d, min, max }) as const satisfies FieldSpec;
export const oneOf = (values: readonly string[], d: string) => ({ type: 'enum', default: d, values }) as const satisfies FieldSpec;
