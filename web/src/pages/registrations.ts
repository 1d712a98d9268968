// Registrations: what became of the registration attempts of the last days (UTC), by outcome
// code per day, and the latest attempts with the login asked for (admins only: logins are
// personal data; moderators see the counts). The code filter and the period live in the URL.
import type { ChartConfiguration } from 'chart.js';
import { apiGet } from '../api/client';
import type { RegOutcomes, RegSummary } from '../api/types';
import { h, navLink } from '../dom';
import { formatInt, formatPercent, formatUtc } from '../format';
import { lang, t } from '../i18n';
import { href } from '../router';
import { hasRole } from '../session';
import { apiQuery, int, parseState, stateToQuery, str } from '../url-state';
import { chart, SERIES_COLOURS } from '../ui/chart';
import { filterForm, type FilterField } from '../ui/filters';
import { asyncSection } from '../ui/section';
import { stateBox } from '../ui/states';
import { stats, table } from '../ui/table';
import type { Page } from './page';

const schema = { days: int(7, 1, 90), code: str('', 64), after: str('', 20) };
const PERIODS = [1, 7, 14, 30, 90];
// The stable codes of registration.md and the gateway, offered in the filter before any is seen.
const KNOWN_CODES = ['ok', 'validation_error', 'bad_request', 'invalid_json', 'login_taken', 'limit_exceeded', 'not_in_telegram_group',
  'game_server_error', 'game_server_unreachable', 'game_server_timeout', 'db_unavailable', 'invalid_api_key', 'rate_limited'];

// The first second of the period's first UTC day: the outcome list covers the same days as the summary.
export function periodStart(days: number, now: Date): number {
  return (Math.floor(now.getTime() / 86_400_000) - days + 1) * 86_400;
}

function codeLink(code: string, days: number) {
  return navLink(href('/registrations') + stateToQuery({ days, code }, schema), code);
}

export const registrationsPage: Page = ({ query, signal, session }) => {
  const s = parseState(query, schema);
  const L = lang();
  const days = s.days ?? 7;
  const fields: FilterField[] = [
    { kind: 'select', name: 'days', label: t('filter.days'), value: String(days), options: PERIODS.map((d) => ({ value: String(d), label: t('filter.days_n', { n: d }) })) },
    { kind: 'select', name: 'code', label: t('reg.code'), value: s.code, options: [{ value: '', label: t('filter.any') }, ...[...new Set([...KNOWN_CODES, ...(s.code ? [s.code] : [])])].map((c) => ({ value: c, label: c }))] },
  ];
  return h(
    'div',
    { class: 'page' },
    h('h1', null, t('nav.registrations')),
    filterForm('/registrations', schema, fields),
    asyncSection(t('reg.summary'), signal, async () => {
      const r = await apiGet<RegSummary>('registration', `/admin/registrations/summary${apiQuery({ days })}`, signal);
      const codes = r.by_code.map((c) => c.code);
      return [
        stats([
          { label: t('reg.total'), value: formatInt(r.total, L), testid: 'reg-total' },
          { label: t('reg.ok'), value: formatInt(r.ok_count, L), testid: 'reg-ok' },
          { label: t('reg.failed'), value: formatInt(r.failed_count, L), testid: 'reg-failed' },
          { label: t('reg.period'), value: `${r.date_from} — ${r.date_to} (UTC)` },
        ]),
        r.total === 0 ? null : chart({
          type: 'bar',
          data: {
            labels: r.by_day.map((d) => d.date),
            datasets: codes.map((c, i) => ({ label: c, data: r.by_day.map((d) => d.by_code[c] ?? 0), backgroundColor: c === 'ok' ? '#5ec962' : SERIES_COLOURS[i % SERIES_COLOURS.length] })),
          },
          options: { scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true } } },
        } as ChartConfiguration, t('reg.by_day'), 'reg-chart'),
        table(r.by_code, [
          { title: t('reg.code'), cell: (c) => codeLink(c.code, days), testid: 'reg-code' },
          { title: t('col.count'), cell: (c) => formatInt(c.count, L), numeric: true, testid: 'reg-code-count' },
          { title: t('col.share'), cell: (c) => formatPercent(c.share, L, 1), numeric: true },
        ]),
        r.dropped_since_start > 0 ? h('p', { class: 'warn' }, t('reg.dropped', { n: formatInt(r.dropped_since_start, L) })) : null,
      ];
    }, 'reg-summary'),
    hasRole(session, 'admin')
      ? asyncSection(s.code ? t('reg.recent_code', { code: s.code }) : t('reg.recent'), signal, async () => {
          const r = await apiGet<RegOutcomes>('registration', `/admin/registrations/outcomes${apiQuery({ code: s.code, from: periodStart(days, new Date()), limit: 50, after: s.after })}`, signal);
          return [
            table(r.items, [
              { title: t('col.at'), cell: (o) => formatUtc(o.at) },
              { title: t('reg.code'), cell: (o) => h('span', { class: o.code === 'ok' ? 'badge sev-low' : 'badge sev-high' }, o.code), testid: 'reg-row-code' },
              { title: t('col.login'), cell: (o) => o.login || '—', testid: 'reg-row-login' },
              { title: t('reg.source'), cell: (o) => o.source },
              { title: t('reg.duration'), cell: (o) => formatInt(o.duration_ms, L), numeric: true },
            ]),
            r.next_cursor ? h('nav', { class: 'pager' }, navLink(href('/registrations') + stateToQuery({ ...s, after: r.next_cursor }, schema), t('pager.next'), 'next')) : null,
          ];
        }, 'reg-recent')
      : h('section', { class: 'card' }, h('h2', null, t('reg.recent')), stateBox('forbidden', t('reg.admin_only'))),
  );
};
