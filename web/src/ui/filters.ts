// Filter forms whose values live in the URL: submitting (or changing a select) navigates to the
// same page with the new query, so every view has a shareable link.
import { h, option } from '../dom';
import { t } from '../i18n';
import { href, navigate } from '../router';
import { stateToQuery, type Schema } from '../url-state';

export type FilterField =
  | { kind: 'text' | 'date' | 'number'; name: string; label: string; value: string; placeholder?: string; step?: string; min?: string; max?: string }
  | { kind: 'select'; name: string; label: string; value: string; options: { value: string; label: string }[] };

export function filterForm(path: string, schema: Schema, fields: FilterField[], keep: Record<string, string | number | null> = {}): HTMLFormElement {
  const form = h('form', { class: 'filters', role: 'search' });
  for (const f of fields) {
    const id = `f-${f.name}`;
    let input: HTMLInputElement | HTMLSelectElement;
    if (f.kind === 'select') {
      input = h('select', { id, name: f.name }, f.options.map((o) => option(o.value, o.label, o.value === f.value)));
      input.addEventListener('change', () => form.requestSubmit());
    } else {
      input = h('input', {
        id, name: f.name, type: f.kind, value: f.value, placeholder: f.kind === 'text' ? f.placeholder : undefined,
        step: f.kind === 'number' ? f.step : undefined, min: f.kind === 'number' ? f.min : undefined, max: f.kind === 'number' ? f.max : undefined,
      });
    }
    form.append(h('label', { for: id }, h('span', null, f.label), input));
  }
  form.append(h('button', { type: 'submit', class: 'btn btn-primary' }, t('filter.apply')));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const data = new FormData(form);
    const state: Record<string, string | number | null> = { ...keep };
    for (const f of fields) {
      const raw = String(data.get(f.name) ?? '').trim();
      const spec = schema[f.name];
      state[f.name] = raw === '' ? null : spec && (spec.type === 'int' || spec.type === 'float') ? Number(raw) : raw;
    }
    navigate(href(path) + stateToQuery(state, schema));
  });
  return form;
}

export const DAY_CHOICES = [1, 3, 7, 14, 30, 60, 90, 180, 365];

export function daysField(value: number | null, label = t('filter.days')): FilterField {
  return { kind: 'select', name: 'days', label, value: String(value ?? ''), options: DAY_CHOICES.map((d) => ({ value: String(d), label: t('filter.days_n', { n: d }) })) };
}

export function untilField(value: string): FilterField {
  return { kind: 'date', name: 'until', label: t('filter.until'), value };
}

export const TIME_ZONES = ['UTC', 'Europe/Moscow', 'Europe/Kaliningrad', 'Europe/Samara', 'Asia/Yekaterinburg', 'Asia/Novosibirsk', 'Asia/Vladivostok', 'Europe/Berlin', 'Europe/London', 'America/New_York'];

export function tzField(value: string): FilterField {
  const zones = TIME_ZONES.includes(value) || !value ? TIME_ZONES : [value, ...TIME_ZONES];
  return { kind: 'select', name: 'tz', label: t('filter.tz'), value, options: [{ value: '', label: t('filter.tz_server') }, ...zones.map((z) => ({ value: z, label: z }))] };
}
