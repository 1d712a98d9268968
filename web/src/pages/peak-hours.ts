// Peak hours: battles by hour of day (PvP, PvE, mixed, other) in a chosen time zone, and the
// weekday × hour heatmap of the same window.
import type { ChartConfiguration } from 'chart.js';
import { apiGet } from '../api/client';
import type { HeatCell, Listed, PeakHour } from '../api/types';
import { h } from '../dom';
import { formatInt } from '../format';
import { lang, t } from '../i18n';
import { apiQuery, parseState } from '../url-state';
import { chart, SERIES_COLOURS } from '../ui/chart';
import { daysField, filterForm, tzField, untilField } from '../ui/filters';
import { heatmap } from '../ui/heatmap';
import { asyncSection } from '../ui/section';
import { stats, table } from '../ui/table';
import { tzSchema, untilUnix, windowSchema } from '../ui/window-params';
import type { Page } from './page';

const schema = { ...windowSchema(30), ...tzSchema };

export const peakHoursPage: Page = ({ query, signal }) => {
  const s = parseState(query, schema);
  const L = lang();
  const q = apiQuery({ days: s.days, until: untilUnix(s.until), tz: s.tz });
  return h(
    'div',
    { class: 'page' },
    h('h1', null, t('nav.peak')),
    filterForm('/peak-hours', schema, [daysField(s.days), untilField(String(s.until)), tzField(String(s.tz))]),
    asyncSection(t('peak.hours'), signal, async () => {
      const r = await apiGet<Listed<PeakHour>>('battles', `/analytics/time/peak-hours${q}`, signal);
      const labels = r.items.map((x) => `${String(x.hour).padStart(2, '0')}:00`);
      const series: { key: keyof PeakHour; label: string }[] = [
        { key: 'pvp_battles', label: 'PvP' }, { key: 'pve_battles', label: 'PvE' },
        { key: 'mixed_battles', label: t('peak.mixed') }, { key: 'other_battles', label: t('peak.other') },
      ];
      const present = series.filter((x) => r.items.some((i) => typeof i[x.key] === 'number'));
      const total = typeof r.total_battles === 'number' ? r.total_battles : undefined;
      return [
        stats([
          { label: t('peak.total'), value: formatInt(total, L), testid: 'peak-total' },
          { label: t('peak.peak_hour'), value: typeof r.peak_hour === 'number' ? `${String(r.peak_hour).padStart(2, '0')}:00` : '—', testid: 'peak-hour' },
          { label: t('filter.tz'), value: typeof r.tz === 'string' ? r.tz : '—' },
        ]),
        // Not stacked: PvP and PvE each include the mixed battles (total = pvp + pve − mixed + other),
        // so every bar is a number the API returned and the line is the total.
        r.items.every((i) => i.total_battles === 0) ? null : chart({
          type: 'bar',
          data: {
            labels,
            datasets: [
              { type: 'line', label: t('peak.total_col'), data: r.items.map((it) => it.total_battles), borderColor: '#fde725', backgroundColor: '#fde725' },
              ...present.map((x, i) => ({ type: 'bar' as const, label: x.label, data: r.items.map((it) => Number(it[x.key] ?? 0)), backgroundColor: SERIES_COLOURS[i] })),
            ],
          },
          options: { scales: { y: { beginAtZero: true } } },
        } as ChartConfiguration, t('peak.hours'), 'peak-chart'),
        present.some((x) => x.key === 'mixed_battles') ? h('p', { class: 'muted' }, t('peak.mixed_note')) : null,
        table(r.items, [
          { title: t('col.hour'), cell: (x) => `${String(x.hour).padStart(2, '0')}:00` },
          { title: t('peak.total_col'), cell: (x) => formatInt(x.total_battles, L), numeric: true, testid: 'peak-row-total' },
          ...present.map((p) => ({ title: p.label, cell: (x: PeakHour) => formatInt(x[p.key], L), numeric: true })),
        ]),
      ];
    }, 'peak'),
    asyncSection(t('peak.heatmap'), signal, async () => {
      const r = await apiGet<Listed<HeatCell>>('battles', `/analytics/time/activity-heatmap${q}`, signal);
      return [
        h('p', { class: 'muted' }, t('peak.heatmap_total', { n: formatInt(r.total_battles as number | undefined, L) })),
        heatmap(r.items, typeof r.tz === 'string' ? r.tz : '—'),
      ];
    }, 'heatmap'),
  );
};
