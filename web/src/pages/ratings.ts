// Ratings: the window's PvP (team Elo) and PvE (Elo against the encounter) ladders, with each
// player's rating history as a sparkline; the PvE tab also lists the monster kinds' ratings.
// The tab, window, minimum battles and page are in the URL.
import { apiGet } from '../api/client';
import type { Ladder, RatingRow } from '../api/types';
import { h, navLink } from '../dom';
import { formatInt, formatPercent, formatUtc } from '../format';
import { lang, t } from '../i18n';
import { href } from '../router';
import { apiQuery, int, oneOf, parseState, stateToQuery, type StateOf } from '../url-state';
import { daysField, filterForm, untilField } from '../ui/filters';
import { asyncSection } from '../ui/section';
import { rankLabel } from '../ui/ranking';
import { sparkline } from '../ui/sparkline';
import { stats, table } from '../ui/table';
import { untilUnix, windowSchema } from '../ui/window-params';
import type { Page } from './page';

const schema = {
  tab: oneOf(['pvp', 'pve'], 'pvp'),
  ...windowSchema(30),
  min_battles: int(10, 1, 100000),
  offset: int(0, 0, 1000000),
};
type State = StateOf<typeof schema>;
const LIMIT = 50;

function link(s: State, patch: Partial<State>, text: string, cls?: string): HTMLAnchorElement {
  return navLink(href('/ratings') + stateToQuery({ ...s, ...patch }, schema), text, cls);
}

export const ratingsPage: Page = ({ query, signal }) => {
  const s = parseState(query, schema);
  const L = lang();
  const until = untilUnix(s.until);
  const pve = s.tab === 'pve';
  const ladder = apiGet<Ladder>('battles', `/analytics/${s.tab}/elo${apiQuery({ days: s.days, until, min_battles: s.min_battles, limit: LIMIT, offset: s.offset || undefined })}`, signal);
  ladder.catch(() => undefined);
  return h(
    'div',
    { class: 'page' },
    h('h1', null, t('nav.ratings')),
    h('nav', { class: 'tabs' },
      (['pvp', 'pve'] as const).map((tab) => link(s, { tab, offset: null }, t(`ratings.tab_${tab}`), tab === s.tab ? 'tab active' : 'tab'))),
    filterForm('/ratings', schema, [
      daysField(s.days),
      untilField(String(s.until)),
      { kind: 'number', name: 'min_battles', label: t('ratings.min_battles'), value: String(s.min_battles), min: '1', max: '100000', step: '1' },
    ], { tab: s.tab }),
    asyncSection(t(pve ? 'ratings.title_pve' : 'ratings.title_pvp'), signal, async () => {
      const r = await ladder;
      return [
        stats([
          { label: t('ratings.players'), value: formatInt(r.total, L), testid: 'ratings-total' },
          { label: t('ratings.battles_rated'), value: formatInt(r.battles_rated, L), testid: 'ratings-rated' },
          { label: t('ratings.battles_skipped'), value: formatInt(r.battles_skipped, L) },
          { label: t('ratings.window'), value: `${formatUtc(r.window_start)} — ${formatUtc(r.window_end)}` },
        ]),
        h('p', { class: 'muted' }, t(pve ? 'ratings.explain_pve' : 'ratings.explain_pvp', { initial: r.rating.initial, k: r.rating.k, n: r.rating.history_points })),
        table<RatingRow>(r.items, [
          { title: '#', cell: (x) => h('span', { class: x.rank <= 3 ? 'medal' : null, 'data-rank': x.rank }, rankLabel(x.rank)), testid: 'rating-rank' },
          { title: t('col.login'), cell: (x) => navLink(href(`/players/${encodeURIComponent(x.login)}${apiQuery({ days: s.days, until: s.until })}`), x.login), testid: 'rating-login' },
          { title: t('ratings.elo'), cell: (x) => formatInt(x.elo, L), numeric: true, testid: 'rating-elo' },
          { title: t('ratings.history'), cell: (x) => sparkline(x.history, t('ratings.history_label', { n: x.history.length, peak: formatInt(x.peak_elo, L) })) },
          { title: t('ratings.wins'), cell: (x) => formatInt(x.wins, L), numeric: true, testid: 'rating-wins' },
          { title: t('ratings.losses'), cell: (x) => formatInt(x.losses, L), numeric: true, testid: 'rating-losses' },
          ...(pve ? [] : [{ title: t('ratings.draws'), cell: (x: RatingRow) => formatInt(x.draws, L), numeric: true }]),
          { title: t('ratings.win_rate'), cell: (x) => formatPercent(x.win_rate, L, 1), numeric: true, testid: 'rating-win-rate' },
          { title: t('col.battles'), cell: (x) => formatInt(x.total_battles, L), numeric: true, testid: 'rating-battles' },
          { title: t('col.last_battle'), cell: (x) => formatUtc(x.last_battle_at) },
        ], t('ratings.empty', { n: r.min_battles })),
        h('nav', { class: 'pager' },
          Number(s.offset) > 0 ? link(s, { offset: Math.max(0, Number(s.offset) - LIMIT) || null }, t('pager.prev')) : null,
          typeof r.next_offset === 'number' ? link(s, { offset: r.next_offset }, t('pager.next'), 'next') : null),
      ];
    }, 'ratings'),
    pve
      ? asyncSection(t('ratings.monsters'), signal, async () => {
        const r = await ladder;
        return table(r.monsters ?? [], [
          { title: t('col.kind'), cell: (m) => m.kind },
          { title: t('ratings.elo'), cell: (m) => formatInt(m.elo, L), numeric: true, testid: 'monster-elo' },
          { title: t('col.battles'), cell: (m) => formatInt(m.battles, L), numeric: true },
        ]);
      }, 'monsters')
      : null,
  );
};
