// Churn: players whose activity fell or who went silent in the window (score = max(activity drop,
// inactivity), src/antibot/churn.hpp), counters per risk band, the score distribution, the list
// sorted by risk or activity with the bot detector's verdict when it has one, and a CSV export of
// the rows shown. Window, sort, risk filter, minimum battles and page are in the URL.
import type { ChartConfiguration } from 'chart.js';
import { apiGet } from '../api/client';
import type { ChurnList, ChurnRisk, ChurnRow } from '../api/types';
import { h, navLink } from '../dom';
import { formatInt, formatNumber, formatPercent, formatUtc } from '../format';
import { lang, t, type MessageKey } from '../i18n';
import { href } from '../router';
import { apiQuery, int, oneOf, parseState, stateToQuery, type StateOf } from '../url-state';
import { chart } from '../ui/chart';
import { downloadCsv } from '../ui/csv';
import { churnCsv, riskOf } from '../ui/ranking';
import { filterForm, untilField, DAY_CHOICES } from '../ui/filters';
import { asyncSection } from '../ui/section';
import { stats, table } from '../ui/table';
import { untilUnix, windowSchema } from '../ui/window-params';
import type { Page } from './page';

const schema = {
  ...windowSchema(30),
  days: int(30, 2, 365), // the window is split in two halves
  sort: oneOf(['risk', 'activity'], 'risk'),
  risk: oneOf(['', 'high', 'medium', 'low'], ''),
  min_battles: int(5, 1, 100000),
  offset: int(0, 0, 1000000),
};
type State = StateOf<typeof schema>;
const LIMIT = 50;
export const RISK_COLOURS: Record<ChurnRisk, string> = { high: '#d1495b', medium: '#edae49', low: '#21918c' };

function link(s: State, patch: Partial<State>, text: string, cls?: string): HTMLAnchorElement {
  return navLink(href('/churn') + stateToQuery({ ...s, ...patch }, schema), text, cls);
}

function botCell(r: ChurnRow, status: ChurnList['detector']['status']): Node | string {
  if (r.is_bot === null) return h('span', { class: 'muted', title: t(`churn.detector_${status}` as MessageKey) }, '—');
  return r.is_bot
    ? h('span', { class: 'badge sev-high', title: formatPercent(r.detection?.score, lang(), 1) }, t('antibot.bot'))
    : t('antibot.not_bot');
}

export const churnPage: Page = ({ query, signal }) => {
  const s = parseState(query, schema);
  const L = lang();
  const list = apiGet<ChurnList>('battles', `/analytics/predictions/churn${apiQuery({
    days: s.days, until: untilUnix(s.until), sort: s.sort, risk: s.risk, min_battles: s.min_battles, limit: LIMIT, offset: s.offset || undefined,
  })}`, signal);
  list.catch(() => undefined);
  return h(
    'div',
    { class: 'page' },
    h('h1', null, t('nav.churn')),
    filterForm('/churn', schema, [
      { kind: 'select', name: 'days', label: t('filter.days'), value: String(s.days), options: DAY_CHOICES.filter((d) => d >= 2).map((d) => ({ value: String(d), label: t('filter.days_n', { n: d }) })) },
      untilField(String(s.until)),
      { kind: 'select', name: 'sort', label: t('churn.sort'), value: String(s.sort), options: [{ value: 'risk', label: t('churn.sort_risk') }, { value: 'activity', label: t('churn.sort_activity') }] },
      { kind: 'select', name: 'risk', label: t('churn.risk'), value: String(s.risk), options: [{ value: '', label: t('filter.any') }, ...(['high', 'medium', 'low'] as const).map((r) => ({ value: r, label: t(`churn.risk_${r}`) }))] },
      { kind: 'number', name: 'min_battles', label: t('ratings.min_battles'), value: String(s.min_battles), min: '1', max: '100000', step: '1' },
    ]),
    asyncSection(t('churn.summary'), signal, async () => {
      const r = await list;
      return [
        stats([
          { label: t('churn.risk_high'), value: formatInt(r.counts.high, L), testid: 'churn-high' },
          { label: t('churn.risk_medium'), value: formatInt(r.counts.medium, L), testid: 'churn-medium' },
          { label: t('churn.risk_low'), value: formatInt(r.counts.low, L), testid: 'churn-low' },
          { label: t('churn.players'), value: formatInt(r.players, L), testid: 'churn-players' },
        ]),
        h('p', { class: 'muted' }, t('churn.explain', { days: r.period_days ?? Number(s.days), half: formatNumber((r.period_days ?? Number(s.days)) / 2, L, 1) })),
        h('p', { class: 'muted', 'data-testid': 'churn-detector' }, t(`churn.detector_${r.detector.status}` as MessageKey, { model: r.detector.model_version ?? '—', days: r.detector.window_days ?? '—' })),
      ];
    }, 'churn-summary'),
    asyncSection(t('churn.distribution'), signal, async () => {
      const r = await list;
      if (r.players === 0) return table([], []);
      return chart({
        type: 'bar',
        data: {
          labels: r.histogram.map((b) => `${formatPercent(b.from, L, 0)}–${formatPercent(b.to, L, 0)}`),
          datasets: [{ label: t('churn.players'), data: r.histogram.map((b) => b.players), backgroundColor: r.histogram.map((b) => RISK_COLOURS[riskOf(b.from + 1e-9)]) }],
        },
        options: { scales: { y: { beginAtZero: true, ticks: { precision: 0 } } }, plugins: { legend: { display: false } } },
      } as ChartConfiguration, t('churn.distribution'), 'churn-chart');
    }, 'churn-chart'),
    asyncSection(t('churn.list'), signal, async () => {
      const r = await list;
      const exportButton = h('button', { type: 'button', class: 'btn btn-sm', 'data-testid': 'churn-csv' }, t('churn.csv'));
      exportButton.addEventListener('click', () => downloadCsv(`churn-${r.period_days ?? s.days}d.csv`, churnCsv(r.items)));
      return [
        r.items.length ? h('div', { class: 'inline' }, exportButton, h('span', { class: 'muted' }, t('churn.csv_hint', { n: r.items.length }))) : null,
        table<ChurnRow>(r.items, [
          { title: '#', cell: (x) => x.rank },
          { title: t('col.login'), cell: (x) => navLink(href(`/players/${encodeURIComponent(x.login)}${apiQuery({ days: s.days, until: s.until })}`), x.login), testid: 'churn-login' },
          { title: t('churn.score'), cell: (x) => [h('meter', { class: 'churn', min: 0, max: 1, low: 0.4, high: 0.7, optimum: 0, value: x.churn_score }), formatPercent(x.churn_score, L, 1)], numeric: true, testid: 'churn-score' },
          { title: t('churn.risk'), cell: (x) => h('span', { class: `badge sev-${x.risk}` }, t(`churn.risk_${x.risk}`)) },
          { title: t('churn.factors'), cell: (x) => t('churn.factors_value', { drop: formatPercent(x.activity_drop, L, 0), silence: formatPercent(x.inactivity, L, 0) }) },
          { title: t('churn.days_since'), cell: (x) => formatNumber(x.days_since_last_battle, L, 1), numeric: true, testid: 'churn-days' },
          { title: t('churn.first_half'), cell: (x) => formatInt(x.battles_first_half, L), numeric: true, testid: 'churn-first' },
          { title: t('churn.second_half'), cell: (x) => formatInt(x.battles_second_half, L), numeric: true, testid: 'churn-second' },
          { title: t('col.last_battle'), cell: (x) => formatUtc(x.last_battle_at) },
          { title: t('player.playstyle'), cell: (x) => (L === 'en' ? x.playstyle_display_name_en : x.playstyle_display_name) ?? '—' },
          { title: t('antibot.is_bot'), cell: (x) => botCell(x, r.detector.status) },
        ], t('churn.empty', { n: r.min_battles })),
        h('nav', { class: 'pager' },
          Number(s.offset) > 0 ? link(s, { offset: Math.max(0, Number(s.offset) - LIMIT) || null }, t('pager.prev')) : null,
          typeof r.next_offset === 'number' ? link(s, { offset: r.next_offset }, t('pager.next'), 'next') : null),
      ];
    }, 'churn'),
  );
};
