// The 24 × 7 activity heatmap (ISO weekdays, Monday first) with a numeric legend.
import { h } from '../dom';
import { t, type MessageKey } from '../i18n';
import { colourOf, PALETTE, toGrid, type Cell } from './heatmap-grid';
import { stateBox } from './states';

const DAYS: MessageKey[] = ['day.mon', 'day.tue', 'day.wed', 'day.thu', 'day.fri', 'day.sat', 'day.sun'];

export function heatmap(cells: readonly Cell[], tz: string): HTMLElement {
  const g = toGrid(cells);
  if (g.total === 0) return stateBox('empty');
  const head = h('tr', null, h('th', null, ''), Array.from({ length: 24 }, (_, i) => h('th', { class: i % 6 === 0 ? 'hour major' : 'hour' }, String(i))));
  const body = g.rows.map((row, d) =>
    h(
      'tr',
      null,
      h('th', { scope: 'row' }, t(DAYS[d])),
      row.map((v, hour) => {
        const td = h('td', { class: v > 0 ? 'hm on' : 'hm', title: t('heatmap.cell', { day: t(DAYS[d]), hour, n: v }) }, v > 0 ? String(v) : '');
        const c = colourOf(v, g.max);
        if (c) {
          td.style.backgroundColor = c;
          td.style.color = c === PALETTE[4] || c === PALETTE[3] ? '#111' : '#fff';
        }
        return td;
      }),
    ),
  );
  const legend = h(
    'div',
    { class: 'hm-legend' },
    h('span', null, t('heatmap.legend', { max: g.max, total: g.total, tz })),
    PALETTE.map((c, i) => {
      const s = h('span', { class: 'swatch', title: `≤ ${Math.ceil(((i + 1) / PALETTE.length) * g.max)}` });
      s.style.backgroundColor = c;
      return s;
    }),
  );
  return h('div', { class: 'heatmap' }, h('table', { class: 'hm-table' }, h('thead', null, head), h('tbody', null, body)), legend);
}
