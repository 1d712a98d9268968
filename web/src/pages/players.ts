// Players: prefix search over every login seen in battles, and the top list of the analytics
// window by a whitelisted metric (GET /analytics/players/top, "not available" until it lands).
import { apiGet } from '../api/client';
import type { Listed, PlayerMatch, TopPlayer } from '../api/types';
import { h, navLink } from '../dom';
import { formatInt, formatNumber, formatPercent, formatUtc } from '../format';
import { lang, t, type MessageKey } from '../i18n';
import { href } from '../router';
import { apiQuery, parseState, stateToQuery, str, int, oneOf } from '../url-state';
import { daysField, filterForm, untilField } from '../ui/filters';
import { asyncSection } from '../ui/section';
import { table } from '../ui/table';
import { untilUnix, windowSchema } from '../ui/window-params';
import type { Page } from './page';

export const METRICS = ['battles_count', 'wins', 'kills_monsters', 'kills_players', 'rank_points_avg', 'pve_points_avg'] as const;

const schema = {
  q: str('', 100),
  metric: oneOf(METRICS, 'battles_count'),
  ...windowSchema(30),
  offset: int(0, 0, 1000000),
};
const LIMIT = 20;

function playerLink(login: string) {
  return navLink(href(`/players/${encodeURIComponent(login)}`), login);
}

export const playersPage: Page = ({ query, signal }) => {
  const s = parseState(query, schema);
  const L = lang();
  const sections: Node[] = [];
  if (s.q) {
    sections.push(
      asyncSection(t('players.search_results', { q: String(s.q) }), signal, async () => {
        const r = await apiGet<{ players: PlayerMatch[] }>('battles', `/players/search${apiQuery({ q: s.q, limit: 50 })}`, signal);
        return table(r.players, [
          { title: t('col.login'), cell: (p) => playerLink(p.login), testid: 'search-login' },
          { title: t('col.battles'), cell: (p) => formatInt(p.battles, L), numeric: true, testid: 'search-battles' },
          { title: t('col.last_battle'), cell: (p) => formatUtc(p.last_ts) },
        ]);
      }, 'search'),
    );
  }
  sections.push(
    asyncSection(t('players.top', { metric: t(`metric.${String(s.metric)}` as MessageKey) }), signal, async () => {
      const r = await apiGet<Listed<TopPlayer>>(
        'battles',
        `/analytics/players/top${apiQuery({ metric: s.metric, days: s.days, until: untilUnix(s.until), limit: LIMIT, offset: s.offset })}`,
        signal,
      );
      return [
        table(r.items, [
          { title: '#', cell: (p) => String(p.rank), numeric: true },
          { title: t('col.login'), cell: (p) => playerLink(p.login), testid: 'top-login' },
          { title: t('col.battles'), cell: (p) => formatInt(p.battles_count, L), numeric: true, testid: 'top-battles' },
          { title: t('col.wins'), cell: (p) => formatInt(p.wins, L), numeric: true },
          { title: t('col.survival'), cell: (p) => formatPercent(p.survival_rate, L, 1), numeric: true },
          { title: t('col.kills_m'), cell: (p) => formatInt(p.kills_monsters, L), numeric: true },
          { title: t('col.kills_p'), cell: (p) => formatInt(p.kills_players, L), numeric: true },
          { title: t('col.rank_points_avg'), cell: (p) => formatNumber(p.rank_points_avg, L, 1), numeric: true },
          { title: t('col.pve_points_avg'), cell: (p) => formatNumber(p.pve_points_avg, L, 0), numeric: true },
        ]),
        h(
          'nav',
          { class: 'pager' },
          Number(s.offset) > 0 ? navLink(href('/players') + stateToQuery({ ...s, offset: Math.max(0, Number(s.offset) - LIMIT) }, schema), t('pager.prev')) : null,
          r.next_offset ? navLink(href('/players') + stateToQuery({ ...s, offset: r.next_offset }, schema), t('pager.next')) : null,
        ),
      ];
    }, 'top'),
  );
  return h(
    'div',
    { class: 'page' },
    h('h1', null, t('nav.players')),
    filterForm('/players', schema, [
      { kind: 'text', name: 'q', label: t('filter.login_prefix'), value: String(s.q) },
      { kind: 'select', name: 'metric', label: t('filter.metric'), value: String(s.metric), options: METRICS.map((m) => ({ value: m, label: t(`metric.${m}` as MessageKey) })) },
      daysField(s.days),
      untilField(String(s.until)),
    ]),
    ...sections,
  );
};
